import { describe, expect, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";
import { SUITE_TEST_TIMEOUT_MS } from "../options.js";
import { type ChildOpener, heldWithin, KeepAliveChild } from "./child.js";
import { registerGroupCrash } from "./group-crash.js";

export type { ChildOpener } from "./child.js";

/** Options of {@link describeKeepAliveConformance}. */
export interface KeepAliveOptions extends ConformanceOptions {
  /**
   * How a child Node process opens a client of the same backend. It runs plain Node (no
   * TypeScript loader), so point it at built JavaScript.
   */
  child: ChildOpener;
}

/** How long a waiting child must stay up: far beyond the ~100 ms an unref'd wait lasted. */
const ALIVE_MS = 1500;
/** How long a released child may take to exit by itself. */
const EXIT_MS = 5000;

/**
 * Registers the keep-alive suite (PROTOCOLS.md §0, "Keeping the process alive"): in a
 * child Node process that does nothing but wait, an active blocking `stream()` or
 * `subscribe()` keeps the process alive; once it is aborted / unsubscribed it holds
 * nothing more than the open backend did before it started; once the backend is closed
 * nothing the backend holds keeps the process alive — the child exits by itself (never
 * through `process.exit`). Gated by `queue` + `blockingStream` and by `transport`.
 *
 * @example
 * ```ts
 * import { describeKeepAliveConformance } from "@core/conformance";
 * describeKeepAliveConformance({
 *   name: "sqlite file",
 *   open: () => openSqliteBackend({ path }),
 *   child: { module: new URL("../dist/index.js", import.meta.url).href, export: "openSqliteBackend", argument: { path } },
 * });
 * ```
 */
export function describeKeepAliveConformance(options: KeepAliveOptions): void {
  describe(`keep-alive conformance: ${options.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const scale = options.timeScale ?? 1;

    const run = async (kind: "stream" | "subscription", command: "end" | "close") => {
      const child = new KeepAliveChild(options.child, kind, freshName(kind === "stream" ? "keep-alive" : "channel"));
      try {
        const ready = await child.report("ready", 30_000 * scale);
        const started = Date.now();
        const exitedEarly = await child.exitsWithin(ALIVE_MS * scale);
        expect(
          exitedEarly,
          `the child exited ${(child.exit?.at ?? started) - started} ms after its ${kind} started waiting`,
        ).toBe(false);
        const baseline = ready.baseline ?? [];
        child.send(command);
        const sent = Date.now();
        if (command === "end") {
          const ended = await child.report("ended", 10_000 * scale);
          expect(ended.outcome).toBe(kind === "stream" ? "ended" : "unsubscribed");
          const held = ended.resources ?? [];
          expect(heldWithin(held, baseline), `after ${kind} ended it still holds ${held} (before: ${baseline})`).toBe(
            true,
          );
          // An open network client may hold the process by itself (a socket): close it, then
          // nothing may be left. Without such a handle the child must exit right away.
          if (baseline.length > 0) {
            child.send("close");
            await child.report("closed", 10_000 * scale);
          }
        } else {
          const closed = await child.report("closed", 10_000 * scale);
          expect(kind === "stream" ? ["ended", "CLOSED"] : ["closed"]).toContain(closed.outcome);
        }
        const exited = await child.exitsWithin(EXIT_MS * scale);
        expect(exited, `the child was still alive ${Date.now() - sent} ms after "${command}"`).toBe(true);
        expect(child.exit, child.stderr).toMatchObject({ code: 0 });
      } finally {
        child.kill();
      }
    };

    describeCapability(caps.queue && caps.blockingStream, "queue blockingStream", () => {
      test("a blocking stream keeps the process alive; aborted, it holds nothing more", () => run("stream", "end"));
      test("closing the backend ends a blocking stream and lets the process exit", () => run("stream", "close"));
    });
    describeCapability(caps.queue && caps.persistent && caps.crossProcess, "queue persistent crossProcess", () => {
      registerGroupCrash(options);
    });
    describeCapability(caps.transport, "transport", () => {
      test("a subscription keeps the process alive; unsubscribed, it holds nothing more", () =>
        run("subscription", "end"));
      test("closing the backend ends a subscription and lets the process exit", () => run("subscription", "close"));
    });
  });
}
