export { RecordCollection } from "./record-collection.js";
export { collectionDriver } from "./record-collection-driver.js";
export { cloneJson, copyRecord, copySighting } from "./record-copy.js";
export type { MaybePromise, RecordCollectionDriver, RecordDriver } from "./record-driver.js";
export { createRecordStore } from "./record-store.js";
export { upsertedRecord } from "./record-upsert.js";
