-- A filtered page or count served by the equality postings (records-posting-keys.lua):
-- records outside the postings are never read. Preludes: records-filter.lua (the residual
-- conditions) and records-index.lua (ix_time, ix_nk: the members of the orderings).
-- Every call stops after `budget` cost units (an id checked against the postings costs 1,
-- a record read costs 2, or 8 when residual conditions may decode its JSON) and returns a
-- resume point; the client calls again from there.
-- KEYS[1] the ordering index of the query's scope, KEYS[2] the id set of the query's
-- layer (checked when ARGV[13] is 1).
-- ARGV[1] op: page | count; ARGV[2] record key prefix; ARGV[3] posting key prefix;
-- ARGV[4] the posting groups as JSON (lists of suffixes: a record must be in one posting
-- of every group); ARGV[5] ordering: id k c u (records-index.lua); ARGV[6] from,
-- ARGV[7] to (ZRANGE BYLEX bounds in the ordering index); ARGV[8] 1 = REV; ARGV[9] matches
-- still to skip; ARGV[10] matches wanted; ARGV[11] budget; ARGV[12] residual conditions
-- as JSON, or ""; ARGV[13] 1 = check the layer.
-- page returns { resume member or "", skip left, then 8 fields per matching record }.
-- count reads ARGV[6] as the id bound to resume from in posting ARGV[8] of group ARGV[7]
-- (0: a fresh count) and returns { matches, group, posting, bound }, group 0 when done.
local op, recp, pp = ARGV[1], ARGV[2], ARGV[3]
local groups = cjson.decode(ARGV[4])
local ord, from, to, rev = ARGV[5], ARGV[6], ARGV[7], ARGV[8] == '1'
local skip, want, budget = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local conditions = ARGV[12] ~= '' and cjson.decode(ARGV[12]) or nil
local layered = ARGV[13] == '1'
local FIELDS = { 'id', 'nk', 'layer', 'version', 'createdAt', 'updatedAt', 'content', 'metadata' }
local BATCH = 256
-- A driving posting this small is read whole and sorted in the query's order; a larger
-- one is walked in order (id ordering) or checked against the ordering index.
local SMALL = 4096
local READ_COST = conditions and 8 or 2

for _, suffixes in ipairs(groups) do
  for i, suffix in ipairs(suffixes) do suffixes[i] = pp .. suffix end
end
-- A count treats the layer's id set as one more group: it may be the smallest to walk.
if op == 'count' and layered then
  groups[#groups + 1] = { KEYS[2] }
  layered = false
end
-- The driving group: the fewest ids.
local sizes, driver = {}, 1
for g, keys in ipairs(groups) do
  local n = 0
  for _, key in ipairs(keys) do n = n + redis.call('ZCARD', key) end
  sizes[g] = n
  if n < sizes[driver] then driver = g end
end

-- The ids among `ids` that are in every group but `except` and, with `layer`, in the layer.
local function admitted(ids, except, layer)
  local keep = ids
  local function narrow(keys)
    if #keep == 0 then return end
    local hit = {}
    for _, key in ipairs(keys) do
      for i, score in ipairs(redis.call('ZMSCORE', key, unpack(keep))) do
        if score then hit[i] = true end
      end
    end
    local next = {}
    for i, id in ipairs(keep) do
      if hit[i] then next[#next + 1] = id end
    end
    keep = next
  end
  for g, keys in ipairs(groups) do
    if g ~= except then narrow(keys) end
  end
  if layer then narrow({ KEYS[2] }) end
  return keep
end

-- The record's hash fields when it exists and holds the residual conditions.
local function read(id)
  local h = redis.call('HMGET', recp .. id, unpack(FIELDS))
  if not h[1] then return nil end
  if conditions and not f_matches(h, conditions) then return nil end
  return h
end

local function range(key, lo, hi, count)
  if rev then return redis.call('ZRANGE', key, lo, hi, 'BYLEX', 'REV', 'LIMIT', 0, count) end
  return redis.call('ZRANGE', key, lo, hi, 'BYLEX', 'LIMIT', 0, count)
end

if op == 'count' then
  local found, g, p, bound = 0, tonumber(ARGV[7]), tonumber(ARGV[8]), from
  if g == 0 then
    if sizes[driver] == 0 then return { 0, 0, 0, '' } end
    if #groups == 1 and not conditions then return { sizes[driver], 0, 0, '' } end
    g, p, bound = driver, 1, '-'
  end
  local keys, spent = groups[g], 0
  while p <= #keys do
    if spent >= budget then return { found, g, p, bound } end
    local ids = redis.call('ZRANGE', keys[p], bound, '+', 'BYLEX', 'LIMIT', 0, BATCH)
    spent = spent + #ids
    for _, id in ipairs(admitted(ids, g, false)) do
      if conditions then
        spent = spent + READ_COST
        if read(id) then found = found + 1 end
      else
        found = found + 1
      end
    end
    if #ids < BATCH then
      p, bound = p + 1, '-'
    else
      bound = '(' .. ids[#ids]
    end
  end
  return { found, 0, 0, '' }
end

local found = 0
local out = { '', 0 }
-- Adds a matching record to the page (after the offset); true when the page is full.
local function take(h)
  if skip > 0 then
    skip = skip - 1
    return false
  end
  found = found + 1
  for j = 1, 8 do out[#out + 1] = h[j] end
  return found >= want
end

local function finish(resume)
  out[1] = resume or ''
  out[2] = skip
  return out
end

if sizes[driver] == 0 then return finish(nil) end

-- Walks `key` in order from `from`, `ids_of` turning a batch of its members into ids
-- (false for a member whose record is gone); `except`/`layer` as for admitted.
local function walk(key, ids_of, except, layer)
  local spent, last = 0, nil
  while spent < budget do
    local members = range(key, last and ('(' .. last) or from, to, BATCH)
    spent = spent + #members
    local ids = {}
    for _, id in ipairs(ids_of(members)) do
      if id then ids[#ids + 1] = id end
    end
    for _, id in ipairs(admitted(ids, except, layer)) do
      spent = spent + READ_COST
      local h = read(id)
      if h and take(h) then return out end
    end
    if #members < BATCH then return finish(nil) end
    last = members[#members]
  end
  return finish(last)
end

local function same(members)
  return members
end

-- Id order with one driving posting: the posting is itself in id order.
if ord == 'id' and #groups[driver] == 1 then return walk(groups[driver][1], same, driver, layered) end

-- The record's member in the ordering index (records-index.lua), or nil when it is gone.
local function member_of(id)
  if ord == 'id' then return id end
  if ord == 'k' then
    local nk = redis.call('HGET', recp .. id, 'nk')
    return nk and ix_nk(nk, id) or nil
  end
  local ms = tonumber(redis.call('HGET', recp .. id, ord == 'c' and 'createdAt' or 'updatedAt'))
  if ms == nil then return nil end
  return ix_time(ms) .. id
end

-- Whether member m lies past the lower bound `lo` / before the upper bound `hi` (BYLEX syntax).
local function above(m, lo)
  if lo == '-' then return true end
  if lo == '+' then return false end
  local c = f_bytes(m, string.sub(lo, 2))
  if string.sub(lo, 1, 1) == '(' then return c > 0 end
  return c >= 0
end
local function below(m, hi)
  if hi == '+' then return true end
  if hi == '-' then return false end
  local c = f_bytes(m, string.sub(hi, 2))
  if string.sub(hi, 1, 1) == '(' then return c < 0 end
  return c <= 0
end
local function in_range(m)
  if rev then return above(m, to) and below(m, from) end
  return above(m, from) and below(m, to)
end

-- Bytes first .. first + 5 of s as one number (base 257, a missing byte below every
-- byte): comparing two of them compares those bytes as strings would, and much faster.
local function digits(s, first)
  local n = 0
  for i = first, first + 5 do n = n * 257 + (string.byte(s, i) or -1) + 1 end
  return n
end

-- Byte order of members, through their first 12 bytes as numbers (Lua's string `<`
-- follows the server's locale; records-filter.lua's f_bytes is exact but slow).
local function before(a, b)
  if a[3] ~= b[3] then return a[3] < b[3] end
  if a[4] ~= b[4] then return a[4] < b[4] end
  return f_bytes(string.sub(a[1], 13), string.sub(b[1], 13)) < 0
end

if sizes[driver] <= SMALL then
  -- Few candidates: each one's place in the ordering comes from its hash, then they are
  -- sorted here and read in order up to the budget.
  local candidates, ids = {}, {}
  for _, key in ipairs(groups[driver]) do
    for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do ids[#ids + 1] = id end
  end
  for first = 1, #ids, BATCH do
    local chunk = { unpack(ids, first, math.min(#ids, first + BATCH - 1)) }
    for _, id in ipairs(admitted(chunk, driver, layered)) do
      local m = member_of(id)
      if m and in_range(m) then candidates[#candidates + 1] = { m, id, digits(m, 1), digits(m, 7) } end
    end
  end
  if rev then
    table.sort(candidates, function(a, b) return before(b, a) end)
  else
    table.sort(candidates, before)
  end
  local spent, last = 0, nil
  for _, candidate in ipairs(candidates) do
    if spent >= budget then return finish(last) end
    spent = spent + READ_COST
    local h = read(candidate[2])
    if h and take(h) then return out end
    last = candidate[1]
  end
  return finish(nil)
end

-- Many candidates in an order they do not have: walk the ordering index (already scoped
-- to the layer) and check each entry against the postings before reading its record.
local function ids_of(members)
  if ord == 'id' then return members end
  local ids = {}
  if ord == 'k' then
    for i, m in ipairs(members) do ids[i] = ix_nk_id(m) end
    return ids
  end
  for i, m in ipairs(members) do ids[i] = string.sub(m, 16) end
  return ids
end
return walk(KEYS[1], ids_of, nil, false)
