-- Builds the equality postings (records-posting-keys.lua, this script's prelude) of records
-- stored before they existed, in bounded steps: the client computes the postings from the
-- documents (hashing happens in records-postings.ts, as for every write).
-- KEYS[1] the collection's id index (`all`). ARGV[1] op, ARGV[2] record key prefix.
-- read:  ARGV[3] from (ZRANGE BYLEX bound), ARGV[4] how many ids; returns { last id or ""
--        when the collection is done, then id, version, content, metadata of every record
--        without postings }.
-- write: ARGV[3] posting key prefix, then per record id, version, postings; a record
--        written (or deleted) since it was read is left alone: its write kept its postings.
local op, recp = ARGV[1], ARGV[2]
if op == 'read' then
  local count = tonumber(ARGV[4])
  local ids = redis.call('ZRANGE', KEYS[1], ARGV[3], '+', 'BYLEX', 'LIMIT', 0, count)
  local out = { #ids < count and '' or ids[#ids] }
  for _, id in ipairs(ids) do
    local h = redis.call('HMGET', recp .. id, 'version', 'content', 'metadata', 'px')
    if h[1] and not h[4] then
      out[#out + 1] = id
      out[#out + 1] = h[1]
      out[#out + 1] = h[2]
      out[#out + 1] = h[3]
    end
  end
  return out
end
for a = 4, #ARGV, 3 do
  local id, key = ARGV[a], recp .. ARGV[a]
  local h = redis.call('HMGET', key, 'version', 'px')
  if h[1] == ARGV[a + 1] and not h[2] then
    redis.call('HSET', key, 'px', ARGV[a + 2])
    px_apply(ARGV[3], id, false, ARGV[a + 2])
  end
end
return 0
