-- Builds the ordering indexes (records-index.lua, this script's prelude) of records stored
-- before they existed, a bounded number per call: walks the id index of the collection.
-- KEYS[1] unused (natural key hash, for the shared layout), KEYS[2..17] the indexes.
-- ARGV[1] record key prefix, ARGV[2] from (ZRANGE BYLEX bound), ARGV[3] how many ids.
-- Returns the last id done, or "" when the collection is done. Idempotent (ZADD).
local ix = ix_keys(2)
local ids = redis.call('ZRANGE', ix.all.id, ARGV[2], '+', 'BYLEX', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', ARGV[1] .. id, 'nk', 'layer', 'createdAt', 'updatedAt')
  if h[1] then ix_apply(ix, 'ZADD', id, { nk = h[1], layer = h[2], createdAt = h[3], updatedAt = h[4] }) end
end
ix_flush()
if #ids < tonumber(ARGV[3]) then return '' end
return ids[#ids]
