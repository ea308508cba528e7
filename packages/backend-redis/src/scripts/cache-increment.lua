-- Atomic increment of one cache entry (cache-increment-value.lua is prepended).
-- KEYS[1] the entry; ARGV[1] the step (a safe integer, decimal); ARGV[2] TTL in ms for a
-- new entry, or "" for none.
local result = increment_value(KEYS[1], ARGV[1], ARGV[2])
return result
