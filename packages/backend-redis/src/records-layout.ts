import type { RedisClientLike } from "./client.js";
import { naturalKeyIndexKeys, retiredIndexKeys } from "./records-index.js";
import { scripts } from "./scripts.js";

/**
 * Marks a collection whose ordering indexes are complete, whose natural-key index members
 * carry the id, and whose record hashes hold only the eight fields a page reads.
 */
const LAYOUT = "5";
/**
 * Layout 4's natural-key index members were the key alone (a page looked the id up);
 * layouts before it (3, 2) also kept each record's posting list in its hash (`px`).
 */
const LAYOUT_WITH_BARE_NATURAL_KEYS = "4";
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
 * indexes existed is indexed, an older layout loses its retired descending-time sets,
 * posting lists kept in record hashes move to their own keys (records-unpack.lua), and
 * natural-key indexes of bare keys are built anew, each in bounded script calls (1,000
 * records each); then `<base>:layout` is marked. Writes keep the layout from then on.
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
  const ids = [`${base}:all`];
  if (found === null || found === LAYOUT_WITH_DESCENDING_SETS) {
    await client.call("UNLINK", ...retiredIndexKeys(base));
  }
  if (found !== LAYOUT_WITH_BARE_NATURAL_KEYS) {
    await walk((from) => scripts().recordsUnpack.run(client, ids, [`${base}:`, from, STEP]));
  }
  // Natural-key sets may hold members of both forms (bare keys from an older version's
  // writes, key and id from this one's): they are dropped whole and built from the records,
  // with every other set when the collection may predate them (no marker).
  await client.call("UNLINK", ...naturalKeyIndexKeys(base));
  const only = found === null ? "" : "k";
  await walk((from) => scripts().recordsReindex.run(client, ids, [`${base}:`, from, STEP, only]));
  await client.call("SET", marker, LAYOUT);
}
