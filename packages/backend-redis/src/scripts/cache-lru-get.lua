-- Reads entries of a namespace with `maxEntries` and marks each found one most recently
-- used (cache-lru.lua is prepended). ARGV[3..] the entry names; answers their values in
-- order (nil for a miss).
local out = {}
for i = 3, #ARGV do
  local value = redis.call('GET', base .. ARGV[i])
  if value then
    touch(ARGV[i])
  end
  out[i - 2] = value
end
return out
