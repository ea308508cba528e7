-- Appends values to a topic's stream at dense offsets, atomically: the batch is contiguous
-- whatever other clients do. KEYS[1] the stream, KEYS[2] the offset counter (= entries
-- ever appended); ARGV[1] the timestamp (ms), ARGV[2..] the encoded values. Offset o is
-- stored under the stream id 0-(o+1), so XRANGE by offset needs no lookup. Returns the
-- first offset.
local n = #ARGV - 1
local next = redis.call('INCRBY', KEYS[2], n)
local first = next - n
for i = 1, n do
  redis.call('XADD', KEYS[1], string.format('0-%d', first + i), 't', ARGV[1], 'v', ARGV[i + 1])
end
return first
