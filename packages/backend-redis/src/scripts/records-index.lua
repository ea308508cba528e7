-- Prelude of the record write scripts: the sorted-set indexes of a collection, one per
-- ordering and scope, every member scored 0 so each set sorts by member bytes.
-- Scopes: all, bronze, silver, gold. Orderings and their members:
--   id  the id                          k  nk(natural key) .. id
--   c   time(createdAt) .. id           u  time(updatedAt) .. id
-- where time() is 15 bytes sorting like the number and nk() the key with each NUL byte
-- escaped and a terminator, in the key's order (ix_nk): a page reads the id from the
-- member, with no lookup in the natural-key hash. Ties follow the ordering's direction,
-- so a descending page reads c or u in reverse. The scripts name the keys from the
-- collection's key base (`…:{r:<name>}:`, as records-index.ts does) instead of taking all
-- 16 as KEYS: a write touches two to eight of them, and every key passed costs the server
-- and the client on each call. They share the base's hash tag, so they live in the slot of
-- the keys a script is routed by.
local IX_ORDS = { 'id', 'k', 'c', 'u' }
-- The orderings ix_apply writes: all of them, or fewer for an upgrade that rebuilds one.
local ix_ords = IX_ORDS

-- The key of ordering `o` in `scope` (all or a layer) of the collection at `base`.
local function ix_key(base, scope, o)
  if o ~= 'id' then return base .. 'ix:' .. o .. ':' .. scope end
  if scope == 'all' then return base .. 'all' end
  return base .. 'l:' .. scope
end

-- Epoch ms (|ms| <= 8.64e15, the Date range) as 15 bytes in numeric order: the sign, then
-- 14 hex digits (a negative time is offset by 8.64e15, so every value stays exact).
local function ix_time(ms)
  if ms < 0 then return '0' .. string.format('%014x', 8640000000000000 + ms) end
  return '1' .. string.format('%014x', ms)
end

-- The member of record `id` with natural key `nk` in a `k` index: NUL becomes NUL 0x01 and
-- the key ends with NUL NUL, so member bytes sort as the keys do (a key before its
-- extensions) and the first NUL NUL ends the key (ix_nk_id). Same as records-index.ts.
local function ix_nk(nk, id)
  if string.find(nk, '\0', 1, true) then nk = string.gsub(nk, '%z', '\0\1') end
  return nk .. '\0\0' .. id
end

-- The id in a `k` index member.
local function ix_nk_id(member)
  return string.sub(member, (string.find(member, '\0\0', 1, true)) + 2)
end

-- The index members of record `id` in state s = { nk, layer, createdAt, updatedAt }.
local function ix_members(id, s)
  local c, u = tonumber(s.createdAt), tonumber(s.updatedAt)
  return { id = id, k = ix_nk(s.nk, id), c = ix_time(c) .. id, u = ix_time(u) .. id }
end

-- Entries to add, per index key ({ 0, member, 0, member, … }), when `ix_defer` is set: a
-- batch of inserts sends one ZADD per index instead of eight per record. ix_flush sends
-- them; it must run before any ZREM of the same script (ix_move) and before the script
-- returns. A script writing one record leaves `ix_defer` off: for one record the lists
-- cost more than the eight ZADDs they save.
local ix_pending = {}
local ix_defer = false

local function ix_flush()
  for key, list in pairs(ix_pending) do
    -- Bounded slices: unpack has a limit of a few thousand values.
    for i = 1, #list, 2000 do redis.call('ZADD', key, unpack(list, i, math.min(i + 1999, #list))) end
  end
  ix_pending = {}
end

-- Adds (ZADD, deferred to ix_flush under `ix_defer`) or removes (ZREM) the entries of
-- record `id` in state s = { nk, layer, createdAt, updatedAt } (times as numbers), in the
-- all scope and in its layer's.
local function ix_apply(base, cmd, id, s)
  local m = ix_members(id, s)
  for _, scope in ipairs({ 'all', s.layer }) do
    for _, o in ipairs(ix_ords) do
      local key = ix_key(base, scope, o)
      if cmd == 'ZREM' then
        redis.call('ZREM', key, m[o])
      elseif not ix_defer then
        redis.call('ZADD', key, 0, m[o])
      else
        local list = ix_pending[key]
        if not list then
          list = {}
          ix_pending[key] = list
        end
        list[#list + 1] = 0
        list[#list + 1] = m[o]
      end
    end
  end
end

-- Moves the entries of record `id` from state `old` to state `new`: only the entries that
-- change are removed and added, so an ordinary update (same natural key, layer and
-- createdAt) touches its updatedAt entry per scope instead of all eight. The
-- entries left in place are the ones ZREM + ZADD would have written back unchanged.
local function ix_move(base, id, old, new)
  if ix_defer then ix_flush() end
  local before, after = ix_members(id, old), ix_members(id, new)
  local same_layer = old.layer == new.layer
  for _, o in ipairs(IX_ORDS) do
    if before[o] ~= after[o] then
      local key = ix_key(base, 'all', o)
      redis.call('ZREM', key, before[o])
      redis.call('ZADD', key, 0, after[o])
    end
    if not same_layer or before[o] ~= after[o] then
      redis.call('ZREM', ix_key(base, old.layer, o), before[o])
      redis.call('ZADD', ix_key(base, new.layer, o), 0, after[o])
    end
  end
end
