import type { JournalState } from "./journal-state.js";

/** A {@link Journal.mutate} call waiting for its group commit. */
export interface PendingCall<Op> {
  fn: () => { result: unknown; ops: Op[]; applied?: boolean };
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

/** What one group's functions produced: a frame per writing call, and each call's result. */
export interface GroupRun<Op> {
  frames: Buffer[];
  ops: number;
  results: [PendingCall<Op>, unknown][];
}

/**
 * Runs a group's functions in call order under the journal's lock, applying each one's
 * ops to `state` before the next runs (so each sees the calls before it). A function that
 * throws is rejected alone and writes nothing; the others go on. Each writing call's ops
 * become one batch frame (`encode`), so a crash keeps or drops whole calls.
 */
export function runGroup<Op>(
  group: readonly PendingCall<Op>[],
  state: JournalState<Op>,
  encode: (ops: readonly Op[]) => Buffer,
): GroupRun<Op> {
  const frames: Buffer[] = [];
  const results: [PendingCall<Op>, unknown][] = [];
  let ops = 0;
  for (const call of group) {
    let out: { result: unknown; ops: Op[]; applied?: boolean };
    try {
      out = call.fn();
    } catch (err) {
      call.reject(err);
      continue;
    }
    if (out.ops.length > 0) {
      frames.push(encode(out.ops));
      if (out.applied !== true) for (const op of out.ops) state.apply(op);
      ops += out.ops.length;
    }
    results.push([call, out.result]);
  }
  return { frames, ops, results };
}
