-- Builds the ordering indexes (records-index.lua, this script's prelude) of records stored
-- before they existed, a bounded number per call: walks the id index of the collection.
-- KEYS[1] the collection's id index (`all`). ARGV[1] the collection's key base
-- (`…:{r:<name>}:`), ARGV[2] from (ZRANGE BYLEX bound), ARGV[3] how many ids, ARGV[4]
-- one ordering to build (`k`: the natural-key sets, after an upgrade dropped them), or
-- "" for all. Returns the last id done, or "" when the collection is done. Idempotent (ZADD).
local base = ARGV[1]
if ARGV[4] ~= '' then ix_ords = { ARGV[4] } end
ix_defer = true
local ids = redis.call('ZRANGE', KEYS[1], ARGV[2], '+', 'BYLEX', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', base .. 'rec:' .. id, 'nk', 'layer', 'createdAt', 'updatedAt')
  if h[1] then ix_apply(base, 'ZADD', id, { nk = h[1], layer = h[2], createdAt = h[3], updatedAt = h[4] }) end
end
ix_flush()
if #ids < tonumber(ARGV[3]) then return '' end
return ids[#ids]
