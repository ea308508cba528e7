-- Stores records atomically: every record is checked first (against the data and the
-- records before it in the batch); on a conflict nothing is written.
-- KEYS[1] natural key -> id hash, KEYS[1+i] the hash of record i.
-- ARGV[1] mode: update | skip | error; ARGV[2] now (ms); ARGV[3] expected version or -1;
-- ARGV[4] the collection's key base (`…:{r:<name>}:`: its indexes, postings, posting lists
-- and marker are named from it); then per record: id, natural key, layer, content JSON,
-- metadata JSON, createdAt and updatedAt (ms; both '' unless the caller preserves its own
-- timestamps), and its postings (records-posting-keys.lua).
-- Preludes: records-index.lua, records-posting-keys.lua, records-write.lua.
-- Returns per record: kind (0 skipped, 1 inserted, 2 updated), version, createdAt.
-- records-store-one.lua is the same for exactly one record, without the batch's bookkeeping.
local mode, now, expected, base = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local ARGS = 8
local n = (#ARGV - 4) / ARGS
ix_defer = true
-- What the records before in the batch did: natural key -> id (false: released), id -> state.
local owners, states, plan = {}, {}, {}
local inserting = false

-- The id holding natural key `nk`. A record's own key needs no look-up: the script that
-- wrote the record wrote its key's entry in the same step.
local function owner(nk, old, id)
  local o = owners[nk]
  if o ~= nil then return o end
  if old and old.nk == nk then return id end
  return redis.call('HGET', KEYS[1], nk)
end

for i = 1, n do
  local a = 4 + (i - 1) * ARGS
  local id, nk = ARGV[a + 1], ARGV[a + 2]
  local old = states[id]
  if old == nil then old = rec_state(KEYS[1 + i], base, id) end
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
  local taken = owner(nk, old, id)
  if not skip and taken and taken ~= id then
    if mode ~= 'skip' then return redis.error_reply('CONFLICT naturalKey ' .. i) end
    skip = true
  end
  if not skip then
    if not old then inserting = true end
    if old and old.nk ~= nk then owners[old.nk] = false end
    owners[nk] = id
    local new = rec_next(old, a, now)
    states[id] = new
    plan[i] = { old = old, new = new }
  end
end

if inserting then rec_mark_postings(base) end
local out = {}
for i = 1, n do
  local p = plan[i]
  if p then
    rec_write(KEYS[1], KEYS[1 + i], base, 4 + (i - 1) * ARGS, p.old, p.new)
    out[#out + 1] = p.old and 2 or 1
    out[#out + 1] = p.new.version
    out[#out + 1] = p.new.createdAt
  else
    out[#out + 1] = 0
    out[#out + 1] = 0
    out[#out + 1] = '0'
  end
end
ix_flush()
return out
