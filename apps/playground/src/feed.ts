/** One item of the demo feed, as it arrives on the queue. */
export interface FeedItem {
  url: string;
  source: string;
  title: string;
  body: string;
  fetchedAt: Date;
}

const SOURCES = ["rss", "atom", "api", "crawler"];
const WORDS = ["storage", "queue", "cache", "record", "layer", "signal", "ledger", "stream", "index", "batch"];

/**
 * A deterministic feed: `count` items where about one in five repeats an earlier URL
 * (the same story seen by another source), so deduplication has work to do.
 *
 * @example
 * ```ts
 * const items = generateFeed(100, 42);
 * ```
 */
export function generateFeed(count: number, seed = 1): FeedItem[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const items: FeedItem[] = [];
  for (let i = 0; i < count; i++) {
    const repeat = i > 0 && random() < 0.2;
    const story = repeat ? Math.floor(random() * i) : i;
    const words = Array.from({ length: 3 }, () => WORDS[Math.floor(random() * WORDS.length)]!);
    items.push({
      url: `https://news.example/story/${story}`,
      source: SOURCES[Math.floor(random() * SOURCES.length)]!,
      title: random() < 0.1 ? "" : `Story ${story}: ${words.join(" ")}`,
      body: words.join(" ").repeat(1 + Math.floor(random() * 4)),
      fetchedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    });
  }
  return items;
}
