-- Increments an entry of a namespace with `maxEntries` (cache-lru.lua and
-- cache-increment-value.lua are prepended): ARGV[3] the entry name, ARGV[4] the step,
-- ARGV[5] TTL in ms for a new entry or "". Marks it most recently used, then evicts.
local result, created = increment_value(base .. ARGV[3], ARGV[4], ARGV[5])
if type(result) == 'table' then
  return result
end
touch(ARGV[3])
if created then
  expires(ARGV[3], ARGV[5])
end
evict()
return result
