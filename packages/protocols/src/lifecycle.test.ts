import { describe, expect, it } from "vitest";
import { BackendError } from "./errors.js";
import { Lifecycle } from "./lifecycle.js";

describe("Lifecycle", () => {
  it("is already closed inside abort listeners and refuses new work there", async () => {
    const life = new Lifecycle("test");
    let closedInListener: boolean | undefined;
    let lateWork: Promise<unknown> | undefined;
    let ran = false;
    life.signal.addEventListener("abort", () => {
      closedInListener = life.closed;
      lateWork = life.run(async () => {
        ran = true;
      });
      lateWork.catch(() => {});
    });
    await life.close();
    expect(closedInListener).toBe(true);
    expect(ran).toBe(false);
    await expect(lateWork).rejects.toSatisfy((err: unknown) => BackendError.is(err, "CLOSED"));
    expect(() => life.assertOpen()).toThrow(BackendError);
  });

  it("turns a synchronous throw from fn into a rejection", async () => {
    const life = new Lifecycle("test");
    const boom = new Error("boom");
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = life.run(() => {
        throw boom;
      });
    }).not.toThrow();
    await expect(result).rejects.toBe(boom);
    await life.close();
  });

  it("close waits for in-flight work, runs cleanups once in reverse and is idempotent", async () => {
    const life = new Lifecycle("test");
    const order: string[] = [];
    life.onClose(() => {
      order.push("first");
    });
    life.onClose(() => {
      order.push("second");
    });
    const work = life.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push("work");
    });
    const closing = life.close();
    expect(life.close()).toBe(closing);
    await closing;
    await work;
    expect(order).toEqual(["work", "second", "first"]);
  });
});

describe("Lifecycle.track", () => {
  it("close waits for work started inline, settled either way, and hands back the same promise", async () => {
    const life = new Lifecycle("test");
    let finish!: (value: number) => void;
    let fail!: (err: Error) => void;
    const ok = new Promise<number>((resolve) => {
      finish = resolve;
    });
    const bad = new Promise<number>((_, reject) => {
      fail = reject;
    });
    expect(life.track(ok)).toBe(ok);
    life.track(bad).catch(() => {});
    let closed = false;
    const closing = life.close().then(() => {
      closed = true;
    });
    finish(1);
    await ok;
    await Promise.resolve();
    expect(closed).toBe(false);
    fail(new Error("gone"));
    await closing;
    expect(closed).toBe(true);
  });
});

describe("Lifecycle.beforeClose", () => {
  it("runs registered work while calls are still accepted, then closes", async () => {
    const life = new Lifecycle("test");
    let ranWhileOpen: boolean | undefined;
    life.beforeClose(async () => {
      ranWhileOpen = !life.closed && (await life.run(async () => true));
    });
    const unregistered = life.beforeClose(async () => {
      throw new Error("never runs");
    });
    unregistered();
    await life.close();
    expect(ranWhileOpen).toBe(true);
    expect(life.closed).toBe(true);
  });
});
