import type * as R from "@core/protocols";
import { BackendError, encodeCursor, LAYERS } from "@core/protocols";
import type { RecordCollectionDriver, RecordDriver } from "@core/protocols/kit";
import { BACKEND, toBackendError } from "./errors.js";
import { escapeGlob, namespaceKey } from "./keys.js";
import { conflict, parseRecord } from "./records-codec.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

const FIELDS = ["id", "nk", "layer", "version", "createdAt", "updatedAt", "content", "metadata"] as const;
/** Records fetched per pipeline when a query loads candidates. */
const CHUNK = 500;

/**
 * The records of one collection under `{prefix}:{r:<name>}`: a hash per record
 * (`rec:<id>`), a natural key → id hash (`nk`), a sorted set of every id (`all`) and one
 * per layer (`l:<layer>`), all scored 0 so they sort by id bytes (= code point order),
 * and a list of sightings per natural key (`sg:<naturalKey>`). Writes are Lua scripts, so
 * they are atomic. Id-ordered unfiltered pages are read by range and unfiltered counts
 * are `ZCARD`; other queries and counts are left to the layer over `scan`.
 */
class RedisRecords implements RecordCollectionDriver {
  readonly #shared: RedisShared;
  readonly #base: string;
  readonly #nk: string;
  readonly #all: string;
  readonly #layers: readonly string[];

  constructor(shared: RedisShared, name: string) {
    this.#shared = shared;
    this.#base = namespaceKey(shared.prefix, "r", name);
    this.#nk = `${this.#base}:nk`;
    this.#all = `${this.#base}:all`;
    this.#layers = LAYERS.map((l) => `${this.#base}:l:${l}`);
  }

  #rec(id: string): string {
    return `${this.#base}:rec:${id}`;
  }

  #set(layer: R.Layer | undefined): string {
    return layer === undefined ? this.#all : (this.#layers[LAYERS.indexOf(layer)] as string);
  }

  get #client() {
    return this.#shared.client;
  }

  async store(input: R.NormalizedRecordInput, expectedVersion: number | undefined): Promise<R.StoredRecord> {
    const now = Date.now();
    const [result] = await this.#write([input], "update", now, expectedVersion ?? -1);
    const [, version, createdAt] = result as [number, number, string];
    return {
      ...input,
      createdAt: new Date(Number(createdAt)),
      updatedAt: input.updatedAt ?? new Date(now),
      version: Number(version),
    };
  }

  async storeBatch(inputs: R.NormalizedRecordInput[], onConflict: R.OnConflict): Promise<R.StoreBatchResult> {
    const counts = { inserted: 0, updated: 0, skipped: 0 };
    for (const [kind] of await this.#write(inputs, onConflict, Date.now(), -1)) {
      if (kind === 1) counts.inserted++;
      else if (kind === 2) counts.updated++;
      else counts.skipped++;
    }
    return counts;
  }

  async #write(inputs: R.NormalizedRecordInput[], mode: string, now: number, expected: number) {
    const keys = [this.#nk, this.#all, ...this.#layers, ...inputs.map((r) => this.#rec(r.id))];
    const args: (string | number)[] = [mode, now, expected];
    for (const r of inputs) {
      args.push(
        r.id,
        r.naturalKey,
        r.layer,
        JSON.stringify(r.content),
        JSON.stringify(r.metadata),
        r.createdAt?.getTime() ?? "",
        r.updatedAt?.getTime() ?? "",
      );
    }
    let flat: unknown[];
    try {
      flat = (await run(this.#shared, "records.store", () =>
        scripts().recordsStore.run(this.#client, keys, args),
      )) as unknown[];
    } catch (err) {
      throw BackendError.is(err, "CONFLICT") ? conflict(err, inputs) : err;
    }
    const out: [number, number, string][] = [];
    for (let i = 0; i < flat.length; i += 3) {
      out.push([Number(flat[i]), Number(flat[i + 1]), String(flat[i + 2])]);
    }
    return out;
  }

  async get(id: string, layer: R.Layer | undefined): Promise<R.StoredRecord | null> {
    const [record] = await run(this.#shared, "records.get", () => this.#load([id]));
    return record && (layer === undefined || record.layer === layer) ? record : null;
  }

  getByNaturalKey(naturalKey: string): Promise<R.StoredRecord | null> {
    return run(this.#shared, "records.getByNaturalKey", async () => {
      const id = (await this.#client.call("HGET", this.#nk, naturalKey)) as string | null;
      if (id === null) return null;
      const [record] = await this.#load([id]);
      // A concurrent re-key may have moved the record on; it is then not this key's.
      return record && record.naturalKey === naturalKey ? record : null;
    });
  }

  async exists(id: string, layer: R.Layer | undefined): Promise<boolean> {
    const score = await run(this.#shared, "records.exists", () => this.#client.call("ZSCORE", this.#set(layer), id));
    return score !== null;
  }

  async existsByNaturalKey(naturalKey: string): Promise<boolean> {
    const n = await run(this.#shared, "records.existsByNaturalKey", () =>
      this.#client.call("HEXISTS", this.#nk, naturalKey),
    );
    return n === 1;
  }

  async delete(id: string, layer: R.Layer | undefined): Promise<boolean> {
    const keys = [this.#nk, this.#all, ...this.#layers, this.#rec(id)];
    const n = await run(this.#shared, "records.delete", () =>
      scripts().recordsDelete.run(this.#client, keys, [id, layer ?? ""]),
    );
    return n === 1;
  }

  queryPage(q: R.NormalizedQuery): Promise<R.RecordPage> | null {
    if (q.conditions.length !== 0 || q.ordering.field !== "id") return null;
    return run(this.#shared, "records.query", () => this.#pageById(q));
  }

  // Unfiltered id order is the sorted set's own order: read just the page by range.
  async #pageById(q: R.NormalizedQuery): Promise<R.RecordPage> {
    const after = q.after?.id;
    const range = q.ordering.descending
      ? [after === undefined ? "+" : `(${after}`, "-", "BYLEX", "REV"]
      : [after === undefined ? "-" : `(${after}`, "+", "BYLEX"];
    const ids = (await this.#client.call(
      "ZRANGE",
      this.#set(q.layer),
      ...range,
      "LIMIT",
      q.offset,
      q.limit + 1,
    )) as string[];
    // The id past the page tells that there is a next page; its record is loaded only to
    // fill in for one of the page's that vanished (deleted since the range was read).
    // Either way the index holds ids past this page, so the page ends with a cursor.
    const more = ids.length > q.limit;
    let records = await this.#load(more ? ids.slice(0, q.limit) : ids);
    if (more && records.length < q.limit) records = [...records, ...(await this.#load(ids.slice(q.limit)))];
    const last = records.at(-1);
    return { records, next: last !== undefined && more ? encodeCursor(q.ordering, last) : null };
  }

  count(q: R.NormalizedCountQuery): Promise<number> | null {
    if (q.conditions.length !== 0) return null;
    return run(
      this.#shared,
      "records.count",
      async () => (await this.#client.call("ZCARD", this.#set(q.layer))) as number,
    );
  }

  scan(layer: R.Layer | undefined): Promise<R.StoredRecord[]> {
    return run(this.#shared, "records.scan", async () => {
      const ids = (await this.#client.call("ZRANGE", this.#set(layer), 0, -1)) as string[];
      return this.#load(ids);
    });
  }

  async recordSighting(s: R.NormalizedSightingInput): Promise<boolean> {
    const text = JSON.stringify([s.source, s.seenAt.getTime(), s.metadata, s.contentHash]);
    // RPUSH is atomic and returns the new length: exactly one caller sees 1.
    const length = await run(this.#shared, "records.recordSighting", () =>
      this.#client.call("RPUSH", `${this.#base}:sg:${s.naturalKey}`, text),
    );
    return length === 1;
  }

  async getSightings(naturalKey: string): Promise<R.Sighting[]> {
    const texts = (await run(this.#shared, "records.getSightings", () =>
      this.#client.call("LRANGE", `${this.#base}:sg:${naturalKey}`, 0, -1),
    )) as string[];
    const sightings = texts.map((text) => {
      const [source, seenAt, metadata, contentHash] = JSON.parse(text) as [string, number, object, string | null];
      return { naturalKey, source, seenAt: new Date(seenAt), metadata, contentHash } as R.Sighting;
    });
    // Stable sort: equal times keep arrival order.
    return sightings.sort((a, b) => a.seenAt.getTime() - b.seenAt.getTime());
  }

  clear(): Promise<number> {
    return run(this.#shared, "records.clear", async () => {
      const removed = (await this.#client.call("ZCARD", this.#all)) as number;
      for await (const page of scanKeys(this.#client, `${escapeGlob(this.#base)}:*`)) {
        await this.#client.call("UNLINK", ...page);
      }
      return removed;
    });
  }

  /** Records by id, in order, fetched in pipelined chunks; missing ids are left out. */
  async #load(ids: readonly string[]): Promise<R.StoredRecord[]> {
    if (ids.length === 1) {
      // One record (get): a plain command, without building a pipeline for it.
      const record = parseRecord(
        (await this.#client.call("HMGET", this.#rec(ids[0]!), ...FIELDS)) as (string | null)[],
      );
      return record ? [record] : [];
    }
    const out: R.StoredRecord[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const pipeline = this.#client.pipeline();
      for (const id of ids.slice(start, start + CHUNK)) pipeline.call("HMGET", this.#rec(id), ...FIELDS);
      const results = await pipeline.exec();
      if (results === null) throw new Error("Connection is closed.");
      for (const [err, value] of results) {
        if (err) throw err;
        const record = parseRecord(value as (string | null)[]);
        if (record) out.push(record);
      }
    }
    return out;
  }
}

/**
 * The redis backend's record driver (collections by key prefix).
 *
 * @example
 * ```ts
 * const feed = createRecordStore(redisRecordDriver(shared), "feed");
 * ```
 */
export function redisRecordDriver(shared: RedisShared): RecordDriver {
  const collection = (name: string) => new RedisRecords(shared, name);
  return { backend: BACKEND, lifecycle: shared.lifecycle, toError: toBackendError, collection };
}
