import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { L2Book, L3Book } from '../book/index.js';
import { Action, DbnDecoder, Flags, RType, Side } from '../data/dbn/index.js';
import { frontContract, type MatchingEngine, type SimDayResult, simulate, simulateDay } from './index.js';

const TICK_RAW = 50_000; // 6E
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sim-test-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Wednesday 4 March 2026, 13:00 UTC: London–New York overlap (both on standard time).
const DATE = '2026-03-04';
const T13 = Date.parse('2026-03-04T13:00:00Z');

/** Top ten of a book as a string of raw prices, sizes and counts (both sides). */
function topString(
  n: number,
  bidPx: (i: number) => number,
  bidSz: (i: number) => number,
  bidCt: (i: number) => number,
  askPx: (i: number) => number,
  askSz: (i: number) => number,
  askCt: (i: number) => number,
): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${bidPx(i)}/${bidSz(i)}/${bidCt(i)} `;
  s += '|';
  for (let i = 0; i < n; i++) s += ` ${askPx(i)}/${askSz(i)}/${askCt(i)}`;
  return s;
}

function engineTop(e: MatchingEngine): string {
  const top = new Float64Array(60);
  e.topLevels(10, top);
  const px = (t: number) => (Number.isNaN(t) ? Number.NaN : t * TICK_RAW);
  return topString(
    10,
    (i) => px(top[i * 6]),
    (i) => top[i * 6 + 1],
    (i) => top[i * 6 + 2],
    (i) => px(top[i * 6 + 3]),
    (i) => top[i * 6 + 4],
    (i) => top[i * 6 + 5],
  );
}

function bookTop(b: L3Book | L2Book): string {
  return topString(
    10,
    (i) => b.bidPx(i),
    (i) => b.bidSz(i),
    (i) => b.bidCt(i),
    (i) => b.askPx(i),
    (i) => b.askSz(i),
    (i) => b.askCt(i),
  );
}

describe('simulator output over 15 minutes of the overlap', () => {
  let out: string;
  let res: SimDayResult;
  const engineStates = new Map<
    number,
    { top: string; orders: number; bidLevels: number; askLevels: number }
  >();
  before(async () => {
    out = tmp();
    res = await simulateDay({
      date: DATE,
      seed: 11,
      out,
      mbo: true,
      window: { startMs: T13, endMs: T13 + 15 * 60_000 },
      inspect: (e, seq) =>
        engineStates.set(seq, {
          top: engineTop(e),
          orders: e.orderCount,
          bidLevels: e.bidLevels,
          askLevels: e.askLevels,
        }),
    });
  });

  it('names the files as Databento does and the contract by its front month', () => {
    assert.match(res.files.mbp10, /glbx-mdp3-20260304\.mbp-10\.dbn\.zst$/);
    assert.match(res.files.trades, /glbx-mdp3-20260304\.trades\.dbn\.zst$/);
    assert.match(res.files.definition, /glbx-mdp3-20260304\.definition\.dbn\.zst$/);
    assert.match(res.files.mbo ?? '', /glbx-mdp3-20260304\.mbo\.dbn\.zst$/);
    assert.equal(res.truth.instruments[0].symbol, '6EH6');
    assert.ok(res.counts.events > 10_000, `events ${res.counts.events}`);
  });

  it('replays its MBO stream through L3Book into its own book at every F_LAST', async () => {
    const l3 = new L3Book();
    let checked = 0;
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      const c = batch.cursor;
      for (let i = 0; i < batch.count; i++) {
        batch.at(i);
        l3.applyMbo(c);
        if ((c.flags & Flags.LAST) === 0) continue;
        const want = engineStates.get(c.sequence);
        assert.ok(want, `event ${c.sequence} was inspected`);
        assert.equal(bookTop(l3), want.top, `top ten at sequence ${c.sequence}`);
        assert.equal(l3.orderCount, want.orders);
        assert.equal(l3.bidLevels, want.bidLevels);
        assert.equal(l3.askLevels, want.askLevels);
        checked++;
      }
    }
    assert.equal(l3.anomalies, 0);
    assert.equal(checked, engineStates.size);
  });

  it('publishes MBP-10 equal to the MBO-derived top ten, never crossed', async () => {
    // Top ten of the L3 replay after each F_LAST, by sequence.
    const l3 = new L3Book();
    const fromMbo = new Map<number, string>();
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        l3.applyMbo(c);
        if (c.flags & Flags.LAST) fromMbo.set(c.sequence, bookTop(l3));
      }
    }
    const l2 = new L2Book();
    let compared = 0;
    for await (const batch of DbnDecoder.fromFile(res.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        assert.equal(c.rtype, RType.MBP_10);
        l2.applyMbp(c);
        assert.ok(!l2.crossed, `crossed at sequence ${c.sequence}`);
        if ((c.flags & Flags.LAST) === 0) continue;
        assert.equal(bookTop(l2), fromMbo.get(c.sequence), `MBP-10 vs MBO at sequence ${c.sequence}`);
        compared++;
      }
    }
    assert.ok(compared > 1000, `compared ${compared}`);
  });

  it('trades at the touch with the aggressor side, in MBO and in the trades file alike', async () => {
    const l3 = new L3Book();
    const mboTrades: string[] = [];
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (c.action === Action.TRADE) {
          // Each T comes before the cancel that removes the filled quantity: the book still shows it.
          if (c.side === Side.BID) assert.equal(c.price, l3.bestAskPx);
          else {
            assert.equal(c.side, Side.ASK);
            assert.equal(c.price, l3.bestBidPx);
          }
          mboTrades.push(`${c.sequence}:${c.price}:${c.size}:${c.side}`);
        }
        l3.applyMbo(c);
      }
    }
    const trades: string[] = [];
    let lastRecv = 0n;
    for await (const batch of DbnDecoder.fromFile(res.files.trades)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        assert.equal(c.rtype, RType.MBP_0);
        const recv = c.tsRecv;
        assert.ok(recv >= c.tsEvent && recv >= lastRecv);
        lastRecv = recv;
        trades.push(`${c.sequence}:${c.price}:${c.size}:${c.side}`);
      }
    }
    assert.ok(trades.length > 100);
    assert.deepEqual(trades, mboTrades);
  });

  it('stamps ts_recv >= ts_event, both non-decreasing, and sequences increasing by event', async () => {
    let lastSeq = 0;
    let lastRecv = 0n;
    let lastEvent = 0n;
    let lastWasLast = true;
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        const ev = c.tsEvent;
        const recv = c.tsRecv;
        assert.ok(recv >= ev);
        assert.ok(recv >= lastRecv && ev >= lastEvent);
        if (lastWasLast) assert.ok(c.sequence > lastSeq);
        else assert.equal(c.sequence, lastSeq);
        lastSeq = c.sequence;
        lastRecv = recv;
        lastEvent = ev;
        lastWasLast = (c.flags & Flags.LAST) !== 0;
      }
    }
    assert.ok(lastWasLast, 'the stream ends on F_LAST');
  });

  it('clusters resting size on round 00/50 and 10-pip levels', async (t) => {
    // 6E: a 00/50 level every 100 ticks (0.0050), a 10-pip level every 20 ticks (0.0010).
    const sum = [0, 0, 0];
    const n = [0, 0, 0];
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (c.action !== Action.ADD || c.flags & Flags.SNAPSHOT) continue;
        const tick = c.price / TICK_RAW;
        const k = tick % 100 === 0 ? 0 : tick % 20 === 0 ? 1 : 2;
        sum[k] += c.size;
        n[k]++;
      }
    }
    const mean = sum.map((s, k) => s / n[k]);
    t.diagnostic(
      `mean add size: 00/50 ${mean[0].toFixed(1)} (${n[0]}), 10-pip ${mean[1].toFixed(1)} (${n[1]}), other ${mean[2].toFixed(1)}`,
    );
    assert.ok(n[0] >= 20 && n[1] >= 10, `adds on round levels: ${n[0]}, ${n[1]}`);
    assert.ok(mean[0] > 2 * mean[2]);
    assert.ok(mean[1] > 1.5 * mean[2]);
  });

  it('writes the definition of the real contract spec', async () => {
    for await (const batch of DbnDecoder.fromFile(res.files.definition)) {
      assert.equal(batch.count, 1);
      const rec = batch.toObject(0);
      assert.equal(rec.raw_symbol, '6EH6');
      assert.equal(rec.min_price_increment, 50_000n);
      assert.equal(rec.unit_of_measure_qty, 125_000n * 1_000_000_000n);
      assert.equal(rec.hd.instrument_id, frontContract('6E', DATE).instrumentId);
    }
  });

  it('writes the truth file in the documented shape, equal to what the run used', () => {
    const truth = JSON.parse(readFileSync(res.files.truth, 'utf8'));
    assert.deepEqual(Object.keys(truth), ['version', 'seed', 'params', 'instruments', 'minutes', 'episodes']);
    assert.equal(truth.version, 1);
    assert.equal(truth.seed, 11);
    assert.deepEqual(truth.instruments, [
      { symbol: '6EH6', instrument_id: res.truth.instruments[0].instrument_id, tick: 0.00005 },
    ]);
    assert.equal(truth.minutes.length, 15);
    assert.deepEqual(Object.keys(truth.minutes[0]), ['ts', 'regime', 'informed_share', 'session']);
    assert.equal(truth.minutes[0].ts, '2026-03-04T13:00:00Z');
    for (const m of truth.minutes) {
      assert.ok(['low', 'medium', 'high'].includes(m.regime));
      assert.ok(m.informed_share >= 0 && m.informed_share <= 1);
      assert.equal(m.session, 'overlap');
    }
    for (const e of truth.episodes) {
      assert.deepEqual(Object.keys(e), ['start', 'end', 'symbol', 'direction', 'intensity']);
      assert.match(e.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    }
    assert.deepEqual(truth, JSON.parse(JSON.stringify(res.truth)));
  });
});

describe('simulator options', () => {
  it('rejects unknown instruments and dates that are not trading dates', async () => {
    const out = tmp();
    await assert.rejects(simulateDay({ date: DATE, seed: 1, out, instruments: ['6X'] }), {
      name: 'SimConfigError',
      code: 'SIM_CONFIG',
    });
    await assert.rejects(simulateDay({ date: '2026-03-07', seed: 1, out }), /not a trading date/);
    // Christmas Day 2026, a Friday: a CME holiday.
    await assert.rejects(simulateDay({ date: '2026-12-25', seed: 1, out }), /not a trading date/);
    await assert.rejects(simulateDay({ date: '2026-02-30', seed: 1, out }), /not a valid/);
  });
});

describe('simulator determinism', () => {
  const window = { startMs: T13, endMs: T13 + 3 * 60_000 };
  it('writes byte-identical files for the same seed and different ones for another', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    const ra = await simulateDay({ date: DATE, seed: 5, out: a, mbo: true, window });
    const rb = await simulateDay({ date: DATE, seed: 5, out: b, mbo: true, window });
    const rc = await simulateDay({ date: DATE, seed: 6, out: c, mbo: true, window });
    for (const k of ['mbp10', 'trades', 'definition', 'mbo', 'truth'] as const) {
      assert.deepEqual(readFileSync(ra.files[k]!), readFileSync(rb.files[k]!), k);
    }
    assert.notDeepEqual(readFileSync(ra.files.mbp10), readFileSync(rc.files.mbp10));
    // MBP-10 and trades do not depend on whether MBO is also written.
    const rd = await simulateDay({ date: DATE, seed: 5, out: tmp(), window });
    assert.deepEqual(readFileSync(rd.files.mbp10), readFileSync(ra.files.mbp10));
    assert.deepEqual(readFileSync(rd.files.trades), readFileSync(ra.files.trades));
  });
});

describe('simulator calendar and regimes', () => {
  it('publishes nothing in the CME daily break and resumes after it', async () => {
    // 21:30–23:30 UTC on 4 March 2026 (CST): the break is 22:00–23:00 UTC.
    const start = Date.parse('2026-03-04T21:30:00Z');
    const res = await simulateDay({
      date: DATE,
      seed: 3,
      out: tmp(),
      window: { startMs: start, endMs: start + 2 * 3_600_000 },
    });
    const breakStart = BigInt(Date.parse('2026-03-04T22:00:00Z')) * 1_000_000n;
    const breakEnd = BigInt(Date.parse('2026-03-04T23:00:00Z')) * 1_000_000n;
    let beforeN = 0;
    let afterN = 0;
    for await (const batch of DbnDecoder.fromFile(res.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const ts = batch.at(i).tsEvent;
        assert.ok(ts < breakStart || ts >= breakEnd, `record at ${ts} inside the break`);
        if (ts < breakStart) beforeN++;
        else afterN++;
      }
    }
    assert.ok(beforeN > 0 && afterN > 0);
    assert.equal(res.truth.minutes.length, 60);
    assert.ok(res.truth.minutes.every((m) => !m.ts.startsWith('2026-03-04T22:')));
  });

  it('places liquidity walls and pulls them when they expire', async () => {
    const start = T13;
    const res = await simulateDay({
      date: DATE,
      seed: 8,
      out: tmp(),
      mbo: true,
      window: { startMs: start, endMs: start + 20 * 60_000 },
      // Far more walls than the default 0.02 a minute, living two minutes on average.
      params: { wallRate: 0.5, wallMeanLifeMin: 2 },
    });
    const walls = new Map<number, number>();
    let pulled = 0;
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (c.action === Action.ADD && c.size >= 150) walls.set(c.orderId, c.size);
        else if (c.action === Action.CANCEL && walls.get(c.orderId) === c.size) pulled++;
      }
    }
    assert.ok(walls.size >= 5, `walls ${walls.size}`);
    assert.ok(pulled >= 1, `pulled ${pulled}`);
  });

  it('records the regimes it ran (a chain that stays put stays in its regime)', async () => {
    const stay: [[number, number, number], [number, number, number], [number, number, number]] = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const window = { startMs: T13, endMs: T13 + 5 * 60_000 };
    const hi = await simulateDay({
      date: DATE,
      seed: 2,
      out: tmp(),
      window,
      params: { regimeTransition: stay, initialRegime: 2 },
    });
    const lo = await simulateDay({
      date: DATE,
      seed: 2,
      out: tmp(),
      window,
      params: { regimeTransition: stay, initialRegime: 0 },
    });
    assert.ok(hi.truth.minutes.every((m) => m.regime === 'high'));
    assert.ok(lo.truth.minutes.every((m) => m.regime === 'low'));
    // The high regime scales event rates by 1.8 and the low one by 0.6 (params.ts).
    assert.ok(hi.counts.events > 2 * lo.counts.events, `${hi.counts.events} vs ${lo.counts.events}`);
  });

  it('moves the price in the direction of its recorded toxic episodes on average', async (t) => {
    const start = T13;
    const res = await simulateDay({
      date: DATE,
      seed: 21,
      out: tmp(),
      window: { startMs: start, endMs: start + 90 * 60_000 },
      // More and shorter episodes than the defaults, so that 90 minutes hold about ten of them.
      params: { episodeRate: [0.3, 0.3, 0.3], episodeMinMin: 2, episodeMeanExtraMin: 3 },
    });
    // Mid after each F_LAST, from MBP-10.
    const times: bigint[] = [];
    const mids: number[] = [];
    const l2 = new L2Book();
    for await (const batch of DbnDecoder.fromFile(res.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        l2.applyMbp(c);
        if (c.flags & Flags.LAST && !Number.isNaN(l2.mid)) {
          times.push(c.tsEvent);
          mids.push(l2.mid);
        }
      }
    }
    const midAt = (ns: bigint): number => {
      let lo = 0;
      let hi = times.length - 1;
      while (lo < hi) {
        const m = (lo + hi + 1) >> 1;
        if (times[m] <= ns) lo = m;
        else hi = m - 1;
      }
      return mids[lo];
    };
    const toNs = (iso: string) =>
      BigInt(Date.parse(iso.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(iso.slice(20, 29));
    const endNs = BigInt(start + 90 * 60_000) * 1_000_000n;
    const moves = res.truth.episodes.map((e) => {
      const s = toNs(e.start);
      const en = toNs(e.end) < endNs ? toNs(e.end) : endNs;
      return ((midAt(en) - midAt(s)) / TICK_RAW) * (e.direction === 'buy' ? 1 : -1);
    });
    assert.ok(moves.length >= 8, `episodes ${moves.length}`);
    const mean = moves.reduce((a, b) => a + b, 0) / moves.length;
    t.diagnostic(`mean signed mid move ${mean.toFixed(2)} ticks over ${moves.length} episodes`);
    assert.ok(mean > 0, `mean signed move ${mean} ticks over ${moves.length} episodes`);
  });
});

describe('simulator with several instruments and days', () => {
  it('interleaves 6E, 6B and 6J in one file per schema, each book consistent with its MBO', async () => {
    const res = await simulateDay({
      date: DATE,
      instruments: ['6E', '6B', '6J'],
      seed: 4,
      out: tmp(),
      mbo: true,
      window: { startMs: T13, endMs: T13 + 5 * 60_000 },
    });
    assert.deepEqual(
      res.truth.instruments.map((i) => [i.symbol, i.tick]),
      [
        ['6EH6', 0.00005],
        ['6BH6', 0.0001],
        ['6JH6', 0.0000005],
      ],
    );
    const books = new Map<number, L3Book>();
    const fromMbo = new Map<number, string>();
    for await (const batch of DbnDecoder.fromFile(res.files.mbo!)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        let b = books.get(c.instrumentId);
        if (!b) {
          b = new L3Book();
          books.set(c.instrumentId, b);
        }
        b.applyMbo(c);
        if (c.flags & Flags.LAST) fromMbo.set(c.sequence, bookTop(b));
      }
    }
    assert.equal(books.size, 3);
    const l2s = new Map<number, L2Book>();
    const perInstrument = new Map<number, number>();
    let lastRecv = 0n;
    for await (const batch of DbnDecoder.fromFile(res.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        let b = l2s.get(c.instrumentId);
        if (!b) {
          b = new L2Book();
          l2s.set(c.instrumentId, b);
        }
        b.applyMbp(c);
        assert.ok(c.tsRecv >= lastRecv, 'ts_recv orders the merged file');
        lastRecv = c.tsRecv;
        perInstrument.set(c.instrumentId, (perInstrument.get(c.instrumentId) ?? 0) + 1);
        if (c.flags & Flags.LAST) assert.equal(bookTop(b), fromMbo.get(c.sequence));
      }
    }
    for (const n of perInstrument.values()) assert.ok(n > 1000);
    const defs: string[] = [];
    for await (const batch of DbnDecoder.fromFile(res.files.definition))
      for (let i = 0; i < batch.count; i++) defs.push(String(batch.toObject(i).raw_symbol));
    assert.deepEqual(defs, ['6EH6', '6BH6', '6JH6']);
  });

  it('simulates consecutive trading days over a weekend, chaining prices and sequences', async () => {
    const out = tmp();
    let progress = 0;
    // A very low event rate keeps two whole days fast; the calendar and chaining are what is tested.
    const days = await simulate({
      days: 2,
      start: '2026-03-06',
      seed: 9,
      out,
      params: { baseEventRate: 0.2 },
      onProgress: () => progress++,
    });
    assert.deepEqual(
      days.map((d) => d.date),
      ['2026-03-06', '2026-03-09'],
    );
    assert.deepEqual(readdirSync(out).sort(), [
      'glbx-mdp3-20260306.definition.dbn.zst',
      'glbx-mdp3-20260306.mbp-10.dbn.zst',
      'glbx-mdp3-20260306.trades.dbn.zst',
      'glbx-mdp3-20260309.definition.dbn.zst',
      'glbx-mdp3-20260309.mbp-10.dbn.zst',
      'glbx-mdp3-20260309.trades.dbn.zst',
      'ig-fx-20260306.mbp-1.dbn.zst',
      'ig-fx-20260306.ohlcv-1m.dbn.zst',
      'ig-fx-20260306.prices.json',
      'ig-fx-20260309.mbp-1.dbn.zst',
      'ig-fx-20260309.ohlcv-1m.dbn.zst',
      'ig-fx-20260309.prices.json',
      'truth-20260306.json',
      'truth-20260309.json',
    ]);
    // Friday 6 March: 23:00 UTC Thursday to 22:00 UTC; Monday 9 March (after the US change): 22:00 UTC Sunday to 21:00 UTC.
    assert.equal(days[0].truth.minutes.length, 1380);
    assert.equal(days[0].truth.minutes[0].ts, '2026-03-05T23:00:00Z');
    assert.equal(days[1].truth.minutes[0].ts, '2026-03-08T22:00:00Z');
    assert.equal(days[1].truth.minutes.at(-1)?.ts, '2026-03-09T20:59:00Z');
    assert.equal(progress, 2 * 1380);
    let firstSeq = -1;
    for await (const batch of DbnDecoder.fromFile(days[1].files.mbp10)) {
      firstSeq = batch.at(0).sequence;
      break;
    }
    assert.ok(firstSeq >= days[0].nextSequence);
    assert.equal(days[1].truth.params.date, '2026-03-09');
  });

  it('skips Thanksgiving 2026 and ends the Friday after at its 12:15 CT halt', async () => {
    const out = tmp();
    const days = await simulate({
      days: 2,
      start: '2026-11-25',
      seed: 11,
      out,
      instruments: ['6E'],
      spot: false,
      params: { baseEventRate: 0.2 },
    });
    // Thursday 26 November is no trading date: Wednesday 25, then Friday 27.
    assert.deepEqual(
      days.map((d) => d.date),
      ['2026-11-25', '2026-11-27'],
    );
    const ts = days[1].truth.minutes.map((m) => m.ts);
    // Trade date 27 Nov (CST, UTC−6): Wednesday 17:00 = 23:00 UTC to Thanksgiving's 12:00 halt =
    // 18:00 UTC (19 h, 1,140 minutes), then Thursday 17:00 = 23:00 UTC to Friday 12:15 = 18:15 UTC
    // (19 h 15 min, 1,155 minutes).
    assert.equal(ts.length, 1140 + 1155);
    assert.equal(ts[0], '2026-11-25T23:00:00Z');
    assert.equal(ts[1139], '2026-11-26T17:59:00Z');
    assert.equal(ts[1140], '2026-11-26T23:00:00Z');
    assert.equal(ts.at(-1), '2026-11-27T18:14:00Z');
    let last = 0n;
    for await (const batch of DbnDecoder.fromFile(days[1].files.mbp10))
      for (let i = 0; i < batch.count; i++) last = batch.at(i).tsEvent;
    assert.ok(last < BigInt(Date.parse('2026-11-27T18:15:00Z')) * 1_000_000n, `last record ${last}`);
  });
});
