import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type PlaygroundServer, startServer } from "./server.js";

/** Debian's Chromium: the browser tests never download one. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Launches headless Chromium, opens `url` and waits until the page says it is ready
 * (`body[data-ready=true]`); a page that fails to start reports its own errors.
 *
 * @example
 * ```ts
 * const { browser, page } = await openPage(server.url);
 * ```
 */
export async function openPage(
  url: string,
  viewport?: { width: number; height: number },
): Promise<{ browser: Browser; page: Page }> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the browser test drives Debian's Chromium; install it with: apt-get install -y chromium`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await browser.newPage(viewport ? { viewport } : {});
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 }).catch((err) => {
    throw new Error(`page did not start: ${pageErrors.join("; ") || err.message}`);
  });
  return { browser, page };
}

/** What {@link usePlaygroundPage} hands a test file once the page is up. */
export interface OpenedPlayground {
  server: PlaygroundServer;
  page: Page;
}

/**
 * Starts a playground server on a free port and opens its page in Chromium before the
 * file's tests; closes both after them.
 *
 * @example
 * ```ts
 * let page: Page;
 * usePlaygroundPage({ width: 1280, height: 1400 }, (opened) => ({ page } = opened));
 * ```
 */
export function usePlaygroundPage(
  viewport: { width: number; height: number } | undefined,
  onOpen: (opened: OpenedPlayground) => void,
): void {
  let server: PlaygroundServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
    const opened = await openPage(server.url, viewport);
    browser = opened.browser;
    onOpen({ server, page: opened.page });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}
