import type { SegmentLog } from "./segment-log.js";
import type { TopicMeta } from "./topic-meta.js";

/** The smallest stored group position of `meta` (Infinity without groups). */
export function slowestGroup(meta: TopicMeta): number {
  let slowest = Number.POSITIVE_INFINITY;
  for (const position of Object.values(meta.groups)) slowest = Math.min(slowest, position);
  return slowest;
}

/**
 * Drops the outbox's whole segments that every group has passed and that lie before the
 * last `retention` messages. The caller holds the topic lock and passes the meta it just
 * read; `meta.first` moves to the first kept segment (written before the files go, so a
 * crash in between only leaves files nobody reads). Returns whether anything was dropped.
 */
export async function trimOutbox(log: SegmentLog, meta: TopicMeta, retention: number): Promise<boolean> {
  const target = Math.min(log.next - retention, slowestGroup(meta));
  if (log.firstSegmentEnd > target) return false;
  const first = Math.max(meta.first, log.keptFrom(target));
  if (first <= log.first) return false;
  meta.first = first;
  await log.writeMeta(meta);
  await log.dropBelow(first);
  return true;
}
