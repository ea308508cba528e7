/// <reference lib="dom" />
import { openMemoryBackend } from "@core/backend-memory";
import { type Backend, type BackendProvider, registerBackend, unregisterBackend } from "@core/protocols";
import { notSupported } from "@core/protocols/kit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage } from "./browser.fixture.js";
import { type PlaygroundServer, startServer } from "./server.js";

// A third-party backend with a cache only (scheme "cacheonly:"): the memory backend with its
// queue and transport switched off, as a package loaded with --backend-package would be.
const cacheOnly: BackendProvider = {
  name: "cacheonly",
  schemes: ["cacheonly"],
  async open() {
    const inner = await openMemoryBackend();
    const capabilities = { ...inner.capabilities, queue: false, transport: false };
    const refuse = (what: string) => () => {
      throw notSupported("cacheonly", what);
    };
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === "name") return "cacheonly";
        if (prop === "capabilities") return capabilities;
        if (prop === "queue") return refuse("queue");
        if (prop === "transport") return refuse("transport");
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Backend;
  },
};

let server: PlaygroundServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  registerBackend(cacheOnly);
  server = await startServer({
    port: 0,
    initial: { cache: "cacheonly:", queue: "cacheonly:" },
    packages: [{ name: cacheOnly.name, schemes: cacheOnly.schemes }],
  });
  ({ browser, page } = await openPage(server.url));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  unregisterBackend("cacheonly");
});

describe("playground serve with a third-party backend without a queue", () => {
  it("lists the package's scheme and suggests its URL", async () => {
    const data = (await (await fetch(new URL("/api/backends", server.url))).json()) as Record<string, unknown>;
    expect(data.packages).toEqual([{ name: "cacheonly", schemes: ["cacheonly"] }]);
    expect(data.suggestions).toContain("cacheonly:");
    expect(data.status).toMatchObject({
      cache: { backend: "cacheonly", supported: true },
      queue: { backend: "cacheonly", supported: false },
    });
    expect(await page.textContent("#backend-schemes")).toContain("third-party: cacheonly (cacheonly:)");
    expect(await page.locator('#backend-suggestions option[value="cacheonly:"]').count()).toBe(1);
    expect(await page.textContent("#backend-status-cache")).toBe("✓ cacheonly");
  });

  it('the queue shows "not supported", and stays so instead of reconnecting', async () => {
    expect(await page.textContent("#backend-status-queue")).toBe("cacheonly: queue not supported");
    await page.waitForFunction(
      () => document.getElementById("queue-tail-status")?.textContent === "tail: queue not supported by cacheonly",
      undefined,
      { timeout: 10_000 },
    );
    // An EventSource that kept retrying would flip the line to "reconnecting…" within its 3 s
    // retry delay; the closed one never does. Watch every change of the line for 4 s.
    const seen = await page.evaluate(async () => {
      const line = document.getElementById("queue-tail-status")!;
      const texts: string[] = [];
      const observer = new MutationObserver(() => texts.push(line.textContent ?? ""));
      observer.observe(line, { childList: true, characterData: true, subtree: true });
      await new Promise((resolve) => setTimeout(resolve, 4000));
      observer.disconnect();
      return { texts, final: line.textContent };
    });
    expect(seen).toEqual({ texts: [], final: "tail: queue not supported by cacheonly" });
  });

  it("a transport subscription on it says not supported too", async () => {
    await page.fill("#backend-url-transport", "cacheonly:");
    await page.click("#backend-use-transport");
    await page.waitForFunction(() => document.getElementById("backend-status-transport")?.textContent !== "opening…");
    expect(await page.textContent("#backend-status-transport")).toBe("cacheonly: transport not supported");
    await page.click("#transport-subscribe");
    await page.waitForFunction(
      () =>
        document.getElementById("transport-status")?.textContent === "subscriber: transport not supported by cacheonly",
      undefined,
      { timeout: 10_000 },
    );
  });
});
