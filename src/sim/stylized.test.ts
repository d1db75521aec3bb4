/**
 * Stylized facts (issue 4, "Realism that tests must hold"; MICROSTRUCTURE.md §16) measured on two
 * whole simulated 6E trading days, read back the way a user of the files would: MBP-10 and
 * trades through the project's DBN decoder, labels from `truth-YYYYMMDD.json`. The days are
 * generated once per run, lazily, into one temporary folder shared by every test here and
 * removed at the end (CONVENTIONS.md, "Tests within the CI budget"). Production parameters,
 * fixed seed; every measured figure is printed with `t.diagnostic`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import {
  autocorrelation,
  diff,
  excessKurtosis,
  MidResampler,
  OfiAccumulator,
  ols,
} from '../../test/stats.js';
import { CentreBit, openCentres, parseTimestamp, tradingDayBounds } from '../core/index.js';
import { DbnDecoder } from '../data/dbn/index.js';
import { simulate, type TruthFile } from './index.js';

/** Two consecutive trading days (Wednesday and Thursday, before the US DST change of 8 March). */
const START = '2026-03-04';
const DAYS = 2;
const SEED = 20260304;
const SEC_MS = 1000;
const OFI_STEP_S = 10;

/** What the tests need from one day, measured in one pass over its files. */
interface Day {
  date: string;
  truth: TruthFile;
  startMs: number;
  tickRaw: number;
  /** Mid and spread (raw units) on a 1-second grid from the day's start to its end inclusive. */
  mid: MidResampler;
  /** Best-level OFI (contracts) per 10-second interval. */
  ofi: Float64Array;
  /** Per truth minute: MBP-10 records (book events), trades and traded contracts. */
  events: Float64Array;
  trades: Float64Array;
  volume: Float64Array;
  /** Toxic episodes of the instrument, [start, end) in ms. */
  episodes: [number, number][];
}

let dir: string | null = null;
let measured: Promise<Day[]> | null = null;
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The simulated days, generated and measured on first use. */
function days(): Promise<Day[]> {
  measured ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), 'stylized-'));
    const results = await simulate({ days: DAYS, start: START, seed: SEED, out: dir, instruments: ['6E'] });
    const out: Day[] = [];
    for (const r of results) out.push(await measureDay(r.date, r.files.mbp10, r.files.trades, r.files.truth));
    return out;
  })();
  return measured;
}

async function measureDay(date: string, mbp10: string, tradesFile: string, truthFile: string): Promise<Day> {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as TruthFile;
  const inst = truth.instruments.find((i) => i.symbol.startsWith('6E'));
  assert.ok(inst, 'truth lists the 6E contract');
  const tickRaw = Math.round(inst.tick * 1e9);
  const { startMs, endMs } = tradingDayBounds(date);
  const nSec = Math.round((endMs - startMs) / SEC_MS);
  const minutes = truth.minutes.length;
  assert.equal(minutes * 60, nSec, 'one truth minute per minute of the trading day');
  assert.equal(Date.parse(truth.minutes[0].ts), startMs);
  const mid = new MidResampler({ startMs, stepMs: SEC_MS, count: nSec + 1 });
  const ofi = new OfiAccumulator({ startMs, stepMs: OFI_STEP_S * SEC_MS, count: nSec / OFI_STEP_S });
  const events = new Float64Array(minutes);
  const trades = new Float64Array(minutes);
  const volume = new Float64Array(minutes);
  for await (const batch of DbnDecoder.fromFile(mbp10)) {
    for (let i = 0; i < batch.count; i++) {
      const r = batch.at(i);
      if (r.instrumentId !== inst.instrument_id) continue;
      const ts = r.tsRecvMs;
      mid.update(ts, r);
      ofi.update(ts, r);
      const m = Math.floor((ts - startMs) / 60_000);
      if (m >= 0 && m < minutes) events[m]++;
    }
  }
  mid.finish();
  for await (const batch of DbnDecoder.fromFile(tradesFile)) {
    for (let i = 0; i < batch.count; i++) {
      const r = batch.at(i);
      if (r.instrumentId !== inst.instrument_id) continue;
      const m = Math.floor((r.tsRecvMs - startMs) / 60_000);
      if (m < 0 || m >= minutes) continue;
      trades[m]++;
      volume[m] += r.size;
    }
  }
  const episodes = truth.episodes
    .filter((e) => e.symbol === inst.symbol)
    .map((e): [number, number] => [
      Number(parseTimestamp(e.start)) / 1e6,
      Number(parseTimestamp(e.end)) / 1e6,
    ]);
  return { date, truth, startMs, tickRaw, mid, ofi: ofi.ofi, events, trades, volume, episodes };
}

/** Log returns of the 1-second mid sampled every `stepS` seconds, from the first defined mid. */
function returns(d: Day, stepS: number): number[] {
  const m = d.mid.mid;
  const first = m.findIndex(Number.isFinite);
  const from = Math.ceil(first / stepS) * stepS;
  const sampled: number[] = [];
  for (let i = from; i < m.length; i += stepS) sampled.push(m[i]);
  const r = Array.from(diff(sampled, true));
  assert.ok(r.every(Number.isFinite), 'the mid is defined from its first value on');
  return r;
}

const fmt = (x: number, digits = 4) => x.toFixed(digits);

describe('stylized facts on two simulated 6E days', { timeout: 300_000 }, () => {
  it('1. mid returns at 1 s and 1 min have excess kurtosis above 3', async (t: TestContext) => {
    const ds = await days();
    const r1s = ds.flatMap((d) => returns(d, 1));
    const r1m = ds.flatMap((d) => returns(d, 60));
    const k1s = excessKurtosis(r1s);
    const k1m = excessKurtosis(r1m);
    t.diagnostic(
      `excess kurtosis: 1 s ${fmt(k1s, 1)} (n=${r1s.length}), 1 min ${fmt(k1m, 2)} (n=${r1m.length})`,
    );
    assert.ok(k1s > 3, `1 s excess kurtosis ${k1s}`);
    assert.ok(k1m > 3, `1 min excess kurtosis ${k1m}`);
  });

  it('2. |1-min returns| stay positively autocorrelated out to 30 minutes', async (t: TestContext) => {
    // The ACF of |r| with mean and variance pooled over the days and lag pairs taken within a
    // day (n returns). Asserted: (a) every lag 1..30 is positive, and (b) the mean over lags
    // 21..30 exceeds 2/sqrt(n). Under i.i.d. returns each lag is about N(0, 1/n) (Bartlett), so
    // 2/sqrt(n) is the 95% band of a single lag and a conservative one for a 10-lag mean, whose
    // noise is smaller; (b) says the dependence at 20–30 minutes is not sampling noise, (a) that
    // it does not change sign on the way. Requiring every single lag above 2/sqrt(n) held here
    // (see the diagnostic) but only just on one of four other seeds tried, so it is printed,
    // not asserted.
    const ds = await days();
    const abs = ds.map((d) => returns(d, 60).map(Math.abs));
    const n = abs.reduce((s, a) => s + a.length, 0);
    const acf = autocorrelation(abs, 30);
    const band = 2 / Math.sqrt(n);
    const lags = acf.slice(1);
    const min = Math.min(...lags);
    const tail = acf.slice(21, 31).reduce((s, x) => s + x, 0) / 10;
    t.diagnostic(
      `ACF of |r_1m| (n=${n}): lag 1 ${fmt(acf[1], 3)}, lag 10 ${fmt(acf[10], 3)}, lag 30 ${fmt(acf[30], 3)}; ` +
        `min over 1..30 ${fmt(min, 3)}, mean over 21..30 ${fmt(tail, 3)}, noise band 2/sqrt(n) ${fmt(band, 3)}`,
    );
    t.diagnostic(`every lag 1..30 above 2/sqrt(n): ${lags.every((x) => x > band)}`);
    for (let k = 1; k <= 30; k++) assert.ok(acf[k] > 0, `ACF at lag ${k} is ${acf[k]}`);
    assert.ok(tail > band, `mean ACF over lags 21..30 is ${tail}, noise bound ${band}`);
  });

  it('3. the spread sits at one tick most of the time and widens when volatile or toxic', async (t: TestContext) => {
    // Time-weighted: the spread as of each second of the days, grouped by the truth labels of
    // that second (regime of its minute; inside or outside a toxic episode of the instrument).
    const ds = await days();
    type Acc = { oneTick: number; n: number; ticks: number };
    const groups: Record<string, Acc> = {};
    const add = (k: string, one: boolean, ticks: number) => {
      groups[k] ??= { oneTick: 0, n: 0, ticks: 0 };
      const g = groups[k];
      g.n++;
      g.ticks += ticks;
      if (one) g.oneTick++;
    };
    for (const d of ds) {
      const s = d.mid.spread;
      for (let i = 0; i < s.length - 1; i++) {
        if (!Number.isFinite(s[i])) continue;
        const ticks = Math.round(s[i] / d.tickRaw);
        const ms = d.startMs + i * SEC_MS;
        const one = ticks === 1;
        add('all', one, ticks);
        add(d.truth.minutes[Math.floor(i / 60)].regime, one, ticks);
        add(d.episodes.some(([a, b]) => ms >= a && ms < b) ? 'toxic' : 'calm', one, ticks);
      }
    }
    const share = (k: string) => groups[k].oneTick / groups[k].n;
    const meanTicks = (k: string) => groups[k].ticks / groups[k].n;
    for (const k of ['all', 'low', 'medium', 'high', 'toxic', 'calm'])
      t.diagnostic(
        `spread ${k}: one-tick share ${fmt(share(k))}, mean ${fmt(meanTicks(k))} ticks (${groups[k].n} s)`,
      );
    assert.ok(share('all') > 0.5, 'one tick most of the time');
    assert.ok(share('high') < share('low'), 'fewer one-tick seconds in the high regime than the low');
    assert.ok(meanTicks('high') > meanTicks('low'), 'wider mean spread in the high regime than the low');
    assert.ok(share('toxic') < share('calm'), 'fewer one-tick seconds inside toxic episodes');
    assert.ok(meanTicks('toxic') > meanTicks('calm'), 'wider mean spread inside toxic episodes');
  });

  it('4. 10-second mid changes regress on best-level OFI with slope > 0 and 0.3 < R² < 0.9', async (t: TestContext) => {
    // ΔM_k (ticks) = α + β·OFI_k (contracts) over every 10-second interval of the days (pooled),
    // and, as Cont, Kukanov & Stoikov did, one regression per half hour with the mean R².
    const ds = await days();
    const x: number[] = [];
    const y: number[] = [];
    const halfHourR2: number[] = [];
    for (const d of ds) {
      const m = d.mid.mid;
      const hx: number[] = [];
      const hy: number[] = [];
      for (let k = 0; k < d.ofi.length; k++) {
        const dm = (m[(k + 1) * OFI_STEP_S] - m[k * OFI_STEP_S]) / d.tickRaw;
        x.push(d.ofi[k]);
        y.push(dm);
        hx.push(d.ofi[k]);
        hy.push(dm);
        if (hx.length === 1800 / OFI_STEP_S) {
          const f = ols(hx, hy);
          if (Number.isFinite(f.r2)) halfHourR2.push(f.r2);
          hx.length = 0;
          hy.length = 0;
        }
      }
    }
    const fit = ols(x, y);
    const meanR2 = halfHourR2.reduce((s, v) => s + v, 0) / halfHourR2.length;
    t.diagnostic(
      `OFI regression, pooled: slope ${fit.slope.toExponential(3)} ticks/contract, intercept ${fmt(fit.intercept)}, ` +
        `R² ${fmt(fit.r2, 3)} (n=${fit.n}); per half hour: mean R² ${fmt(meanR2, 3)}, ` +
        `range ${fmt(Math.min(...halfHourR2), 3)}..${fmt(Math.max(...halfHourR2), 3)} (${halfHourR2.length} regressions)`,
    );
    assert.ok(fit.slope > 0, `slope ${fit.slope}`);
    assert.ok(fit.r2 > 0.3 && fit.r2 < 0.9, `pooled R² ${fit.r2}`);
    assert.ok(meanR2 > 0.3 && meanR2 < 0.9, `mean half-hour R² ${meanR2}`);
  });

  describe('5. volume and event rates follow the FX session profile', () => {
    // Minutes grouped by the truth file's session label, with the Asian hours split by the
    // project's FX calendar (core/calendar.ts): "late Asian" = Tokyo open with Sydney closed
    // and London not yet open (05:00–08:00 UTC on these dates); "Tokyo + Sydney" = the rest of
    // the `tokyo` label; `sydney` = Sydney the only centre open (the day's first hour here).
    type Rates = { minutes: number; events: number; trades: number; volume: number };
    async function bySession(): Promise<Map<string, Rates>> {
      const ds = await days();
      const g = new Map<string, Rates>();
      for (const d of ds) {
        d.truth.minutes.forEach((tm, i) => {
          const mask = openCentres(Date.parse(tm.ts));
          let name: string = tm.session;
          if (name === 'tokyo') name = mask === CentreBit.tokyo ? 'late Asian' : 'Tokyo + Sydney';
          const r = g.get(name) ?? { minutes: 0, events: 0, trades: 0, volume: 0 };
          r.minutes++;
          r.events += d.events[i];
          r.trades += d.trades[i];
          r.volume += d.volume[i];
          g.set(name, r);
        });
      }
      return g;
    }
    const perMin = (r: Rates, k: 'events' | 'trades' | 'volume') => r[k] / r.minutes;
    function report(t: TestContext, g: Map<string, Rates>): void {
      for (const [name, r] of g)
        t.diagnostic(
          `${name}: ${fmt(perMin(r, 'events'), 1)} book events/min, ${fmt(perMin(r, 'trades'), 1)} trades/min, ` +
            `${fmt(perMin(r, 'volume'), 1)} contracts/min (${r.minutes} min)`,
        );
    }

    it('the London–New York overlap is the busiest session', async (t: TestContext) => {
      const g = await bySession();
      report(t, g);
      const overlap = g.get('overlap');
      assert.ok(overlap, 'the days contain overlap minutes');
      for (const [name, r] of g) {
        if (name === 'overlap') continue;
        for (const k of ['events', 'trades', 'volume'] as const)
          assert.ok(perMin(overlap, k) > perMin(r, k), `overlap ${k}/min not above ${name}`);
      }
    });

    it('the late Asian session is the quietest', async () => {
      // Figures: the diagnostics of the test above.
      const g = await bySession();
      const late = g.get('late Asian');
      assert.ok(late, 'the days contain late Asian minutes');
      for (const [name, r] of g) {
        if (name === 'late Asian') continue;
        for (const k of ['events', 'trades', 'volume'] as const)
          assert.ok(perMin(late, k) < perMin(r, k), `late Asian ${k}/min not below ${name}`);
      }
    });
  });
});
