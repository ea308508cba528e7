import { defaultCodec, type Sighting, type StoredRecord } from "@core/protocols";
import { RecordCollection } from "@core/protocols/kit";
import { fileError } from "./errors.js";
import type { JournalState } from "./journal-state.js";

/** First character of a stored record write (`R`); tagged-codec operations start with `{`. */
const RECORD_TAG = 0x52;

/** A journal operation of a record store. */
export type RecordOp = { r: StoredRecord } | { d: string } | { g: Sighting } | { x: 1 };

/**
 * The in-memory indexes of one record collection (the kit's {@link RecordCollection}),
 * rebuilt from its journal, plus how its journal operations are encoded and replayed.
 *
 * @example
 * ```ts
 * const data = new RecordData();
 * data.apply({ d: "id-1" });
 * ```
 */
export class RecordData extends RecordCollection implements JournalState<RecordOp> {
  #sighted = 0;

  reset(): void {
    this.#sighted = 0;
    this.clear();
  }

  apply(op: RecordOp): void {
    if ("r" in op) this.putRecord(op.r);
    else if ("d" in op) this.removeRecord(op.d);
    else if ("g" in op) {
      this.#sighted++;
      this.sight(op.g);
    } else this.reset();
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

  /** Stores `record`, moving its natural key if it changed. */
  putRecord(record: StoredRecord): void {
    const previous = this.byId.get(record.id);
    if (previous !== undefined && previous.naturalKey !== record.naturalKey) {
      if (this.byNaturalKey.get(previous.naturalKey) === record.id) this.byNaturalKey.delete(previous.naturalKey);
    }
    this.byNaturalKey.set(record.naturalKey, record.id);
    this.put(record.id, previous, record);
  }

  removeRecord(id: string): void {
    const record = this.byId.get(id);
    if (record === undefined) return;
    this.put(id, record, undefined);
    if (this.byNaturalKey.get(record.naturalKey) === id) this.byNaturalKey.delete(record.naturalKey);
  }
}
