/**
 * `@core/protocols/kit` — building blocks for backend authors.
 *
 * Application code imports `@core/protocols`; a backend imports the shared protocol layer
 * from here: each protocol's public object is built once from a narrow driver, so a backend
 * supplies only storage.
 *
 * @example
 * ```ts
 * import { Lifecycle } from "@core/protocols/kit";
 * const lifecycle = new Lifecycle("acme");
 * ```
 *
 * @packageDocumentation
 */
export { AsyncMutex } from "../async-mutex.js";
export { defineCapabilities } from "../capabilities.js";
export { Lifecycle } from "../lifecycle.js";
export * from "./cache/index.js";
export { mapFailure } from "./map-failure.js";
export * from "./queue/index.js";
export * from "./records/index.js";
export * from "./sql/index.js";
export * from "./transport/index.js";
