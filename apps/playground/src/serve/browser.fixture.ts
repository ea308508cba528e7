import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

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
