import type { RedisClientLike } from "./client.js";

/**
 * Every key matching a `SCAN MATCH` pattern, from every master of a cluster (or the one
 * server), in pages: never `KEYS`, so the server is never blocked. Keys may repeat across
 * pages (SCAN's guarantee); callers that need uniqueness deduplicate.
 */
export async function* scanKeys(client: RedisClientLike, pattern: string, count = 1000): AsyncGenerator<string[]> {
  const nodes = client.isCluster && client.nodes ? client.nodes("master") : [client];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = (await node.call("SCAN", cursor, "MATCH", pattern, "COUNT", count)) as [string, string[]];
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
  }
}
