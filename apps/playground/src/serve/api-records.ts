import { type Filter, LAYERS, type Layer, type RecordQuery, type RecordStore } from "@core/protocols";
import { invalidArgument, isPlainObject } from "@core/protocols/kit";
import { generateFeed } from "../feed.js";
import { intField, stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

/** The record store every page action works on. */
export const RECORDS_NAME = "playground";
const DATE_FIELDS = new Set(["createdAt", "updatedAt"]);

function layerOf(value: unknown): Layer | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (!LAYERS.includes(value as Layer))
    throw invalidArgument("playground", `layer must be one of ${LAYERS.join(", ")}`);
  return value as Layer;
}

/**
 * JSON has no dates: the page sends ISO strings for createdAt/updatedAt, which the filter
 * contract compares as Date values.
 */
function reviveDates(where: unknown): Filter | undefined {
  if (where === undefined || where === null) return undefined;
  if (!isPlainObject(where)) throw invalidArgument("playground", "where must be an object");
  const toDate = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : v);
  const out: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(where)) {
    if (!DATE_FIELDS.has(field)) {
      out[field] = spec;
      continue;
    }
    out[field] = isPlainObject(spec)
      ? Object.fromEntries(
          Object.entries(spec).map(([op, v]) => [
            op,
            Array.isArray(v) ? v.map(toDate) : op === "exists" ? v : toDate(v),
          ]),
        )
      : toDate(spec);
  }
  return out as Filter;
}

/**
 * Record routes: store one record, seed sample records from the demo feed, and query with
 * `{ layer, where, orderBy, limit, after }` exactly as `RecordStore.queryPage` takes it.
 *
 * @example
 * ```ts
 * recordRoutes(router, session);
 * // POST /api/records/query { "where": { "content.score": { "gte": 3 } }, "limit": 20 }
 * ```
 */
export function recordRoutes(router: Router, session: PlaygroundSession): void {
  const records = <T>(op: string, fn: (r: RecordStore) => Promise<T>): Promise<T> =>
    session.timed("records", op, (b) => fn(b.records(RECORDS_NAME)));

  router.add("POST", "/api/records/store", async (ctx) => {
    const body = await ctx.body();
    const content = body.content ?? {};
    if (!isPlainObject(content)) throw invalidArgument("playground", "content must be a JSON object");
    const input = {
      id: stringField(body, "id"),
      naturalKey: typeof body.naturalKey === "string" && body.naturalKey ? body.naturalKey : stringField(body, "id"),
      layer: layerOf(body.layer),
      content,
    };
    return records("store", (r) => r.store(input));
  });

  router.add("POST", "/api/records/seed", async (ctx) => {
    const count = intField(await ctx.body(), "count") ?? 25;
    if (count < 1 || count > 1000) throw invalidArgument("playground", "count must be between 1 and 1000");
    const items = generateFeed(count, Date.now() % 1000);
    const result = await records("storeBatch", (r) =>
      r.storeBatch(
        items.map((item, i) => ({
          id: `sample-${i + 1}`,
          naturalKey: `${item.url}#${i}`,
          layer: LAYERS[i % 3],
          content: { title: item.title, source: item.source, score: item.body.split(" ").length },
        })),
        { onConflict: "update" },
      ),
    );
    return { ...result, count };
  });

  router.add("POST", "/api/records/query", async (ctx) => {
    const body = await ctx.body();
    const query: RecordQuery = {
      layer: layerOf(body.layer),
      where: reviveDates(body.where),
      orderBy: typeof body.orderBy === "string" && body.orderBy ? (body.orderBy as RecordQuery["orderBy"]) : undefined,
      limit: intField(body, "limit") ?? 20,
      after: typeof body.after === "string" && body.after ? body.after : undefined,
    };
    const page = await records("query", (r) => r.queryPage(query));
    const total = await records("count", (r) => r.count({ layer: query.layer, where: query.where }));
    return { ...page, total };
  });
}
