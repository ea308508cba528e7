import type { Topic } from "./topic.js";
import type { MessageSource } from "./transport-subscription.js";

/**
 * A consumer group of one channel in this backend: hands each message to one member,
 * takes back what a leaving member did not handle, and stores the group's position (the
 * oldest message not yet handled) in the channel's `meta.json`, so it survives restarts.
 *
 * @example
 * ```ts
 * const group = await GroupState.open(topic, "shipping", false);
 * const source = group.source();
 * ```
 */
export class GroupState {
  readonly #topic: Topic;
  readonly #name: string;
  #next: number;
  #stored: number;
  readonly #pending = new Set<number>();
  readonly #returned: number[] = [];

  private constructor(topic: Topic, name: string, next: number) {
    this.#topic = topic;
    this.#name = name;
    this.#next = next;
    this.#stored = next;
  }

  /** Loads the group's stored position, or starts it at the newest (or oldest kept) message. */
  static async open(topic: Topic, name: string, fromStart: boolean): Promise<GroupState> {
    const next = await topic.exclusive(async () => {
      const meta = await topic.readMeta();
      if (Object.hasOwn(meta.groups, name)) return meta.groups[name] as number;
      const start = fromStart ? meta.first : topic.log.next;
      Object.defineProperty(meta.groups, name, { value: start, enumerable: true, writable: true, configurable: true });
      await topic.log.writeMeta(meta);
      return start;
    });
    return new GroupState(topic, name, next);
  }

  source(): MessageSource {
    return {
      take: () => {
        let seq = this.#returned.shift();
        if (seq === undefined && this.#next < this.#topic.next) seq = this.#next++;
        if (seq !== undefined) this.#pending.add(seq);
        return seq;
      },
      ack: async (seq) => {
        this.#pending.delete(seq);
        await this.#persist();
      },
      release: (seq) => {
        this.#pending.delete(seq);
        this.#returned.push(seq);
        this.#returned.sort((a, b) => a - b);
        this.#topic.wake();
      },
    };
  }

  async #persist(): Promise<void> {
    const position = Math.min(this.#next, ...this.#pending, ...this.#returned);
    if (position === this.#stored) return;
    this.#stored = position;
    await this.#topic.exclusive(async () => {
      const meta = await this.#topic.readMeta();
      Object.defineProperty(meta.groups, this.#name, {
        value: position,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      await this.#topic.log.writeMeta(meta);
    });
  }
}
