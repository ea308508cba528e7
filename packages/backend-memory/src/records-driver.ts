import { collectionDriver, RecordCollection, type RecordDriver } from "@core/protocols/kit";
import type { MemoryShared } from "./backend.js";

/**
 * The memory backend's record driver: collections live in `shared.records`, so handles
 * with the same name on one backend share data; the kit's {@link collectionDriver} does
 * the rest.
 *
 * @example
 * ```ts
 * const feed = createRecordStore(memoryRecordDriver(shared), "feed", { maxLimit: 1000 });
 * ```
 */
export function memoryRecordDriver(shared: MemoryShared): RecordDriver {
  return {
    backend: "memory",
    lifecycle: shared.lifecycle,
    collection(name) {
      let c = shared.records.get(name) as RecordCollection | undefined;
      if (c === undefined) shared.records.set(name, (c = new RecordCollection()));
      return collectionDriver("memory", c);
    },
  };
}
