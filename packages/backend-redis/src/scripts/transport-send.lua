-- Sends messages of one channel, dropping those whose idempotency key was seen within the
-- dedup window (SET NX PX). KEYS[1] the channel's stream; KEYS[1+i] message i's dedup key
-- (KEYS[1] again when it has none). ARGV[1] "stream" (XADD) or "publish" (PUBLISH);
-- ARGV[2] dedup window (ms); ARGV[3] pub/sub channel; then per message: has-key flag, JSON.
-- Returns one entry per message: its stream id (XADD), "" (PUBLISH) or 0 (dropped repeat).
local mode, window, channel = ARGV[1], ARGV[2], ARGV[3]
local n = (#ARGV - 3) / 2
local ids = {}
for i = 1, n do
  local keyed = ARGV[2 + 2 * i] == '1'
  local fresh = true
  if keyed then
    fresh = redis.call('SET', KEYS[1 + i], '1', 'NX', 'PX', window) ~= false
  end
  if fresh then
    if mode == 'stream' then
      ids[i] = redis.call('XADD', KEYS[1], '*', 'm', ARGV[3 + 2 * i])
    else
      redis.call('PUBLISH', channel, ARGV[3 + 2 * i])
      ids[i] = ''
    end
  else
    ids[i] = 0
  end
end
return ids
