import { BackendError } from "../../errors.js";
import type { Layer, StoredRecord } from "../../records.js";
import { cloneJson } from "./record-copy.js";
import type { RecordCollectionDriver } from "./record-driver.js";

/**
 * Conditional writes a promotion without `expectedVersion` tries before it gives up with
 * `CONFLICT`: each lost race means another writer changed the record in between, so 16 in
 * a row means the record is too hot to promote without the caller's coordination.
 *
 * @example
 * ```ts
 * const attempts = MAX_PROMOTE_ATTEMPTS; // 16
 * ```
 */
export const MAX_PROMOTE_ATTEMPTS = 16;

function conflict(backend: string, message: string): BackendError {
  return new BackendError("CONFLICT", `[${backend}] ${message}`, { backend });
}

/**
 * `promote` over any record driver, with no hook of its own: reads the record, then
 * stores it in `toLayer` with `expectedVersion` = the version read. The driver's
 * conditional store is atomic on every backend (a transaction, a `WHERE version = …`
 * update, a Lua script, a write under the file lock), so the move is all or nothing and
 * bumps the version once; a writer that slipped in between fails the condition. With the
 * caller's `expectedVersion` that failure is the caller's `CONFLICT`; without it the
 * promotion starts again from the fresh record (up to {@link MAX_PROMOTE_ATTEMPTS}).
 * A record already in `toLayer` is returned as read (no write, no bump); a missing one is
 * null. The result may be the driver's own object: the caller copies if it shares objects.
 *
 * @example
 * ```ts
 * const gold = await promoteRecord(driver, "memory", "r1", "gold", undefined, true);
 * ```
 */
export async function promoteRecord(
  d: RecordCollectionDriver,
  backend: string,
  id: string,
  toLayer: Layer,
  expectedVersion: number | undefined,
  sharesObjects: boolean,
): Promise<StoredRecord | null> {
  for (let attempt = 1; ; attempt++) {
    const current = await d.get(id, undefined);
    if (current === null || current === undefined) return null;
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw conflict(
        backend,
        `record ${JSON.stringify(id)} is at version ${current.version}, not ${expectedVersion}; read it again and retry`,
      );
    }
    if (current.layer === toLayer) return current;
    // A driver that shares objects would otherwise store the very objects it holds.
    const input = {
      id,
      naturalKey: current.naturalKey,
      layer: toLayer,
      content: sharesObjects ? (cloneJson(current.content) as Record<string, unknown>) : current.content,
      metadata: sharesObjects ? (cloneJson(current.metadata) as Record<string, unknown>) : current.metadata,
    };
    try {
      return await d.store(input, current.version);
    } catch (err) {
      if (expectedVersion !== undefined || !BackendError.is(err, "CONFLICT")) throw err;
      if (attempt >= MAX_PROMOTE_ATTEMPTS) {
        throw conflict(
          backend,
          `record ${JSON.stringify(id)} changed during each of ${MAX_PROMOTE_ATTEMPTS} attempts to promote it to ${toLayer}`,
        );
      }
    }
  }
}
