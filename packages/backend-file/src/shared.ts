import { join } from "node:path";
import type { Lifecycle } from "@core/protocols/kit";
import type { DamagedRecordHandler } from "./damage.js";
import type { ExclusiveLease } from "./exclusive-lease.js";
import { Journal } from "./journal.js";
import type { JournalState } from "./journal-state.js";
import type { LockOptions } from "./lock.js";
import { fileName } from "./names.js";

/**
 * What one file backend shares with its stores: the directory, the lifecycle, lock
 * settings, and per-name state so handles with the same name share one in-memory view.
 */
export interface FileShared {
  readonly lifecycle: Lifecycle;
  readonly directory: string;
  readonly lock: LockOptions;
  /** Set when the backend holds its directory exclusively (`exclusive: true`). */
  readonly exclusive: ExclusiveLease | undefined;
  readonly sweepIntervalMs: number;
  /** fsync every record-store write before acknowledging it. */
  readonly fsyncRecords: boolean;
  /** Told about a damaged last record of any log (the `onDamagedRecord` option). */
  readonly onDamage: DamagedRecordHandler;
  /** Store kind + name → its state (owned by the protocol's file). */
  readonly stores: Map<string, unknown>;
}

/** The state of `key` in `shared.stores`, created by `create` on first use. */
export function storeState<T>(shared: FileShared, key: string, create: () => T): T {
  let state = shared.stores.get(key) as T | undefined;
  if (state === undefined) {
    state = create();
    shared.stores.set(key, state);
  }
  return state;
}

/** The journal of store `name` of `kind` (`<directory>/<kind>/<sha256(name)>/`) with the backend's lock settings. */
export function storeJournal<Op>(
  shared: FileShared,
  kind: string,
  name: string,
  state: JournalState<Op>,
  fsync: boolean,
  what: string,
): Journal<Op> {
  return new Journal<Op>(join(shared.directory, kind, fileName(name)), state, {
    fsync,
    lock: shared.lock,
    exclusive: shared.exclusive,
    what,
    onDamage: shared.onDamage,
  });
}
