-- Library (prepended to the cache-lru-* scripts): least-recently-used bookkeeping of one
-- namespace with `maxEntries`. KEYS[1] a sorted set of entry names scored by a recency
-- tick; KEYS[2] a sorted set of the entries with a TTL, scored by expiry time (ms);
-- KEYS[3] the tick counter; KEYS[4] the namespace's eviction counter. ARGV[1] the prefix
-- of entry keys; ARGV[2] the bound.
local lru, exp, tick, evicted = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base, max = ARGV[1], tonumber(ARGV[2])
local now_ms = nil

local function now()
  if not now_ms then
    local t = redis.call('TIME')
    now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now_ms
end

-- A counter, not the clock: writes within one millisecond keep their order.
local function touch(name)
  redis.call('ZADD', lru, redis.call('INCR', tick), name)
end

local function expires(name, ttl)
  if ttl == '' then
    redis.call('ZREM', exp, name)
  else
    redis.call('ZADD', exp, now() + tonumber(ttl), name)
  end
end

-- Entries past their TTL leave the bookkeeping first (a bounded batch per write), so
-- they do not count against the bound; then the least recently used live entries go.
-- Only a live entry removed here counts as an eviction.
local function evict()
  local gone = redis.call('ZRANGEBYSCORE', exp, '-inf', now(), 'LIMIT', 0, 64)
  for _, name in ipairs(gone) do
    redis.call('ZREM', lru, name)
    redis.call('ZREM', exp, name)
    redis.call('UNLINK', base .. name)
  end
  local n = 0
  while redis.call('ZCARD', lru) > max do
    local victim = redis.call('ZPOPMIN', lru)[1]
    redis.call('ZREM', exp, victim)
    n = n + redis.call('UNLINK', base .. victim)
  end
  if n > 0 then
    redis.call('INCRBY', evicted, n)
  end
end
