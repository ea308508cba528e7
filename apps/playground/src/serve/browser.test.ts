/// <reference lib="dom" />
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { usePlaygroundPage } from "./browser.fixture.js";
import type { PlaygroundServer } from "./server.js";

const POSTGRES = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

let server: PlaygroundServer;
let page: Page;
usePlaygroundPage({ width: 1280, height: 1400 }, (opened) => ({ server, page } = opened));

async function useBackend(protocol: string, url: string): Promise<void> {
  await page.fill(`#backend-url-${protocol}`, url);
  await page.click(`#backend-use-${protocol}`);
  await page.waitForFunction(
    (p) => /✓|:/.test(document.getElementById(`backend-status-${p}`)?.textContent ?? ""),
    protocol,
  );
}

describe("playground serve in headless Chromium", () => {
  it("picks backends, sets and reads a cache key", async () => {
    await useBackend("cache", "memory:");
    expect(await page.textContent("#backend-status-cache")).toBe("✓ memory");
    await page.fill("#cache-key", "browser-key");
    await page.fill("#cache-value", '{"from":"the page"}');
    await page.click("#cache-set");
    await page.waitForFunction(() => document.getElementById("cache-output")?.textContent?.includes('"ok": true'));
    await page.click("#cache-get");
    await page.waitForFunction(() => document.getElementById("cache-output")?.textContent?.includes('"found": true'));
    expect(JSON.parse((await page.textContent("#cache-output")) ?? "")).toEqual({
      key: "browser-key",
      found: true,
      value: { from: "the page" },
    });
  });

  it("appends to the queue and sees the entry arrive in the live tail", async () => {
    await page.waitForFunction(() => document.getElementById("queue-tail-status")?.textContent === "tail: live");
    await page.fill("#queue-value", '{"event":"from-browser"}');
    await page.click("#queue-put");
    await page.waitForSelector("#queue-tail li:has-text('from-browser')", { timeout: 5000 });
  });

  it("seeds records and runs a query built with the filter builder", async () => {
    await page.click("#records-seed");
    await page.waitForFunction(() => document.getElementById("records-summary")?.textContent?.startsWith("seeded"));
    await page.fill("#filter-rows .f-field", "content.score");
    await page.selectOption("#filter-rows .f-op", "gte");
    await page.fill("#filter-rows .f-value", "1");
    expect(await page.textContent("#records-where")).toBe('where: {"content.score":{"gte":1}}');
    await page.click("#records-query");
    await page.waitForFunction(() => document.getElementById("records-summary")?.textContent?.includes("matching"));
    expect(await page.textContent("#records-summary")).toContain("20 shown of 25 matching");
    expect(await page.locator("#records-results tbody tr").count()).toBe(20);
  });

  it("runs a SQL statement on postgres and shows an error with its code", async () => {
    await useBackend("sql", POSTGRES);
    expect(await page.textContent("#backend-status-sql")).toBe("✓ postgres");
    await page.fill("#sql-text", "select 41 + 1 as answer");
    await page.click("#sql-run");
    await page.waitForSelector("#sql-results td");
    expect(await page.textContent("#sql-results td")).toBe("42");
    await page.fill("#sql-text", "select * from no_such_table_in_browser_test");
    await page.click("#sql-run");
    await page.waitForSelector("#sql .error:not([hidden])");
    expect(await page.textContent("#sql .error .code")).toMatch(/^[A-Z_]+$/);
  });

  it("draws the latency chart and takes a screenshot that is not blank", async () => {
    await page.waitForSelector("#latency-chart svg circle", { timeout: 5000 });
    const file = join(await mkdtemp(join(tmpdir(), "core-playground-shot-")), "playground.png");
    await page.screenshot({ path: file, fullPage: true });
    expect((await stat(file)).size).toBeGreaterThan(10_000);
    // Decode the PNG in the page itself and count its colours: a blank page has one or two.
    const base64 = (await readFile(file)).toString("base64");
    const colours = await page.evaluate(async (data) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const pixels = ctx.getImageData(0, 0, img.width, img.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 7)
        seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
      return seen.size;
    }, base64);
    expect(colours).toBeGreaterThan(20);
  });
});
