-- Builds the equality postings (records-posting-keys.lua, this script's prelude) of records
-- stored before they existed, in bounded steps: the client computes the postings from the
-- documents (hashing happens in records-postings.ts, as for every write).
-- KEYS[1] the collection's id index (`all`). ARGV[1] op, ARGV[2] the collection's key base
-- (`…:{r:<name>}:`).
-- read:  ARGV[3] from (ZRANGE BYLEX bound), ARGV[4] how many ids; returns { last id or ""
--        when the collection is done, then id, version, content, metadata of every record
--        without a posting list }.
-- write: per record id, version, postings; a record written (or deleted) since it was
--        read is left alone: its write kept its postings.
local op, base = ARGV[1], ARGV[2]
local recp = base .. 'rec:'

-- A record has postings once it has a posting list (layout 3 kept it in the hash's `px`).
local function listed(id, legacy)
  return legacy or redis.call('EXISTS', base .. 'x:' .. id) == 1
end
if op == 'read' then
  local count = tonumber(ARGV[4])
  local ids = redis.call('ZRANGE', KEYS[1], ARGV[3], '+', 'BYLEX', 'LIMIT', 0, count)
  local out = { #ids < count and '' or ids[#ids] }
  for _, id in ipairs(ids) do
    local h = redis.call('HMGET', recp .. id, 'version', 'content', 'metadata', 'px')
    if h[1] and not listed(id, h[4]) then
      out[#out + 1] = id
      out[#out + 1] = h[1]
      out[#out + 1] = h[2]
      out[#out + 1] = h[3]
    end
  end
  return out
end
for a = 3, #ARGV, 3 do
  local id = ARGV[a]
  local h = redis.call('HMGET', recp .. id, 'version', 'px')
  if h[1] == ARGV[a + 1] and not listed(id, h[2]) then
    redis.call('SET', base .. 'x:' .. id, ARGV[a + 2])
    px_apply(base .. 'p:', id, false, ARGV[a + 2])
  end
end
return 0
