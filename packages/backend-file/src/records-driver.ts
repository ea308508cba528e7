import type * as R from "@core/protocols";
import {
  collectionDriver,
  type Lifecycle,
  type MaybePromise,
  type RecordCollectionDriver,
  type RecordDriver,
} from "@core/protocols/kit";
import { BACKEND } from "./errors.js";
import type { Journal } from "./journal.js";
import { RecordData, type RecordOp } from "./records-data.js";
import { type FileShared, storeJournal, storeState } from "./shared.js";

interface Collection {
  data: RecordData;
  journal: Journal<RecordOp>;
}

/**
 * A record collection in `records/<sha256(name)>/`: a {@link Journal} (fsynced) replayed
 * into the kit's collection, so unique natural keys, versions and first sightings hold
 * across processes. The kit's {@link collectionDriver} answers reads after a catch-up and
 * applies writes under the lock; this journals what they changed.
 */
function fileRecords(lifecycle: Lifecycle, { data, journal }: Collection): RecordCollectionDriver {
  const kit = collectionDriver(BACKEND, data);
  // Concurrent reads share one freshness check (see Journal.sync).
  const read = <T>(fn: () => MaybePromise<T>): Promise<T> => lifecycle.run(() => journal.sync().then(fn));
  const write = <T>(fn: () => { result: T; ops: RecordOp[]; applied?: boolean }): Promise<T> =>
    lifecycle.run(() => journal.mutate(fn));
  return {
    sharesObjects: true,
    store: (input, expectedVersion) =>
      write(() => {
        const record = kit.store(input, expectedVersion) as R.StoredRecord;
        return { result: record, ops: [{ r: record }], applied: true };
      }),
    storeBatch: (inputs, onConflict) =>
      write(() => {
        // The kit applies the batch (or none of it); journal each record it replaced.
        const before = inputs.map((input) => data.byId.get(input.id));
        const result = kit.storeBatch(inputs, onConflict) as R.StoreBatchResult;
        const ops: RecordOp[] = [];
        inputs.forEach((input, i) => {
          const record = data.byId.get(input.id);
          if (record !== before[i] && record !== undefined) ops.push({ r: record });
        });
        return { result, ops, applied: true };
      }),
    get: (id, layer) => read(() => kit.get(id, layer)),
    getByNaturalKey: (naturalKey) => read(() => kit.getByNaturalKey(naturalKey)),
    exists: (id, layer) => read(() => kit.get(id, layer) !== null),
    existsByNaturalKey: (naturalKey) => read(() => data.byNaturalKey.has(naturalKey)),
    delete: (id, layer) =>
      write(() => {
        const record = kit.get(id, layer) as R.StoredRecord | null;
        return record === null ? { result: false, ops: [] } : { result: true, ops: [{ d: record.id }] };
      }),
    queryPage: (query) => read(() => data.page(query)),
    count: (query) => read(() => data.count(query)),
    // Under the lock, after catching up: exactly one caller, in any process, sees no list.
    recordSighting: (s) => write(() => ({ result: !data.sightings.has(s.naturalKey), ops: [{ g: s }] })),
    getSightings: (naturalKey) => read(() => data.sightings.get(naturalKey) ?? []),
    clear: () => write(() => ({ result: data.byId.size, ops: [{ x: 1 }] })),
  };
}

/**
 * The file backend's record driver: one journaled collection per name, shared by every
 * handle of the backend.
 */
export function fileRecordDriver(shared: FileShared): RecordDriver {
  return {
    backend: BACKEND,
    lifecycle: shared.lifecycle,
    collection(name) {
      const c = storeState<Collection>(shared, `records\u0000${name}`, () => {
        const data = new RecordData();
        const journal = storeJournal(shared, "records", name, data, shared.fsyncRecords, `records ${name}`);
        shared.lifecycle.onClose(() => journal.close());
        return { data, journal };
      });
      return fileRecords(shared.lifecycle, c);
    },
  };
}
