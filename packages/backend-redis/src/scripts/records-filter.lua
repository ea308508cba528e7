-- Prelude of records-select.lua: the filter semantics of @core/protocols (matchesFilter)
-- over a record hash read as HMGET id nk layer version createdAt updatedAt content metadata.
-- A condition is { r = root, p = path segments, o = operator, v = operand, k = its kind,
-- n = needles } with kinds s(tring) n(umber) b(oolean) d(ate, epoch ms) z (null); for
-- `in`, v is a list of { v, k }. Needles are JSON texts (`"key":value`) one of which the
-- stored document must contain for an equality to hold: a plain find rejects most
-- records without decoding their JSON.
local TOP = { id = 1, naturalKey = 2, layer = 3, createdAt = 5, updatedAt = 6 }
local DOC = { content = 7, metadata = 8 }

-- Strings compare by bytes (UTF-8 order = code point order); Lua's `<` follows the locale.
local function f_bytes(a, b)
  if a == b then return 0 end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return #a < #b and -1 or 1
end

local function f_kind(v)
  local t = type(v)
  if t == 'string' then return 's' end
  if t == 'number' then return 'n' end
  if t == 'boolean' then return 'b' end
  if t == 'table' then return 'o' end
  return nil -- missing, or cjson.null
end

-- Compares values of one kind; nil when the kinds differ (type-strict).
local function f_compare(a, ak, b, bk)
  if ak ~= bk then return nil end
  if ak == 's' then return f_bytes(a, b) end
  if ak == 'b' then
    a = a and 1 or 0
    b = b and 1 or 0
  end
  if a < b then return -1 end
  if a > b then return 1 end
  return 0
end

-- The value and kind of the condition's field in record h (docs caches decoded JSON).
local function f_value(h, c, docs)
  local top = TOP[c.r]
  if top then
    if top >= 5 then return tonumber(h[top]), 'd' end
    return h[top], 's'
  end
  local at = DOC[c.r]
  local doc = docs[at]
  if doc == nil then
    doc = cjson.decode(h[at])
    docs[at] = doc
  end
  for _, segment in ipairs(c.p) do
    -- A string segment never indexes a decoded array (its keys are numbers).
    if type(doc) ~= 'table' then return nil, nil end
    doc = doc[segment]
    if doc == nil then return nil, nil end
  end
  return doc, f_kind(doc)
end

local function f_holds(h, c, docs)
  if c.n then
    local text, found = h[DOC[c.r]], false
    for _, needle in ipairs(c.n) do
      if string.find(text, needle, 1, true) then
        found = true
        break
      end
    end
    if not found then return false end
  end
  local v, k = f_value(h, c, docs)
  local op = c.o
  if op == 'exists' then return (k ~= nil) == c.v end
  if op == 'eq' and c.k == 'z' then return k == nil end
  if k == nil or k == 'o' then return false end
  if op == 'prefix' then return k == 's' and string.sub(v, 1, #c.v) == c.v end
  if op == 'in' then
    for _, x in ipairs(c.v) do
      if f_compare(v, k, x.v, x.k) == 0 then return true end
    end
    return false
  end
  local r = f_compare(v, k, c.v, c.k)
  if r == nil then return false end
  if op == 'eq' then return r == 0 end
  if op == 'ne' then return r ~= 0 end
  if op == 'gt' then return r > 0 end
  if op == 'gte' then return r >= 0 end
  if op == 'lt' then return r < 0 end
  if op == 'lte' then return r <= 0 end
  return false
end

-- True when record h satisfies every condition.
local function f_matches(h, conditions)
  local docs = {}
  for _, c in ipairs(conditions) do
    if not f_holds(h, c, docs) then return false end
  end
  return true
end
