import { describe, expect, it } from "vitest";
import { defaultCodec } from "./codec.js";
import { codeOf } from "./error-code.fixture.js";
import { BackendError } from "./errors.js";
import {
  checkCodec,
  checkGetOptions,
  checkPutOptions,
  checkQueueOptions,
  checkStreamOptions,
  checkTrimOptions,
  encodeValue,
  MAX_BUCKETS,
} from "./queue-input.js";

describe("checkQueueOptions", () => {
  it("defaults to one bucket and the default codec", () => {
    expect(checkQueueOptions("test", undefined)).toEqual({ codec: defaultCodec, buckets: 1 });
    expect(checkQueueOptions("test", {})).toEqual({ codec: defaultCodec, buckets: 1 });
  });

  it("accepts 1 to MAX_BUCKETS buckets and positive batching numbers", () => {
    expect(checkQueueOptions("test", { buckets: MAX_BUCKETS }).buckets).toBe(MAX_BUCKETS);
    expect(codeOf(() => checkQueueOptions("test", { batchSize: 10, flushIntervalMs: 5, maxBuffered: 1 }))).toBe(
      undefined,
    );
  });

  it("rejects bad bags, bucket counts, batching numbers and codecs", () => {
    for (const bad of [
      null,
      [],
      { buckets: 0 },
      { buckets: MAX_BUCKETS + 1 },
      { buckets: 1.5 },
      { batchSize: 0 },
      { flushIntervalMs: -1 },
      { maxBuffered: "1" },
      { codec: null },
      { codec: { encode: () => "" } },
    ]) {
      expect(codeOf(() => checkQueueOptions("test", bad as never))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("checkCodec", () => {
  it("returns the default codec for undefined and a valid codec unchanged", () => {
    const codec = { name: "c", encode: String, decode: (t: string) => t };
    expect(checkCodec("test", undefined)).toBe(defaultCodec);
    expect(checkCodec("test", codec)).toBe(codec);
    expect(codeOf(() => checkCodec("test", 5))).toBe("INVALID_ARGUMENT");
  });
});

describe("encodeValue", () => {
  it("encodes with the codec and names the batch index of a value it cannot encode", () => {
    expect(encodeValue("test", defaultCodec, { a: 1 })).toBe(defaultCodec.encode({ a: 1 }));
    try {
      encodeValue("test", defaultCodec, () => 1, 3);
      expect.unreachable();
    } catch (err) {
      expect(BackendError.is(err, "INVALID_ARGUMENT")).toBe(true);
      expect((err as Error).message).toMatch(/^\[test\] value at index 3 cannot be stored: /);
      expect((err as Error).cause).toBeDefined();
    }
  });

  it("rejects a codec that does not return a string", () => {
    const codec = { name: "num", encode: () => 1 as unknown as string, decode: () => 1 };
    expect(codeOf(() => encodeValue("test", codec, 1))).toBe("INVALID_ARGUMENT");
  });
});

describe("put, get and stream options", () => {
  it("returns the routing key and rejects a bad one", () => {
    expect(checkPutOptions("test", undefined)).toBe(undefined);
    expect(checkPutOptions("test", { key: "user:1" })).toBe("user:1");
    expect(codeOf(() => checkPutOptions("test", { key: "" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => checkPutOptions("test", 1 as never))).toBe("INVALID_ARGUMENT");
  });

  it("checks offsets, limits, block and signal", () => {
    expect(codeOf(() => checkGetOptions("test", { offset: 0, limit: 10 }))).toBe(undefined);
    expect(codeOf(() => checkStreamOptions("test", { block: true, signal: new AbortController().signal }))).toBe(
      undefined,
    );
    for (const bad of [{ offset: -1 }, { limit: 1.5 }, { block: "yes" }, { signal: {} }]) {
      expect(codeOf(() => checkStreamOptions("test", bad as never))).toBe("INVALID_ARGUMENT");
    }
    expect(codeOf(() => checkGetOptions("test", { limit: -1 }))).toBe("INVALID_ARGUMENT");
  });
});

describe("checkTrimOptions", () => {
  it("turns { before } and { maxLength } into the offset to trim before", () => {
    expect(checkTrimOptions("test", { before: 7 })(100)).toBe(7);
    expect(checkTrimOptions("test", { maxLength: 10 })(100)).toBe(90);
  });

  it("needs exactly one valid option", () => {
    for (const bad of [{}, { before: 1, maxLength: 1 }, { before: -1 }, { maxLength: "2" }, undefined]) {
      expect(codeOf(() => checkTrimOptions("test", bad))).toBe("INVALID_ARGUMENT");
    }
  });
});
