import type { DeliverySource, StoredMessage } from "@core/protocols/kit";
import type { Topic } from "./topic.js";

/** Positions of one subscription in a channel's outbox: its own cursor, or its group's share. */
export interface MessagePositions {
  /** Sequence of the next message to handle, or undefined when there is none yet. */
  take(): Promise<number | undefined>;
  ack(seq: number): Promise<void>;
  /** The subscription left before handling `seq`. */
  release(seq: number): void;
  /** The subscription ended (a group may hand its lease on). */
  leave(): Promise<void>;
}

/**
 * A plain subscriber's positions: every message from `start` on. Messages trimmed from
 * the outbox before this subscriber got to them are gone.
 */
export function cursorPositions(topic: Topic, start: number): MessagePositions {
  let position = start;
  return {
    take: async () => {
      position = Math.max(position, topic.log.first);
      return position < topic.next ? position : undefined;
    },
    ack: async (seq) => {
      position = seq + 1;
    },
    release: () => {},
    leave: async () => {},
  };
}

/**
 * A file subscription's {@link DeliverySource}: catches up with the outbox files, takes
 * the next position and reads its message (a message trimmed meanwhile is skipped), and
 * waits on the outbox (`fs.watch`, with a poll fallback).
 */
export function fileSource(topic: Topic, positions: MessagePositions): DeliverySource {
  return {
    async take(): Promise<StoredMessage | undefined> {
      await topic.serial(() => topic.refresh());
      for (;;) {
        const seq = await positions.take();
        if (seq === undefined) return undefined;
        const [raw] = await topic.serial(() => topic.read(seq, 1));
        if (raw !== undefined && raw.offset === seq) return { seq, text: raw.text };
        await positions.ack(seq);
      }
    },
    ack: (stored) => positions.ack(stored.seq as number),
    release: (stored) => positions.release(stored.seq as number),
    wait: (signal) => topic.waitForAppend([signal]),
    end: () => positions.leave(),
  };
}
