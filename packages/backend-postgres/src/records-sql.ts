// The three writes of one record. Without preserved timestamps `$7` is now (created_at of
// a new row, a monotonic updated_at) and `$8` the expected version; with them `$7` is the
// caller's updatedAt, `$8` its createdAt (both stored as given) and `$9` the version.
function writeStatements(records: string, preserved: boolean) {
  const columns = "(ns, id, natural_key, layer, content, metadata, created_at, updated_at, version)";
  const values = `VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, ${preserved ? "$8" : "$7"}, $7, 1)`;
  // updatedAt never goes backwards, even if a client's clock does (unless the caller owns it).
  const times = preserved
    ? "created_at = excluded.created_at, updated_at = excluded.updated_at"
    : "updated_at = greatest(r.updated_at, excluded.updated_at)";
  const update = `natural_key = excluded.natural_key, layer = excluded.layer, content = excluded.content,
    metadata = excluded.metadata, ${times}, version = r.version + 1`;
  const setTimes = preserved ? "created_at = $8, updated_at = $7" : "updated_at = greatest(r.updated_at, $7)";
  return {
    insertNew: `INSERT INTO ${records} AS r ${columns} ${values} RETURNING r.*, true AS inserted`,
    upsert: `INSERT INTO ${records} AS r ${columns} ${values}
      ON CONFLICT (ns, id) DO UPDATE SET ${update}
      RETURNING r.*, (r.xmax = 0) AS inserted`,
    updateVersion: `UPDATE ${records} AS r SET natural_key = $3, layer = $4, content = $5::jsonb, metadata = $6::jsonb,
        ${setTimes}, version = r.version + 1
      WHERE r.ns = $1 AND r.id = $2 AND r.version = ${preserved ? "$9" : "$8"}
      RETURNING r.*, false AS inserted`,
  };
}

/**
 * The writes of the record store, built once per schema (reads are the kit's
 * `recordStatements`). `$1` is always the collection. Writes take `($1 ns, $2 id,
 * $3 naturalKey, $4 layer, $5 content, $6 metadata, $7 now[, $8 expectedVersion])` and
 * return the row plus `inserted`; `preserved` holds the same writes for caller-given
 * timestamps (`$7 updatedAt, $8 createdAt[, $9 expectedVersion]`).
 *
 * @example
 * ```ts
 * const sql = recordWrites('"core"');
 * ```
 */
export function recordWrites(schema: string) {
  const records = `${schema}.records`;
  return {
    ...writeStatements(records, false),
    preserved: writeStatements(records, true),
    // The key row decides "first time": among concurrent callers exactly one inserts it.
    recordSighting: `WITH first AS (
        INSERT INTO ${schema}.sighting_keys (ns, natural_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1
      ), s AS (
        INSERT INTO ${schema}.sightings (ns, natural_key, source, seen_at, metadata, content_hash)
        VALUES ($1, $2, $3, $4, $5::jsonb, $6)
      )
      SELECT EXISTS (SELECT 1 FROM first) AS first`,
    clear: `WITH d AS (DELETE FROM ${records} WHERE ns = $1 RETURNING 1),
        s AS (DELETE FROM ${schema}.sightings WHERE ns = $1),
        k AS (DELETE FROM ${schema}.sighting_keys WHERE ns = $1)
      SELECT count(*) AS n FROM d`,
  };
}
