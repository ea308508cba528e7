/**
 * The SQL of the sqlite queue: entries in `core_queue` (topic, seq, value, ts), trim
 * positions in `core_queue_topics`, consumer groups in `core_queue_groups`, group-stream
 * claim records in `core_queue_group_states`.
 */

// The next offset is one past the newest entry (a seek to the end of the primary key);
// when trim has emptied the log it is the `next_offset` trim recorded in core_queue_topics.
// Offsets are therefore dense and never reused, and a single put is one statement: atomic
// across processes without a transaction and writing one page, not two tables.
const NEXT = `coalesce((SELECT seq + 1 FROM core_queue WHERE topic = @topic ORDER BY seq DESC LIMIT 1),
  (SELECT next_offset FROM core_queue_topics WHERE topic = @topic), 0)`;
// Positional (topic, topic, topic, value, ts): the hot single put binds values, not an object.
export const PUT = `INSERT INTO core_queue (topic, seq, value, ts) VALUES (?, ${NEXT.replaceAll("@topic", "?")}, ?, CAST(? AS INTEGER))
  RETURNING seq`;
export const NEXT_OFFSET = `SELECT ${NEXT}`;
// A batch inserts up to ROWS_PER_INSERT entries per statement: one statement run instead
// of one per entry saves the per-run cost of binding and stepping (about a fifth of a
// putBatch(10) on :memory:; on a file the WAL pages written dominate either way). The
// texts are built once per row count, so the statement cache hashes the same strings.
export const ROWS_PER_INSERT = 32;
const INSERT_ROWS: string[] = [];
/**
 * The INSERT of `n` rows (topic, seq, value, ts), built once per row count.
 *
 * @example
 * ```ts
 * prepare(insertRows(3)).run(params);
 * ```
 */
export function insertRows(n: number): string {
  let text = INSERT_ROWS[n];
  if (text === undefined) {
    const rows = Array.from({ length: n }, () => "(?, CAST(? AS INTEGER), ?, CAST(? AS INTEGER))").join(", ");
    text = `INSERT INTO core_queue (topic, seq, value, ts) VALUES ${rows}`;
    INSERT_ROWS[n] = text;
  }
  return text;
}
export const READ =
  "SELECT seq, value, ts FROM core_queue WHERE topic = ? AND seq >= ? ORDER BY seq LIMIT CAST(? AS INTEGER)";
export const POSITION = `SELECT ${NEXT} AS next,
  coalesce((SELECT first_offset FROM core_queue_topics WHERE topic = @topic), 0) AS first`;
export const DROP = "DELETE FROM core_queue WHERE topic = ? AND seq < ?";
export const TRIMMED = `INSERT INTO core_queue_topics (topic, next_offset, first_offset) VALUES (?, CAST(? AS INTEGER), CAST(? AS INTEGER))
  ON CONFLICT (topic) DO UPDATE SET next_offset = excluded.next_offset, first_offset = excluded.first_offset`;
export const COMMIT = `INSERT INTO core_queue_groups (topic, grp, next_offset) VALUES (?, ?, CAST(? AS INTEGER))
  ON CONFLICT (topic, grp) DO UPDATE SET next_offset = excluded.next_offset`;
export const COMMITTED = "SELECT next_offset FROM core_queue_groups WHERE topic = ? AND grp = ?";
export const GROUP_STATE = "SELECT state FROM core_queue_group_states WHERE topic = ? AND grp = ?";
// Compare-and-set: the first record only where there is none, later ones only over the one read.
export const GROUP_STATE_CREATE =
  "INSERT INTO core_queue_group_states (topic, grp, state) VALUES (?, ?, ?) ON CONFLICT (topic, grp) DO NOTHING";
export const GROUP_STATE_SWAP =
  "UPDATE core_queue_group_states SET state = ? WHERE topic = ? AND grp = ? AND state = ?";
