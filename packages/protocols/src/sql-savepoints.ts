import { invalidArgument } from "./errors.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The named savepoints open in an explicit transaction, oldest first. Names follow
 * unquoted-identifier rules and compare case-insensitively (as SQLite compares savepoint
 * names), so they are kept lower-case; a name may repeat, the newest one is addressed.
 *
 * @example
 * ```ts
 * const names = new SavepointNames("postgres");
 * const key = names.check("Before"); // "before"
 * names.opened(key);
 * ```
 */
export class SavepointNames {
  readonly #backend: string;
  readonly #open: string[] = [];

  constructor(backend: string) {
    this.#backend = backend;
  }

  /**
   * Validates a savepoint name (`INVALID_ARGUMENT` otherwise) and returns its key.
   *
   * @example
   * ```ts
   * names.check("sp one"); // throws INVALID_ARGUMENT
   * ```
   */
  check(name: unknown): string {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw invalidArgument(
        this.#backend,
        `savepoint name must be an identifier (letters, digits, _; not starting with a digit; ≤ 63 characters), got ${JSON.stringify(name)}`,
      );
    }
    return name.toLowerCase();
  }

  /**
   * Throws `INVALID_ARGUMENT` unless a savepoint `key` is open.
   *
   * @example
   * ```ts
   * names.assertKnown("before");
   * ```
   */
  assertKnown(key: string): void {
    if (!this.#open.includes(key)) {
      const open = this.#open.length === 0 ? "none" : this.#open.join(", ");
      throw invalidArgument(this.#backend, `no open savepoint named "${key}" (open: ${open})`);
    }
  }

  /**
   * Records a savepoint the database opened.
   *
   * @example
   * ```ts
   * names.opened("before");
   * ```
   */
  opened(key: string): void {
    this.#open.push(key);
  }

  /**
   * After ROLLBACK TO: the savepoint stays, later ones are gone.
   *
   * @example
   * ```ts
   * names.rolledBackTo("before");
   * ```
   */
  rolledBackTo(key: string): void {
    this.#open.length = this.#open.lastIndexOf(key) + 1;
  }

  /**
   * After RELEASE: the savepoint and every later one are gone.
   *
   * @example
   * ```ts
   * names.released("before");
   * ```
   */
  released(key: string): void {
    this.#open.length = this.#open.lastIndexOf(key);
  }
}
