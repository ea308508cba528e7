-- Deletes one record and its index entries. KEYS[1] natural key -> id hash, KEYS[2] the
-- record hash. ARGV[1] id, ARGV[2] the layer it must be in, or "", ARGV[3] the collection's
-- key base (`…:{r:<name>}:`, for its indexes (records-index.lua), postings and their lists
-- (records-posting-keys.lua)).
-- Returns 1 if deleted.
local key, base = KEYS[2], ARGV[3]
local h = redis.call('HMGET', key, 'nk', 'layer', 'createdAt', 'updatedAt', 'px')
if not h[1] then return 0 end
if ARGV[2] ~= '' and h[2] ~= ARGV[2] then return 0 end
local px = px_get(base, ARGV[1], h[5])
redis.call('DEL', key, base .. 'x:' .. ARGV[1])
if redis.call('HGET', KEYS[1], h[1]) == ARGV[1] then redis.call('HDEL', KEYS[1], h[1]) end
ix_apply(base, 'ZREM', ARGV[1], { nk = h[1], layer = h[2], createdAt = h[3], updatedAt = h[4] })
px_apply(base .. 'p:', ARGV[1], px, false)
return 1
