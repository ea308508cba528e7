import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RedisArg, RedisClientLike } from "./client.js";

function readScript(name: string): string {
  // The build copies src/scripts to dist/scripts, so this resolves in both.
  return readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), "utf8");
}

/**
 * A Lua script from `scripts/`, run by `EVALSHA` with a fallback to `EVAL` on `NOSCRIPT`.
 * `libraries` are files of shared local functions prepended to it (Redis has no imports).
 */
export class LuaScript {
  readonly name: string;
  readonly #source: string;
  readonly #sha: string;

  constructor(name: string, libraries: readonly string[] = []) {
    this.name = name;
    this.#source = [...libraries, name].map(readScript).join("\n");
    this.#sha = createHash("sha1").update(this.#source).digest("hex");
  }

  /**
   * Runs the script; the server caches it after the first `EVAL`, later calls send only
   * the SHA. The user's client is not modified (no `defineCommand` on it).
   */
  run(client: RedisClientLike, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown> {
    // Not async: the command's own promise with one rejection handler, no extra ticks.
    return client.call("EVALSHA", this.#sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return client.call("EVAL", this.#source, keys.length, ...keys, ...args);
    });
  }
}

/** The preludes of the record store scripts, in order (each uses the ones before it). */
const RECORD_WRITE = ["records-index", "records-posting-keys", "records-write"];

function load() {
  return {
    cacheIncrement: new LuaScript("cache-increment", ["cache-increment-value"]),
    cacheLruGet: new LuaScript("cache-lru-get", ["cache-lru"]),
    cacheLruWrite: new LuaScript("cache-lru-write", ["cache-lru"]),
    cacheLruIncrement: new LuaScript("cache-lru-increment", ["cache-lru", "cache-increment-value"]),
    queueAppend: new LuaScript("queue-append"),
    queueGroupSwap: new LuaScript("queue-group-swap"),
    recordsStore: new LuaScript("records-store", RECORD_WRITE),
    recordsStoreOne: new LuaScript("records-store-one", RECORD_WRITE),
    recordsDelete: new LuaScript("records-delete", ["records-index", "records-posting-keys"]),
    recordsSelect: new LuaScript("records-select", ["records-filter", "records-index"]),
    recordsPostings: new LuaScript("records-postings", ["records-filter", "records-index"]),
    recordsPostingsBuild: new LuaScript("records-postings-build", ["records-posting-keys"]),
    recordsReindex: new LuaScript("records-reindex", ["records-index"]),
    recordsUnpack: new LuaScript("records-unpack"),
    transportSend: new LuaScript("transport-send"),
  };
}

let loaded: ReturnType<typeof load> | undefined;

/** The package's scripts, read once on first use. */
export function scripts(): ReturnType<typeof load> {
  loaded ??= load();
  return loaded;
}
