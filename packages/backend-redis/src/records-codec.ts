import { BackendError, type Layer, type StoredRecord } from "@core/protocols";
import type { NormalizedRecordInput } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";

/**
 * Builds a record from its hash fields (`HMGET id nk layer version createdAt updatedAt
 * content metadata`); `null` when the record does not exist.
 *
 * @example
 * ```ts
 * const record = parseRecord(await client.call("HMGET", key, ...FIELDS));
 * ```
 */
export function parseRecord(h: (string | null)[]): StoredRecord | null {
  const [id, naturalKey, layer, version, createdAt, updatedAt, content, metadata] = h;
  if (id == null || naturalKey == null || content == null || metadata == null) return null;
  try {
    return {
      id,
      naturalKey,
      layer: layer as Layer,
      content: JSON.parse(content),
      metadata: JSON.parse(metadata),
      createdAt: new Date(Number(createdAt)),
      updatedAt: new Date(Number(updatedAt)),
      version: Number(version),
    };
  } catch (cause) {
    throw new BackendError("CORRUPTION", `[${BACKEND}] record ${JSON.stringify(id)} is not readable JSON`, {
      backend: BACKEND,
      cause,
    });
  }
}

/**
 * Rewrites a `CONFLICT` raised by the store script into a message naming the record.
 *
 * @example
 * ```ts
 * throw conflict(err, inputs);
 * ```
 */
export function conflict(err: BackendError, inputs: NormalizedRecordInput[]): BackendError {
  const [, kind, a, , b] = /: (\w+) (\d+)(?: (expected) (\d+))?$/.exec(err.message) ?? [];
  const input = inputs[Number(a) - 1];
  let text = err.message;
  if (kind === "version") text = `version is ${a}, expected ${b}; reload the record and retry`;
  else if (kind === "id" && input) text = `a record with id ${JSON.stringify(input.id)} already exists`;
  else if (kind === "naturalKey" && input) {
    text = `natural key ${JSON.stringify(input.naturalKey)} belongs to another record (storing id ${JSON.stringify(input.id)})`;
  }
  return new BackendError("CONFLICT", `[${BACKEND}] ${text}`, { backend: BACKEND, cause: err });
}
