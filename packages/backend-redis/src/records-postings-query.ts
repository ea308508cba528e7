import { BackendError } from "@core/protocols";
import type { RedisArg, RedisClientLike } from "./client.js";
import { BACKEND } from "./errors.js";
import type { IndexRange } from "./records-index.js";
import { type PostingPlan, postingSuffixes } from "./records-postings.js";
import { scripts } from "./scripts.js";

/**
 * Cost units one records-postings.lua call spends at most: an id checked against the
 * postings costs 1, a record read 2 (8 when residual conditions may decode its JSON), so
 * a call holds the server a few milliseconds; the client calls again from the resume point.
 */
const BUDGET = 8192;
/** Records one step of {@link buildPostings} reads. */
const BUILD_BATCH = 500;
/** The value of `<collection>:postings` once every record's postings exist. */
const READY = "1";

/** The keys of one collection a postings query reads. */
export interface PostingsTarget {
  client: RedisClientLike;
  /** The collection's key base, `…:{r:<name>}`. */
  base: string;
  /** The ordering index of the query's scope (records-index.ts). */
  index: string;
  /** The id set of the query's layer, or of the whole collection. */
  layerSet: string;
  layered: boolean;
}

function keysOf(t: PostingsTarget): string[] {
  return [t.index, t.layerSet];
}

// ARGV[1..4] of records-postings.lua.
function head(t: PostingsTarget, op: "page" | "count", plan: PostingPlan): RedisArg[] {
  return [op, `${t.base}:rec:`, `${t.base}:p:`, JSON.stringify(plan.groups)];
}

/**
 * One bounded step of a filtered page over the postings (records-postings.lua): the same
 * reply as records-select.lua's page, `[resume member or "", skip left, 8 fields per record…]`.
 *
 * @example
 * ```ts
 * const flat = await postingsPageStep(target, plan, luaConditions(plan.residual), range, "-", 0, 101);
 * ```
 */
export async function postingsPageStep(
  t: PostingsTarget,
  plan: PostingPlan,
  residual: string,
  range: IndexRange,
  from: string,
  skip: number,
  want: number,
): Promise<(string | null)[]> {
  const args = [...head(t, "page", plan), range.ord, from, range.to, range.rev ? 1 : 0, skip, want, BUDGET];
  args.push(residual, t.layered ? 1 : 0);
  return (await scripts().recordsPostings.run(t.client, keysOf(t), args)) as (string | null)[];
}

/**
 * Counts the records matching a plan in bounded steps over its smallest posting; a count
 * of one equality without layer or residual conditions is the posting's size.
 *
 * @example
 * ```ts
 * const n = await postingsCount(target, plan, luaConditions(plan.residual));
 * ```
 */
export async function postingsCount(t: PostingsTarget, plan: PostingPlan, residual: string): Promise<number> {
  let n = 0;
  let group = 0;
  let posting = 0;
  let bound = "";
  for (;;) {
    const args = [...head(t, "count", plan), "id", bound, group, posting, 0, 0, BUDGET, residual, t.layered ? 1 : 0];
    const reply = (await scripts().recordsPostings.run(t.client, keysOf(t), args)) as [number, number, number, string];
    n += Number(reply[0]);
    group = Number(reply[1]);
    if (group === 0) return n;
    posting = Number(reply[2]);
    bound = reply[3];
  }
}

function document(id: string, text: string): object {
  try {
    return JSON.parse(text) as object;
  } catch (cause) {
    throw new BackendError("CORRUPTION", `[${BACKEND}] record ${JSON.stringify(id)} is not readable JSON`, {
      backend: BACKEND,
      cause,
    });
  }
}

/**
 * Gives the records of a collection written before the equality postings existed their
 * postings, in bounded steps, then marks the collection (`<base>:postings`) so later calls
 * return at once. Writes keep the postings of every record from then on; a collection
 * whose first write came from this version is marked by that write.
 *
 * @example
 * ```ts
 * await buildPostings(client, "app:{r:feed}");
 * ```
 */
export async function buildPostings(client: RedisClientLike, base: string): Promise<void> {
  const marker = `${base}:postings`;
  if ((await client.call("GET", marker)) === READY) return;
  let from = "-";
  for (;;) {
    const flat = (await scripts().recordsPostingsBuild.run(
      client,
      [`${base}:all`],
      ["read", `${base}:`, from, BUILD_BATCH],
    )) as string[];
    const args: RedisArg[] = ["write", `${base}:`];
    for (let i = 1; i < flat.length; i += 4) {
      const id = flat[i] as string;
      const content = document(id, flat[i + 2] as string);
      const metadata = document(id, flat[i + 3] as string);
      args.push(id, flat[i + 1] as string, postingSuffixes(content, metadata).join(" "));
    }
    if (args.length > 2) await scripts().recordsPostingsBuild.run(client, [`${base}:all`], args);
    const last = flat[0] as string;
    if (last === "") break;
    from = `(${last}`;
  }
  await client.call("SET", marker, READY);
}
