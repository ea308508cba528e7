// The servers' addresses in a file of their own: targets.ts and raw-snapshot.ts both read
// them, and importing them from targets.ts made the two files an import cycle.

/** Server addresses, from the environment like every other test of the repo. */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
