import type { DeliverySource, StoredMessage } from "@core/protocols/kit";
import type { MemoryChannel } from "./transport-channel.js";

/** Where a subscription's messages come from: a position to take, ack and release by. */
interface Positions {
  /** Sequence of the next message to handle, or undefined when there is none yet. */
  take(): number | undefined;
  ack(seq: number): void;
  /** The subscription left before handling `seq`: give it to someone else. */
  release(seq: number): void;
  end(): void;
}

/** A plain subscriber's positions: every message from its cursor on, in order. */
function cursorPositions(channel: MemoryChannel, fromStart: boolean): Positions {
  const cursor = { position: fromStart ? channel.first : channel.next };
  const remove = channel.addCursor(cursor);
  return {
    take: () => (cursor.position < channel.next ? cursor.position : undefined),
    ack: (seq) => {
      cursor.position = seq + 1;
      channel.trim();
    },
    release: () => {},
    end: remove,
  };
}

/** A group member's positions: messages the group has not handed to anyone, returned ones first. */
function groupPositions(channel: MemoryChannel, name: string, fromStart: boolean): Positions {
  const group = channel.group(name, fromStart);
  return {
    take: () => {
      let seq = group.returned.shift();
      if (seq === undefined && group.next < channel.next) {
        seq = group.next;
        group.next += 1;
      }
      if (seq !== undefined) group.pending.add(seq);
      return seq;
    },
    ack: (seq) => {
      group.pending.delete(seq);
      channel.trim();
    },
    release: (seq) => {
      group.pending.delete(seq);
      group.returned.push(seq);
      group.returned.sort((a, b) => a - b);
      channel.wake();
    },
    end: () => {},
  };
}

/**
 * A memory subscription's {@link DeliverySource}: a plain subscriber's cursor or a group
 * member's share of the channel, woken by the channel's appends and returns.
 *
 * @example
 * ```ts
 * const source = memorySource(channel, { group: "shipping", fromStart: false });
 * ```
 */
export function memorySource(channel: MemoryChannel, start: { group?: string; fromStart: boolean }): DeliverySource {
  const positions =
    start.group === undefined
      ? cursorPositions(channel, start.fromStart)
      : groupPositions(channel, start.group, start.fromStart);
  // Set by a wake-up since the last take: a wait returns at once instead of missing it.
  let signalled = false;
  let wake: (() => void) | undefined;
  const stopListening = channel.onChange(() => {
    signalled = true;
    const resolve = wake;
    wake = undefined;
    resolve?.();
  });
  return {
    take(): StoredMessage | undefined {
      signalled = false;
      for (;;) {
        const seq = positions.take();
        if (seq === undefined) return undefined;
        const stored = channel.at(seq);
        // Kept entries are pinned by this subscription's position; never loop on a gap.
        if (stored !== undefined) return stored;
        positions.ack(seq);
      }
    },
    ack: (stored) => positions.ack(stored.seq as number),
    release: (stored) => positions.release(stored.seq as number),
    wait(signal) {
      if (signalled || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    },
    end() {
      stopListening();
      positions.end();
    },
  };
}
