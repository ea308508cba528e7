/**
 * Most idempotency keys one window remembers by default; the oldest are forgotten first.
 *
 * @example
 * ```ts
 * const keys = new DedupWindow(MAX_DEDUP_KEYS);
 * ```
 */
export const MAX_DEDUP_KEYS = 100_000;

/**
 * The idempotency keys of one channel seen within the dedup window, in process memory,
 * for stores that have no expiring keys of their own. Bounded: past `maxKeys` the oldest
 * key is forgotten (so its repeat would be accepted again).
 *
 * @example
 * ```ts
 * const keys = new DedupWindow();
 * keys.claim("order-1", 60_000); // true: first time, send it
 * keys.claim("order-1", 60_000); // false: a repeat within the window, drop it
 * ```
 */
export class DedupWindow {
  /** Key → expiry time (ms); insertion order is expiry order for one window length. */
  readonly #expiries = new Map<string, number>();
  readonly #maxKeys: number;

  constructor(maxKeys = MAX_DEDUP_KEYS) {
    this.#maxKeys = maxKeys;
  }

  /** True (and remembered until `now + windowMs`) unless `key` was claimed within its window. */
  claim(key: string, windowMs: number, now = Date.now()): boolean {
    const expiresAt = this.#expiries.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.#expiries.delete(key);
    this.#expiries.set(key, now + windowMs);
    if (this.#expiries.size > this.#maxKeys) this.#expiries.delete(this.#expiries.keys().next().value as string);
    return true;
  }

  /** Forgets keys whose window ended (stops at the first live one). */
  prune(now = Date.now()): void {
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt > now) return;
      this.#expiries.delete(key);
    }
  }
}
