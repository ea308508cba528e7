import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendError } from "@core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { child, sleep, until } from "./children.fixture.js";
import { exclusiveLockPath } from "./exclusive-lease.js";
import { lockCounters, openFileBackend } from "./index.js";

// `exclusive: true` with real processes: a second opener is refused at once, a killed or
// hung holder's lock is taken over per the stale-lock rules.
const root = mkdtempSync(join(tmpdir(), "backend-file-exclusive-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

async function refusal(open: Promise<unknown>): Promise<BackendError> {
  const err = await open.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendError);
  expect((err as BackendError).code).toBe("LOCKED");
  return err as BackendError;
}

describe("file backend: exclusive", () => {
  it("refuses a second backend in this process, exclusive or shared, until the holder closes", async () => {
    const directory = freshDir();
    const backend = await openFileBackend({ directory, exclusive: true });
    expect(backend.capabilities.crossProcess).toBe(false);
    await backend.cache<number>("c").set("k", 1);
    await refusal(openFileBackend({ directory, exclusive: true }));
    await refusal(openFileBackend({ directory }));
    await backend.close();
    expect(existsSync(exclusiveLockPath(directory))).toBe(false);
    const shared = await openFileBackend({ directory });
    expect(await shared.cache<number>("c").get("k")).toBe(1);
    // And the other way round: a shared backend open here keeps an exclusive one out.
    await refusal(openFileBackend({ directory, exclusive: true }));
    await shared.close();
    const again = await openFileBackend({ directory, exclusive: true });
    expect(await again.cache<number>("c").get("k")).toBe(1);
    await again.close();
  });

  it("rejects a non-boolean exclusive option", async () => {
    const err = await openFileBackend({ directory: freshDir(), exclusive: "yes" as unknown as boolean }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as BackendError).code).toBe("INVALID_ARGUMENT");
  });

  it("refuses another process's opener at once, and takes over after the holder is killed (SIGKILL)", async () => {
    const directory = freshDir();
    const holder = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, exclusive: true });
      const c = b.cache("c");
      for (let i = 0; i < 100; i++) await c.set("k" + i, i);
      await b.records("r").store({ id: "1", naturalKey: "n:1", content: { n: 1 } });
      console.log("holding");
      setInterval(() => {}, 1000);`);
    try {
      await until(() => holder.lines.includes("holding"), "the holder to write");
      const started = Date.now();
      const err = await refusal(openFileBackend({ directory, exclusive: true, lockTimeoutMs: 60_000 }));
      expect(err.message).toContain(`process ${holder.proc.pid}`);
      await refusal(openFileBackend({ directory, lockTimeoutMs: 60_000 }));
      // Refused, not waited for (lockTimeoutMs is a minute).
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      holder.proc.kill("SIGKILL");
      await holder.exited;
    }
    // A dead holder: its locks (the directory's and the stores') are broken, its writes kept.
    const recovered = lockCounters.recovered;
    const backend = await openFileBackend({ directory, exclusive: true, lockTimeoutMs: 5_000 });
    const cache = backend.cache<number>("c");
    expect(await cache.get("k99")).toBe(99);
    expect(await cache.increment("n")).toBe(1);
    expect((await backend.records("r").get("1"))?.content).toEqual({ n: 1 });
    expect(lockCounters.recovered).toBeGreaterThanOrEqual(recovered + 2);
    await backend.close();
    expect(existsSync(exclusiveLockPath(directory))).toBe(false);
  });

  it("a hung holder (SIGSTOP) keeps its lock until it is staleLockMs without renewal; resumed, it fails with LOCKED", async () => {
    const directory = freshDir();
    const holder = child(`
      const b = await openFileBackend({ directory: ${JSON.stringify(directory)}, exclusive: true, staleLockMs: 400 });
      const c = b.cache("c");
      await c.set("k", "holder");
      console.log("holding");
      setInterval(() => c.set("k", "holder again").then(() => console.log("wrote"), (e) => console.log(e.code)), 50);`);
    try {
      await until(() => holder.lines.includes("wrote"), "the holder to write");
      // Running, it renews its stamp: never stale, however long it holds.
      await sleep(600);
      await refusal(openFileBackend({ directory, exclusive: true, staleLockMs: 400 }));
      holder.proc.kill("SIGSTOP");
      const [, stamped] = readFileSync(exclusiveLockPath(directory), "utf8").split(" ");
      await until(() => Date.now() - Number(stamped) > 450, "the stamp to age");
      const backend = await openFileBackend({ directory, exclusive: true, staleLockMs: 400 });
      const cache = backend.cache<string>("c");
      expect(await cache.get("k")).toBe("holder again");
      await cache.set("k", "mine");
      holder.proc.kill("SIGCONT");
      await until(() => holder.lines.includes("LOCKED"), "the resumed holder to find its lock gone");
      expect(await cache.get("k")).toBe("mine");
      await backend.close();
    } finally {
      holder.proc.kill("SIGKILL");
      await holder.exited;
    }
  });
});
