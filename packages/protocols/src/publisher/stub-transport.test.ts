import { describe, expect, it } from "vitest";
import { BackendError } from "../errors.js";
import type { Message } from "../transport.js";
import { stubTransport } from "./stub-transport.js";

const msg = (id: string): Message => ({ id, payload: { id }, headers: {}, publishedAt: 1 });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("stubTransport", () => {
  it("records sent messages with their channel", async () => {
    const stub = stubTransport();
    await stub.send("a", [msg("1"), msg("2")]);
    expect(stub.sent.map((m) => [m.channel, m.id])).toEqual([
      ["a", "1"],
      ["a", "2"],
    ]);
    expect(stub.name).toBe("stub");
  });

  it("fails the first failTimes calls with a retryable CONNECTION error", async () => {
    const stub = stubTransport({ name: "flaky", failTimes: 2 });
    for (let i = 0; i < 2; i += 1) {
      await expect(stub.send("a", [msg("1")])).rejects.toMatchObject({ code: "CONNECTION", retryable: true });
    }
    await stub.send("a", [msg("1")]);
    expect(stub.calls.map((c) => [c.attempt, c.error === undefined])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(stub.sent).toHaveLength(1);
  });

  it("fails on demand through fail()", async () => {
    const seen: [string, number][] = [];
    const stub = stubTransport({
      fail: (channel, _messages, attempt) => {
        seen.push([channel, attempt]);
        return attempt === 2 ? new Error("boom") : undefined;
      },
    });
    await stub.send("a", [msg("1")]);
    await expect(stub.send("b", [msg("2")])).rejects.toThrow("boom");
    expect(seen).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(stub.sent.map((m) => m.id)).toEqual(["1"]);
  });

  it("delivers asynchronously to plain subscribers and round-robins a group", async () => {
    const stub = stubTransport();
    const plain: string[] = [];
    const g1: string[] = [];
    const g2: string[] = [];
    await stub.subscribe("a", (m) => {
      plain.push(m.id);
    });
    await stub.subscribe("a", (m) => void g1.push(m.id), { group: "g" });
    await stub.subscribe("a", (m) => void g2.push(m.id), { group: "g" });
    const sending = stub.send("a", [msg("1"), msg("2"), msg("3")]);
    expect(plain).toEqual([]);
    await sending;
    await tick();
    expect(plain).toEqual(["1", "2", "3"]);
    expect([...g1, ...g2].sort()).toEqual(["1", "2", "3"]);
    expect(g1.length).toBeGreaterThan(0);
    expect(g2.length).toBeGreaterThan(0);
  });

  it("stops delivery on unsubscribe and rejects with CLOSED after close", async () => {
    const stub = stubTransport();
    const got: string[] = [];
    const sub = await stub.subscribe("a", (m) => void got.push(m.id));
    await stub.send("a", [msg("1")]);
    await tick();
    await sub.unsubscribe();
    await sub.unsubscribe();
    await stub.send("a", [msg("2")]);
    await tick();
    expect(got).toEqual(["1"]);
    await stub.close();
    await expect(stub.send("a", [msg("3")])).rejects.toSatisfy((e) => BackendError.is(e, "CLOSED"));
    await expect(stub.subscribe("a", () => {})).rejects.toSatisfy((e) => BackendError.is(e, "CLOSED"));
  });

  it("rejects bad input with INVALID_ARGUMENT", async () => {
    expect(() => stubTransport({ failTimes: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const stub = stubTransport();
    await expect(stub.send("", [msg("1")])).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(stub.subscribe("a", () => {}, { group: "" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
