import { notSupported, type RecordStore, type RecordStoreOptions } from "@core/protocols";
import type { SqliteShared } from "./shared.js";

// PLACEHOLDER until the sqlite records work replaces this whole file.
export function createSqliteRecordStore(_shared: SqliteShared, _name: string, _options?: RecordStoreOptions): RecordStore {
  throw notSupported("sqlite", "records");
}
