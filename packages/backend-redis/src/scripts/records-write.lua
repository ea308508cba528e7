-- Prelude of the record store scripts (records-store.lua for batches, records-store-one.lua
-- for one record): reading a record's state and writing a record with its natural key, its
-- ordering indexes (records-index.lua) and its postings (records-posting-keys.lua), both
-- preludes before this one. A state is { nk, layer, version, createdAt, updatedAt, px,
-- legacy }: px the posting list, legacy when it still sits in the hash (layout 3).

-- The state of the record at `key` (id `id`), or false when there is none.
local function rec_state(key, base, id)
  local h = redis.call('HMGET', key, 'nk', 'layer', 'version', 'createdAt', 'updatedAt', 'px')
  if not h[1] then return false end
  return { nk = h[1], layer = h[2], version = tonumber(h[3]), createdAt = h[4], updatedAt = h[5],
           px = px_get(base, id, h[6]), legacy = h[6] ~= false }
end

-- The state a write of record `a` (its ARGV position: id, natural key, layer, content,
-- metadata, createdAt, updatedAt, postings follow it) gives a record in state `old`.
local function rec_next(old, a, now)
  local new = { nk = ARGV[a + 2], layer = ARGV[a + 3], version = (old and old.version or 0) + 1,
                createdAt = old and old.createdAt or now, updatedAt = now, px = ARGV[a + 8] }
  if ARGV[a + 6] ~= '' then new.createdAt, new.updatedAt = ARGV[a + 6], ARGV[a + 7] end
  return new
end

-- An empty collection's postings are complete from its first write on: no query will have
-- to build them (records-postings-build.lua does it for collections that predate them).
-- Called before a script's first insert; only an insert can find the collection empty.
local function rec_mark_postings(base)
  if redis.call('EXISTS', base .. 'all') == 0 then redis.call('SET', base .. 'postings', '1') end
end

-- Writes record `a` (as in rec_next) at `key` from state `old` to `new`; `nks` is the
-- natural key -> id hash. Only what changed is touched: the natural key entry when the key
-- changes, the posting list and postings when the list does, the index entries that move.
local function rec_write(nks, key, base, a, old, new)
  local id = ARGV[a + 1]
  if old and old.nk ~= new.nk and redis.call('HGET', nks, old.nk) == id then redis.call('HDEL', nks, old.nk) end
  -- A hash of layout 3 (with `px`) is written anew: dropping a field never makes Redis
  -- re-encode a hash compactly. Its list moves to its own key even when unchanged.
  if old and old.legacy then redis.call('DEL', key) end
  redis.call('HSET', key, 'id', id, 'nk', new.nk, 'layer', new.layer, 'version', new.version,
    'createdAt', new.createdAt, 'updatedAt', new.updatedAt, 'content', ARGV[a + 4], 'metadata', ARGV[a + 5])
  if not old or old.legacy or old.px ~= new.px then redis.call('SET', base .. 'x:' .. id, new.px) end
  if not old or old.nk ~= new.nk then redis.call('HSET', nks, new.nk, id) end
  if old then ix_move(base, id, old, new) else ix_apply(base, 'ZADD', id, new) end
  px_apply(base .. 'p:', id, old and old.px, new.px)
end
