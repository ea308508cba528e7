-- Moves the posting lists of layout 3 out of the record hashes (field `px`) into their own
-- strings `<base>x:<id>` (records-posting-keys.lua), a bounded number of records per call,
-- walking the id index. Each such hash is written anew with its eight fields: dropping a
-- field never makes Redis re-encode a hash compactly.
-- KEYS[1] the collection's id index (`all`). ARGV[1] the collection's key base
-- (`…:{r:<name>}:`), ARGV[2] from (ZRANGE BYLEX bound), ARGV[3] how many ids.
-- Returns the last id done, or "" when the collection is done. Idempotent.
local base, count = ARGV[1], tonumber(ARGV[3])
local FIELDS = { 'id', 'nk', 'layer', 'version', 'createdAt', 'updatedAt', 'content', 'metadata' }
local ids = redis.call('ZRANGE', KEYS[1], ARGV[2], '+', 'BYLEX', 'LIMIT', 0, count)
for _, id in ipairs(ids) do
  local key = base .. 'rec:' .. id
  local h = redis.call('HMGET', key, 'px', unpack(FIELDS))
  if h[1] then
    local fields = {}
    for j, field in ipairs(FIELDS) do
      if h[j + 1] then
        fields[#fields + 1] = field
        fields[#fields + 1] = h[j + 1]
      end
    end
    redis.call('DEL', key)
    if #fields > 0 then redis.call('HSET', key, unpack(fields)) end
    redis.call('SET', base .. 'x:' .. id, h[1])
  end
end
if #ids < count then return '' end
return ids[#ids]
