-- Prelude of the record write scripts: the equality postings (records-postings.ts). A
-- record's postings are listed, space-separated, in its hash field `px`; each is a sorted
-- set `<prefix><suffix>` of ids, every member scored 0 so it sorts by id.

local function px_set(list)
  local set = {}
  if list then
    for suffix in string.gmatch(list, '%S+') do set[suffix] = true end
  end
  return set
end

-- Moves record `id` from the postings of list `old` to those of list `new` (either may be
-- false: none); a posting both list keep is not touched.
local function px_apply(prefix, id, old, new)
  if old == new then return end
  local before, after = px_set(old), px_set(new)
  for suffix in pairs(before) do
    if not after[suffix] then redis.call('ZREM', prefix .. suffix, id) end
  end
  for suffix in pairs(after) do
    if not before[suffix] then redis.call('ZADD', prefix .. suffix, 0, id) end
  end
end
