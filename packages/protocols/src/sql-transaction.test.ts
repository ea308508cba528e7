import { describe, expect, it } from "vitest";
import { AsyncMutex } from "./async-mutex.js";
import { codeOf } from "./error-code.fixture.js";
import { BackendError } from "./errors.js";
import type { SqlExecutor } from "./sql.js";
import { checkTransactionOptions, runInScope, runWithRetries, savepointName } from "./sql-transaction.js";

const fn = async () => 1;

describe("checkTransactionOptions", () => {
  it("applies the defaults", () => {
    expect(checkTransactionOptions("test", fn, undefined, false)).toEqual({
      isolationLevel: undefined,
      readOnly: false,
      retries: 0,
    });
    expect(checkTransactionOptions("test", fn, { isolationLevel: "serializable", retries: 2 }, false)).toEqual({
      isolationLevel: "serializable",
      readOnly: false,
      retries: 2,
    });
  });

  it("rejects bad arguments with INVALID_ARGUMENT", () => {
    expect(codeOf(() => checkTransactionOptions("test", "fn", undefined, false))).toBe("INVALID_ARGUMENT");
    for (const bad of [null, 1, { isolationLevel: "snapshot" }, { readOnly: "yes" }, { retries: -1 }]) {
      expect(codeOf(() => checkTransactionOptions("test", fn, bad as never, false))).toBe("INVALID_ARGUMENT");
    }
  });

  it("refuses options on a nested transaction and levels the dialect cannot honour", () => {
    expect(codeOf(() => checkTransactionOptions("test", fn, { retries: 1 }, true))).toBe("NOT_SUPPORTED");
    expect(codeOf(() => checkTransactionOptions("test", fn, {}, true))).toBe(undefined);
    const onlySerializable = (level: string) => (level === "serializable" ? undefined : "always serializable");
    expect(() =>
      checkTransactionOptions("test", fn, { isolationLevel: "read committed" }, false, onlySerializable),
    ).toThrow('[test] isolation level "read committed" is not supported: always serializable');
    expect(
      codeOf(() => checkTransactionOptions("test", fn, { isolationLevel: "serializable" }, false, onlySerializable)),
    ).toBe(undefined);
  });
});

describe("runWithRetries", () => {
  it("re-runs on SERIALIZATION up to `retries` times, then re-throws", async () => {
    let calls = 0;
    const conflict = new BackendError("SERIALIZATION", "conflict", { backend: "test" });
    const result = await runWithRetries(
      async () => {
        calls++;
        if (calls < 3) throw conflict;
        return "ok";
      },
      2,
      1,
    );
    expect([result, calls]).toEqual(["ok", 3]);
    calls = 0;
    await expect(
      runWithRetries(
        async () => {
          calls++;
          throw conflict;
        },
        1,
        1,
      ),
    ).rejects.toBe(conflict);
    expect(calls).toBe(2);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    const other = new Error("other");
    await expect(
      runWithRetries(
        async () => {
          calls++;
          throw other;
        },
        5,
        1,
      ),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});

describe("runInScope", () => {
  it("marks the scope ended after fn settles, either way, once queued statements ran", async () => {
    const scope = { mutex: new AsyncMutex(), ended: false };
    const tx = {} as SqlExecutor;
    let queuedRan = false;
    const result = await runInScope(
      scope,
      async (executor) => {
        expect(executor).toBe(tx);
        void scope.mutex.run(async () => {
          await Promise.resolve();
          queuedRan = true;
          expect(scope.ended).toBe(false);
        });
        return 7;
      },
      () => tx,
    );
    expect([result, queuedRan, scope.ended]).toEqual([7, true, true]);
    const failing = { mutex: new AsyncMutex(), ended: false };
    await expect(
      runInScope(
        failing,
        async () => Promise.reject(new Error("x")),
        () => tx,
      ),
    ).rejects.toThrow("x");
    expect(failing.ended).toBe(true);
  });

  it("names savepoints by depth", () => {
    expect(savepointName(1)).toBe("sp_1");
  });
});
