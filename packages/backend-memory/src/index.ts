import type { Backend, BackendProvider } from "@core/protocols";
import { MemoryBackend, type MemoryBackendOptions } from "./backend.js";

export { MemoryBackend, type MemoryBackendOptions } from "./backend.js";

/**
 * Opens an in-memory backend. Each call is a separate, empty world.
 *
 * @example
 * ```ts
 * import { openMemoryBackend } from "@core/backend-memory";
 * await using backend = await openMemoryBackend();
 * await backend.cache("s").set("k", 1);
 * ```
 */
export async function openMemoryBackend(options?: MemoryBackendOptions): Promise<Backend> {
  return new MemoryBackend(options);
}

/**
 * Provider for `openBackend("memory:")`.
 *
 * @example
 * ```ts
 * const backend = await openBackend("memory:");
 * ```
 */
export const provider: BackendProvider = {
  name: "memory",
  schemes: ["memory"],
  open: (_url, options) => openMemoryBackend(options as MemoryBackendOptions),
};
