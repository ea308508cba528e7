import { type BigIntStats, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";

/**
 * A cached `meta.json` is trusted only once its mtime is this far in the past: on a file
 * system with coarse timestamps, a replacement within the same tick could otherwise look
 * unchanged (the "racy timestamp" problem).
 */
const RACY_MS = 2000;

/** The topic's small mutable state, replaced atomically. */
export interface TopicMeta {
  first: number;
  groups: Record<string, number>;
  /** Transport outboxes: which member instance holds each group, until when. */
  leases?: Record<string, GroupLease>;
}

/** A transport group's lease: only its owner delivers the group's messages. */
export interface GroupLease {
  /** The holding group instance (pid + random). */
  owner: string;
  pid: number;
  /** Milliseconds since the epoch; an expired lease may be taken over. */
  until: number;
}

/**
 * A topic's `meta.json` (first kept offset, consumer groups, transport leases), replaced
 * atomically. The first kept offset is cached while the file is provably unchanged.
 *
 * @example
 * ```ts
 * const meta = new TopicMetaFile("/data/queue/ab12…", "queue events");
 * const first = await meta.firstKept();
 * ```
 */
export class TopicMetaFile {
  readonly #dir: string;
  readonly #what: string;
  /** `meta.json`'s identity (inode, size, times) and its `first`, when safe to reuse. */
  #cached: { key: string; first: number } | undefined;

  constructor(dir: string, what: string) {
    this.#dir = dir;
    this.#what = what;
  }

  /**
   * The first kept offset (`meta.json`'s `first`, 0 for a new topic). The parsed value is
   * reused while `meta.json` is the same file (inode, size, mtime and ctime in ns), which
   * one `stat` checks: a trim in any process replaces the file.
   *
   * @example
   * ```ts
   * const first = await meta.firstKept();
   * ```
   */
  async firstKept(): Promise<number> {
    const path = join(this.#dir, "meta.json");
    let info: BigIntStats | undefined;
    try {
      info = statSync(path, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      throw fsError(err, "reading", path);
    }
    if (info === undefined) return 0;
    const key = `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    if (this.#cached?.key === key) return this.#cached.first;
    const { first } = await this.read();
    const settled = Date.now() - Number(info.mtimeMs) > RACY_MS && Date.now() - Number(info.ctimeMs) > RACY_MS;
    this.#cached = settled ? { key, first } : undefined;
    return first;
  }

  /**
   * The topic's meta (first kept offset, groups); defaults for a new topic.
   *
   * @example
   * ```ts
   * const { first } = await meta.read();
   * ```
   */
  async read(): Promise<TopicMeta> {
    let text: string;
    try {
      text = await readFile(join(this.#dir, "meta.json"), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { first: 0, groups: {} };
      throw fsError(err, "reading", join(this.#dir, "meta.json"));
    }
    try {
      const meta = JSON.parse(text) as TopicMeta;
      if (typeof meta.first !== "number" || typeof meta.groups !== "object") throw new Error("bad shape");
      return meta;
    } catch (cause) {
      throw fileError("CORRUPTION", `${this.#what}: meta.json is unreadable; restore from a backup`, cause);
    }
  }

  /**
   * Replaces the meta atomically (the caller holds the lock and created the directory).
   *
   * @example
   * ```ts
   * await meta.write({ first: 10, groups: { g: 12 } });
   * ```
   */
  async write(meta: TopicMeta): Promise<void> {
    this.#cached = undefined;
    await atomicWrite(join(this.#dir, "meta.json"), JSON.stringify(meta));
  }
}
