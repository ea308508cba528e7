import { defaultCodec, type Sighting, type StoredRecord } from "@core/protocols";
import { fileError } from "./errors.js";
import type { JournalState } from "./journal.js";
import { IdIndex } from "./records-index.js";

/** First character of a stored record write (`R`); tagged-codec operations start with `{`. */
const RECORD_TAG = 0x52;

/** A journal operation of a record store. */
export type RecordOp = { r: StoredRecord } | { d: string } | { g: Sighting } | { x: 1 };

/**
 * The in-memory indexes of one record collection, rebuilt from its journal: records by
 * id, ids by natural key, sightings by natural key (oldest first).
 *
 * @example
 * ```ts
 * const data = new RecordData();
 * data.apply({ d: "id-1" });
 * ```
 */
export class RecordData implements JournalState<RecordOp> {
  readonly byId = new Map<string, StoredRecord>();
  readonly byNaturalKey = new Map<string, string>();
  readonly sightings = new Map<string, Sighting[]>();
  /** The ids of `byId` in code-point order (keyset pages by id). */
  readonly ids = new IdIndex();
  #sighted = 0;

  reset(): void {
    this.#sighted = 0;
    this.ids.clear();
    this.byId.clear();
    this.byNaturalKey.clear();
    this.sightings.clear();
  }

  apply(op: RecordOp): void {
    if ("r" in op) this.put(op.r);
    else if ("d" in op) this.remove(op.d);
    else if ("g" in op) this.sight(op.g);
    else this.reset();
  }

  size(): number {
    return this.byId.size + this.#sighted;
  }

  /**
   * A record write as `R` + a JSON array (plain JSON: content and metadata are validated
   * JSON, the times epoch milliseconds), several times cheaper to write and replay than the
   * tagged codec; other operations, rare, keep the tagged codec (their text starts `{`).
   */
  encode(op: RecordOp): string {
    if (!("r" in op)) return defaultCodec.encode(op);
    const r = op.r;
    return `R${JSON.stringify([r.id, r.naturalKey, r.layer, r.createdAt.getTime(), r.updatedAt.getTime(), r.version, r.content, r.metadata])}`;
  }

  decode(text: string): RecordOp {
    if (text.charCodeAt(0) !== RECORD_TAG) return defaultCodec.decode(text) as RecordOp;
    let row: unknown;
    try {
      row = JSON.parse(text.slice(1));
    } catch (cause) {
      throw fileError("CORRUPTION", "a stored record is not valid JSON; restore from a backup", cause);
    }
    if (!Array.isArray(row) || row.length !== 8) {
      throw fileError("CORRUPTION", "a stored record has an unknown shape; restore from a backup");
    }
    const [id, naturalKey, layer, createdAt, updatedAt, version, content, metadata] = row;
    return {
      r: {
        id,
        naturalKey,
        layer,
        content,
        metadata,
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
        version,
      },
    };
  }

  snapshot(): RecordOp[] {
    const ops: RecordOp[] = [];
    for (const record of this.byId.values()) ops.push({ r: record });
    for (const list of this.sightings.values()) for (const g of list) ops.push({ g });
    return ops;
  }

  /** Stores `record`, moving its natural key if it changed. Returns an undo function. */
  put(record: StoredRecord): () => void {
    const previous = this.byId.get(record.id);
    const previousOwner = this.byNaturalKey.get(record.naturalKey);
    if (previous !== undefined && previous.naturalKey !== record.naturalKey) {
      if (this.byNaturalKey.get(previous.naturalKey) === record.id) this.byNaturalKey.delete(previous.naturalKey);
    }
    this.byNaturalKey.set(record.naturalKey, record.id);
    this.byId.set(record.id, record);
    if (previous === undefined) this.ids.add(record.id);
    return () => {
      if (previousOwner === undefined) this.byNaturalKey.delete(record.naturalKey);
      else this.byNaturalKey.set(record.naturalKey, previousOwner);
      if (previous === undefined) {
        this.byId.delete(record.id);
        this.ids.remove(record.id);
      } else {
        this.byId.set(record.id, previous);
        this.byNaturalKey.set(previous.naturalKey, previous.id);
      }
    };
  }

  remove(id: string): void {
    const record = this.byId.get(id);
    if (record === undefined) return;
    this.byId.delete(id);
    this.ids.remove(id);
    if (this.byNaturalKey.get(record.naturalKey) === id) this.byNaturalKey.delete(record.naturalKey);
  }

  /** Adds a sighting: oldest first by `seenAt`, equal times in arrival order. */
  sight(s: Sighting): void {
    this.#sighted++;
    const list = this.sightings.get(s.naturalKey);
    if (list === undefined) {
      this.sightings.set(s.naturalKey, [s]);
      return;
    }
    let i = list.length;
    while (i > 0 && (list[i - 1] as Sighting).seenAt.getTime() > s.seenAt.getTime()) i -= 1;
    list.splice(i, 0, s);
  }
}
