-- Writes entries of a namespace with `maxEntries`, then evicts down to the bound
-- (cache-lru.lua is prepended). ARGV[3] "set" or "add" (only if absent); ARGV[4..]
-- triples of entry name, text and TTL in ms ("" for none). Answers how many were written.
local add = ARGV[3] == 'add'
local written = 0
for i = 4, #ARGV, 3 do
  local name, text, ttl = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local args = { 'SET', base .. name, text }
  if ttl ~= '' then
    args[#args + 1] = 'PX'
    args[#args + 1] = ttl
  end
  if add then
    args[#args + 1] = 'NX'
  end
  if redis.call(unpack(args)) then
    touch(name)
    expires(name, ttl)
    written = written + 1
  end
end
evict()
return written
