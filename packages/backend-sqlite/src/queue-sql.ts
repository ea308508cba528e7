import type { SqlQueueStatements } from "@core/protocols/kit";

// The next offset is one past the newest entry (a seek to the end of the primary key);
// when trim has emptied the log it is the `next_offset` trim recorded in core_queue_topics.
// Offsets are therefore dense and never reused, and a put is one statement: atomic across
// processes without a transaction and writing one page, not two tables.
const NEXT = `coalesce((SELECT seq + 1 FROM core_queue WHERE topic = ?1 ORDER BY seq DESC LIMIT 1),
  (SELECT next_offset FROM core_queue_topics WHERE topic = ?1), 0)`;

const INSERT_ROWS: string[] = [];

function insertRows(n: number): string {
  let text = INSERT_ROWS[n];
  if (text === undefined) {
    const rows = Array.from({ length: n }, () => "(?, CAST(? AS INTEGER), ?, CAST(? AS INTEGER))").join(", ");
    text = `INSERT INTO core_queue (topic, seq, value, ts) VALUES ${rows}`;
    INSERT_ROWS[n] = text;
  }
  return text;
}

/**
 * The SQL of the sqlite queue: entries in `core_queue` (topic, seq, value, ts), trim
 * positions in `core_queue_topics`, consumer groups in `core_queue_groups`, group-stream
 * claim records in `core_queue_group_states`. Appends run with `all()`, never `get()`:
 * in autocommit a RETURNING statement commits when it completes, and `get()` stops after
 * the first row and resets it, which drops a failed commit (SQLITE_FULL) on the floor.
 * `appendAt` (the single put at a guessed offset) runs with `run()`, which steps to the
 * end as well.
 *
 * @example
 * ```ts
 * const driver = sqlQueueDriver({ backend, lifecycle, statements: QUEUE_SQL, exec, wake });
 * ```
 */
export const QUEUE_SQL: SqlQueueStatements = {
  appendOne: `INSERT INTO core_queue (topic, seq, value, ts) VALUES (?1, ${NEXT}, ?2, CAST(?3 AS INTEGER))
    RETURNING seq AS first`,
  // A put at the offset the backend guesses (one past the last append it saw), written
  // only when that is one past the newest entry, read inside the statement: never a
  // skipped offset, nor one a trim (here or in another process) dropped. Otherwise — also
  // when trim emptied the log — seq is NULL and OR IGNORE skips the row (0 changes; the
  // put then runs appendOne). OR IGNORE covers constraint conflicts only: a failed commit
  // (SQLITE_FULL) still throws. Not INSERT … SELECT … WHERE: reading the table it inserts
  // into, that buffers the row in an ephemeral table as RETURNING does (about a fifth of a
  // put's instructions).
  appendAt: `INSERT OR IGNORE INTO core_queue (topic, seq, value, ts) VALUES (?1,
    CASE WHEN CAST(?2 AS INTEGER) = (SELECT seq + 1 FROM core_queue WHERE topic = ?1 ORDER BY seq DESC LIMIT 1)
      THEN CAST(?2 AS INTEGER) END, ?3, CAST(?4 AS INTEGER))`,
  // A batch inserts up to 32 entries per statement inside BEGIN IMMEDIATE (about a fifth
  // of a putBatch(10) on :memory: saved over one run per entry; a json_each batch measured
  // several times slower). Texts are built once per row count, so the statement cache
  // hashes the same strings.
  insertRows: { max: 32, text: insertRows },
  read: `SELECT seq AS "offset", value, ts FROM core_queue WHERE topic = ? AND seq >= ? ORDER BY seq
    LIMIT CAST(? AS INTEGER)`,
  next: `SELECT ${NEXT} AS next`,
  stats: `SELECT ${NEXT} AS next, coalesce((SELECT first_offset FROM core_queue_topics WHERE topic = ?1), 0) AS first`,
  trim: "DELETE FROM core_queue WHERE topic = ? AND seq < ?",
  trimmed: `INSERT INTO core_queue_topics (topic, next_offset, first_offset) VALUES (?, CAST(? AS INTEGER), CAST(? AS INTEGER))
    ON CONFLICT (topic) DO UPDATE SET next_offset = excluded.next_offset, first_offset = excluded.first_offset`,
  commit: `INSERT INTO core_queue_groups (topic, grp, next_offset) VALUES (?, ?, CAST(? AS INTEGER))
    ON CONFLICT (topic, grp) DO UPDATE SET next_offset = excluded.next_offset`,
  committed: "SELECT next_offset FROM core_queue_groups WHERE topic = ? AND grp = ?",
  groupState: "SELECT state FROM core_queue_group_states WHERE topic = ? AND grp = ?",
  // Compare-and-set: the first record only where there is none, later ones only over the one read.
  groupStateCreate:
    "INSERT INTO core_queue_group_states (topic, grp, state) VALUES (?, ?, ?) ON CONFLICT (topic, grp) DO NOTHING",
  groupStateSwap: "UPDATE core_queue_group_states SET state = ? WHERE topic = ? AND grp = ? AND state = ?",
};
