-- Stores one record atomically: records-store.lua for a batch of one, without the
-- bookkeeping a batch needs (records before in the same batch), as `store` is the hot path.
-- KEYS[1] natural key -> id hash, KEYS[2] the record hash; ARGV as records-store.lua
-- (mode, now, expected version or -1, key base, then the record's eight arguments).
-- Preludes: records-index.lua, records-posting-keys.lua, records-write.lua.
-- Returns kind (0 skipped, 1 inserted, 2 updated), version, createdAt.
local mode, now, expected, base = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local id, nk = ARGV[5], ARGV[6]
local old = rec_state(KEYS[2], base, id)
if expected >= 0 then
  local current = old and old.version or 0
  if current ~= expected then return redis.error_reply('CONFLICT version ' .. current .. ' expected ' .. expected) end
end
if old and mode ~= 'update' then
  if mode == 'error' then return redis.error_reply('CONFLICT id 1') end
  return { 0, 0, '0' }
end
-- A record's own key needs no look-up: its entry was written with the record.
if not old or old.nk ~= nk then
  local taken = redis.call('HGET', KEYS[1], nk)
  if taken and taken ~= id then
    if mode ~= 'skip' then return redis.error_reply('CONFLICT naturalKey 1') end
    return { 0, 0, '0' }
  end
end
if not old then rec_mark_postings(base) end
local new = rec_next(old, 4, now)
rec_write(KEYS[1], KEYS[2], base, 4, old, new)
return { old and 2 or 1, new.version, new.createdAt }
