/** Something whose `position` is the next sequence number it still has to read. */
export interface SubscriberPosition {
  readonly position: number;
}

/**
 * The plain subscribers of one backend object in this process, by channel: a send that
 * trims its outbox keeps every message one of them has not read yet.
 *
 * @example
 * ```ts
 * const cursor = { position: next };
 * const remove = subscriberPositions(shared).add("orders", cursor);
 * subscriberPositions(shared).lowest("orders"); // next
 * ```
 */
export class SubscriberPositions {
  readonly #byChannel = new Map<string, Set<SubscriberPosition>>();

  /** Registers `subscriber`; the function returned unregisters it. */
  add(channel: string, subscriber: SubscriberPosition): () => void {
    let set = this.#byChannel.get(channel);
    if (set === undefined) this.#byChannel.set(channel, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.#byChannel.get(channel) === set) this.#byChannel.delete(channel);
    };
  }

  /** The lowest position a subscriber of `channel` still has to read (undefined: none). */
  lowest(channel: string): number | undefined {
    let lowest: number | undefined;
    for (const { position } of this.#byChannel.get(channel) ?? []) {
      if (lowest === undefined || position < lowest) lowest = position;
    }
    return lowest;
  }
}

const BY_OWNER = new WeakMap<object, SubscriberPositions>();

/**
 * The {@link SubscriberPositions} of `owner` (a backend's shared state), made on first use.
 *
 * @example
 * ```ts
 * const keepFrom = Math.min(next - RETAINED_MESSAGES, subscriberPositions(shared).lowest(channel) ?? next);
 * ```
 */
export function subscriberPositions(owner: object): SubscriberPositions {
  let positions = BY_OWNER.get(owner);
  if (positions === undefined) BY_OWNER.set(owner, (positions = new SubscriberPositions()));
  return positions;
}
