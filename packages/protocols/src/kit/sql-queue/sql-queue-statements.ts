/**
 * The statements of one SQL dialect's queue. Parameters are positional, in the order
 * given; every statement's first parameter but `groupStateSwap`'s is the storage topic.
 * Offsets are dense and never reused; a single statement appends atomically.
 *
 * @example
 * ```ts
 * const statements: SqlQueueStatements = { appendOne: "INSERT … RETURNING seq AS first", … };
 * ```
 */
export interface SqlQueueStatements {
  /** (topic, text, ts, ...appendParams) → rows whose first has `first`, the entry's offset. */
  readonly appendOne: string;
  /**
   * (topic, offset, text, ts, ...appendParams) appends at `offset` only when it is the
   * topic's next offset, checked inside the statement, and otherwise changes nothing (no
   * error; it may also decline a right offset, e.g. of an emptied log): 1 or 0 changes.
   * With it a single put guesses its offset (one past the last append this backend saw)
   * and needs no RETURNING; a miss (another client appended or trimmed, a first put)
   * runs `appendOne`. For a dialect whose executor runs a process's calls one after
   * another (the guess is taken when the call is made).
   */
  readonly appendAt?: string;
  /** (topic, batch(texts), ts, ...appendParams) → rows whose lowest `first` is the first offset. */
  readonly append?: string;
  /** The batch parameter of `append` (a text array). */
  batch?(texts: readonly string[]): unknown;
  /**
   * Instead of `append`: a batch in one transaction (`atomic`), `next` read first, then
   * the rows (topic, offset, text, ts each), at most `max` per INSERT of `text(n)` rows.
   */
  readonly insertRows?: { readonly max: number; text(n: number): string };
  /** Parameters after the timestamp of both appends (a NOTIFY channel). */
  readonly appendParams?: readonly unknown[];
  /** (topic, offset, limit) → rows `offset`, `value`, `ts` in offset order. */
  readonly read: string;
  /** (topic) → `next`: the next offset (no row: 0). */
  readonly next: string;
  /** (topic) → `next` and `first`, the oldest kept offset (null: none kept). */
  readonly stats: string;
  /** (topic, before) drops the entries below `before`. */
  readonly trim: string;
  /** (topic, next, first) records a trim, for a dialect whose next offset needs it. */
  readonly trimmed?: string;
  /** (topic, group, nextOffset) stores a group's committed offset. */
  readonly commit: string;
  /** (topic, group) → `next_offset`. */
  readonly committed: string;
  /** (topic, group) → `state`. */
  readonly groupState: string;
  /** (topic, group, state) inserts the first claim record, or changes nothing. */
  readonly groupStateCreate: string;
  /** (state, topic, group, expected) replaces the record only if it is still `expected`. */
  readonly groupStateSwap: string;
}
