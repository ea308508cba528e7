-- Prelude of the record write scripts: the sorted-set indexes of a collection, one per
-- ordering and scope, every member scored 0 so each set sorts by member bytes.
-- Scopes: all, bronze, silver, gold. Orderings and their members:
--   id  the id                          k  the natural key (unique: serves both directions)
--   c   time(createdAt) .. id           u  time(updatedAt) .. id
-- where time() is 15 bytes sorting like the number. Ties follow the ordering's direction,
-- so a descending page reads c or u in reverse. The client passes the 16 keys scope by
-- scope, orderings in the order of IX_ORDS.
local IX_SCOPES = { 'all', 'bronze', 'silver', 'gold' }
local IX_ORDS = { 'id', 'k', 'c', 'u' }

-- The index keys from KEYS[first .. first + 15]; returns them and the next KEYS position.
local function ix_keys(first)
  local ix, n = {}, first
  for _, scope in ipairs(IX_SCOPES) do
    ix[scope] = {}
    for _, o in ipairs(IX_ORDS) do
      ix[scope][o] = KEYS[n]
      n = n + 1
    end
  end
  return ix, n
end

-- Epoch ms (|ms| <= 8.64e15, the Date range) as 15 bytes in numeric order: the sign, then
-- 14 hex digits (a negative time is offset by 8.64e15, so every value stays exact).
local function ix_time(ms)
  if ms < 0 then return '0' .. string.format('%014x', 8640000000000000 + ms) end
  return '1' .. string.format('%014x', ms)
end

-- The index members of record `id` in state s = { nk, layer, createdAt, updatedAt }.
local function ix_members(id, s)
  local c, u = tonumber(s.createdAt), tonumber(s.updatedAt)
  return { id = id, k = s.nk, c = ix_time(c) .. id, u = ix_time(u) .. id }
end

-- Entries to add, per index key ({ 0, member, 0, member, … }): a batch of inserts sends one
-- ZADD per index instead of eight per record. ix_flush sends them; it must run before any
-- ZREM of the same script (ix_move) and before the script returns.
local ix_pending = {}

local function ix_flush()
  for key, list in pairs(ix_pending) do
    -- Bounded slices: unpack has a limit of a few thousand values.
    for i = 1, #list, 2000 do redis.call('ZADD', key, unpack(list, i, math.min(i + 1999, #list))) end
  end
  ix_pending = {}
end

-- Adds (ZADD, deferred to ix_flush) or removes (ZREM) the entries of record `id` in state
-- s = { nk, layer, createdAt, updatedAt } (times as numbers), in the all scope and in its layer's.
local function ix_apply(ix, cmd, id, s)
  local m = ix_members(id, s)
  for _, scope in ipairs({ 'all', s.layer }) do
    local keys = ix[scope]
    for _, o in ipairs(IX_ORDS) do
      if cmd == 'ZADD' then
        local list = ix_pending[keys[o]]
        if not list then
          list = {}
          ix_pending[keys[o]] = list
        end
        list[#list + 1] = 0
        list[#list + 1] = m[o]
      else
        redis.call('ZREM', keys[o], m[o])
      end
    end
  end
end

-- Moves the entries of record `id` from state `old` to state `new`: only the entries that
-- change are removed and added, so an ordinary update (same natural key, layer and
-- createdAt) touches its updatedAt entry per scope instead of all eight. The
-- entries left in place are the ones ZREM + ZADD would have written back unchanged.
local function ix_move(ix, id, old, new)
  ix_flush()
  local before, after = ix_members(id, old), ix_members(id, new)
  local same_layer = old.layer == new.layer
  for _, o in ipairs(IX_ORDS) do
    if before[o] ~= after[o] then
      redis.call('ZREM', ix.all[o], before[o])
      redis.call('ZADD', ix.all[o], 0, after[o])
    end
    if not same_layer or before[o] ~= after[o] then
      redis.call('ZREM', ix[old.layer][o], before[o])
      redis.call('ZADD', ix[new.layer][o], 0, after[o])
    end
  end
end
