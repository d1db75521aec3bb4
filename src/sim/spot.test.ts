import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DbnDecoder, Flags, RType } from '../data/dbn/index.js';
import {
  CCY_RATES,
  frontContract,
  type SimDayResult,
  SPOT_SPECS,
  simulateDay,
  ukSnapshotTime,
} from './index.js';
import { UkHours } from './spot.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'spot-test-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One top-of-book series: receive times (ms), bid and ask as prices of the pair's own quote. */
interface Series {
  t: number[];
  bid: number[];
  ask: number[];
}

/** Futures tops by product from an MBP-10 file, converted to the spot pair's quote (6J inverted). */
async function futureTops(res: SimDayResult): Promise<Map<string, Series>> {
  const byId = new Map<number, string>();
  for (const i of res.truth.instruments) byId.set(i.instrument_id, i.symbol.slice(0, 2));
  const out = new Map<string, Series>();
  for await (const batch of DbnDecoder.fromFile(res.files.mbp10)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if ((c.flags & Flags.LAST) === 0) continue;
      const product = byId.get(c.instrumentId)!;
      const b = c.bidPx(0) / 1e9;
      const a = c.askPx(0) / 1e9;
      if (Number.isNaN(b) || Number.isNaN(a)) continue;
      let s = out.get(product);
      if (!s) {
        s = { t: [], bid: [], ask: [] };
        out.set(product, s);
      }
      const inv = SPOT_SPECS[product].invert;
      s.t.push(c.tsRecvMs);
      s.bid.push(inv ? 1 / a : b);
      s.ask.push(inv ? 1 / b : a);
    }
  }
  return out;
}

/** A decoded spot tick. */
interface Tick {
  id: number;
  evMs: number;
  recvMs: number;
  bidRaw: number;
  askRaw: number;
}

async function spotTicks(path: string): Promise<Tick[]> {
  const out: Tick[] = [];
  for await (const batch of DbnDecoder.fromFile(path)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      assert.equal(c.rtype, RType.MBP_1);
      out.push({
        id: c.instrumentId,
        evMs: c.tsEventMs,
        recvMs: c.tsRecvMs,
        bidRaw: c.bidPx(0),
        askRaw: c.askPx(0),
      });
    }
  }
  return out;
}

/** Spot series of one pair (receive time, prices). */
function spotSeries(ticks: Tick[], id: number): Series {
  const s: Series = { t: [], bid: [], ask: [] };
  for (const k of ticks)
    if (k.id === id) {
      s.t.push(k.recvMs);
      s.bid.push(k.bidRaw / 1e9);
      s.ask.push(k.askRaw / 1e9);
    }
  return s;
}

/** Log mid sampled on a grid (last value at or before each grid time; NaN before the first). */
function sampleLogMid(s: Series, t0: number, step: number, n: number): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  let j = -1;
  for (let g = 0; g < n; g++) {
    const t = t0 + g * step;
    while (j + 1 < s.t.length && s.t[j + 1] <= t) j++;
    if (j >= 0) out[g] = Math.log((s.bid[j] + s.ask[j]) / 2);
  }
  return out;
}

function diff(x: Float64Array): Float64Array {
  const r = new Float64Array(x.length - 1);
  for (let i = 1; i < x.length; i++) r[i - 1] = x[i] - x[i - 1];
  return r;
}

/** Correlation of x[i] with y[i + lag] over the indices where both are finite. */
function corrLag(x: Float64Array, y: Float64Array, lag: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = Math.max(0, -lag); i < x.length && i + lag < y.length; i++) {
    const a = x[i];
    const b = y[i + lag];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  const cov = sxy / n - (sx / n) * (sy / n);
  return cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
}

// Wednesday 4 March 2026, 13:00–15:00 UTC: London–New York overlap; the UK is on GMT (BST starts
// on 29 March 2026), so UK local time equals UTC.
const DATE = '2026-03-04';
const T13 = Date.parse('2026-03-04T13:00:00Z');
const HOURS = 2;

describe('spot quotes over two hours of 6E, 6B and 6J', () => {
  let res: SimDayResult;
  let ticks: Tick[];
  let fut: Map<string, Series>;
  before(async () => {
    res = await simulateDay({
      date: DATE,
      instruments: ['6E', '6B', '6J'],
      seed: 21,
      out: tmp(),
      window: { startMs: T13, endMs: T13 + HOURS * 3_600_000 },
    });
    ticks = await spotTicks(res.files.spotMbp1!);
    fut = await futureTops(res);
  });

  it('names the files as CONVENTIONS.md does and decodes them with the dataset and symbols', async () => {
    assert.match(res.files.spotMbp1 ?? '', /ig-fx-20260304\.mbp-1\.dbn\.zst$/);
    assert.match(res.files.spotOhlcv1m ?? '', /ig-fx-20260304\.ohlcv-1m\.dbn\.zst$/);
    assert.match(res.files.igPrices ?? '', /ig-fx-20260304\.prices\.json$/);
    assert.equal(res.files.igPricesByPair['EUR/USD'], res.files.igPrices);
    assert.match(res.files.igPricesByPair['USD/JPY'], /ig-fx-20260304\.USDJPY\.prices\.json$/);
    for (const [path, schema] of [
      [res.files.spotMbp1!, 'mbp-1'],
      [res.files.spotOhlcv1m!, 'ohlcv-1m'],
    ] as const) {
      const dec = DbnDecoder.fromFile(path);
      const m = await dec.readMetadata();
      assert.ok(m);
      assert.equal(m.dataset, 'IG.FX');
      assert.equal(m.schema, schema);
      assert.equal(m.stype_in, 'raw_symbol');
      assert.deepEqual(m.symbols, ['EUR/USD', 'GBP/USD', 'USD/JPY']);
      assert.deepEqual(
        m.mappings.map((x) => [x.raw_symbol, x.intervals[0].symbol, x.intervals[0].start_date]),
        [
          ['EUR/USD', '50000001', 20260304],
          ['GBP/USD', '50000002', 20260304],
          ['USD/JPY', '50000003', 20260304],
        ],
      );
      let records = 0;
      for await (const batch of dec) records += batch.count;
      assert.ok(records > 0, `${schema} has records`);
    }
    let lastRecv = 0;
    let lastSeq = 0;
    for await (const batch of DbnDecoder.fromFile(res.files.spotMbp1!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        assert.ok(c.tsRecvMs >= lastRecv, 'ts_recv orders the merged file');
        assert.ok(c.tsRecvMs >= c.tsEventMs);
        assert.equal(c.sequence, lastSeq + 1);
        assert.ok(c.flags & Flags.LAST);
        assert.equal(c.bidSz(0), 1_000_000);
        lastRecv = c.tsRecvMs;
        lastSeq = c.sequence;
      }
    }
    for (const s of Object.values(SPOT_SPECS))
      assert.ok((res.spot?.ticks[s.pair] ?? 0) > 2000, `${s.pair} ticks ${res.spot?.ticks[s.pair]}`);
    assert.equal(ticks.length, lastSeq);
  });

  it('quotes on the pair precision with a spread wider than the future, never crossed', (t) => {
    for (const spec of Object.values(SPOT_SPECS)) {
      const unit = 10 ** (9 - spec.decimals);
      let n = 0;
      let sum = 0;
      for (const k of ticks) {
        if (k.id !== spec.instrumentId) continue;
        assert.equal(k.bidRaw % unit, 0, `${spec.pair} bid ${k.bidRaw} on ${spec.decimals} decimals`);
        assert.equal(k.askRaw % unit, 0);
        assert.ok(k.askRaw > k.bidRaw, `${spec.pair} crossed or locked at ${k.evMs}`);
        assert.ok(k.askRaw - k.bidRaw >= Math.round(spec.coreSpreadPips * spec.pip * 1e9) - 1);
        n++;
        sum += (k.askRaw - k.bidRaw) / 1e9;
      }
      const f = fut.get(spec.product)!;
      let fs = 0;
      for (let i = 0; i < f.t.length; i++) fs += f.ask[i] - f.bid[i];
      const spotPips = sum / n / spec.pip;
      const futPips = fs / f.t.length / spec.pip;
      t.diagnostic(
        `${spec.pair}: mean spread ${spotPips.toFixed(3)} pips vs future ${futPips.toFixed(3)} pips`,
      );
      assert.ok(spotPips > futPips, `${spec.pair} spread ${spotPips} <= future ${futPips}`);
      assert.ok(
        spotPips < 3 * spec.coreSpreadPips + 1,
        `${spec.pair} spread ${spotPips} pips is not IG-like`,
      );
    }
  });

  it('writes 1-minute bars equal to the mid OHLC of the MBP-1 ticks of each minute, volume = ticks', async () => {
    const want = new Map<string, { o: number; h: number; l: number; c: number; v: number }>();
    for (const k of ticks) {
      const minute = Math.floor(k.evMs / 60_000) * 60_000;
      const key = `${k.id}@${minute}`;
      const mid = (k.bidRaw + k.askRaw) / 2;
      const b = want.get(key);
      if (!b) want.set(key, { o: mid, h: mid, l: mid, c: mid, v: 1 });
      else {
        b.h = Math.max(b.h, mid);
        b.l = Math.min(b.l, mid);
        b.c = mid;
        b.v++;
      }
    }
    let n = 0;
    let lastTs = 0n;
    for await (const batch of DbnDecoder.fromFile(res.files.spotOhlcv1m!)) {
      for (let i = 0; i < batch.count; i++) {
        const r = batch.toObject(i);
        assert.equal(r.hd.rtype, RType.OHLCV_1M);
        assert.ok(r.hd.ts_event >= lastTs, 'bars in time order');
        lastTs = r.hd.ts_event;
        const key = `${r.hd.instrument_id}@${Number(r.hd.ts_event / 1_000_000n)}`;
        const b = want.get(key);
        assert.ok(b, `bar ${key} has ticks`);
        assert.deepEqual(
          [r.open, r.high, r.low, r.close, r.volume],
          [BigInt(b.o), BigInt(b.h), BigInt(b.l), BigInt(b.c), BigInt(b.v)],
          key,
        );
        n++;
      }
    }
    assert.equal(n, want.size);
    assert.equal(n, 3 * HOURS * 60, 'a bar for every minute of every pair');
  });

  it("writes IG's price-history JSON with exactly the documented keys, UK local times and consistent OHLC", async () => {
    const bars = new Map<number, bigint[]>();
    for await (const batch of DbnDecoder.fromFile(res.files.spotOhlcv1m!))
      for (let i = 0; i < batch.count; i++) {
        const r = batch.toObject(i);
        if (r.hd.instrument_id === SPOT_SPECS['6E'].instrumentId)
          bars.set(Number(r.hd.ts_event / 1_000_000n), [
            r.open,
            r.high,
            r.low,
            r.close,
            r.volume,
          ] as bigint[]);
      }
    for (const spec of Object.values(SPOT_SPECS)) {
      const doc = JSON.parse(readFileSync(res.files.igPricesByPair[spec.pair], 'utf8'));
      assert.deepEqual(Object.keys(doc), ['prices', 'instrumentType', 'metadata']);
      assert.equal(doc.instrumentType, 'CURRENCIES');
      assert.deepEqual(Object.keys(doc.metadata), ['allowance', 'size', 'pageData']);
      assert.deepEqual(Object.keys(doc.metadata.allowance), [
        'remainingAllowance',
        'totalAllowance',
        'allowanceExpiry',
      ]);
      assert.deepEqual(Object.keys(doc.metadata.pageData), ['pageSize', 'pageNumber', 'totalPages']);
      assert.equal(doc.metadata.size, doc.prices.length);
      assert.equal(doc.prices.length, HOURS * 60);
      const scale = 10 ** spec.decimals;
      for (let i = 0; i < doc.prices.length; i++) {
        const p = doc.prices[i];
        assert.deepEqual(Object.keys(p), [
          'snapshotTime',
          'snapshotTimeUTC',
          'openPrice',
          'closePrice',
          'highPrice',
          'lowPrice',
          'lastTradedVolume',
        ]);
        const ms = T13 + i * 60_000;
        // Winter: UK local time is UTC.
        const iso = new Date(ms).toISOString();
        assert.equal(p.snapshotTimeUTC, iso.slice(0, 19));
        assert.equal(p.snapshotTime, `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 19)}`);
        for (const k of ['openPrice', 'closePrice', 'highPrice', 'lowPrice']) {
          assert.deepEqual(Object.keys(p[k]), ['bid', 'ask', 'lastTraded']);
          assert.equal(p[k].lastTraded, null);
          assert.ok(p[k].ask > p[k].bid, `${spec.pair} ${k} ask > bid`);
          for (const side of ['bid', 'ask']) {
            const v = p[k][side] * scale;
            assert.ok(
              Math.abs(v - Math.round(v)) < 1e-6,
              `${spec.pair} ${side} ${p[k][side]} on the precision`,
            );
          }
        }
        for (const side of ['bid', 'ask']) {
          const [o, h, l, c] = ['openPrice', 'highPrice', 'lowPrice', 'closePrice'].map((k) => p[k][side]);
          assert.ok(
            l <= o && o <= h && l <= c && c <= h,
            `${spec.pair} ${side} OHLC at ${p.snapshotTimeUTC}`,
          );
        }
        assert.ok(Number.isInteger(p.lastTradedVolume) && p.lastTradedVolume > 0);
        if (spec.product === '6E') {
          // The same minute's DBN bar: tick count and (open) mid agree.
          const bar = bars.get(ms)!;
          assert.equal(BigInt(p.lastTradedVolume), bar[4]);
          const mid = Math.round(((p.openPrice.bid + p.openPrice.ask) / 2) * 1e9);
          assert.equal(BigInt(mid), bar[0]);
        }
      }
    }
  });

  it('follows the future: 1-minute mid returns correlate above 0.9 and the future leads', (t) => {
    const minutes = HOURS * 60;
    for (const spec of Object.values(SPOT_SPECS)) {
      const f = fut.get(spec.product)!;
      const s = spotSeries(ticks, spec.instrumentId);
      // 1-minute returns of the last mid of each minute.
      const rf = diff(sampleLogMid(f, T13 + 59_999, 60_000, minutes));
      const rs = diff(sampleLogMid(s, T13 + 59_999, 60_000, minutes));
      const c1m = corrLag(rf, rs, 0);
      // Lead–lag: cross-correlation of 100 ms returns, future at t vs spot at t + k·100 ms.
      const n = HOURS * 36_000;
      const gf = diff(sampleLogMid(f, T13, 100, n));
      const gs = diff(sampleLogMid(s, T13, 100, n));
      let best = 0;
      let bestRho = Number.NEGATIVE_INFINITY;
      let lead = 0;
      let lagged = 0;
      for (let k = -20; k <= 20; k++) {
        const rho = corrLag(gf, gs, k);
        if (rho > bestRho) {
          bestRho = rho;
          best = k;
        }
        if (k >= 1 && k <= 10) lead += rho;
        if (k <= -1 && k >= -10) lagged += rho;
      }
      // The same at 1-second returns, +1 s vs −1 s.
      const sf = diff(sampleLogMid(f, T13, 1000, HOURS * 3600));
      const ss = diff(sampleLogMid(s, T13, 1000, HOURS * 3600));
      const plus1 = corrLag(sf, ss, 1);
      const minus1 = corrLag(sf, ss, -1);
      t.diagnostic(
        `${spec.pair}: 1-min return correlation ${c1m.toFixed(4)}; 100 ms cross-correlation peaks at ` +
          `${best * 100} ms (${bestRho.toFixed(3)}), sum over +100..+1000 ms ${lead.toFixed(3)} vs ` +
          `−1000..−100 ms ${lagged.toFixed(3)}; 1 s returns: +1 s ${plus1.toFixed(3)}, −1 s ${minus1.toFixed(3)}`,
      );
      assert.ok(c1m > 0.9, `${spec.pair} 1-minute correlation ${c1m}`);
      assert.ok(best >= 1 && best <= 10, `${spec.pair} future leads by ${best * 100} ms`);
      assert.ok(lead > 0.2 && lead > 5 * Math.abs(lagged), `${spec.pair} lead ${lead} vs lag ${lagged}`);
      assert.ok(plus1 > 0.05 && plus1 > 3 * Math.abs(minus1), `${spec.pair} +1 s ${plus1} vs −1 s ${minus1}`);
    }
  });

  it('sits at the carry basis of covered interest parity: spot = forward · exp(−(r_quote − r_base)·τ)', (t) => {
    for (const spec of Object.values(SPOT_SPECS)) {
      const f = fut.get(spec.product)!;
      const s = spotSeries(ticks, spec.instrumentId);
      const n = HOURS * 60;
      const mf = sampleLogMid(f, T13 + 30_000, 60_000, n);
      const ms = sampleLogMid(s, T13 + 30_000, 60_000, n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp(ms[i]) - Math.exp(mf[i]);
      const basisPips = sum / n / spec.pip;
      const expiryMs = Number(frontContract(spec.product, DATE).expirationNs / 1_000_000n);
      const tau = (expiryMs - (T13 + HOURS * 1_800_000)) / (365.25 * 86_400_000);
      const fwd = Math.exp(mf[0]);
      const want = (fwd * (Math.exp(-(CCY_RATES[spec.quote] - CCY_RATES[spec.base]) * tau) - 1)) / spec.pip;
      t.diagnostic(`${spec.pair}: spot − future ${basisPips.toFixed(2)} pips, carry ${want.toFixed(2)} pips`);
      assert.ok(Math.abs(basisPips - want) < 0.6, `${spec.pair} basis ${basisPips} vs carry ${want}`);
    }
  });
});

describe('spot quotes: UK local time, options and determinism', () => {
  it('take the UK hour once per UTC hour, right across the daylight-saving changes', () => {
    // BST 2026 starts at 01:00 UTC on 29 March (00:59 GMT → 02:00 BST) and ends at 01:00 UTC on
    // 25 October (01:59 BST → 01:00 GMT); each minute of the hours around them, one lookup per hour.
    const hours = new UkHours();
    const at = (iso: string) => hours.at(Date.parse(iso));
    assert.deepEqual(
      ['2026-03-29T00:30:00Z', '2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:59:00Z'].map(
        at,
      ),
      [0, 0, 2, 2],
    );
    assert.deepEqual(
      ['2026-10-25T00:00:00Z', '2026-10-25T00:59:00Z', '2026-10-25T01:00:00Z', '2026-10-25T02:00:00Z'].map(
        at,
      ),
      [1, 1, 1, 2],
    );
    for (const day of ['2026-03-29T00:00:00Z', '2026-10-24T22:00:00Z']) {
      const from = Date.parse(day);
      for (let ms = from; ms < from + 6 * 3_600_000; ms += 60_000) {
        const t = new Date(ms);
        assert.equal(hours.at(ms), Number(ukSnapshotTime(ms).slice(11, 13)), t.toISOString());
      }
    }
  });

  it('formats snapshotTime in UK local time across the daylight-saving changes (worked by hand)', async () => {
    // BST 2026: from 01:00 UTC on Sunday 29 March to 01:00 UTC on Sunday 25 October.
    assert.equal(ukSnapshotTime(Date.parse('2026-03-29T00:59:00Z')), '2026/03/29 00:59:00');
    assert.equal(ukSnapshotTime(Date.parse('2026-03-29T01:00:00Z')), '2026/03/29 02:00:00');
    assert.equal(ukSnapshotTime(Date.parse('2026-10-25T00:30:00Z')), '2026/10/25 01:30:00');
    assert.equal(ukSnapshotTime(Date.parse('2026-10-25T01:30:00Z')), '2026/10/25 01:30:00');
    assert.equal(ukSnapshotTime(Date.parse('2026-01-15T23:59:00Z')), '2026/01/15 23:59:00');
    assert.equal(ukSnapshotTime(Date.parse('2026-06-17T23:15:00Z')), '2026/06/18 00:15:00');
    // A summer day written by the simulator: Wednesday 17 June 2026, 13:00 UTC is 14:00 in London.
    const start = Date.parse('2026-06-17T13:00:00Z');
    const res = await simulateDay({
      date: '2026-06-17',
      seed: 3,
      out: tmp(),
      window: { startMs: start, endMs: start + 5 * 60_000 },
    });
    const doc = JSON.parse(readFileSync(res.files.igPrices!, 'utf8'));
    assert.deepEqual(
      doc.prices.map((p: { snapshotTime: string; snapshotTimeUTC: string }) => [
        p.snapshotTime,
        p.snapshotTimeUTC,
      ]),
      [
        ['2026/06/17 14:00:00', '2026-06-17T13:00:00'],
        ['2026/06/17 14:01:00', '2026-06-17T13:01:00'],
        ['2026/06/17 14:02:00', '2026-06-17T13:02:00'],
        ['2026/06/17 14:03:00', '2026-06-17T13:03:00'],
        ['2026/06/17 14:04:00', '2026-06-17T13:04:00'],
      ],
    );
  });

  it('writes byte-identical spot files for a seed, other ones for another, and leaves the futures unchanged', async () => {
    const window = { startMs: T13, endMs: T13 + 3 * 60_000 };
    const run = (seed: number, spot?: boolean) =>
      simulateDay({ date: DATE, instruments: ['6E', '6J'], seed, out: tmp(), window, spot });
    const [a, b, c, d] = await Promise.all([run(5), run(5), run(6), run(5, false)]);
    for (const k of ['spotMbp1', 'spotOhlcv1m', 'igPrices'] as const)
      assert.deepEqual(readFileSync(a.files[k]!), readFileSync(b.files[k]!), k);
    assert.deepEqual(
      readFileSync(a.files.igPricesByPair['USD/JPY']),
      readFileSync(b.files.igPricesByPair['USD/JPY']),
    );
    assert.notDeepEqual(readFileSync(a.files.spotMbp1!), readFileSync(c.files.spotMbp1!));
    // Spot draws from its own stream: the futures files and truth are the same without it.
    assert.equal(d.files.spotMbp1, null);
    assert.equal(d.spot, null);
    for (const k of ['mbp10', 'trades', 'definition', 'truth'] as const)
      assert.deepEqual(readFileSync(a.files[k]), readFileSync(d.files[k]), k);
  });
});
