import type * as R from "@core/protocols";
import { BackendError, LAYERS } from "@core/protocols";
import type {
  NormalizedCountQuery,
  NormalizedQuery,
  NormalizedRecordInput,
  NormalizedSightingInput,
  RecordCollectionDriver,
  RecordDriver,
} from "@core/protocols/kit";
import { encodeCursor } from "@core/protocols/kit";
import { BACKEND, toBackendError } from "./errors.js";
import { escapeGlob, namespaceKey } from "./keys.js";
import { conflict, parseRecord } from "./records-codec.js";
import { luaConditions } from "./records-conditions.js";
import { type IndexRange, indexKey, indexKeys, indexRange } from "./records-index.js";
import { upgradeIndexLayout } from "./records-layout.js";
import { type PostingPlan, postingPlan, postingSuffixes } from "./records-postings.js";
import { buildPostings, type PostingsTarget, postingsCount, postingsPageStep } from "./records-postings-query.js";
import { scanKeys } from "./scan.js";
import { scripts } from "./scripts.js";
import { type RedisShared, run } from "./shared.js";

const FIELDS = ["id", "nk", "layer", "version", "createdAt", "updatedAt", "content", "metadata"] as const;
/** Records fetched per pipeline when a query loads candidates. */
const CHUNK = 500;
/**
 * Index entries one select script call reads at most: bounds how long a filtered query
 * or count holds the server (a few ms); the client calls again from the resume point.
 */
const SCAN_BUDGET = 4096;
/** One bounded server call of a page: from a resume point, skipping and wanting so many matches. */
type PageStep = (from: string, skip: number, want: number) => Promise<(string | null)[]>;

/**
 * The records of one collection under `{prefix}:{r:<name>}`: a hash per record
 * (`rec:<id>`), a natural key → id hash (`nk`), sorted-set indexes per ordering and
 * layer (see records-index.ts) and a list of sightings per natural key (`sg:<naturalKey>`).
 * Writes are Lua scripts that keep the indexes, so they are atomic. A page in a built-in
 * ordering is a range of its index, filtered on the server in bounded calls
 * (records-select.lua); counts are `ZCARD`, or filtered on the server the same way.
 * A filter with an equality on a content or metadata path reads only the records of its
 * equality postings (`p:<path>:<value hash>`, records-postings.ts), also in bounded calls.
 * Orderings by a content or metadata path are left to the layer over `scan`.
 */
class RedisRecords implements RecordCollectionDriver {
  readonly #shared: RedisShared;
  readonly #base: string;
  readonly #nk: string;
  readonly #all: string;
  readonly #layers: readonly string[];
  readonly #ix: readonly string[];
  #indexed: Promise<void> | undefined;
  #postings: Promise<void> | undefined;

  constructor(shared: RedisShared, name: string) {
    this.#shared = shared;
    this.#base = namespaceKey(shared.prefix, "r", name);
    this.#nk = `${this.#base}:nk`;
    this.#all = `${this.#base}:all`;
    this.#layers = LAYERS.map((l) => `${this.#base}:l:${l}`);
    this.#ix = indexKeys(this.#base);
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

  async store(input: NormalizedRecordInput, expectedVersion: number | undefined): Promise<R.StoredRecord> {
    const now = Date.now();
    const [result] = await this.#write([input], "update", now, expectedVersion ?? -1);
    const [, version, createdAt] = result as [number, number, string];
    // Field by field: a spread of the input costs several times as much on this hot path.
    const { id, naturalKey, layer, content, metadata } = input;
    const updatedAt = input.updatedAt ?? new Date(now);
    return { id, naturalKey, layer, content, metadata, createdAt: new Date(Number(createdAt)), updatedAt, version };
  }

  async storeBatch(inputs: NormalizedRecordInput[], onConflict: R.OnConflict): Promise<R.StoreBatchResult> {
    const counts = { inserted: 0, updated: 0, skipped: 0 };
    for (const [kind] of await this.#write(inputs, onConflict, Date.now(), -1)) {
      if (kind === 1) counts.inserted++;
      else if (kind === 2) counts.updated++;
      else counts.skipped++;
    }
    return counts;
  }

  async #write(inputs: NormalizedRecordInput[], mode: string, now: number, expected: number) {
    const keys = [this.#nk, ...inputs.map((r) => this.#rec(r.id))];
    const args: (string | number)[] = [mode, now, expected, `${this.#base}:`];
    for (const r of inputs) {
      args.push(
        r.id,
        r.naturalKey,
        r.layer,
        JSON.stringify(r.content),
        JSON.stringify(r.metadata),
        r.createdAt?.getTime() ?? "",
        r.updatedAt?.getTime() ?? "",
        postingSuffixes(r.content, r.metadata).join(" "),
      );
    }
    // One record (every `store`) takes the script without a batch's bookkeeping.
    const script = inputs.length === 1 ? scripts().recordsStoreOne : scripts().recordsStore;
    let flat: unknown[];
    try {
      flat = (await run(this.#shared, "records.store", () => script.run(this.#client, keys, args))) as unknown[];
    } catch (err) {
      throw BackendError.is(err, "CONFLICT") ? conflict(err, inputs) : err;
    }
    const out: [number, number, string][] = [];
    for (let i = 0; i < flat.length; i += 3) {
      out.push([Number(flat[i]), Number(flat[i + 1]), String(flat[i + 2])]);
    }
    return out;
  }

  get(id: string, layer: R.Layer | undefined): Promise<R.StoredRecord | null> {
    return run(this.#shared, "records.get", () =>
      this.#one(id).then((record) => (record && (layer === undefined || record.layer === layer) ? record : null)),
    );
  }

  getByNaturalKey(naturalKey: string): Promise<R.StoredRecord | null> {
    return run(this.#shared, "records.getByNaturalKey", async () => {
      const id = (await this.#client.call("HGET", this.#nk, naturalKey)) as string | null;
      if (id === null) return null;
      const record = await this.#one(id);
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
    const keys = [this.#nk, this.#rec(id)];
    const n = await run(this.#shared, "records.delete", () =>
      scripts().recordsDelete.run(this.#client, keys, [id, layer ?? "", `${this.#base}:`]),
    );
    return n === 1;
  }

  queryPage(q: NormalizedQuery): Promise<R.RecordPage> | null {
    const range = indexRange(q);
    if (range === null) return null;
    return run(this.#shared, "records.query", async () => {
      await this.#ensureIndexed();
      const plan = postingPlan(q.conditions);
      if (plan) await this.#ensurePostings();
      const step = plan ? this.#postingsStep(q, range, plan) : this.#selectStep(q, range);
      const want = q.limit + 1;
      const records: R.StoredRecord[] = [];
      let from = range.from;
      let skip = q.offset;
      for (;;) {
        const flat = await step(from, skip, want - records.length);
        for (let i = 2; i < flat.length; i += 8) {
          const record = parseRecord(flat.slice(i, i + 8));
          if (record) records.push(record);
        }
        const resume = flat[0] as string;
        if (records.length >= want || resume === "") break;
        from = `(${resume}`;
        skip = Number(flat[1]);
      }
      const more = records.length > q.limit;
      if (more) records.length = q.limit;
      const last = records.at(-1);
      return { records, next: more && last !== undefined ? encodeCursor(q.ordering, last) : null };
    });
  }

  /** One bounded step of a page scanning the ordering index (records-select.lua). */
  #selectStep(q: NormalizedQuery, range: IndexRange): PageStep {
    const conditions = luaConditions(q.conditions);
    const keys = [indexKey(this.#ix, q.layer, range.ord)];
    return async (from, skip, want) => {
      const args = ["page", `${this.#base}:rec:`, range.kind, from, range.to, range.rev ? 1 : 0, skip];
      args.push(want, SCAN_BUDGET, conditions);
      return (await scripts().recordsSelect.run(this.#client, keys, args)) as (string | null)[];
    };
  }

  /** One bounded step of a page over the equality postings (records-postings.lua). */
  #postingsStep(q: NormalizedQuery, range: IndexRange, plan: PostingPlan): PageStep {
    const target = this.#postingsTarget(q.layer, indexKey(this.#ix, q.layer, range.ord));
    const residual = luaConditions(plan.residual);
    return (from, skip, want) => postingsPageStep(target, plan, residual, range, from, skip, want);
  }

  #postingsTarget(layer: R.Layer | undefined, index: string): PostingsTarget {
    return {
      client: this.#client,
      base: this.#base,
      index,
      layerSet: this.#set(layer),
      layered: layer !== undefined,
    };
  }

  count(q: NormalizedCountQuery): Promise<number> {
    const plan = postingPlan(q.conditions);
    if (plan) {
      return run(this.#shared, "records.count", async () => {
        await this.#ensurePostings();
        return postingsCount(this.#postingsTarget(q.layer, this.#all), plan, luaConditions(plan.residual));
      });
    }
    if (q.conditions.length === 0) {
      return run(
        this.#shared,
        "records.count",
        async () => (await this.#client.call("ZCARD", this.#set(q.layer))) as number,
      );
    }
    return run(this.#shared, "records.count", async () => {
      const keys = [this.#set(q.layer)];
      const conditions = luaConditions(q.conditions);
      let n = 0;
      let from = "-";
      for (;;) {
        const args = ["count", `${this.#base}:rec:`, "id", from, "+", 0, 0, 0, SCAN_BUDGET, conditions];
        const [found, resume] = (await scripts().recordsSelect.run(this.#client, keys, args)) as [number, string];
        n += Number(found);
        if (resume === "") return n;
        from = `(${resume}`;
      }
    });
  }

  // Collections written before the ordering indexes existed (or in an older layout) are
  // brought up to date once, before their first indexed query (records-layout.ts).
  #ensureIndexed(): Promise<void> {
    this.#indexed ??= upgradeIndexLayout(this.#client, this.#base).catch((err: unknown) => {
      this.#indexed = undefined;
      throw err;
    });
    return this.#indexed;
  }

  // Collections written before the equality postings existed get them once, in bounded
  // calls, before their first query that uses them (records-postings-query.ts).
  #ensurePostings(): Promise<void> {
    this.#postings ??= buildPostings(this.#client, this.#base).catch((err: unknown) => {
      this.#postings = undefined;
      throw err;
    });
    return this.#postings;
  }

  scan(layer: R.Layer | undefined): Promise<R.StoredRecord[]> {
    return run(this.#shared, "records.scan", async () => {
      const ids = (await this.#client.call("ZRANGE", this.#set(layer), 0, -1)) as string[];
      return this.#load(ids);
    });
  }

  async recordSighting(s: NormalizedSightingInput): Promise<boolean> {
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

  /** One record by id (get): a plain command, no pipeline, no async frame of its own. */
  #one(id: string): Promise<R.StoredRecord | null> {
    return this.#client.call("HMGET", this.#rec(id), ...FIELDS).then((h) => parseRecord(h as (string | null)[]));
  }

  /** Records by id, in order, fetched in pipelined chunks; missing ids are left out. */
  async #load(ids: readonly string[]): Promise<R.StoredRecord[]> {
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
