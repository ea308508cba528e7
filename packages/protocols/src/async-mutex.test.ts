import { describe, expect, it } from "vitest";
import { AsyncMutex } from "./async-mutex.js";

describe("AsyncMutex", () => {
  it("runs callers one at a time, in arrival order", async () => {
    const mutex = new AsyncMutex();
    const order: string[] = [];
    let release!: () => void;
    const first = mutex.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => order.push("a")));
    const second = mutex.run(() => order.push("b"));
    const third = mutex.run(() => order.push("c"));
    expect(mutex.locked).toBe(true);
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(mutex.locked).toBe(false);
  });

  it("runs a synchronous callback at once when free and releases after a throw", async () => {
    const mutex = new AsyncMutex();
    let ran = false;
    const pending = mutex.run(() => {
      ran = true;
    });
    expect(ran).toBe(true);
    await pending;
    await expect(
      mutex.run(() => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(mutex.locked).toBe(false);
    expect(await mutex.run(() => 42)).toBe(42);
  });

  it("heldByCaller is true only inside a hold of this same mutex", async () => {
    const a = new AsyncMutex();
    const b = new AsyncMutex();
    expect(a.heldByCaller()).toBe(false);
    const seen = await a.hold(async () => {
      await Promise.resolve();
      return [a.heldByCaller(), b.heldByCaller()];
    });
    expect(seen).toEqual([true, false]);
    expect(a.heldByCaller()).toBe(false);
  });
});
