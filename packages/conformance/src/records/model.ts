import type {
  Layer,
  OnConflict,
  RecordInput,
  RecordPage,
  RecordQuery,
  StoreBatchResult,
  StoredRecord,
} from "@core/protocols";
import {
  compareRecords,
  compileFilter,
  decodeCursor,
  encodeCursor,
  isAfterCursor,
  matchesFilter,
  parseOrderBy,
} from "@core/protocols/kit";

/** What the model expects one write to do. */
export type Expected =
  | { kind: "conflict" }
  | { kind: "skipped" }
  | { kind: "inserted" | "updated"; version: number; createdAt: Date | undefined };

/** The last write of an id in a batch and what it should have stored. */
export interface Written {
  expected: Expected;
  input: RecordInput;
}

interface State {
  byId: Map<string, StoredRecord>;
  byKey: Map<string, string>;
}

/**
 * Reference model of one collection: an array of records queried with the shared filter
 * and ordering functions. Timestamps come from the backend (the model cannot know them);
 * everything else — which writes conflict, versions, natural keys, which records a query
 * returns and in which order — is decided here and compared with the backend.
 *
 * @example
 * ```ts
 * const model = new RecordModel();
 * model.put(await store.store(input));
 * expect(await store.queryPage(q)).toEqual(model.queryPage(q));
 * ```
 */
export class RecordModel {
  readonly #state: State = { byId: new Map(), byKey: new Map() };
  readonly #sighted = new Set<string>();

  /** Every record, in id order. */
  get records(): StoredRecord[] {
    return this.queryPage({ limit: Number.MAX_SAFE_INTEGER }).records;
  }

  /** What storing `input` would do, without doing it. */
  expectStore(input: RecordInput, expectedVersion?: number): Expected {
    return this.#write(this.#scratch(), input, "update", expectedVersion);
  }

  #scratch(): State {
    return { byId: new Map(this.#state.byId), byKey: new Map(this.#state.byKey) };
  }

  /** What a batch would do: a conflict, or the counts and the ids written in order. */
  expectBatch(
    inputs: readonly RecordInput[],
    onConflict: OnConflict = "update",
  ): { kind: "conflict" } | { kind: "ok"; result: StoreBatchResult; written: Map<string, Written> } {
    const scratch = this.#scratch();
    const result: StoreBatchResult = { inserted: 0, updated: 0, skipped: 0 };
    const written = new Map<string, Written>();
    for (const input of inputs) {
      const expected = this.#write(scratch, input, onConflict);
      if (expected.kind === "conflict") return expected;
      result[expected.kind] += 1;
      if (expected.kind !== "skipped") {
        const first = written.get(input.id)?.expected;
        // A repeated id keeps the createdAt of its first write in the batch.
        const merged: Expected =
          first?.kind === "inserted" ? { ...expected, kind: "inserted", createdAt: undefined } : expected;
        written.set(input.id, { expected: merged, input });
      }
    }
    return { kind: "ok", result, written };
  }

  // Applies a write to `state` with placeholder timestamps; `put` later stores the real record.
  #write(state: State, input: RecordInput, onConflict: OnConflict, expectedVersion?: number): Expected {
    const existing = state.byId.get(input.id);
    if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) return { kind: "conflict" };
    const owner = state.byKey.get(input.naturalKey);
    if (owner !== undefined && owner !== input.id)
      return onConflict === "skip" ? { kind: "skipped" } : { kind: "conflict" };
    if (existing && onConflict === "skip") return { kind: "skipped" };
    if (existing && onConflict === "error") return { kind: "conflict" };
    const version = (existing?.version ?? 0) + 1;
    if (existing) state.byKey.delete(existing.naturalKey);
    state.byKey.set(input.naturalKey, input.id);
    state.byId.set(input.id, {
      ...this.shape(input),
      createdAt: existing?.createdAt ?? new Date(0),
      updatedAt: new Date(0),
      version,
    });
    return { kind: existing ? "updated" : "inserted", version, createdAt: existing?.createdAt };
  }

  /** The fields of a stored record that follow from its input. */
  shape(input: RecordInput): Pick<StoredRecord, "id" | "naturalKey" | "layer" | "content" | "metadata"> {
    return {
      id: input.id,
      naturalKey: input.naturalKey,
      layer: input.layer ?? "bronze",
      content: structuredClone(input.content),
      metadata: structuredClone(input.metadata ?? {}),
    };
  }

  /** Records what the backend stored (after the caller checked it against expectations). */
  put(record: StoredRecord): void {
    const existing = this.#state.byId.get(record.id);
    if (existing && this.#state.byKey.get(existing.naturalKey) === record.id)
      this.#state.byKey.delete(existing.naturalKey);
    this.#state.byId.set(record.id, structuredClone(record));
    this.#state.byKey.set(record.naturalKey, record.id);
  }

  get(id: string, layer?: Layer): StoredRecord | null {
    const record = this.#state.byId.get(id);
    return record && (layer === undefined || record.layer === layer) ? structuredClone(record) : null;
  }

  getByNaturalKey(naturalKey: string): StoredRecord | null {
    const id = this.#state.byKey.get(naturalKey);
    return id === undefined ? null : this.get(id);
  }

  delete(id: string, layer?: Layer): boolean {
    const record = this.get(id, layer);
    if (!record) return false;
    this.#state.byId.delete(id);
    this.#state.byKey.delete(record.naturalKey);
    return true;
  }

  /** True the first time a natural key is sighted. */
  sight(naturalKey: string): boolean {
    if (this.#sighted.has(naturalKey)) return false;
    this.#sighted.add(naturalKey);
    return true;
  }

  /** The reference answer to `queryPage`. */
  queryPage(query: RecordQuery = {}): RecordPage {
    const ordering = parseOrderBy(query.orderBy);
    const conditions = compileFilter(query.where);
    const after = query.after === undefined ? undefined : decodeCursor(query.after, ordering);
    const matching = [...this.#state.byId.values()]
      .filter((r) => query.layer === undefined || r.layer === query.layer)
      .filter((r) => matchesFilter(r, conditions))
      .filter((r) => after === undefined || isAfterCursor(r, after, ordering))
      .sort((a, b) => compareRecords(a, b, ordering));
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const records = matching.slice(offset, offset + limit).map((r) => structuredClone(r));
    const last = records.at(-1);
    const next = last && matching.length > offset + limit ? encodeCursor(ordering, last) : null;
    return { records, next };
  }

  /** The reference answer to `count`. */
  count(query: Pick<RecordQuery, "layer" | "where"> = {}): number {
    const conditions = compileFilter(query.where);
    return [...this.#state.byId.values()].filter(
      (r) => (query.layer === undefined || r.layer === query.layer) && matchesFilter(r, conditions),
    ).length;
  }
}
