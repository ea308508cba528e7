-- Deletes one record and its index entries. KEYS[1] natural key -> id hash, KEYS[2] all
-- ids, KEYS[3..5] layer sets (bronze, silver, gold), KEYS[6] the record hash.
-- ARGV[1] id, ARGV[2] the layer it must be in, or "". Returns 1 if deleted.
local h = redis.call('HMGET', KEYS[6], 'nk', 'layer')
if not h[1] then return 0 end
if ARGV[2] ~= '' and h[2] ~= ARGV[2] then return 0 end
local layers = { bronze = KEYS[3], silver = KEYS[4], gold = KEYS[5] }
redis.call('DEL', KEYS[6])
if redis.call('HGET', KEYS[1], h[1]) == ARGV[1] then redis.call('HDEL', KEYS[1], h[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', layers[h[2]], ARGV[1])
return 1
