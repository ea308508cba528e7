-- Atomic increment with INCRBY semantics, for a cache entry holding a codec-encoded value.
-- KEYS[1] the entry; ARGV[1] the step (a safe integer, decimal); ARGV[2] TTL in ms for a
-- new entry, or "" for none. A missing (or expired) entry counts as 0; an existing entry
-- keeps its TTL. Values that are not integers, and results beyond 2^53 - 1, are refused
-- before anything is written.
local current = redis.call('GET', KEYS[1])
if not current then
  if ARGV[2] ~= '' then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[1], ARGV[1])
  end
  return tonumber(ARGV[1])
end
if #current > 16 or not (current == '0' or string.match(current, '^%-?[1-9]%d*$')) then
  return redis.error_reply('INVALID the stored value is not an integer; increment needs an integer value')
end
local result = tonumber(current) + tonumber(ARGV[1])
if result > 9007199254740991 or result < -9007199254740991 then
  return redis.error_reply('INVALID the result would leave the safe integer range')
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
