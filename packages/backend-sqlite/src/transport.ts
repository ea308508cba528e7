import { notSupported, type Transport, type TransportOptions } from "@core/protocols";
import type { SqliteShared } from "./shared.js";

// PLACEHOLDER until the sqlite transport work replaces this whole file.
export function createSqliteTransport(_shared: SqliteShared, _options?: TransportOptions): Transport {
  throw notSupported("sqlite", "transport");
}
