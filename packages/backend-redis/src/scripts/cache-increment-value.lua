-- Library (prepended to the increment scripts): INCRBY semantics for a cache entry holding
-- a codec-encoded value. `by` is a safe integer in decimal, `ttl` a TTL in ms for a new
-- entry or "" for none. A missing (or expired) entry counts as 0 and is created; an
-- existing entry keeps its TTL. Values that are not integers, and results beyond
-- 2^53 - 1, are refused before anything is written. Answers the result (or an error
-- reply to return) and whether the entry was created.
local function increment_value(key, by, ttl)
  local current = redis.call('GET', key)
  if not current then
    if ttl ~= '' then
      redis.call('SET', key, by, 'PX', ttl)
    else
      redis.call('SET', key, by)
    end
    return tonumber(by), true
  end
  if #current > 16 or not (current == '0' or string.match(current, '^%-?[1-9]%d*$')) then
    return redis.error_reply('INVALID the stored value is not an integer; increment needs an integer value'), false
  end
  local result = tonumber(current) + tonumber(by)
  if result > 9007199254740991 or result < -9007199254740991 then
    return redis.error_reply('INVALID the result would leave the safe integer range'), false
  end
  return redis.call('INCRBY', key, by), false
end
