-- Stores records atomically: every record is checked first (against the data and the
-- records before it in the batch); on a conflict nothing is written.
-- KEYS[1] natural key -> id hash, KEYS[2..17] the indexes (see records-index.lua, the
-- prelude of this script), KEYS[17+i] the hash of record i.
-- ARGV[1] mode: update | skip | error; ARGV[2] now (ms); ARGV[3] expected version or -1;
-- ARGV[4] the collection's key base (`…:{r:<name>}:`, for its postings, their lists and marker);
-- then per record: id, natural key, layer, content JSON, metadata JSON, createdAt and
-- updatedAt (ms; both '' unless the caller preserves its own timestamps), and its
-- postings (records-posting-keys.lua, a prelude of this script).
-- Returns per record: kind (0 skipped, 1 inserted, 2 updated), version, createdAt.
local mode, now, expected, base = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local ix, REC = ix_keys(2)
REC = REC - 1
local ARGS = 8
local n = (#ARGV - 4) / ARGS
-- An empty collection's postings are complete from its first write on: no query will
-- have to build them (records-postings-build.lua does it for collections that predate them).
if redis.call('EXISTS', ix.all.id) == 0 then redis.call('SET', base .. 'postings', '1') end
local owners, states, plan = {}, {}, {}

local function owner(nk)
  local o = owners[nk]
  if o ~= nil then return o end
  return redis.call('HGET', KEYS[1], nk)
end

local function state(i, id)
  local s = states[id]
  if s ~= nil then return s end
  local h = redis.call('HMGET', KEYS[REC + i], 'nk', 'layer', 'version', 'createdAt', 'updatedAt', 'px')
  if not h[1] then return false end
  return { nk = h[1], layer = h[2], version = tonumber(h[3]), createdAt = h[4], updatedAt = h[5],
           px = px_get(base, id, h[6]), legacy = h[6] ~= false }
end

for i = 1, n do
  local a = 4 + (i - 1) * ARGS
  local id, nk, layer = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local old = state(i, id)
  if expected >= 0 then
    local current = old and old.version or 0
    if current ~= expected then
      return redis.error_reply('CONFLICT version ' .. current .. ' expected ' .. expected)
    end
  end
  local skip = false
  if old and mode ~= 'update' then
    if mode == 'error' then return redis.error_reply('CONFLICT id ' .. i) end
    skip = true
  end
  local taken = owner(nk)
  if not skip and taken and taken ~= id then
    if mode ~= 'skip' then return redis.error_reply('CONFLICT naturalKey ' .. i) end
    skip = true
  end
  if skip then
    plan[i] = { kind = 0 }
  else
    if old and old.nk ~= nk then owners[old.nk] = false end
    owners[nk] = id
    local new = { nk = nk, layer = layer, version = (old and old.version or 0) + 1,
                  createdAt = old and old.createdAt or now, updatedAt = now, px = ARGV[a + 8] }
    if ARGV[a + 6] ~= '' then new.createdAt, new.updatedAt = ARGV[a + 6], ARGV[a + 7] end
    states[id] = new
    plan[i] = { kind = old and 2 or 1, old = old, new = new }
  end
end

local out = {}
for i = 1, n do
  local a = 4 + (i - 1) * ARGS
  local p = plan[i]
  if p.kind ~= 0 then
    local id = ARGV[a + 1]
    local old, new = p.old, p.new
    if old then
      if old.nk ~= new.nk and redis.call('HGET', KEYS[1], old.nk) == id then redis.call('HDEL', KEYS[1], old.nk) end
    end
    -- A hash of layout 3 (with `px`) is written anew: dropping a field never makes Redis
    -- re-encode a hash compactly.
    if old and old.legacy then redis.call('DEL', KEYS[REC + i]) end
    redis.call('HSET', KEYS[REC + i], 'id', id, 'nk', new.nk, 'layer', new.layer, 'version', new.version,
      'createdAt', new.createdAt, 'updatedAt', new.updatedAt, 'content', ARGV[a + 4], 'metadata', ARGV[a + 5])
    if not old or old.px ~= new.px then redis.call('SET', base .. 'x:' .. id, new.px) end
    redis.call('HSET', KEYS[1], new.nk, id)
    if old then ix_move(ix, id, old, new) else ix_apply(ix, 'ZADD', id, new) end
    px_apply(base .. 'p:', id, old and old.px, new.px)
    out[#out + 1] = p.kind
    out[#out + 1] = new.version
    out[#out + 1] = new.createdAt
  else
    out[#out + 1] = 0
    out[#out + 1] = 0
    out[#out + 1] = '0'
  end
end
ix_flush()
return out
