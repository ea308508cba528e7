import { spawnSync } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LockFile } from "./lock.js";
import { waiterMarker } from "./lock-token.js";

const root = mkdtempSync(join(tmpdir(), "backend-file-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir);
  return dir;
};

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  return pid as number;
}

describe("LockFile (token linked into place)", () => {
  it("holds the complete `pid timestamp` while taken, and leaves nothing behind once closed", async () => {
    const dir = freshDir();
    const file = new LockFile(join(dir, "lock"));
    for (let i = 0; i < 3; i++) {
      const lock = await file.acquire();
      const [pid, at] = readFileSync(join(dir, "lock"), "utf8").split(" ").map(Number);
      expect(pid).toBe(process.pid);
      expect(Math.abs(Date.now() - (at as number))).toBeLessThan(60_000);
      await lock.release();
      expect(readdirSync(dir)).toEqual([`lock.${process.pid}`]);
    }
    file.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("removes the tokens of dead processes and keeps foreign files", async () => {
    const dir = freshDir();
    const dead = deadPid();
    writeFileSync(join(dir, `lock.${dead}`), `${dead} ${Date.now()}`);
    writeFileSync(join(dir, "lock.note"), "not a token");
    const file = new LockFile(join(dir, "lock"));
    const lock = await file.acquire();
    expect(readdirSync(dir).sort()).toEqual(["lock", "lock.note", `lock.${process.pid}`].sort());
    await lock.release();
    file.close();
    expect(readdirSync(dir)).toEqual(["lock.note"]);
  });

  it("takes over a lock whose holder died, and makes its token again when it was removed", async () => {
    const dir = freshDir();
    const dead = deadPid();
    writeFileSync(join(dir, `lock.${dead}`), `${dead} ${Date.now()}`);
    // The dead holder's lock is its token under the lock's name (two links, one file).
    writeFileSync(join(dir, "lock"), `${dead} ${Date.now()}`);
    const file = new LockFile(join(dir, "lock"), { timeoutMs: 2000 });
    const first = await file.acquire();
    expect(readFileSync(join(dir, "lock"), "utf8").startsWith(`${process.pid} `)).toBe(true);
    await first.release();
    unlinkSync(join(dir, `lock.${process.pid}`));
    const second = await file.acquire();
    expect(readFileSync(join(dir, "lock"), "utf8").startsWith(`${process.pid} `)).toBe(true);
    await second.release();
    file.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("two lock files of one path in a process share the token and take turns", async () => {
    const dir = freshDir();
    const a = new LockFile(join(dir, "lock"));
    const b = new LockFile(join(dir, "lock"));
    const order: string[] = [];
    const held = await a.acquire();
    const waiting = b.acquire().then((lock) => {
      order.push("b");
      return lock;
    });
    order.push("a");
    await held.release();
    await (await waiting).release();
    expect(order).toEqual(["a", "b"]);
    a.close();
    expect(readdirSync(dir)).toEqual([`lock.${process.pid}`]);
    b.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("burst: a release with more to write keeps the lock; the next hold is `continued` for the same object only", async () => {
    const dir = freshDir();
    const path = join(dir, "lock");
    const a = new LockFile(path, {}, true);
    const b = new LockFile(path, {}, true);
    const first = await a.acquire();
    expect(first.continued).toBe(false);
    await first.release(true);
    expect(existsSync(path)).toBe(true);
    const again = await a.acquire();
    expect(again.continued).toBe(true);
    // Another lock object of the path queued meanwhile: kept for it, without `continued`.
    const queued = b.acquire();
    await again.release();
    const other = await queued;
    expect(other.continued).toBe(false);
    // Nothing more queued: let go at once.
    await other.release();
    expect(existsSync(path)).toBe(false);
    const later = await a.acquire();
    expect(later.continued).toBe(false);
    await later.release();
    a.close();
    b.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("burst: a waiter's marker makes the holder let go at its next release and leave it the lock", async () => {
    const dir = freshDir();
    const path = join(dir, "lock");
    const file = new LockFile(path, {}, true);
    const held = await file.acquire();
    // Another process's waiting token shown as the marker (as lock-token.ts places it).
    const other = join(dir, "lock.other");
    writeFileSync(other, `${process.pid} ${Date.now()}`);
    linkSync(other, waiterMarker(path));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the holder looks at most every ms
    await held.release(true);
    expect(existsSync(path)).toBe(false);
    // The marker stays (its waiter never comes): the holder takes the lock back after a
    // bounded wait and removes it.
    const next = await file.acquire();
    expect(next.continued).toBe(false);
    expect(existsSync(waiterMarker(path))).toBe(false);
    await next.release();
    file.close();
    unlinkSync(other);
    expect(readdirSync(dir)).toEqual([]);
  });
});
