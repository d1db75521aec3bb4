/**
 * A deterministic synthetic CME 6E (EUR/USD future) stream: MBP-10 book updates, trades and the
 * instrument definition, written with our own encoder. It serves the demo and the benchmarks
 * until the market simulator provides realistic data; it has no pretence of realism beyond a
 * valid, never-crossed 10-level book on the 0.00005 tick (CME Euro FX outright tick, $6.25).
 */
import { Random, yyyymmddOf } from '../src/core/index.js';
import { RType } from '../src/data/dbn/constants.js';
import { DbnEncoder } from '../src/data/dbn/encoder.js';
import type { DbnRecord } from '../src/data/dbn/record.js';

/** 6E outright tick in raw 1e-9 units (0.00005). */
export const SIXE_TICK_RAW = 50_000;
const MBP10_SIZE = 368;
const TRADE_SIZE = 48;
const PUBLISHER_GLBX = 1;
// Latencies of the same order as the real CME sample in ../shared/fixtures/dbn-real: the gateway
// sends ~25 µs after the match (ts_event) and Databento receives ~15 µs later (ts_in_delta), so
// ts_recv = ts_event + 40 µs and the send time ts_recv - ts_in_delta falls after ts_event.
const RECV_LATENCY_NS = 40_000n;
const SEND_TO_RECV_NS = 15_000;

/** Options of the sample generator. */
export interface SampleOptions {
  /** Number of MBP-10 records to write. */
  records: number;
  seed?: number;
  /** First event time, ns since epoch (default 2026-11-25T14:30:00Z, London–New York overlap). */
  start?: bigint;
  instrumentId?: number;
  /** Mean gap between events in ns (default 20 ms). */
  meanGapNs?: number;
}

/** The instrument definition of the sample contract (6EZ6, December 2026 Euro FX). */
export function sampleDefinition(instrumentId = 42005347, tsEvent = 1764000000000000000n): DbnRecord {
  return {
    hd: {
      length: 130,
      rtype: RType.INSTRUMENT_DEF,
      publisher_id: PUBLISHER_GLBX,
      instrument_id: instrumentId,
      ts_event: tsEvent,
    },
    ts_recv: tsEvent,
    min_price_increment: BigInt(SIXE_TICK_RAW),
    display_factor: 1_000_000_000n,
    expiration: 1765786560000000000n, // 2026-12-14T09:16:00-06:00 (two business days before the third Wednesday)
    activation: 1734100000000000000n,
    unit_of_measure_qty: 125_000_000_000_000n, // 125,000 EUR
    min_price_increment_amount: 6_250_000_000n, // $6.25
    price_ratio: 9223372036854775807n,
    raw_instrument_id: BigInt(instrumentId),
    contract_multiplier: 2147483647,
    min_lot_size_round_lot: 1,
    maturity_year: 2026,
    maturity_month: 12,
    maturity_day: 255,
    maturity_week: 255,
    currency: 'USD',
    raw_symbol: '6EZ6',
    group: '6E',
    exchange: 'XCME',
    asset: '6E',
    cfi: 'FFCPSX',
    security_type: 'FUT',
    unit_of_measure: 'EUR',
    instrument_class: 'F',
    match_algorithm: 'F',
    security_update_action: 'A',
    user_defined_instrument: 'N',
    leg_side: 'N',
  };
}

/**
 * Writes `opts.records` MBP-10 records (and the trades among them, when `trades` is given) of a
 * random-walk 6E book. Records are built in place with a DataView: generating a million takes
 * well under a second, so benchmarks are not dominated by their own input.
 */
export function writeSample(mbp10: DbnEncoder, opts: SampleOptions, trades?: DbnEncoder): { trades: number } {
  const random = new Random(opts.seed ?? 1);
  const rnd = () => random.uniform();
  const id = opts.instrumentId ?? 42005347;
  const gap = opts.meanGapNs ?? 20_000_000;
  let ts = opts.start ?? 1_795_617_000_000_000_000n; // 2026-11-25T14:30:00Z
  const rec = new Uint8Array(MBP10_SIZE);
  const dv = new DataView(rec.buffer);
  const tr = new Uint8Array(TRADE_SIZE);
  const tdv = new DataView(tr.buffer);
  const bidSz = new Uint32Array(10);
  const askSz = new Uint32Array(10);
  const bidCt = new Uint32Array(10);
  const askCt = new Uint32Array(10);
  let bestBid = 21_700; // ticks: 1.08500
  let spread = 1;
  for (let i = 0; i < 10; i++) {
    bidSz[i] = 5 + Math.floor(rnd() * 60);
    askSz[i] = 5 + Math.floor(rnd() * 60);
    bidCt[i] = 1 + Math.floor(bidSz[i] / 8);
    askCt[i] = 1 + Math.floor(askSz[i] / 8);
  }
  let seq = 1_000_000;
  let nTrades = 0;
  const setPx = (off: number, ticks: number) => {
    const raw = ticks * SIXE_TICK_RAW;
    dv.setUint32(off, raw >>> 0, true);
    dv.setInt32(off + 4, Math.floor(raw / 4294967296), true);
  };
  // Shifts one side by a level: drop level 0 (consumed) or push a new best level in front.
  const shift = (sz: Uint32Array, ct: Uint32Array, out: boolean) => {
    if (out) {
      sz.copyWithin(0, 1);
      ct.copyWithin(0, 1);
      sz[9] = 5 + Math.floor(rnd() * 60);
      ct[9] = 1 + Math.floor(sz[9] / 8);
    } else {
      sz.copyWithin(1, 0, 9);
      ct.copyWithin(1, 0, 9);
      sz[0] = 1 + Math.floor(rnd() * 10);
      ct[0] = 1;
    }
  };
  rec[0] = MBP10_SIZE / 4;
  rec[1] = RType.MBP_10;
  dv.setUint16(2, PUBLISHER_GLBX, true);
  dv.setUint32(4, id, true);
  tr[0] = TRADE_SIZE / 4;
  tr[1] = RType.MBP_0;
  tdv.setUint16(2, PUBLISHER_GLBX, true);
  tdv.setUint32(4, id, true);
  for (let n = 0; n < opts.records; n++) {
    ts += BigInt(1 + random.floorExponential(gap));
    const u = rnd();
    const bidSide = rnd() < 0.5;
    let action = 65; // 'A'
    let side = bidSide ? 66 : 65;
    let level = 0;
    let size = 0;
    let pxTicks = 0;
    if (u < 0.1) {
      // A marketable order: trade against the opposite best level.
      const book = bidSide ? askSz : bidSz; // a buyer lifts the ask
      const cts = bidSide ? askCt : bidCt;
      size = Math.min(book[0], 1 + Math.floor(rnd() * 8));
      pxTicks = bidSide ? bestBid + spread : bestBid;
      action = 84; // 'T'
      side = bidSide ? 66 : 65; // aggressor
      if (trades) {
        tdv.setBigUint64(8, ts, true);
        const raw = pxTicks * SIXE_TICK_RAW;
        tdv.setUint32(16, raw >>> 0, true);
        tdv.setInt32(20, Math.floor(raw / 4294967296), true);
        tdv.setUint32(24, size, true);
        tr[28] = 84;
        tr[29] = side;
        tr[30] = 0x80;
        tr[31] = 0;
        tdv.setBigUint64(32, ts + RECV_LATENCY_NS, true);
        tdv.setInt32(40, SEND_TO_RECV_NS, true);
        tdv.setUint32(44, seq, true);
        trades.writeEncoded(tr);
      }
      nTrades++;
      book[0] -= size;
      if (book[0] === 0) {
        shift(book, cts, true);
        if (bidSide) spread++;
        else {
          bestBid--;
          spread++;
        }
      } else {
        if (cts[0] > 1 && rnd() < 0.5) cts[0]--;
        // Every order is at least one lot: a level never shows more orders than lots.
        if (cts[0] > book[0]) cts[0] = book[0];
      }
    } else if (u < 0.2 && spread > 1) {
      // Improve the spread by one tick with a new best level.
      if (bidSide) {
        shift(bidSz, bidCt, false);
        bestBid++;
        size = bidSz[0];
      } else {
        shift(askSz, askCt, false);
        size = askSz[0];
      }
      spread--;
      pxTicks = bidSide ? bestBid : bestBid + spread;
    } else {
      level = Math.min(9, random.floorExponential(2.5));
      const sz = bidSide ? bidSz : askSz;
      const ct = bidSide ? bidCt : askCt;
      pxTicks = bidSide ? bestBid - level : bestBid + spread + level;
      if (rnd() < 0.52 || sz[level] <= 1) {
        size = 1 + Math.floor(rnd() * 12);
        sz[level] += size;
        ct[level]++;
      } else {
        action = 67; // 'C'
        size = 1 + Math.floor(rnd() * Math.min(12, sz[level] - 1));
        sz[level] -= size;
        if (ct[level] > 1 && rnd() < 0.6) ct[level]--;
        if (ct[level] > sz[level]) ct[level] = sz[level];
      }
    }
    dv.setBigUint64(8, ts, true);
    setPx(16, pxTicks);
    dv.setUint32(24, size, true);
    rec[28] = action;
    rec[29] = side;
    rec[30] = 0x80; // F_LAST: one record per event
    rec[31] = level;
    dv.setBigUint64(32, ts + RECV_LATENCY_NS, true);
    dv.setInt32(40, SEND_TO_RECV_NS, true);
    dv.setUint32(44, seq++, true);
    for (let i = 0; i < 10; i++) {
      const o = 48 + i * 32;
      setPx(o, bestBid - i);
      setPx(o + 8, bestBid + spread + i);
      dv.setUint32(o + 16, bidSz[i], true);
      dv.setUint32(o + 20, askSz[i], true);
      dv.setUint32(o + 24, bidCt[i], true);
      dv.setUint32(o + 28, askCt[i], true);
    }
    mbp10.writeEncoded(rec);
  }
  return { trades: nTrades };
}

/** Metadata for sample files of `schema` over [start, end). */
export function sampleMetadata(
  schema: 'mbp-10' | 'trades' | 'definition',
  start: bigint,
  end: bigint,
  id = 42005347,
) {
  return {
    dataset: 'GLBX.MDP3',
    schema,
    start,
    end,
    stype_in: 'raw_symbol' as const,
    stype_out: 'instrument_id' as const,
    symbols: ['6EZ6'],
    mappings: [
      {
        raw_symbol: '6EZ6',
        intervals: [{ start_date: yyyymmddOf(start), end_date: yyyymmddOf(end) + 1, symbol: String(id) }],
      },
    ],
  };
}

/** Writes the three sample files into `dir` and returns their paths. */
export async function writeSampleFiles(
  dir: string,
  opts: SampleOptions & { zstd?: boolean },
): Promise<{ mbp10: string; trades: string; definition: string; records: number; tradeCount: number }> {
  const start = opts.start ?? 1_795_617_000_000_000_000n;
  const end = start + 86_400_000_000_000n;
  const day = yyyymmddOf(start);
  const ext = opts.zstd === false ? '.dbn' : '.dbn.zst';
  const paths = {
    mbp10: `${dir}/glbx-mdp3-${day}.mbp-10${ext}`,
    trades: `${dir}/glbx-mdp3-${day}.trades${ext}`,
    definition: `${dir}/glbx-mdp3-${day}.definition${ext}`,
  };
  const zstd = opts.zstd !== false;
  const m = DbnEncoder.toFile(paths.mbp10, { metadata: sampleMetadata('mbp-10', start, end), zstd });
  const t = DbnEncoder.toFile(paths.trades, { metadata: sampleMetadata('trades', start, end), zstd });
  const { trades } = writeSample(m, { ...opts, start }, t);
  await m.end();
  await t.end();
  const d = DbnEncoder.toFile(paths.definition, { metadata: sampleMetadata('definition', start, end), zstd });
  d.write(sampleDefinition(opts.instrumentId, start));
  await d.end();
  return { ...paths, records: opts.records, tradeCount: trades };
}
