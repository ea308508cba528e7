/**
 * Idempotency keys a publisher saw recently, each with the (pending or settled) receipt of
 * its first publish. Insertion order is expiry order for one window, so expired keys are
 * pruned from the front; the size is capped so memory stays bounded.
 *
 * @example
 * ```ts
 * const keys = new RecentKeys<string>(60_000, 1000);
 * keys.remember("orders\u0000k1", Promise.resolve("receipt"));
 * keys.get("orders\u0000k1"); // the promise
 * ```
 */
export class RecentKeys<T> {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** The first publish's receipt, if the key was seen within the window. */
  get(key: string, now = Date.now()): Promise<T> | undefined {
    this.#prune(now);
    const entry = this.#entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  /** Remembers `key` until the window passes. No-op when the window is 0. */
  remember(key: string, value: Promise<T>, now = Date.now()): void {
    if (this.#windowMs <= 0 || this.#maxKeys <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + this.#windowMs });
    while (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets `key` if it still maps to `value` (a failed publish may be retried). */
  forget(key: string, value: Promise<T>): void {
    if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) return;
      this.#entries.delete(key);
    }
  }
}
