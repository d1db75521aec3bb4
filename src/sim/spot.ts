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
import { writeFileSync } from 'node:fs';
import { localTime, prng, yyyymmddOf } from '../core/index.js';
import type { MetadataInit, SchemaName } from '../data/dbn/index.js';
import { DbnEncoder, Flags, RType } from '../data/dbn/index.js';
import type { FutureContract } from './instruments.js';

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

/** Parameters of the spot quotes (see the module comment). */
export interface SpotParams {
  /** Candidate quote updates per second at futures rate multiplier 1 (session activity × regime rate). Assumption: IG EUR/USD streams a few ticks a second in liquid hours. */
  tickRate: number;
  /** Fixed and exponential parts of the lag behind the future, ms (mean 300 ms). Assumption: a broker's price engine reprices a few hundred ms after the interbank/futures move; IG publishes no figure. */
  lagMinMs: number;
  lagMeanMs: number;
  /** Broker markup over the future's spread, pips (the spread is never narrower than the future's plus this). Assumption. */
  markupPips: number;
  /** Standard deviation of the basis deviation around carry, pips, and its time constant, minutes. Assumption. */
  basisNoisePips: number;
  basisTauMin: number;
  /** Standard deviation of the short-lived quote noise, pips, and its time constant, seconds. Assumption. */
  quoteNoisePips: number;
  quoteNoiseTauS: number;
  /** Stream-to-capture latency: `ts_recv − ts_event` = min + exponential(mean), ms. Assumption (retail streaming). */
  recvLatencyMinMs: number;
  recvLatencyMeanMs: number;
  /** Core UK hours [from, to) of the tighter spread, Europe/London local time. Assumption. */
  coreHoursUk: [number, number];
  /** Nominal size on each side, units of the base currency (IG publishes no depth). */
  nominalSize: number;
}

/** Defaults; see each field for its source. */
export const DEFAULT_SPOT_PARAMS: Readonly<SpotParams> = Object.freeze({
  tickRate: 2.5,
  lagMinMs: 100,
  lagMeanMs: 200,
  markupPips: 0.1,
  basisNoisePips: 0.1,
  basisTauMin: 30,
  quoteNoisePips: 0.15,
  quoteNoiseTauS: 3,
  recvLatencyMinMs: 5,
  recvLatencyMeanMs: 15,
  coreHoursUk: [7, 21],
  nominalSize: 1_000_000,
}) as SpotParams;

/** The spot spec of a future product. */
export function spotSpec(product: string): SpotSpec {
  const s = SPOT_SPECS[product];
  if (!s) throw new RangeError(`No spot pair for "${product}"`);
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
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.t = grow(this.t);
      this.bid = grow(this.bid);
      this.ask = grow(this.ask);
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

/** Output paths of the spot files. */
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
const MBP1_SIZE = 80;
const TWO32 = 4294967296;
const PUBLISHER_IG = 0; // no Databento publisher id exists for IG

/** A 32-bit seed of a pair's stream from (seed, date, pair index); distinct from the futures' stream. */
export function spotSeed(seed: number, dateInt: number, pairIndex: number): number {
  let h =
    (Math.imul((seed ^ 0x53504f54) | 0, 0x85ebca6b) ^ dateInt ^ Math.imul(pairIndex + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Generates one pair's ticks from its future's book path. */
function generatePair(
  spec: SpotSpec,
  contract: FutureContract,
  path: BookPath,
  minutes: readonly SpotMinute[],
  core: readonly boolean[],
  startMs: number,
  rnd: () => number,
  p: SpotParams,
): PairTicks {
  const out: PairTicks = { spec, ev: [], recv: [], bid: [], ask: [] };
  const scale = 10 ** spec.decimals;
  const expo = (): number => -Math.log(1 - rnd());
  const gauss = (): number => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const carryRate = CCY_RATES[spec.quote] - CCY_RATES[spec.base];
  const expMs = Number(contract.expirationNs / 1_000_000n);
  const tauB = p.basisTauMin * NS_PER_MIN;
  const tauQ = p.quoteNoiseTauS * 1e9;
  let dev = gauss() * p.basisNoisePips;
  let qn = gauss() * p.quoteNoisePips;
  let devT = minutes.length > 0 ? minutes[0].startNs : 0;
  let sPrev = Number.NEGATIVE_INFINITY;
  let j = -1;
  let lastBid = Number.NaN;
  let lastAsk = Number.NaN;
  let lastRecv = 0;
  for (let m = 0; m < minutes.length; m++) {
    const min = minutes[m];
    const lambda = (p.tickRate * min.rate) / 1e9; // per ns
    if (!(lambda > 0)) continue;
    const minuteMs = startMs + min.startNs / NS_PER_MS;
    const tauYears = Math.max(0, (expMs - minuteMs) / 1000 / (NS_PER_YEAR / 1e9));
    const carry = Math.exp(-carryRate * tauYears);
    const baseSpread = (core[m] ? spec.coreSpreadPips : spec.offHoursSpreadPips) * spec.pip;
    let t = min.startNs + Math.floor(expo() / lambda);
    while (t < min.endNs) {
      const lag = (p.lagMinMs + expo() * p.lagMeanMs) * NS_PER_MS;
      const s = Math.max(sPrev, t - lag);
      sPrev = s;
      while (j + 1 < path.n && path.t[j + 1] <= s) j++;
      // Basis deviation (Ornstein–Uhlenbeck, exact step).
      const a = Math.exp(-(t - devT) / tauB);
      dev = dev * a + p.basisNoisePips * Math.sqrt(1 - a * a) * gauss();
      const aq = Math.exp(-(t - devT) / tauQ);
      qn = qn * aq + p.quoteNoisePips * Math.sqrt(1 - aq * aq) * gauss();
      devT = t;
      if (j >= 0) {
        const bR = path.bid[j];
        const aR = path.ask[j];
        const fb = spec.invert ? 1e9 / aR : bR / 1e9;
        const fa = spec.invert ? 1e9 / bR : aR / 1e9;
        const mid = ((fb + fa) / 2) * carry + (dev + qn) * spec.pip;
        const spread = Math.max(baseSpread, fa - fb + p.markupPips * spec.pip);
        const sI = Math.ceil(spread * scale - 1e-6);
        const bidI = Math.round(mid * scale - sI / 2);
        const askI = bidI + sI;
        if (bidI !== lastBid || askI !== lastAsk) {
          lastBid = bidI;
          lastAsk = askI;
          const recv = Math.max(
            lastRecv,
            t + Math.floor((p.recvLatencyMinMs + expo() * p.recvLatencyMeanMs) * NS_PER_MS),
          );
          lastRecv = recv;
          out.ev.push(t);
          out.recv.push(recv);
          out.bid.push(bidI);
          out.ask.push(askI);
        }
      }
      t += 1 + Math.floor(expo() / lambda);
    }
  }
  return out;
}

/** YYYYMMDD of the calendar day after `date`. */
function nextDateInt(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  return Number(new Date(t).toISOString().slice(0, 10).replaceAll('-', ''));
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
  const compact = inp.date.replaceAll('-', '');
  const dateInt = Number(compact);
  const core = inp.minutes.map((m) => {
    const h = localTime(startMs + m.startNs / NS_PER_MS, 'Europe/London').hour;
    return h >= p.coreHoursUk[0] && h < p.coreHoursUk[1];
  });
  const specs = inp.contracts.map((c) => spotSpec(c.spec.product));
  const pairs = specs.map((spec, i) =>
    generatePair(
      spec,
      inp.contracts[i],
      inp.paths[i],
      inp.minutes,
      core,
      startMs,
      prng(spotSeed(inp.seed, dateInt, i)),
      p,
    ),
  );

  const meta = (schema: SchemaName): MetadataInit => ({
    dataset: 'IG.FX',
    schema,
    start: inp.startNs,
    end: inp.endNs,
    stype_in: 'raw_symbol',
    stype_out: 'instrument_id',
    symbols: specs.map((s) => s.pair),
    mappings: specs.map((s) => ({
      raw_symbol: s.pair,
      intervals: [
        {
          start_date: yyyymmddOf(inp.startNs),
          end_date: nextDateInt(inp.date),
          symbol: String(s.instrumentId),
        },
      ],
    })),
  });

  // MBP-1: all pairs merged by ts_recv (ties by pair order), one record per tick.
  const enc = DbnEncoder.toFile(inp.files.mbp1, { metadata: meta('mbp-1'), zstd: inp.zstd });
  const buf = new Uint8Array(MBP1_SIZE);
  const dv = new DataView(buf.buffer);
  const idx = pairs.map(() => 0);
  let seq = 1;
  const setU64 = (o: number, v: number) => {
    dv.setUint32(o, v >>> 0, true);
    dv.setUint32(o + 4, Math.floor(v / TWO32), true);
  };
  const setPx = (o: number, v: number) => {
    if (Number.isNaN(v)) {
      dv.setUint32(o, 0xffffffff, true);
      dv.setUint32(o + 4, 0x7fffffff, true);
    } else setU64(o, v);
  };
  for (;;) {
    let k = -1;
    for (let i = 0; i < pairs.length; i++) {
      const tk = pairs[i];
      if (idx[i] < tk.ev.length && (k < 0 || tk.recv[idx[i]] < pairs[k].recv[idx[k]])) k = i;
    }
    if (k < 0) break;
    const tk = pairs[k];
    const i = idx[k]++;
    const spec = tk.spec;
    const unit = 10 ** (9 - spec.decimals);
    const bidRaw = tk.bid[i] * unit;
    const askRaw = tk.ask[i] * unit;
    const bidChanged = i === 0 || tk.bid[i - 1] !== tk.bid[i];
    const askChanged = i === 0 || tk.ask[i - 1] !== tk.ask[i];
    const side = bidChanged && askChanged ? 78 : bidChanged ? 66 : 65; // N, B, A
    const price = side === 78 ? Number.NaN : side === 66 ? bidRaw : askRaw;
    const ev = inp.startNs + BigInt(tk.ev[i]);
    const recv = inp.startNs + BigInt(tk.recv[i]);
    buf.fill(0);
    buf[0] = MBP1_SIZE >> 2;
    buf[1] = RType.MBP_1;
    dv.setUint16(2, PUBLISHER_IG, true);
    dv.setUint32(4, spec.instrumentId, true);
    dv.setBigUint64(8, ev, true);
    setPx(16, price);
    dv.setUint32(24, side === 78 ? 0 : p.nominalSize, true);
    buf[28] = 77; // M: the broker's quote was modified
    buf[29] = side;
    buf[30] = Flags.LAST | Flags.TOB;
    buf[31] = 0;
    dv.setBigUint64(32, recv, true);
    dv.setInt32(40, tk.recv[i] - tk.ev[i], true);
    dv.setUint32(44, seq++, true);
    setPx(48, bidRaw);
    setPx(56, askRaw);
    dv.setUint32(64, p.nominalSize, true);
    dv.setUint32(68, p.nominalSize, true);
    dv.setUint32(72, 1, true);
    dv.setUint32(76, 1, true);
    enc.writeEncoded(buf, 1);
  }
  await enc.end();

  // OHLCV-1m (mid) and the IG JSON (bid/ask), from the same bars.
  const bars = pairs.map((tk) => barsOf(tk, startMs));
  const encBars = DbnEncoder.toFile(inp.files.ohlcv1m, { metadata: meta('ohlcv-1m'), zstd: inp.zstd });
  const all: { bar: SpotBar; k: number }[] = [];
  for (let k = 0; k < bars.length; k++) for (const bar of bars[k]) all.push({ bar, k });
  all.sort((x, y) => x.bar.minuteMs - y.bar.minuteMs || x.k - y.k);
  for (const { bar, k } of all) {
    const unit = 10 ** (9 - specs[k].decimals);
    const raw = (v: number) => BigInt(Math.round(v * unit));
    encBars.write({
      hd: {
        length: 14,
        rtype: RType.OHLCV_1M,
        publisher_id: PUBLISHER_IG,
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
  await encBars.end();
  const result: SpotDayResult = { ticks: {}, bars: {} };
  for (let k = 0; k < specs.length; k++) {
    const path = inp.files.prices[specs[k].pair];
    writeFileSync(path, `${JSON.stringify(igPriceHistory(bars[k], specs[k].decimals))}\n`);
    result.ticks[specs[k].pair] = pairs[k].ev.length;
    result.bars[specs[k].pair] = bars[k].length;
  }
  return result;
}

/** Paths of the spot files of `date` in `out` (see the module comment for the JSON of several pairs). */
export function spotFilePaths(
  join: (...parts: string[]) => string,
  out: string,
  compact: string,
  products: readonly string[],
  ext: string,
): SpotFiles {
  const prices: Record<string, string> = {};
  products.forEach((pr, i) => {
    const pair = spotSpec(pr).pair;
    prices[pair] = join(
      out,
      i === 0 ? `ig-fx-${compact}.prices.json` : `ig-fx-${compact}.${pairCode(pair)}.prices.json`,
    );
  });
  return {
    mbp1: join(out, `ig-fx-${compact}.mbp-1${ext}`),
    ohlcv1m: join(out, `ig-fx-${compact}.ohlcv-1m${ext}`),
    prices,
  };
}
