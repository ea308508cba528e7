import { BackendError, type Codec } from "@core/protocols";
import { expect, test } from "vitest";
import { type CacheContext, expectCode } from "./context.js";

/**
 * Asserts that `fn` fails with `CORRUPTION` raised by `backend` itself, keeping the
 * codec's error as `cause`.
 *
 * @example
 * ```ts
 * await expectCorruption(() => cache.get("k"), backend.name);
 * ```
 */
export async function expectCorruption(fn: () => unknown, backend: string): Promise<void> {
  await expectCode(fn, "CORRUPTION");
  const error = await Promise.resolve()
    .then(fn)
    .then(
      () => undefined,
      (err: unknown) => err as { backend?: unknown; cause?: unknown },
    );
  expect(error?.backend, String(error)).toBe(backend);
  expect(error?.cause, String(error)).toBeDefined();
}

/**
 * A codec that writes JSON and cannot read anything back, as a codec meeting data it does
 * not understand (another version, another program) behaves.
 *
 * @example
 * ```ts
 * const cache = backend.cache("c", { codec: unreadableCodec() });
 * ```
 */
export function unreadableCodec(): Codec {
  return {
    name: "unreadable",
    encode: (value) => JSON.stringify(value),
    decode: () => {
      throw new Error("this codec cannot read what it wrote");
    },
  };
}

/**
 * Registers the tests of a cache whose codec fails while decoding: every read of the
 * value is `CORRUPTION` (a `BackendError` of the backend, the codec's error as `cause`),
 * never a plain `Error` and never a miss.
 *
 * @example
 * ```ts
 * describe("codec failures", () => registerCacheCodec(ctx));
 * ```
 */
export function registerCacheCodec(ctx: CacheContext): void {
  test("a codec that throws while decoding makes get and getMany fail with CORRUPTION", async () => {
    const cache = ctx.cache({ codec: unreadableCodec() });
    await cache.set("k", { a: 1 });
    await expectCorruption(() => cache.get("k"), ctx.backend.name);
    await expectCorruption(() => cache.getMany(["missing", "k"]), ctx.backend.name);
    // Reads that do not decode still work, and a miss is still a miss.
    expect(await cache.has("k")).toBe(true);
    expect(await cache.get("missing")).toBeUndefined();
  });

  test("a codec that throws a BackendError of its own while decoding is still CORRUPTION", async () => {
    const cache = ctx.cache({
      codec: {
        name: "refusing",
        encode: (value) => JSON.stringify(value),
        decode: () => {
          throw new BackendError("INVALID_ARGUMENT", "not mine", { backend: "some-codec" });
        },
      },
    });
    await cache.set("k", 1);
    await expectCorruption(() => cache.get("k"), ctx.backend.name);
  });

  test("a value the codec cannot encode is INVALID_ARGUMENT of the backend, cause kept, nothing written", async () => {
    const refusal = new BackendError("CORRUPTION", "cannot encode this", { backend: "some-codec" });
    const cache = ctx.cache({
      codec: {
        name: "picky",
        encode: (value) => {
          if (value === "bad") throw refusal;
          if (value === "odd") return 42 as unknown as string; // not a string: refused too
          return JSON.stringify(value);
        },
        decode: (text) => JSON.parse(text),
      },
    });
    const writes: (() => Promise<unknown>)[] = [
      () => cache.set("k", "bad"),
      () => cache.add("k", "bad"),
      () =>
        cache.setMany([
          { key: "other", value: 1 },
          { key: "k", value: "bad" },
        ]),
      () => cache.set("k", "odd"),
    ];
    for (const write of writes) {
      await expectCode(write, "INVALID_ARGUMENT");
      const error = await Promise.resolve()
        .then(write)
        .then(
          () => undefined,
          (err: unknown) => err as BackendError,
        );
      expect(error?.backend).toBe(ctx.backend.name);
    }
    const failed = await cache.set("k", "bad").catch((err: unknown) => err as Error);
    expect(failed?.cause).toBe(refusal);
    expect(await cache.getMany(["k", "other"])).toEqual([undefined, undefined]);
  });
}
