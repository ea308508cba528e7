import type { RecordInput, RecordStore } from "@core/protocols";

/**
 * Seven records whose fields cover every type the filter semantics distinguish: numbers,
 * a numeric string, booleans, null, missing fields, nested objects, arrays, code-point
 * ordering traps (uppercase, "é", U+FFFD, an astral emoji, "") and an SQL-looking string.
 */
export const DATASET: readonly RecordInput[] = [
  {
    id: "p1",
    naturalKey: "nk:p1",
    layer: "bronze",
    content: { title: "apple", score: 5, tags: ["x"], author: { name: "Ann", age: 30 }, flag: true },
    metadata: { src: "rss", rank: 1 },
  },
  {
    id: "p2",
    naturalKey: "nk:p2",
    layer: "silver",
    content: { title: "Apricot", score: 10, author: { name: "bob" }, flag: false },
    metadata: { src: "api" },
  },
  { id: "p3", naturalKey: "nk:p3", layer: "gold", content: { title: "banana", score: "5", author: null } },
  {
    id: "p4",
    naturalKey: "nk:p4",
    layer: "bronze",
    content: { title: "é", score: -1.5, flag: null },
    metadata: { src: "rss", rank: 2 },
  },
  { id: "p5", naturalKey: "nk:p5", layer: "gold", content: { title: "\u{1F600}", score: 0 }, metadata: { src: "RSS" } },
  {
    id: "p6",
    naturalKey: "nk:p6",
    layer: "silver",
    content: { title: "\uFFFD", score: 5, nested: { deep: { k: "v" } } },
  },
  {
    id: "p7",
    naturalKey: "nk:p7",
    layer: "bronze",
    content: { title: "", score: null },
    metadata: { src: "x'; drop table t; --" },
  },
];

/**
 * A fresh collection holding {@link DATASET}.
 *
 * @example
 * ```ts
 * const store = await withDataset(ctx.store());
 * ```
 */
export async function withDataset(store: RecordStore): Promise<RecordStore> {
  await store.storeBatch(DATASET);
  return store;
}
