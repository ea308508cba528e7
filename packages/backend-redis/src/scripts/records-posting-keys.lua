-- Prelude of the record write scripts: the equality postings (records-postings.ts). A
-- record's postings are listed, space-separated, in its own string `<base>x:<id>`; each is
-- a sorted set `<base>p:<suffix>` of ids, every member scored 0 so it sorts by id. The list
-- lives outside the record hash so the hash holds only the eight fields a page reads and
-- stays small enough for Redis's compact encoding (listpack: one allocation per record);
-- layout 3 kept it in the hash field `px` (records-layout.ts moves it out).

-- The posting list of record `id`: `legacy` (a `px` field still in its hash), else its key.
local function px_get(base, id, legacy)
  if legacy then return legacy end
  return redis.call('GET', base .. 'x:' .. id)
end

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
