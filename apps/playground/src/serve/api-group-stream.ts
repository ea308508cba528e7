import type { Queue } from "@core/protocols";
import { ApiError, intField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

/** The topic and group of the group-stream panel. */
export const GROUP_TOPIC = "playground-group";
export const GROUP_NAME = "workers";
const MEMBERS = ["a", "b"] as const;
/** How long a member "works" on one job: long enough that both members get some. */
const HANDLE_MS = 5;

/**
 * The group-stream panel's route: `POST /api/queue/group/run` with `{ jobs }` appends that
 * many jobs to {@link GROUP_TOPIC} and runs two members of the group {@link GROUP_NAME}
 * side by side until the group has handled everything (each job goes to one of them and
 * is committed with `entry.commit()`); it answers which member handled which offsets and
 * the group's committed offset.
 *
 * @example
 * ```ts
 * groupStreamRoutes(router, session);
 * // POST /api/queue/group/run {"jobs":10} → { members: { a: [0, 2, …], b: [1, …] }, committed: 10 }
 * ```
 */
export function groupStreamRoutes(router: Router, session: PlaygroundSession): void {
  router.add("POST", "/api/queue/group/run", async (ctx) => {
    const body = await ctx.body();
    const jobs = intField(body, "jobs") ?? 10;
    if (jobs < 1 || jobs > 1000) throw new ApiError("INVALID_ARGUMENT", "jobs must be 1–1000");
    return session.timed("queue", "group stream", async (backend) => {
      const q = backend.queue<{ job: number }>(GROUP_TOPIC);
      const { first } = await q.putBatch(Array.from({ length: jobs }, (_, i) => ({ job: i + 1 })));
      await q.flush();
      const handled = await Promise.all(MEMBERS.map(() => runMember(q)));
      return {
        topic: GROUP_TOPIC,
        group: GROUP_NAME,
        first,
        members: Object.fromEntries(MEMBERS.map((m, i) => [m, handled[i]])),
        committed: await q.committed(GROUP_NAME),
      };
    });
  });
}

/** One member: handles jobs one at a time (batchSize 1) and commits each, until none is left. */
async function runMember(q: Queue<{ job: number }>): Promise<number[]> {
  const offsets: number[] = [];
  for await (const entry of q.stream({ group: GROUP_NAME, autoCommit: false, batchSize: 1 })) {
    await new Promise((resolve) => setTimeout(resolve, HANDLE_MS));
    offsets.push(entry.offset);
    await entry.commit();
  }
  return offsets;
}
