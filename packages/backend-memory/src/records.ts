import { notSupported, type RecordStore, type RecordStoreOptions } from "@core/protocols";
import type { MemoryShared } from "./shared.js";

// PLACEHOLDER until the records helper replaces this whole file.
export function createMemoryRecordStore(_shared: MemoryShared, _name: string, _options?: RecordStoreOptions): RecordStore {
  throw notSupported("memory", "records");
}
