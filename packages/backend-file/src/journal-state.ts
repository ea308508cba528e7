import type { DamagedRecordHandler } from "./damage.js";
import type { ExclusiveLease } from "./exclusive-lease.js";
import type { LockOptions } from "./lock.js";

/** How a store turns journal operations into its in-memory state. */
export interface JournalState<Op> {
  /** Forget everything (the log was replaced by a compaction). */
  reset(): void;
  apply(op: Op): void;
  /** Operations that rebuild the current state from nothing (the compaction snapshot). */
  snapshot(): Op[];
  /** At least `snapshot().length`, without building it (checked after every append). */
  size(): number;
  /** An operation as stored (default: `defaultCodec`, tagged JSON). */
  encode?(op: Op): string;
  /** Stored text back to its operation; `CORRUPTION` for text it did not produce. */
  decode?(text: string): Op;
}

/** Options of a {@link Journal}. */
export interface JournalOptions {
  /** fsync after every write (records: yes; cache: no). */
  fsync: boolean;
  lock: LockOptions;
  /** For error messages. */
  what: string;
  /** Told about a damaged last record (default: a process warning, see damage.ts). */
  onDamage?: DamagedRecordHandler;
  /** The backend holds its directory alone: the lock is taken once and kept until close. */
  exclusive?: ExclusiveLease | undefined;
}
