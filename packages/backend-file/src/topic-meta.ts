import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BackendError } from "@core/protocols";
import { atomicWrite, closeQuietly } from "./atomic-write.js";
import { fileError, fsError } from "./errors.js";

/** The topic's small mutable state, replaced atomically. */
export interface TopicMeta {
  first: number;
  groups: Record<string, number>;
  /** Group streams: each group's claim record (a text the protocol layer owns). */
  groupStates?: Record<string, string>;
  /** Transport outboxes: which member instance holds each group, until when. */
  leases?: Record<string, GroupLease>;
  /** The newest segment's base: written before any entry goes to a new segment (see SegmentLog.settled). */
  last?: number;
}

/** What {@link TopicMetaFile.current} reports: the first kept offset and the `last` mark. */
export interface MetaMarks {
  readonly first: number;
  readonly last: number | undefined;
}

const NO_META: MetaMarks = { first: 0, last: undefined };

/** A transport group's lease: only its owner delivers the group's messages. */
export interface GroupLease {
  /** The holding group instance (pid + random). */
  owner: string;
  pid: number;
  /** Milliseconds since the epoch; an expired lease may be taken over. */
  until: number;
}

/**
 * A topic's `meta.json`, replaced atomically; its marks are cached while the file is
 * provably the same.
 *
 * @example
 * ```ts
 * const meta = new TopicMetaFile("/data/queue/ab12…", "queue events");
 * const { first } = meta.current();
 * ```
 */
export class TopicMetaFile {
  readonly #dir: string;
  readonly #what: string;
  /** An open descriptor of the `meta.json` whose marks are `#marks`, while it is current. */
  #fd: number | undefined;
  #marks: MetaMarks = NO_META;

  constructor(dir: string, what: string) {
    this.#dir = dir;
    this.#what = what;
  }

  /**
   * The first kept offset (0 for a new topic) and the `last` mark, as the file says now.
   * `meta.json` is only ever replaced by a rename, so what was parsed from an open
   * descriptor holds while its inode keeps the name: one `fstat` (`nlink` 1; replaced: 0;
   * hard-linked elsewhere: compared by path). No `meta.json` yet: one existence check.
   */
  current(): MetaMarks {
    const path = join(this.#dir, "meta.json");
    try {
      if (this.#fd !== undefined) {
        const own = fstatSync(this.#fd);
        if (own.nlink === 1) return this.#marks;
        if (own.nlink > 1 && statSync(path, { throwIfNoEntry: false })?.ino === own.ino) return this.#marks;
        this.close();
      }
      // No exception (costly) for the common "no meta yet" case.
      if (!existsSync(path)) return NO_META;
      const fd = openSync(path, "r");
      try {
        const { first, last } = this.#parse(readFileSync(fd, "utf8"));
        this.#marks = { first, last: Number.isSafeInteger(last) ? last : undefined };
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      this.#fd = fd;
      return this.#marks;
    } catch (err) {
      if (BackendError.is(err)) throw err;
      // Gone between the check and the open (the directory was removed): no meta.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return NO_META;
      throw fsError(err, "reading", path);
    }
  }

  /** Closes the descriptor kept for {@link current}. */
  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#marks = NO_META;
    closeQuietly(fd);
  }

  #parse(text: string): TopicMeta {
    try {
      const meta = JSON.parse(text) as TopicMeta;
      if (typeof meta.first !== "number" || typeof meta.groups !== "object") throw new Error("bad shape");
      return meta;
    } catch (cause) {
      throw fileError("CORRUPTION", `${this.#what}: meta.json is unreadable; restore from a backup`, cause);
    }
  }

  /** The topic's meta (first kept offset, groups); defaults for a new topic. */
  async read(): Promise<TopicMeta> {
    let text: string;
    try {
      text = await readFile(join(this.#dir, "meta.json"), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { first: 0, groups: {} };
      throw fsError(err, "reading", join(this.#dir, "meta.json"));
    }
    return this.#parse(text);
  }

  /** Replaces the meta atomically (the caller holds the lock and created the directory). */
  async write(meta: TopicMeta): Promise<void> {
    this.close();
    await atomicWrite(join(this.#dir, "meta.json"), JSON.stringify(meta));
  }
}

/** Sets an own, enumerable property (safe for names like `__proto__`). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
