import { notSupported, type Queue, type QueueOptions } from "@core/protocols";
import type { SqliteShared } from "./shared.js";

// PLACEHOLDER until the sqlite queue work replaces this whole file.
export function createSqliteQueue<V>(_shared: SqliteShared, _name: string, _options?: QueueOptions): Queue<V> {
  throw notSupported("sqlite", "queue");
}
