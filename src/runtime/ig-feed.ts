/**
 * IG's streaming prices as a feed for paper and live trading: each configured market's `MARKET`
 * item (Lightstreamer, data/ig/stream.ts) becomes DBN MBP-1 records, the quote's bid and offer in
 * raw units (exactly, at the market's `pointRaw`), stamped with the session's clock when they
 * arrive, so that the engine, the recorder and a later backtest see spot quotes as the simulator's
 * `ig-fx-*.mbp-1` files show them.
 *
 * The data is trusted only while it can be: a dropped or stalled link untrusts every market until
 * Lightstreamer's snapshot of each item (a whole quote) comes again after the reconnection; a
 * market IG does not call TRADEABLE (EDIT, AUCTION, CLOSED, OFFLINE …) is untrusted until it
 * is again, nor is one whose prices IG says are delayed. A stream whose login IG no longer takes is logged in again and reopened. A streamed
 * value that cannot be read is told to `onEvent` as a problem, never a crash.
 */
import type { FeedHealth } from '../book/index.js';
import { type Clock, wallClock } from '../core/index.js';
import { emptyQuote, MBP1_SIZE, RecordBatch, writeQuote } from '../data/dbn/index.js';
import {
  type IgMarket,
  type IgRest,
  IgStream,
  type IgStreamOptions,
  igMarketSymbol,
  type MarketUpdate,
  pointsToRaw,
  type StreamLink,
} from '../data/ig/index.js';
import type { FeedSink, FeedSummary } from './file-feed.js';

/** What happened on the link, for logs and the status. */
export type IgFeedEvent =
  | { readonly type: 'link'; readonly link: StreamLink }
  | { readonly type: 'market-state'; readonly epic: string; readonly state: string }
  | { readonly type: 'problem'; readonly message: string };

export interface IgFeedOptions {
  /** IG's REST session (logged in when needed): the stream's login comes from it. */
  readonly rest: IgRest;
  /** The markets whose prices the feed streams. */
  readonly markets: readonly IgMarket[];
  /** The stream's timings. */
  readonly stream?: Omit<IgStreamOptions, 'login'>;
  /** The session's feed-health monitor: told of dropped links and markets that cannot be traded. */
  readonly health?: FeedHealth;
  /** Stops the feed (without it, the feed runs for good). */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: IgFeedEvent) => void;
  /** The clock records are stamped with (default the wall clock). */
  readonly clock?: Clock;
  /** The size each side of a quote shows: IG gives none (default 1,000,000, the simulator's). */
  readonly quoteSize?: number;
}

/** One market's last quote, to tell which side moved. */
interface Last {
  bidPx: number;
  askPx: number;
  /** IG's market state (TRADEABLE …), or null before the first update. */
  state: string | null;
}

const TRADEABLE = 'TRADEABLE';
/** The state the feed gives a market whose prices IG says are delayed. */
const DELAYED = 'DELAYED';

export class IgFeed {
  readonly clock: Clock;
  readonly speed = 1;
  readonly #opts: IgFeedOptions;
  readonly #bytes = new Uint8Array(new ArrayBuffer(MBP1_SIZE));
  readonly #dv = new DataView(this.#bytes.buffer);
  readonly #batch = new RecordBatch(this.#bytes, 3, false, 1);
  readonly #quote = emptyQuote();
  readonly #last = new Map<number, Last>();
  #records = 0;
  /** The last time stamped (a record's, or a drop's). */
  #lastNs = -1n;
  #lastRecordNs: bigint | null = null;

  constructor(opts: IgFeedOptions) {
    if (opts.markets.length === 0)
      throw new RangeError('an IG feed needs a market (ig.markets in the configuration)');
    this.#opts = opts;
    this.clock = opts.clock ?? wallClock;
    this.#batch.count = 1;
    this.#batch.offsets[0] = 0;
    const size = opts.quoteSize ?? 1_000_000;
    this.#quote.bidSize = size;
    this.#quote.askSize = size;
  }

  /** Streams the markets' quotes to `sink` until the signal stops it. */
  async run(sink: FeedSink): Promise<FeedSummary> {
    const o = this.#opts;
    if (o.signal?.aborted) return this.#summary(true);
    for (const m of o.markets) {
      sink.engine.setSymbol(m.instrumentId, igMarketSymbol(m));
      sink.engine.setTickSize(m.instrumentId, m.tickRaw);
      o.health?.watch(m.instrumentId);
    }
    const stream = new IgStream({ ...o.stream, login: await o.rest.streamingLogin() });
    let up = false;
    let closing = false;
    let relogin: NodeJS.Timeout | null = null;
    stream.onProblem((message) => o.onEvent?.({ type: 'problem', message }));
    stream.onLink((link) => {
      o.onEvent?.({ type: 'link', link });
      if (link.state === 'connected') up = true;
      else if ((link.state === 'disconnected' || link.state === 'stalled') && up) {
        up = false;
        this.#dropped(`IG stream ${link.status}`);
      }
      // Lightstreamer gave up (a login IG no longer takes, say): log in again and reopen it.
      if (link.status === 'DISCONNECTED' && !closing && relogin === null)
        relogin = setTimeout(() => {
          relogin = null;
          void this.#reopen(stream, () => closing);
        }, o.stream?.retryDelayMs ?? 4_000);
    });
    try {
      await stream.connect();
      for (const m of o.markets) stream.market(m.epic, (u) => this.#update(m, u, sink));
      await new Promise<void>((resolve) => {
        if (o.signal === undefined) return;
        if (o.signal.aborted) resolve();
        else o.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      closing = true;
      if (relogin !== null) clearTimeout(relogin);
      await stream.close();
    }
    return this.#summary(o.signal?.aborted === true);
  }

  async #reopen(stream: IgStream, closing: () => boolean): Promise<void> {
    const o = this.#opts;
    if (closing() || stream.link.status !== 'DISCONNECTED') return;
    try {
      await o.rest.login();
      stream.setLogin(await o.rest.streamingLogin());
      await stream.connect();
    } catch (e) {
      o.onEvent?.({ type: 'problem', message: `IG stream: ${(e as Error).message}` });
    }
  }

  /** The link broke: every market is untrusted, and its next quote is a whole one. */
  #dropped(reason: string): void {
    this.#opts.health?.disconnected(this.#nowNs(), reason);
    for (const last of this.#last.values()) {
      last.bidPx = Number.NaN;
      last.askPx = Number.NaN;
    }
  }

  /** A MARKET update: its quote as a record, when it moved or after a break. */
  #update(m: IgMarket, u: MarketUpdate, sink: FeedSink): void {
    const id = m.instrumentId;
    let last = this.#last.get(id);
    if (last === undefined) {
      last = { bidPx: Number.NaN, askPx: Number.NaN, state: null };
      this.#last.set(id, last);
    }
    // Delayed prices (MARKET_DELAY 1, an account without live data for the market) are no market to trade on.
    const state = u.marketDelay === 1 ? DELAYED : (u.marketState ?? TRADEABLE);
    if (state !== last.state) {
      last.state = state;
      this.#opts.onEvent?.({ type: 'market-state', epic: m.epic, state });
      if (state !== TRADEABLE) {
        this.#opts.health?.disconnected(this.#nowNs(), `IG market ${m.epic} is ${state}`, [id]);
        last.bidPx = Number.NaN;
        last.askPx = Number.NaN;
      }
    }
    if (state !== TRADEABLE || u.bid === null || u.offer === null) return;
    const bidPx = pointsToRaw(u.bid, m.pointRaw);
    const askPx = pointsToRaw(u.offer, m.pointRaw);
    const bidChanged = bidPx !== last.bidPx;
    const askChanged = askPx !== last.askPx;
    if (!bidChanged && !askChanged) return;
    last.bidPx = bidPx;
    last.askPx = askPx;
    const q = this.#quote;
    const ns = this.#nowNs();
    q.instrumentId = id;
    q.tsEventNs = ns;
    q.tsRecvNs = ns;
    q.sequence = ++this.#records;
    q.bidPx = bidPx;
    q.askPx = askPx;
    q.bidChanged = bidChanged;
    q.askChanged = askChanged;
    writeQuote(this.#bytes, this.#dv, 0, q);
    this.#lastRecordNs = ns;
    sink.push(this.#batch, 0);
  }

  /** The clock's time in ns, never before the last record's (two quotes in one ms keep their order). */
  #nowNs(): bigint {
    let ns = BigInt(Math.round(this.clock.now() * 1e3)) * 1_000n;
    if (ns <= this.#lastNs) ns = this.#lastNs + 1n;
    this.#lastNs = ns;
    return ns;
  }

  #summary(stopped: boolean): FeedSummary {
    return {
      records: this.#records,
      warmed: 0,
      lastNs: this.#lastRecordNs,
      stopped,
    };
  }
}
