/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { usePlaygroundPage } from "./browser.fixture.js";
import type { PlaygroundServer } from "./server.js";

const POSTGRES = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

let server: PlaygroundServer;
let page: Page;
usePlaygroundPage({ width: 1280, height: 1600 }, (opened) => ({ server, page } = opened));

async function useSql(url: string): Promise<void> {
  await page.fill("#backend-url-sql", url);
  await page.click("#backend-use-sql");
  await page.waitForFunction(() => /✓|:/.test(document.getElementById("backend-status-sql")?.textContent ?? ""));
}

async function consoleCount(table: string): Promise<number> {
  const rows = await server.session.timed("sql", "query", (b) =>
    b.sql().query<{ n: number | string }>({ text: `select count(*) as n from ${table}` }),
  );
  return Number(rows[0]?.n);
}

async function step(button: string, state: RegExp): Promise<void> {
  await page.click(`#sqltx-${button}`);
  await page.waitForFunction(
    (s) => new RegExp(s).test(document.getElementById("sqltx-state")?.textContent ?? ""),
    state.source,
  );
}

async function roundTrip(table: string): Promise<void> {
  await server.session.timed("sql", "execute", (b) => b.sql().execute({ text: `create table ${table} (id integer)` }));
  // Rolled back: the insert seen inside the transaction is gone afterwards.
  await step("begin", /: open on /);
  await page.fill("#sqltx-text", `insert into ${table} (id) values (1)`);
  await page.click("#sqltx-run");
  await page.waitForFunction(() => document.getElementById("sqltx-summary")?.textContent?.includes("1 affected"));
  await page.fill("#sqltx-text", `select count(*) as n from ${table}`);
  await page.click("#sqltx-run");
  await page.waitForSelector("#sqltx-results td");
  expect(Number(await page.textContent("#sqltx-results td"))).toBe(1);
  await step("rollback", /: rolled back$/);
  expect(await consoleCount(table)).toBe(0);
  expect(await page.isDisabled("#sqltx-run")).toBe(true);
  // Committed: the insert stays.
  await step("begin", /: open on /);
  await page.fill("#sqltx-text", `insert into ${table} (id) values (2)`);
  await page.click("#sqltx-run");
  await page.waitForFunction(() => document.getElementById("sqltx-summary")?.textContent?.includes("1 affected"));
  await step("commit", /: committed$/);
  expect(await consoleCount(table)).toBe(1);
}

describe("SQL transaction panel in headless Chromium", () => {
  it("begins, runs, rolls back and commits on sqlite", async () => {
    expect(await page.textContent("#backend-status-sql")).toBe("✓ sqlite");
    await roundTrip(`tx_browser_${process.pid}`);
  });

  it("begins a serializable read-only transaction on postgres that refuses writes", async () => {
    await useSql(POSTGRES);
    expect(await page.textContent("#backend-status-sql")).toBe("✓ postgres");
    const table = `tx_browser_${process.pid}_${Date.now()}`;
    try {
      await roundTrip(table);
      await page.selectOption("#sqltx-isolation", "serializable");
      await page.check("#sqltx-readonly");
      await step("begin", /: open on postgres, serializable, read only$/);
      await page.fill("#sqltx-text", `insert into ${table} (id) values (3)`);
      await page.click("#sqltx-run");
      await page.waitForSelector("#sqltx .error:not([hidden])");
      expect(await page.textContent("#sqltx .error .code")).toMatch(/^[A-Z_]+$/);
      await step("rollback", /: rolled back$/);
      expect(await consoleCount(table)).toBe(1);
    } finally {
      await server.session.timed("sql", "execute", (b) => b.sql().execute({ text: `drop table if exists ${table}` }));
    }
  });
});
