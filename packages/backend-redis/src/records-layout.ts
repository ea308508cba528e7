import type { RedisClientLike } from "./client.js";
import { retiredIndexKeys } from "./records-index.js";
import { scripts } from "./scripts.js";

/**
 * Marks a collection whose ordering indexes are complete and whose record hashes hold only
 * the eight fields a page reads (written by this layout).
 */
const LAYOUT = "4";
/** Layout 3 had the same indexes but kept each record's posting list in its hash (`px`). */
const LAYOUT_WITH_LISTS_IN_HASHES = "3";
/**
 * Layout 2 also kept descending-time sets (`C`, `U`) while descending ties sorted by id
 * ascending; its other sets are complete, so moving on only deletes those.
 */
const LAYOUT_WITH_DESCENDING_SETS = "2";
/** Records one upgrade script call handles: bounds how long it holds the server. */
const STEP = 1000;

// Runs a bounded upgrade script over the id index from `from` until it reports the end.
async function walk(step: (from: string) => Promise<unknown>): Promise<void> {
  let from = "-";
  while (from !== "") {
    const last = (await step(from)) as string;
    from = last === "" ? "" : `(${last}`;
  }
}

/**
 * Brings a collection to the current layout once: a collection written before the ordering
 * indexes existed is indexed, an older layout loses its retired descending-time sets, and
 * posting lists kept in record hashes move to their own keys (records-unpack.lua), each in
 * bounded script calls (1,000 records each); then `<base>:layout` is marked. Writes keep
 * the layout from then on.
 *
 * @example
 * ```ts
 * await upgradeIndexLayout(client, "app:{r:feed}");
 * ```
 */
export async function upgradeIndexLayout(client: RedisClientLike, base: string): Promise<void> {
  const marker = `${base}:layout`;
  const found = await client.call("GET", marker);
  if (found === LAYOUT) return;
  if (found !== LAYOUT_WITH_LISTS_IN_HASHES) {
    if (found !== LAYOUT_WITH_DESCENDING_SETS) {
      const keys = [`${base}:all`];
      await walk((from) => scripts().recordsReindex.run(client, keys, [`${base}:`, from, STEP]));
    }
    await client.call("UNLINK", ...retiredIndexKeys(base));
  }
  await walk((from) => scripts().recordsUnpack.run(client, [`${base}:all`], [`${base}:`, from, STEP]));
  await client.call("SET", marker, LAYOUT);
}
