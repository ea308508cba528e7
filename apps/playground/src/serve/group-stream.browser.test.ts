/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { usePlaygroundPage } from "./browser.fixture.js";
import type { PlaygroundServer } from "./server.js";

let server: PlaygroundServer;
let page: Page;
usePlaygroundPage({ width: 1280, height: 1400 }, (opened) => ({ server, page } = opened));

/** The offsets each member's list shows. */
async function shown(member: string): Promise<number[]> {
  const items = await page.locator(`#group-member-${member} li`).allTextContents();
  return items.map((text) => Number(text.replace("offset ", "")));
}

describe("group-stream panel in headless Chromium", () => {
  it("two members of one group share the jobs: each offset handled by exactly one, all committed", async () => {
    await page.fill("#group-jobs", "12");
    await page.click("#group-run");
    await page.waitForFunction(() => document.getElementById("group-summary")?.textContent?.includes("committed 12"));
    const a = await shown("a");
    const b = await shown("b");
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // A second run goes on after the group's commit: only the new jobs are handled.
    await page.fill("#group-jobs", "4");
    await page.click("#group-run");
    await page.waitForFunction(() => document.getElementById("group-summary")?.textContent?.includes("committed 16"));
    expect([...(await shown("a")), ...(await shown("b"))].sort((x, y) => x - y)).toEqual([12, 13, 14, 15]);
  });

  it("a bad job count is shown as INVALID_ARGUMENT in the panel", async () => {
    await page.fill("#group-jobs", "0");
    await page.click("#group-run");
    await page.waitForSelector("#group-stream .error:not([hidden])");
    expect(await page.textContent("#group-stream .error .code")).toBe("INVALID_ARGUMENT");
  });
});
