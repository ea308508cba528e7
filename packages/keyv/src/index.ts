export { KeyvCacheStore, type KeyvStoreEntry, type KeyvStoreOptions, keyvStore } from "./keyv-store.js";
