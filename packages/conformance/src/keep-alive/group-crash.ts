import { expect, test } from "vitest";
import { freshName } from "../names.js";
import { KeepAliveChild } from "./child.js";
import type { KeepAliveOptions } from "./suite.js";

/** The lease of the member that is killed: short, so its entries come back soon. */
const LEASE_MS = 1000;

/**
 * The crash test of group streams (PROTOCOLS.md §2, "Group streams"): a member in a child
 * process commits its first entry, handles the second and is killed with SIGKILL before
 * committing it. The group's commit survived the process, and once the lease ends the
 * entry it held is redelivered to another member, which resumes after the last commit.
 * Registered for persistent, cross-process backends.
 *
 * @example
 * ```ts
 * registerGroupCrash(options);
 * ```
 */
export function registerGroupCrash(options: KeepAliveOptions): void {
  test("a member killed (SIGKILL) between handle and commit: its entry is redelivered to the group", async () => {
    const scale = options.timeScale ?? 1;
    const name = freshName("group-crash");
    const backend = await options.open();
    const child = new KeepAliveChild(options.child, "group", name, { group: "workers", leaseMs: LEASE_MS });
    try {
      const q = backend.queue<string>(name);
      await q.putBatch(["a", "b", "c", "d"]);
      await q.flush();
      const handled = await child.report("handled", 30_000 * scale);
      expect(handled.outcome).toBe("1");
      // Killed before the commit of the entry it handled.
      child.kill();
      expect(await child.exitsWithin(10_000 * scale)).toBe(true);
      expect(child.exit?.signal).toBe("SIGKILL");
      expect(await q.committed("workers")).toBe(1);
      const got: { offset: number; value: string }[] = [];
      const signal = AbortSignal.timeout(20_000 * scale);
      for await (const entry of q.stream({ group: "workers", block: true, signal })) {
        got.push({ offset: entry.offset, value: entry.value });
        if (got.length === 3) break;
      }
      expect(got).toEqual([
        { offset: 1, value: "b" },
        { offset: 2, value: "c" },
        { offset: 3, value: "d" },
      ]);
      expect(await q.committed("workers")).toBe(3);
    } finally {
      child.kill();
      await backend.close();
    }
  });
}
