-- transport 1 → 2: send's delayMs; a version-1 file's messages get NULL (due at once).
ALTER TABLE core_outbox ADD COLUMN not_before INTEGER;
