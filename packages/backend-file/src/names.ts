import { createHash } from "node:crypto";

/**
 * The on-disk name of a store, channel or key: a sha256 hex digest, so no user string
 * ever becomes a path (`../../etc/passwd`, `CON`, unicode and 1024-byte keys are all just
 * 64 hex characters). The original string is stored inside the files, never derived back.
 */
export function fileName(name: string): string {
  return createHash("sha256").update(name, "utf8").digest("hex");
}
