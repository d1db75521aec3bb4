/**
 * Spot FX quotes as a retail broker such as IG would stream them, derived from the simulated
 * futures: EUR/USD from 6E, GBP/USD from 6B and USD/JPY from 6J (6J is USD per JPY, so USD/JPY
 * follows the inverse of its price; CONVENTIONS.md, "Instruments, days and files").
 *
 * Model, per pair (each figure is a `SpotParams` field or a `SpotSpec` field, with its source):
 * - Tick process: candidate quote updates arrive as a Poisson process of its own whose rate
 *   follows the future's activity (session and regime); a candidate publishes a tick only when the
 *   rounded bid or ask changes. There is no traded volume: the bars' volume is the tick count,
 *   as IG reports `lastTradedVolume` for OTC FX (INTEGRATIONS.md §3).
 * - Lag: each candidate at time t reads the future's top of book as it was at t − lag, the lag
 *   being `lagMinMs` + exponential(`lagMeanMs`) (mean 300 ms by default), never reading further
 *   back than the previous candidate did. The future leads the broker's price engine.
 * - Basis: the future is a forward; covered interest parity (MICROSTRUCTURE.md §13) gives
 *   spot = forward · exp(−(r_quote − r_base)·τ), τ the time to the contract's last trade, with
 *   assumed rates (`CCY_RATES`), plus a slowly varying Ornstein–Uhlenbeck deviation of
 *   `basisNoisePips` standard deviation and `basisTauMin` time constant (rates and funding move
 *   slowly).
 * - Quote noise: the broker prices from interbank quotes in tenths of a pip, which move between
 *   the future's ticks (6E's tick is half a pip); modelled as a short-lived Ornstein–Uhlenbeck
 *   term of `quoteNoisePips` standard deviation and `quoteNoiseTauS` time constant, so the quote
 *   ticks at its own resolution without drifting from the future.
 * - Spread: the broker's quoted spread, `coreSpreadPips` in core UK hours and `offHoursSpreadPips`
 *   outside, never narrower than the future's own spread (converted to the pair) plus
 *   `markupPips`, rounded up to the pair's precision; bid and ask lie on the pair's precision
 *   (EUR/USD and GBP/USD 5 decimals, USD/JPY 3).
 * - Quotes are generated only while the future trades (the CME daily break and the weekend
 *   produce no spot ticks; IG itself keeps quoting through the CME break, which is not modelled
 *   because spot follows the future).
 *
 * Outputs per trading day (CONVENTIONS.md): `ig-fx-YYYYMMDD.mbp-1.dbn.zst` (dataset `IG.FX`,
 * raw symbols such as `EUR/USD`, the ids of `SPOT_SPECS`), `ig-fx-YYYYMMDD.ohlcv-1m.dbn.zst`
 * (mid OHLC per minute of ts_event, volume = tick count; minutes without a tick have no bar) and
 * `ig-fx-YYYYMMDD.prices.json` in the shape of IG's REST price history (bid/ask OHLC per minute).
 * With several pairs, the first simulated instrument's pair is in `ig-fx-YYYYMMDD.prices.json`
 * and each other pair in `ig-fx-YYYYMMDD.<PAIR>.prices.json` (e.g. `GBPUSD`), because an IG
 * price-history response holds one epic.
 *
 * Determinism: each pair has its own mulberry32 stream seeded from (seed, date, pair), separate
 * from the futures' stream, so the futures files are the same bytes with or without spot.
 */
import { grown, indexedSeed, localTime, Random, saltedSeed } from '../core/index.js';
import type { DbnEncoder, SchemaName } from '../data/dbn/index.js';
import { emptyQuote, MBP1_SIZE, PUBLISHER_NONE, RType, writeQuote } from '../data/dbn/index.js';
import { SimConfigError } from './errors.js';
import type { FutureContract } from './instruments.js';
import { dayMetadata } from './records.js';
import type { RecordSink } from './sink.js';
import { DEFAULT_SPOT_PARAMS, type SpotParams } from './spot-params.js';

export { DEFAULT_SPOT_PARAMS, type SpotParams } from './spot-params.js';

/** The spot pair of one future product. */
export interface SpotSpec {
  /** Future product it follows. */
  readonly product: string;
  /** Pair as IG and the DBN metadata name it (`EUR/USD`). */
  readonly pair: string;
  /** IG epic (INTEGRATIONS.md §3; the CFD epic, for reference only). */
  readonly epic: string;
  /** Simulated instrument id in the spot DBN files (our choice: 50,000,001 and up). */
  readonly instrumentId: number;
  /** Decimals of the pair's quote. */
  readonly decimals: number;
  /** One pip in the pair's quote. */
  readonly pip: number;
  /** Base and quote currencies. */
  readonly base: string;
  readonly quote: string;
  /** The future quotes the inverse of the pair (6J: USD per JPY vs USD/JPY). */
  readonly invert: boolean;
  /**
   * Broker spread in core UK hours, pips: IG's published "from" spreads for FX CFDs as commonly
   * quoted (EUR/USD 0.6, GBP/USD 0.9, USD/JPY 0.7). **Assumption [unverified]**: check IG's
   * spread table for the account type.
   */
  readonly coreSpreadPips: number;
  /** Broker spread outside core hours, pips. Assumption (IG widens out of hours; figures not published per hour). */
  readonly offHoursSpreadPips: number;
}

/**
 * Spot pairs by future product. Instrument ids are our own (no venue assigns them for IG):
 * EUR/USD 50000001, GBP/USD 50000002, USD/JPY 50000003.
 */
export const SPOT_SPECS: Readonly<Record<string, SpotSpec>> = {
  '6E': {
    product: '6E',
    pair: 'EUR/USD',
    epic: 'CS.D.EURUSD.CFD.IP',
    instrumentId: 50_000_001,
    decimals: 5,
    pip: 0.0001,
    base: 'EUR',
    quote: 'USD',
    invert: false,
    coreSpreadPips: 0.6,
    offHoursSpreadPips: 1,
  },
  '6B': {
    product: '6B',
    pair: 'GBP/USD',
    epic: 'CS.D.GBPUSD.CFD.IP',
    instrumentId: 50_000_002,
    decimals: 5,
    pip: 0.0001,
    base: 'GBP',
    quote: 'USD',
    invert: false,
    coreSpreadPips: 0.9,
    offHoursSpreadPips: 1.5,
  },
  '6J': {
    product: '6J',
    pair: 'USD/JPY',
    epic: 'CS.D.USDJPY.CFD.IP',
    instrumentId: 50_000_003,
    decimals: 3,
    pip: 0.01,
    base: 'USD',
    quote: 'JPY',
    invert: true,
    coreSpreadPips: 0.7,
    offHoursSpreadPips: 1.2,
  },
};

/**
 * Annual interest rates (continuously compounded) used for the forward points. **Assumption**:
 * round figures near the central-bank policy rates at the end of 2025 (Fed 3.50–3.75 %, ECB
 * deposit 2.00 %, BoE 3.75–4.00 %, BoJ 0.50–0.75 %); the basis only needs the right sign and size.
 */
export const CCY_RATES: Readonly<Record<string, number>> = {
  USD: 0.0375,
  EUR: 0.02,
  GBP: 0.0375,
  JPY: 0.0075,
};

/** The spot spec of a future product. */
export function spotSpec(product: string): SpotSpec {
  const s = SPOT_SPECS[product];
  if (!s) throw new SimConfigError(`No spot pair for "${product}"`);
  return s;
}

/** `EURUSD` for `EUR/USD`. */
export function pairCode(pair: string): string {
  return pair.replace('/', '');
}

/** A future's top of book over time (raw 1e-9 prices), appended in time order. */
export class BookPath {
  t = new Float64Array(1024);
  bid = new Float64Array(1024);
  ask = new Float64Array(1024);
  n = 0;
  /** Appends a top of book at `t` (ns offset) when its prices differ from the last one. */
  push(t: number, bidRaw: number, askRaw: number): void {
    const n = this.n;
    if (n > 0 && this.bid[n - 1] === bidRaw && this.ask[n - 1] === askRaw) return;
    if (n === this.t.length) {
      this.t = grown(this.t, 2 * this.t.length);
      this.bid = grown(this.bid, 2 * this.bid.length);
      this.ask = grown(this.ask, 2 * this.ask.length);
    }
    this.t[n] = t;
    this.bid[n] = bidRaw;
    this.ask[n] = askRaw;
    this.n = n + 1;
  }
}

/** One minute in which the futures traded: ns offsets from the day start and the rate multiplier. */
export interface SpotMinute {
  startNs: number;
  endNs: number;
  /** Futures event-rate multiplier of the minute (session activity × regime rate). */
  rate: number;
}

/** Names of the spot files of a day. */
export interface SpotFiles {
  mbp1: string;
  ohlcv1m: string;
  /** IG price-history JSON of each pair, by pair (`EUR/USD`). */
  prices: Record<string, string>;
}

/** Everything `writeSpotDay` needs from the simulator. */
export interface SpotDayInput {
  /** Trading date, YYYY-MM-DD. */
  date: string;
  seed: number;
  /** Origin of the ns offsets (the window start), and the window end, ns since the epoch. */
  startNs: bigint;
  endNs: bigint;
  contracts: readonly FutureContract[];
  /** The futures' top of book over the day, one per contract. */
  paths: readonly BookPath[];
  minutes: readonly SpotMinute[];
  sink: RecordSink;
  files: SpotFiles;
  zstd: boolean;
  params?: Partial<SpotParams>;
}

/** Counts of what `writeSpotDay` wrote. */
export interface SpotDayResult {
  /** MBP-1 ticks by pair. */
  ticks: Record<string, number>;
  /** 1-minute bars by pair. */
  bars: Record<string, number>;
}

/** Ticks of one pair. */
interface PairTicks {
  spec: SpotSpec;
  ev: number[];
  recv: number[];
  bid: number[];
  ask: number[];
}

const NS_PER_MS = 1_000_000;
const NS_PER_MIN = 60_000_000_000;
const NS_PER_YEAR = 365.25 * 86_400 * 1e9;

/** Salt of the spot streams ("SPOT"), so they differ from the futures' stream of the same seed. */
const SPOT_SALT = 0x53504f54;

/** A 32-bit seed of a pair's stream from (seed, date, pair index); distinct from the futures' stream. */
export function spotSeed(seed: number, dateInt: number, pairIndex: number): number {
  return indexedSeed(saltedSeed(seed, SPOT_SALT) ^ dateInt, pairIndex);
}

/**
 * Generates one pair's ticks from its future's book path, minute by minute (see the module comment
 * for the model). Draws from the pair's own stream, in time order.
 */
class PairQuoter {
  readonly ticks: PairTicks;
  readonly #spec: SpotSpec;
  readonly #path: BookPath;
  readonly #rnd: Random;
  readonly #p: SpotParams;
  readonly #carryRate: number;
  readonly #expMs: number;
  readonly #tauB: number;
  readonly #tauQ: number;
  /** Basis deviation and quote noise, pips, as of #devT. */
  #dev: number;
  #qn: number;
  #devT: number;
  /** Time of the future's book last read (never goes back) and its index in the path. */
  #sPrev = Number.NEGATIVE_INFINITY;
  #j = -1;
  #lastBid = Number.NaN;
  #lastAsk = Number.NaN;
  #lastRecv = 0;

  constructor(
    spec: SpotSpec,
    contract: FutureContract,
    path: BookPath,
    firstNs: number,
    rnd: Random,
    p: SpotParams,
  ) {
    this.ticks = { spec, ev: [], recv: [], bid: [], ask: [] };
    this.#spec = spec;
    this.#path = path;
    this.#rnd = rnd;
    this.#p = p;
    this.#carryRate = CCY_RATES[spec.quote] - CCY_RATES[spec.base];
    this.#expMs = Number(contract.expirationNs / 1_000_000n);
    this.#tauB = p.basisTauMin * NS_PER_MIN;
    this.#tauQ = p.quoteNoiseTauS * 1e9;
    this.#dev = rnd.normalUnpaired() * p.basisNoisePips;
    this.#qn = rnd.normalUnpaired() * p.quoteNoisePips;
    this.#devT = firstNs;
  }

  /** The candidate quote updates of one minute (`core`: inside core UK hours). */
  minute(min: SpotMinute, startMs: number, core: boolean): void {
    const p = this.#p;
    const spec = this.#spec;
    const rnd = this.#rnd;
    const lambda = (p.tickRate * min.rate) / 1e9; // per ns
    if (!(lambda > 0)) return;
    const minuteMs = startMs + min.startNs / NS_PER_MS;
    const tauYears = Math.max(0, (this.#expMs - minuteMs) / 1000 / (NS_PER_YEAR / 1e9));
    const carry = Math.exp(-this.#carryRate * tauYears);
    const baseSpread = (core ? spec.coreSpreadPips : spec.offHoursSpreadPips) * spec.pip;
    let t = min.startNs + Math.floor(rnd.exponential() / lambda);
    while (t < min.endNs) {
      this.#candidate(t, carry, baseSpread);
      t += 1 + Math.floor(rnd.exponential() / lambda);
    }
  }

  /** One candidate at `t`: reads the future as it was a lag earlier, publishes a tick when the quote changes. */
  #candidate(t: number, carry: number, baseSpread: number): void {
    const p = this.#p;
    const rnd = this.#rnd;
    const path = this.#path;
    const lag = (p.lagMinMs + rnd.exponential() * p.lagMeanMs) * NS_PER_MS;
    const s = Math.max(this.#sPrev, t - lag);
    this.#sPrev = s;
    while (this.#j + 1 < path.n && path.t[this.#j + 1] <= s) this.#j++;
    // Basis deviation and quote noise (Ornstein–Uhlenbeck, exact steps).
    const a = Math.exp(-(t - this.#devT) / this.#tauB);
    this.#dev = this.#dev * a + p.basisNoisePips * Math.sqrt(1 - a * a) * rnd.normalUnpaired();
    const aq = Math.exp(-(t - this.#devT) / this.#tauQ);
    this.#qn = this.#qn * aq + p.quoteNoisePips * Math.sqrt(1 - aq * aq) * rnd.normalUnpaired();
    this.#devT = t;
    if (this.#j < 0) return;
    const spec = this.#spec;
    const scale = 10 ** spec.decimals;
    const bR = path.bid[this.#j];
    const aR = path.ask[this.#j];
    const fb = spec.invert ? 1e9 / aR : bR / 1e9;
    const fa = spec.invert ? 1e9 / bR : aR / 1e9;
    const mid = ((fb + fa) / 2) * carry + (this.#dev + this.#qn) * spec.pip;
    const spread = Math.max(baseSpread, fa - fb + p.markupPips * spec.pip);
    const sI = Math.ceil(spread * scale - 1e-6);
    const bidI = Math.round(mid * scale - sI / 2);
    const askI = bidI + sI;
    if (bidI === this.#lastBid && askI === this.#lastAsk) return;
    this.#lastBid = bidI;
    this.#lastAsk = askI;
    const recv = Math.max(
      this.#lastRecv,
      t + Math.floor((p.recvLatencyMinMs + rnd.exponential() * p.recvLatencyMeanMs) * NS_PER_MS),
    );
    this.#lastRecv = recv;
    const tk = this.ticks;
    tk.ev.push(t);
    tk.recv.push(recv);
    tk.bid.push(bidI);
    tk.ask.push(askI);
  }
}

/** `YYYY/MM/DD hh:mm:ss` in UK local time (Europe/London, with its daylight-saving dates). */
export function ukSnapshotTime(ms: number): string {
  const t = localTime(ms, 'Europe/London');
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${t.year}/${p2(t.month)}/${p2(t.day)} ${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`;
}

/** One bar of a pair: bid, ask and mid OHLC in units of the pair's precision, and the tick count. */
export interface SpotBar {
  minuteMs: number;
  bid: [number, number, number, number];
  ask: [number, number, number, number];
  mid: [number, number, number, number];
  ticks: number;
}

/** 1-minute bars of a pair's ticks, by the minute of ts_event. */
function barsOf(tk: PairTicks, startMs: number): SpotBar[] {
  const bars: SpotBar[] = [];
  let cur: SpotBar | null = null;
  for (let i = 0; i < tk.ev.length; i++) {
    const minuteMs = Math.floor((startMs + tk.ev[i] / NS_PER_MS) / 60_000) * 60_000;
    const b = tk.bid[i];
    const a = tk.ask[i];
    const m = (a + b) / 2;
    if (!cur || cur.minuteMs !== minuteMs) {
      cur = { minuteMs, bid: [b, b, b, b], ask: [a, a, a, a], mid: [m, m, m, m], ticks: 0 };
      bars.push(cur);
    }
    for (const [ohlc, v] of [
      [cur.bid, b],
      [cur.ask, a],
      [cur.mid, m],
    ] as const) {
      if (v > ohlc[1]) ohlc[1] = v;
      if (v < ohlc[2]) ohlc[2] = v;
      ohlc[3] = v;
    }
    cur.ticks++;
  }
  return bars;
}

/** The IG REST price-history document of one pair's bars (CONVENTIONS.md, "Instruments, days and files"). */
export function igPriceHistory(bars: readonly SpotBar[], decimals: number): unknown {
  const scale = 10 ** decimals;
  const px = (b: number, a: number) => ({ bid: b / scale, ask: a / scale, lastTraded: null });
  const total = 10_000; // IG's historical-data allowance, ~10,000 points a week (INTEGRATIONS.md §3)
  return {
    prices: bars.map((bar) => ({
      snapshotTime: ukSnapshotTime(bar.minuteMs),
      snapshotTimeUTC: new Date(bar.minuteMs).toISOString().slice(0, 19),
      openPrice: px(bar.bid[0], bar.ask[0]),
      closePrice: px(bar.bid[3], bar.ask[3]),
      highPrice: px(bar.bid[1], bar.ask[1]),
      lowPrice: px(bar.bid[2], bar.ask[2]),
      lastTradedVolume: bar.ticks,
    })),
    instrumentType: 'CURRENCIES',
    metadata: {
      allowance: {
        remainingAllowance: Math.max(0, total - bars.length),
        totalAllowance: total,
        allowanceExpiry: 7 * 86_400,
      },
      size: bars.length,
      pageData: { pageSize: bars.length, pageNumber: 1, totalPages: 1 },
    },
  };
}

/** Writes the spot files of one day (MBP-1, OHLCV-1m, IG JSON) from the futures' book paths. */
export async function writeSpotDay(inp: SpotDayInput): Promise<SpotDayResult> {
  const p: SpotParams = { ...DEFAULT_SPOT_PARAMS, ...inp.params };
  const startMs = Number(inp.startNs / 1_000_000n);
  const dateInt = Number(inp.date.replaceAll('-', ''));
  const ukHour = new UkHours();
  const core = inp.minutes.map((m) => {
    const h = ukHour.at(startMs + m.startNs / NS_PER_MS);
    return h >= p.coreHoursUk[0] && h < p.coreHoursUk[1];
  });
  const specs = inp.contracts.map((c) => spotSpec(c.spec.product));
  const firstNs = inp.minutes.length > 0 ? inp.minutes[0].startNs : 0;
  const pairs = specs.map((spec, i) => {
    const rnd = new Random(spotSeed(inp.seed, dateInt, i));
    const q = new PairQuoter(spec, inp.contracts[i], inp.paths[i], firstNs, rnd, p);
    for (let m = 0; m < inp.minutes.length; m++) q.minute(inp.minutes[m], startMs, core[m]);
    return q.ticks;
  });
  const symbols = specs.map((s) => ({ rawSymbol: s.pair, instrumentId: s.instrumentId }));
  const open = (name: string, schema: SchemaName) =>
    inp.sink.dbn(name, {
      metadata: dayMetadata('IG.FX', schema, inp.date, inp.startNs, inp.endNs, symbols),
      zstd: inp.zstd,
    });

  const mbp1 = open(inp.files.mbp1, 'mbp-1');
  writeMbp1(mbp1, pairs, inp.startNs, p.nominalSize);
  await mbp1.end();
  // OHLCV-1m (mid) and the IG JSON (bid/ask), from the same bars.
  const bars = pairs.map((tk) => barsOf(tk, startMs));
  const ohlcv = open(inp.files.ohlcv1m, 'ohlcv-1m');
  writeBars(ohlcv, bars, specs);
  await ohlcv.end();
  const result: SpotDayResult = { ticks: {}, bars: {} };
  for (let k = 0; k < specs.length; k++) {
    const doc = igPriceHistory(bars[k], specs[k].decimals);
    inp.sink.text(inp.files.prices[specs[k].pair], `${JSON.stringify(doc)}\n`);
    result.ticks[specs[k].pair] = pairs[k].ev.length;
    result.bars[specs[k].pair] = bars[k].length;
  }
  return result;
}

/**
 * The hour of the day in the UK, looked up once per UTC hour: Europe/London is always a whole
 * number of hours from UTC, so every moment of a UTC hour has the same local hour.
 */
export class UkHours {
  readonly #byUtcHour = new Map<number, number>();

  at(ms: number): number {
    const utcHour = Math.floor(ms / 3_600_000);
    let h = this.#byUtcHour.get(utcHour);
    if (h === undefined) {
      h = localTime(utcHour * 3_600_000, 'Europe/London').hour;
      this.#byUtcHour.set(utcHour, h);
    }
    return h;
  }
}

/** Writes every pair's ticks as MBP-1 records merged by ts_recv (ties by pair order), sequence from 1. */
function writeMbp1(enc: DbnEncoder, pairs: readonly PairTicks[], startNs: bigint, nominalSize: number): void {
  const rec = new Mbp1Record(startNs, nominalSize);
  const idx = pairs.map(() => 0);
  for (let seq = 1; ; seq++) {
    let k = -1;
    for (let i = 0; i < pairs.length; i++) {
      const tk = pairs[i];
      if (idx[i] < tk.ev.length && (k < 0 || tk.recv[idx[i]] < pairs[k].recv[idx[k]])) k = i;
    }
    if (k < 0) break;
    enc.writeEncoded(rec.build(pairs[k], idx[k]++, seq), 1);
  }
}

/** One MBP-1 record of a spot tick, built in place in a reused buffer. */
class Mbp1Record {
  readonly #buf = new Uint8Array(MBP1_SIZE);
  readonly #dv = new DataView(this.#buf.buffer);
  readonly #q = emptyQuote();
  readonly #startNs: bigint;

  constructor(startNs: bigint, nominalSize: number) {
    this.#startNs = startNs;
    this.#q.bidSize = nominalSize;
    this.#q.askSize = nominalSize;
  }

  /** The record of tick `i` of `tk`: side N when both sides moved, else the side that did. */
  build(tk: PairTicks, i: number, seq: number): Uint8Array {
    const q = this.#q;
    const unit = 10 ** (9 - tk.spec.decimals);
    q.instrumentId = tk.spec.instrumentId;
    q.tsEventNs = this.#startNs + BigInt(tk.ev[i]);
    q.tsRecvNs = this.#startNs + BigInt(tk.recv[i]);
    q.tsInDelta = tk.recv[i] - tk.ev[i];
    q.sequence = seq;
    q.bidPx = tk.bid[i] * unit;
    q.askPx = tk.ask[i] * unit;
    q.bidChanged = i === 0 || tk.bid[i - 1] !== tk.bid[i];
    q.askChanged = i === 0 || tk.ask[i - 1] !== tk.ask[i];
    writeQuote(this.#buf, this.#dv, 0, q);
    return this.#buf;
  }
}

/** Writes every pair's mid bars as OHLCV-1m records, by minute then pair order. */
function writeBars(enc: DbnEncoder, bars: readonly SpotBar[][], specs: readonly SpotSpec[]): void {
  const all: { bar: SpotBar; k: number }[] = [];
  for (let k = 0; k < bars.length; k++) for (const bar of bars[k]) all.push({ bar, k });
  all.sort((x, y) => x.bar.minuteMs - y.bar.minuteMs || x.k - y.k);
  for (const { bar, k } of all) {
    const unit = 10 ** (9 - specs[k].decimals);
    const raw = (v: number) => BigInt(Math.round(v * unit));
    enc.write({
      hd: {
        length: 14,
        rtype: RType.OHLCV_1M,
        publisher_id: PUBLISHER_NONE,
        instrument_id: specs[k].instrumentId,
        ts_event: BigInt(bar.minuteMs) * 1_000_000n,
      },
      open: raw(bar.mid[0]),
      high: raw(bar.mid[1]),
      low: raw(bar.mid[2]),
      close: raw(bar.mid[3]),
      volume: BigInt(bar.ticks),
    });
  }
}

/** Names of the spot files of a day (see the module comment for the JSON of several pairs). */
export function spotFileNames(compact: string, products: readonly string[], ext: string): SpotFiles {
  const prices: Record<string, string> = {};
  products.forEach((pr, i) => {
    const pair = spotSpec(pr).pair;
    prices[pair] =
      i === 0 ? `ig-fx-${compact}.prices.json` : `ig-fx-${compact}.${pairCode(pair)}.prices.json`;
  });
  return {
    mbp1: `ig-fx-${compact}.mbp-1${ext}`,
    ohlcv1m: `ig-fx-${compact}.ohlcv-1m${ext}`,
    prices,
  };
}
