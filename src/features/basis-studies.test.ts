/**
 * `BasisStudies` on simulated data, against what the simulator builds into its spot quotes
 * (sim/spot.ts): each quote reads the future's top of book a lag earlier (`lagMinMs` +
 * exponential(`lagMeanMs`), 100 + 200 ms by default) and is received `recvLatencyMinMs` +
 * exponential(`recvLatencyMeanMs`) later (5 + 15 ms), at candidate times arriving at `tickRate`
 * (2.5 a second) times the futures' activity; the spot sits at the carry of covered interest parity,
 * spot = forward · exp(−(r_quote − r_base)·τ), plus a slow deviation (0.1 pip) and quote noise
 * (0.15 pip).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { replay } from '../data/index.js';
import {
  CCY_RATES,
  DEFAULT_SPOT_PARAMS,
  frontContract,
  type SimDayResult,
  SPOT_SPECS,
} from '../sim/index.js';
import { type BasisPair, BasisStudies, type BasisStudySummary } from './index.js';

const DATE = '2026-03-04';
const YEAR_MS = 365.25 * 86_400_000;

/** Replays a simulated span's futures MBP-10 and spot MBP-1 files into `BasisStudies`. */
async function study(day: SimDayResult): Promise<BasisStudies> {
  const s = new BasisStudies();
  await replay([day.files.mbp10, day.files.spotMbp1 as string], s, {
    everyNs: 60_000_000_000n,
    onGrid: () => {},
  });
  return s;
}

/** ρ(ℓ) of a summary at `lagMs`. */
function rho(s: BasisStudySummary, lagMs: number): number {
  const c = s.crossCorrelation.find((x) => x.lagMs === lagMs);
  assert.ok(c, `lag ${lagMs} ms`);
  return c.correlation;
}

/**
 * The basis the simulator builds in, F − S (F − 1/S for 6J), in the future's price at `ms`: with
 * c = r_quote − r_base of the pair, the spot mid is the future's (in the pair's quote) times
 * exp(−c·τ), so F − S = F·(1 − exp(−c·τ)) and, for 6J, F − 1/S = F·(1 − exp(c·τ)).
 */
function carryBasis(product: string, futurePrice: number, ms: number): number {
  const spec = SPOT_SPECS[product];
  const tau = (Number(frontContract(product, DATE).expirationNs / 1_000_000n) - ms) / YEAR_MS;
  const c = CCY_RATES[spec.quote] - CCY_RATES[spec.base];
  return futurePrice * (1 - Math.exp((spec.invert ? 1 : -1) * c * tau));
}

/** One pip of the spot pair in the future's price units (for 6J, d(1/S) = dS·F²). */
function pipInFuture(product: string, futurePrice: number): number {
  const spec = SPOT_SPECS[product];
  return spec.invert ? spec.pip * futurePrice * futurePrice : spec.pip;
}

describe('BasisStudies on an hour of simulated 6E and 6J with spot (13:00–14:00 UTC, the overlap)', () => {
  const span = simulatedSpan({
    date: DATE,
    instruments: ['6E', '6J'],
    seed: 21,
    from: `${DATE}T13:00:00Z`,
    minutes: 60,
    prefix: 'basis-studies-',
  });
  let pairs: readonly BasisPair[];
  before(async () => {
    pairs = (await study(span.day)).pairs;
  });

  it('pairs 6E with EUR/USD and 6J with USD/JPY, inverted', () => {
    assert.deepEqual(
      pairs.map((p) => [p.future, p.spot, p.invert]),
      [
        ['6EH6', 'EUR/USD', false],
        ['6JH6', 'USD/JPY', true],
      ],
    );
  });

  it('counts a return at every horizon boundary of the hour but the first, with no gap', () => {
    // Both mids are known within the first 100 ms; the last cell (ending at 14:00) is not closed
    // by any record. Boundaries of the samples: 13:00:01 … 13:59:59 (3599), every 10 s to
    // 13:59:50 (359), every minute to 13:59 (59), every 5 minutes to 13:55 (11): one return less.
    for (const p of pairs) {
      const s = p.study.summary();
      assert.equal(s.breaks, 0, p.future);
      assert.deepEqual(
        s.horizons.map((h) => [h.horizonMs, h.returns]),
        [
          [1000, 3598],
          [10_000, 358],
          [60_000, 58],
          [300_000, 10],
        ],
        p.future,
      );
    }
  });

  it('correlates above 0.9 at 1 and 5 minutes, more at each longer horizon', (t) => {
    for (const p of pairs) {
      const h = p.study.summary().horizons.map((x) => x.correlation);
      t.diagnostic(`${p.future}: ${h.map((x) => x.toFixed(3)).join(', ')} at 1 s, 10 s, 1 min, 5 min`);
      assert.ok(h[2] > 0.9 && h[3] > 0.9, `${p.future} 1 min ${h[2]}, 5 min ${h[3]}`);
      // The spot repeats the future a few hundred ms late: the longer the horizon, the less of each
      // return the lag leaves out.
      assert.ok(h[0] < h[1] && h[1] < h[2], `${p.future} ${h.join(', ')}`);
    }
  });

  it('finds the future leading by the lag the simulator builds in', (t) => {
    // A future move reaches the spot at the next candidate quote at least lagMinMs +
    // recvLatencyMinMs (105 ms) later, on average after lagMinMs + lagMeanMs + recvLatencyMinMs +
    // recvLatencyMeanMs (320 ms) plus the wait for a candidate (1 / tickRate = 400 ms at the
    // futures' base activity). A move early in a 100-ms cell can show 105 ms later in the next
    // one: the cross-correlation peaks between 100 and 700 ms, and the spot never moves first.
    const p = DEFAULT_SPOT_PARAMS;
    const least = p.lagMinMs + p.recvLatencyMinMs;
    const most = p.lagMinMs + p.lagMeanMs + p.recvLatencyMinMs + p.recvLatencyMeanMs + 1000 / p.tickRate;
    for (const pair of pairs) {
      const s = pair.study.summary();
      assert.ok(s.leadLag);
      t.diagnostic(`${pair.future}: best lag ${s.leadLag.lagMs} ms, ρ ${s.leadLag.correlation.toFixed(3)}`);
      assert.ok(
        s.leadLag.lagMs >= Math.floor(least / 100) * 100 && s.leadLag.lagMs <= Math.floor(most / 100) * 100,
        `${pair.future} best lag ${s.leadLag.lagMs} ms`,
      );
      let spotFirst = 0;
      for (const c of s.crossCorrelation)
        if (c.lagMs <= 0) spotFirst = Math.max(spotFirst, Math.abs(c.correlation));
      assert.ok(
        s.leadLag.correlation > 2 * spotFirst,
        `${pair.future} ρ ${s.leadLag.correlation} vs ${spotFirst}`,
      );
      assert.ok(rho(s, s.leadLag.lagMs) > rho(s, -s.leadLag.lagMs));
    }
  });

  it('measures the basis of covered interest parity per session, with the spread of the spot noise', (t) => {
    for (const pair of pairs) {
      const product = pair.future.slice(0, 2);
      const s = pair.study.summary();
      assert.deepEqual(
        s.basis.map((b) => [b.date, b.session, b.samples]),
        [['2026-03-04', 'overlap', s.samples]],
      );
      const F = span.day.closePrices[product] * 1e-9;
      const want = carryBasis(product, F, Date.parse(`${DATE}T13:30:00Z`));
      const pip = pipInFuture(product, F);
      const b = s.basis[0];
      t.diagnostic(
        `${pair.future}: basis ${(b.mean / pip).toFixed(2)} pips (carry ${(want / pip).toFixed(2)}), std ${(b.std / pip).toFixed(3)} pips`,
      );
      // The deviation (0.1 pip) and the quote noise (0.15 pip) average out over the hour.
      assert.ok(Math.abs(b.mean - want) < 0.6 * pip, `${pair.future} basis ${b.mean} vs carry ${want}`);
      // At least the quote noise's spread (the spot's own noise, 0.15 pip, sampled over the hour),
      // and far less than a pip.
      assert.ok(b.std > 0.13 * pip && b.std < pip, `${pair.future} std ${b.std / pip} pips`);
      assert.ok(b.min <= b.mean && b.mean <= b.max);
    }
  });
});

describe('BasisStudies with a fixed spot lag', () => {
  // Each quote reads the future exactly `lag` ms before it and is received at once; 20 candidates a
  // second leave the spot little wait beyond the lag (a mean 50 ms at base activity, less here).
  const params = (lag: number) => ({
    lagMinMs: lag,
    lagMeanMs: 0,
    recvLatencyMinMs: 0,
    recvLatencyMeanMs: 0,
    tickRate: 20,
  });
  const spans = [1000, 2500].map((lag) => ({
    lag,
    span: simulatedSpan({
      date: DATE,
      instruments: ['6E'],
      seed: 5,
      from: `${DATE}T14:00:00Z`,
      minutes: 20,
      prefix: `basis-lag-${lag}-`,
      spotParams: params(lag),
    }),
  }));

  for (const { lag, span } of spans) {
    it(`finds the future leading by exactly ${lag} ms`, async (t) => {
      const [pair] = (await study(span.day)).pairs;
      const s = pair.study.summary();
      assert.ok(s.leadLag);
      t.diagnostic(`best lag ${s.leadLag.lagMs} ms, ρ ${s.leadLag.correlation.toFixed(3)}`);
      assert.equal(s.leadLag.lagMs, lag);
      assert.ok(s.horizons[2].correlation > 0.9, `1 min ${s.horizons[2].correlation}`);
    });
  }
});
