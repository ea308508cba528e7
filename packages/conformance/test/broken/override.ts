// Builds "broken" backends for the meta-test: a real memory backend with one behaviour
// deliberately wrong, to prove each conformance suite notices.
import type { Backend } from "@core/protocols";
import { openMemoryBackend } from "../../../backend-memory/src/index.js";

/** Delegates every member of `target` except those in `patch`. */
export function override<T extends object>(target: T, patch: Partial<T>): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      if (Object.hasOwn(patch, property)) return (patch as Record<PropertyKey, unknown>)[property];
      const value = Reflect.get(t, property, receiver);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** A memory backend whose stores are passed through `patch` as they are handed out. */
export async function brokenBackend(patch: (backend: Backend) => Partial<Backend>): Promise<Backend> {
  const backend = await openMemoryBackend();
  return override(backend, patch(backend));
}
