/** A reply argument ioredis accepts. */
export type RedisArg = string | number | Buffer;

/**
 * The part of an ioredis pipeline (`client.pipeline()` / `client.multi()`) this backend
 * uses. Structural, so the published types don't need ioredis.
 */
export interface RedisPipelineLike {
  call(command: string, ...args: RedisArg[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * The part of an ioredis `Redis` or `Cluster` this backend uses. Any ioredis 5 client
 * satisfies it; the interface exists so the published `.d.ts` does not depend on ioredis.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const client: RedisClientLike = new Redis(process.env.REDIS_URL);
 * ```
 */
export interface RedisClientLike {
  /** `"ready"`, `"connecting"`, `"end"`, … */
  readonly status: string;
  /** True for an ioredis `Cluster`. */
  readonly isCluster: boolean;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  pipeline(): RedisPipelineLike;
  multi(): RedisPipelineLike;
  /** A new connection with the same options (blocking reads and pub/sub use their own). */
  duplicate(): RedisClientLike;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  /** Cluster only: the node clients (`"master"` for SCAN over the whole key space). */
  nodes?(role?: "master" | "slave" | "all"): RedisClientLike[];
}
