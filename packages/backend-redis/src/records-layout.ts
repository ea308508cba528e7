import type { RedisClientLike } from "./client.js";
import { retiredIndexKeys } from "./records-index.js";
import { scripts } from "./scripts.js";

/** Marks a collection whose ordering indexes are complete (written by this layout). */
const LAYOUT = "3";
/**
 * Layout 2 also kept descending-time sets (`C`, `U`) while descending ties sorted by id
 * ascending; its other sets are complete, so moving on only deletes those.
 */
const LAYOUT_WITH_DESCENDING_SETS = "2";

/**
 * Brings a collection's ordering indexes to the current layout once: a collection written
 * before the indexes existed is indexed in bounded script calls (1,000 records each), and
 * any older layout loses its retired descending-time sets; then `<base>:layout` is marked.
 * Writes keep the indexes from then on.
 *
 * @example
 * ```ts
 * await upgradeIndexLayout(client, "app:{r:feed}", nkKey, indexKeys);
 * ```
 */
export async function upgradeIndexLayout(
  client: RedisClientLike,
  base: string,
  naturalKeys: string,
  indexes: readonly string[],
): Promise<void> {
  const marker = `${base}:layout`;
  const found = await client.call("GET", marker);
  if (found === LAYOUT) return;
  let from = found === LAYOUT_WITH_DESCENDING_SETS ? "" : "-";
  while (from !== "") {
    const last = (await scripts().recordsReindex.run(
      client,
      [naturalKeys, ...indexes],
      [`${base}:rec:`, from, 1000],
    )) as string;
    from = last === "" ? "" : `(${last}`;
  }
  await client.call("UNLINK", ...retiredIndexKeys(base));
  await client.call("SET", marker, LAYOUT);
}
