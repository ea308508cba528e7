/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { usePlaygroundPage } from "./browser.fixture.js";
import type { PlaygroundServer } from "./server.js";

let server: PlaygroundServer;
let page: Page;
usePlaygroundPage({ width: 1280, height: 1400 }, (opened) => ({ server, page } = opened));

async function promote(id: string, layer: string, expectedVersion = ""): Promise<void> {
  await page.fill("#promote-id", id);
  await page.selectOption("#promote-layer", layer);
  await page.fill("#promote-version", expectedVersion);
  await page.click("#promote-run");
}

describe("layer promotion panel in headless Chromium", () => {
  it("promotes a seeded record, then shows CONFLICT for a stale version and NOT_FOUND for a missing id", async () => {
    await page.click("#records-seed");
    await page.waitForFunction(() => document.getElementById("records-summary")?.textContent?.startsWith("seeded"));
    const before = await server.session.timed("records", "get", (b) => b.records("playground").get("sample-1"));
    expect(before?.layer).toBe("bronze");

    await promote("sample-1", "gold", String(before?.version));
    const gold = `sample-1: gold, version ${(before?.version ?? 0) + 1}`;
    await page.waitForFunction((t) => document.getElementById("promote-summary")?.textContent === t, gold);
    expect(JSON.parse((await page.textContent("#promote-output")) ?? "")).toMatchObject({
      id: "sample-1",
      layer: "gold",
      version: (before?.version ?? 0) + 1,
      content: before?.content,
    });
    const after = await server.session.timed("records", "get", (b) => b.records("playground").get("sample-1"));
    expect(after).toMatchObject({ layer: "gold", version: (before?.version ?? 0) + 1 });

    await promote("sample-1", "silver", String(before?.version));
    await page.waitForSelector("#promote .error:not([hidden])");
    expect(await page.textContent("#promote .error .code")).toBe("CONFLICT");
    expect((await server.session.timed("records", "get", (b) => b.records("playground").get("sample-1")))?.layer).toBe(
      "gold",
    );

    await promote("no-such-record", "gold");
    await page.waitForFunction(() => document.querySelector("#promote .error .code")?.textContent === "NOT_FOUND");
    expect(await page.textContent("#promote-output")).toBe("");
  });
});
