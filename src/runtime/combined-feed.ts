/**
 * Several live feeds as one session's feed: Databento's futures depth and trades beside IG's spot
 * quotes, each delivering its records as they arrive (one thread: they interleave in arrival
 * order, which is the order their ts_recv stamps give). The first feed to fail stops the others,
 * and its error is the run's: a session never trades on half its data without saying so.
 */
import type { FeedSink, FeedSummary } from './file-feed.js';
import type { Feed } from './session.js';

/**
 * `feeds` run together, on the first one's clock. `stop` must be the controller whose signal each
 * feed was made with: it is aborted when one of them fails.
 */
export function combinedFeed(feeds: readonly Feed[], stop: AbortController): Feed {
  if (feeds.length === 0) throw new RangeError('a combined feed needs a feed');
  if (feeds.length === 1) return feeds[0];
  return {
    clock: feeds[0].clock,
    speed: 1,
    async run(sink: FeedSink): Promise<FeedSummary> {
      const runs = await Promise.allSettled(
        feeds.map((f) =>
          f.run(sink).catch((e: unknown) => {
            stop.abort();
            throw e;
          }),
        ),
      );
      const failed = runs.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      const done = runs.map((r) => (r as PromiseFulfilledResult<FeedSummary>).value);
      let lastNs: bigint | null = null;
      for (const d of done)
        if (d.lastNs !== null && (lastNs === null || d.lastNs > lastNs)) lastNs = d.lastNs;
      return {
        records: done.reduce((n, d) => n + d.records, 0),
        warmed: done.reduce((n, d) => n + d.warmed, 0),
        lastNs,
        stopped: done.some((d) => d.stopped),
      };
    },
  };
}
