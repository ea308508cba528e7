import { BackendError } from "../../errors.js";
import type { NormalizedRecordInput } from "../../record-validation.js";
import type { OnConflict, StoredRecord } from "../../records.js";

function conflict(backend: string, message: string): BackendError {
  return new BackendError("CONFLICT", `[${backend}] ${message}`, { backend });
}

/**
 * The write rules every record store shares where the storage itself does not enforce
 * them (memory, file, sqlite; postgres and redis run them as SQL and Lua): decides what storing `input` does, given the record stored under its id (`existing`)
 * and the id owning its natural key (`owner`). Returns the record to store, or null when
 * `onConflict: "skip"` skips it; throws `CONFLICT` for a version mismatch
 * (`expectedVersion`, 0 = must not exist), a natural key owned by another id (unless
 * skipping) or an existing id under `onConflict: "error"`. Every check runs before the
 * caller changes anything. `updatedAt` never goes backwards, even if the clock does; the
 * records of one call share the `now` Date (stored objects are never handed out). An input
 * with its own `createdAt`/`updatedAt` (`preserveTimestamps`) keeps exactly those.
 *
 * @example
 * ```ts
 * const next = upsertedRecord("memory", input, byId.get(input.id), byKey.get(input.naturalKey), "update", undefined, new Date());
 * if (next !== null) byId.set(next.id, next);
 * ```
 */
export function upsertedRecord(
  backend: string,
  input: NormalizedRecordInput,
  existing: Pick<StoredRecord, "version" | "createdAt" | "updatedAt"> | undefined,
  owner: string | undefined,
  onConflict: OnConflict,
  expectedVersion: number | undefined,
  now: Date,
): StoredRecord | null {
  if (expectedVersion !== undefined && (existing?.version ?? 0) !== expectedVersion) {
    throw conflict(
      backend,
      `record ${JSON.stringify(input.id)} is at version ${existing?.version ?? 0}, not ${expectedVersion}; read it again and retry`,
    );
  }
  if (owner !== undefined && owner !== input.id) {
    if (onConflict === "skip") return null;
    throw conflict(
      backend,
      `naturalKey ${JSON.stringify(input.naturalKey)} already belongs to record ${JSON.stringify(owner)}`,
    );
  }
  if (existing !== undefined && onConflict === "skip") return null;
  if (existing !== undefined && onConflict === "error") {
    throw conflict(backend, `record ${JSON.stringify(input.id)} already exists (onConflict: "error")`);
  }
  let createdAt: Date;
  let updatedAt: Date;
  if (input.createdAt !== undefined && input.updatedAt !== undefined) {
    // preserveTimestamps: the caller's history is authoritative, on insert and on update.
    createdAt = input.createdAt;
    updatedAt = input.updatedAt;
  } else {
    updatedAt = existing === undefined || now.getTime() >= existing.updatedAt.getTime() ? now : existing.updatedAt;
    createdAt = existing?.createdAt ?? updatedAt;
  }
  return {
    id: input.id,
    naturalKey: input.naturalKey,
    layer: input.layer,
    content: input.content,
    metadata: input.metadata,
    createdAt,
    updatedAt,
    version: (existing?.version ?? 0) + 1,
  };
}
