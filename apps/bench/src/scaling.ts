import type { StoredRecord } from "@core/protocols";
import { encodeCursor, parseOrderBy } from "@core/protocols/kit";
import { compare } from "./measure.js";
import type { Profile } from "./profile.js";
import type { Progress } from "./progress.js";
import type { BenchResult } from "./results.js";
import { type BackendName, openTarget, reason } from "./targets.js";
import { withTimeout } from "./timeout.js";
import { cacheKey, recordId, recordInput, VALUE } from "./workload.js";

/** The operations whose cost must stay flat or logarithmic in the stored size. */
export const SCALING_OPERATIONS = [
  "cache get (hit)",
  "queue get(offset, limit 10)",
  "records keyset page(100)",
] as const;

const CHUNK = 1000;
// Cursors are built by the shared helper, so one made here pages any backend.
const BY_ID = parseOrderBy("id");
const cursorAfter = (i: number) => encodeCursor(BY_ID, { id: recordId(i) } as StoredRecord);

class BudgetExceeded extends Error {}

/**
 * Our cost of a point read at each stored size: a fresh backend per size, prefilled in
 * batches (bounded by `profile.prefillBudgetMs`), then measured at offsets/keys spread
 * over the whole data set.
 *
 * @example
 * ```ts
 * const points = await runScaling("sqlite", makeProfile({ quick: true }), progress);
 * ```
 */
export async function runScaling(name: BackendName, profile: Profile, progress: Progress): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const size of profile.scalingSizes) {
    const target = await openTarget(name, { raw: false });
    const backend = target.backend;
    try {
      for (const operation of SCALING_OPERATIONS) {
        const base = {
          kind: "not-measured" as const,
          backend: name,
          section: "scaling" as const,
          operation: `${operation} @ ${size}`,
        };
        const protocol = operation.split(" ")[0] as "cache" | "queue" | "records";
        if (!backend) {
          out.push({ ...base, reason: `backend could not be opened: ${target.error}`, byCapability: false });
        } else if (!backend.capabilities[protocol]) {
          out.push({ ...base, reason: `capability ${protocol} is false`, byCapability: true });
        } else {
          try {
            const deadline = performance.now() + profile.prefillBudgetMs;
            const fill = async (write: (from: number, n: number) => Promise<unknown>) => {
              for (let from = 0; from < size; from += CHUNK) {
                if (performance.now() > deadline)
                  throw new BudgetExceeded(
                    `prefilling ${size} items took longer than ${profile.prefillBudgetMs / 1000} s`,
                  );
                await write(from, Math.min(CHUNK, size - from));
              }
            };
            const ids = (from: number, n: number) => Array.from({ length: n }, (_, j) => from + j);
            const spread = (i: number, room: number) => (i * 7919) % Math.max(1, room);
            let run: (i: number) => Promise<unknown>;
            if (protocol === "cache") {
              const cache = backend.cache("scale");
              await fill((from, n) =>
                cache.setMany(ids(from, n).map((i) => ({ key: cacheKey(i, size), value: VALUE }))),
              );
              run = (i) => cache.get(cacheKey(spread(i, size), size));
            } else if (protocol === "queue") {
              const queue = backend.queue("scale");
              await fill((_, n) => queue.putBatch(Array.from({ length: n }, () => VALUE)));
              await queue.flush();
              run = (i) => queue.get({ offset: spread(i, size - 10), limit: 10 });
            } else {
              const records = backend.records("scale");
              await fill((from, n) => records.storeBatch(ids(from, n).map(recordInput)));
              const cursors = Array.from({ length: 64 }, (_, k) => cursorAfter(spread(k + 1, size - 100)));
              run = (i) => records.queryPage({ limit: 100, after: cursors[i % cursors.length] });
            }
            const [ours] = await withTimeout(
              compare([{ name: "ours", run }], profile.measure),
              profile.scenarioTimeoutMs,
              operation,
            );
            out.push({ kind: "scaling", backend: name, operation, size, ours: ours! });
          } catch (err) {
            out.push({
              ...base,
              reason: err instanceof BudgetExceeded ? err.message : reason(err),
              byCapability: false,
            });
          }
        }
        progress.step(`${name} scaling ${operation} @ ${size}`);
      }
    } finally {
      await target.close();
    }
  }
  return out;
}
