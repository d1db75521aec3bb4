/**
 * A live feed from Databento's gateway (data/databento/live.ts) for paper and live trading: every
 * market record goes to the session as it arrives; the gateway's symbol mappings name the
 * instruments (and give CME FX futures their tick) before their first record; a dropped link, and
 * how each subscription came back, reach the feed-health monitor, whose verdict holds new risk
 * until the books are whole again. The clock is the wall clock.
 */

import { type FeedHealth, followLive } from '../book/index.js';
import { type Clock, CME_FX_FUTURES, fxFutureRoot, wallClock } from '../core/index.js';
import { Live, type LiveEvent, type LiveOptions, type LiveSubscription } from '../data/databento/index.js';
import type { FeedSink, FeedSummary } from './file-feed.js';

export interface DatabentoFeedOptions {
  /** The gateway, the key (DATABENTO_API_KEY), reconnection. */
  readonly live: LiveOptions;
  readonly subscriptions: readonly LiveSubscription[];
  /** The session's feed-health monitor: told of dropped links and recoveries. */
  readonly health?: FeedHealth;
  /** Stops the feed. */
  readonly signal?: AbortSignal;
  /** Every event of the link (connected, gap, gateway errors …), for logs and the status. */
  readonly onEvent?: (e: LiveEvent) => void;
  /** The clock (default the wall clock). */
  readonly clock?: Clock;
}

export class DatabentoFeed {
  readonly clock: Clock;
  readonly speed = 1;
  readonly #opts: DatabentoFeedOptions;

  constructor(opts: DatabentoFeedOptions) {
    if (opts.subscriptions.length === 0) throw new RangeError('a Databento feed needs a subscription');
    this.#opts = opts;
    this.clock = opts.clock ?? wallClock;
  }

  /** Delivers the gateway's records to `sink` until the signal stops it or the link gives up. */
  async run(sink: FeedSink): Promise<FeedSummary> {
    const o = this.#opts;
    const live = new Live(o.live);
    for (const sub of o.subscriptions) live.subscribe(sub);
    const stop = () => live.stop();
    if (o.signal?.aborted) return { records: 0, warmed: 0, lastNs: null, stopped: true };
    o.signal?.addEventListener('abort', stop, { once: true });
    let records = 0;
    // The last record's ts_recv as halves: no bigint per record.
    let lastHi = -1;
    let lastLo = 0;
    try {
      await live.run({
        record: (batch, index) => {
          sink.push(batch, index);
          records++;
          const c = batch.at(index);
          lastHi = c.tsRecvHi;
          lastLo = c.tsRecvLo;
        },
        event: (e) => {
          if (e.type === 'symbol-mapping') {
            // The raw symbol: the output side, unless that is the instrument id itself.
            const sym = /^\d+$/.test(e.stypeOutSymbol) ? e.stypeInSymbol : e.stypeOutSymbol;
            sink.engine.setSymbol(e.instrumentId, sym);
            const root = fxFutureRoot(sym);
            if (root !== undefined) sink.engine.setTickSize(e.instrumentId, CME_FX_FUTURES[root].tickRaw);
          }
          // Symbol mappings do not say which subscription they answer: after a drop the books are
          // trusted again only when every subscription was replayed, or once a snapshot rebuilt them.
          if (o.health !== undefined)
            followLive(o.health, e, BigInt(Math.round(this.clock.now())) * 1_000_000n);
          o.onEvent?.(e);
        },
      });
    } finally {
      o.signal?.removeEventListener('abort', stop);
    }
    const lastNs = lastHi < 0 ? null : (BigInt(lastHi) << 32n) | BigInt(lastLo);
    return { records, warmed: 0, lastNs, stopped: o.signal?.aborted === true };
  }
}
