-- Compare-and-set of a consumer group's claim record (a text the protocol layer owns):
-- KEYS[1] the topic's hash of claim records, ARGV[1] the group, ARGV[2] the record read,
-- ARGV[3] the new one. Returns 1 when the record was still ARGV[2] and is now ARGV[3].
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
