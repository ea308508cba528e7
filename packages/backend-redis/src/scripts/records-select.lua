-- Reads one bounded stretch of an index (see records-index.lua) in order, filtering on the
-- server (records-filter.lua and records-index.lua are its preludes), so a query never
-- moves records it does not return and one call never runs longer than `budget` entries.
-- KEYS[1] the index.
-- ARGV[1] op: page | count; ARGV[2] record key prefix; ARGV[3] member kind: id | k
-- (natural key .. id, ix_nk) | t (time .. id); ARGV[4] from, ARGV[5] to (ZRANGE BYLEX
-- bounds); ARGV[6] 1 = REV;
-- ARGV[7] matches still to skip (offset); ARGV[8] matches wanted; ARGV[9] budget;
-- ARGV[10] conditions as JSON, or "" for none.
-- page returns { resume member or "", skip left, then 8 fields per matching record };
-- count returns { matches, resume member or "" }. An empty resume: the index is exhausted.
local op, prefix, kind, from, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local rev, skip, want, budget = ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local conditions = ARGV[10] ~= '' and cjson.decode(ARGV[10]) or nil
local FIELDS = { 'id', 'nk', 'layer', 'version', 'createdAt', 'updatedAt', 'content', 'metadata' }
local BATCH = 256

local function id_of(member)
  if kind == 'id' then return member end
  if kind == 't' then return string.sub(member, 16) end
  return ix_nk_id(member)
end

local function range(lo, offset, count)
  if rev then return redis.call('ZRANGE', KEYS[1], lo, to, 'BYLEX', 'REV', 'LIMIT', offset, count) end
  return redis.call('ZRANGE', KEYS[1], lo, to, 'BYLEX', 'LIMIT', offset, count)
end

local found, scanned, last = 0, 0, nil
local out = op == 'page' and { '', 0 } or nil
if out and conditions == nil then
  -- Unfiltered: the offset is the range's own, and one range read is the page, unless
  -- records vanished under the index (deleted outside the scripts): then read on.
  local members = range(from, skip, want)
  for _, member in ipairs(members) do
    local id = id_of(member)
    local h = id and redis.call('HMGET', prefix .. id, unpack(FIELDS))
    if h and h[1] then
      found = found + 1
      for j = 1, 8 do out[#out + 1] = h[j] end
    end
  end
  if found >= want or #members < want then return out end
  skip, last, scanned = 0, members[#members], #members
end
while scanned < budget do
  local take = math.min(BATCH, budget - scanned)
  local members = range(last and ('(' .. last) or from, 0, take)
  for _, member in ipairs(members) do
    scanned = scanned + 1
    last = member
    local id = id_of(member)
    local h = id and redis.call('HMGET', prefix .. id, unpack(FIELDS))
    if h and h[1] and (conditions == nil or f_matches(h, conditions)) then
      if skip > 0 then
        skip = skip - 1
      else
        found = found + 1
        if out then
          for j = 1, 8 do out[#out + 1] = h[j] end
          -- The page is full: the caller needs no resume point.
          if found >= want then return out end
        end
      end
    end
  end
  if #members < take then
    last = nil -- the index ends here
    break
  end
end
if out then
  out[1] = last or ''
  out[2] = skip
  return out
end
return { found, last or '' }
