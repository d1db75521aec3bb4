/**
 * The technique contract, run against every technique (src/strategy/techniques/techniques.test.ts):
 * on generated 6E minutes around a big figure — every session of the week, features and sweep alerts
 * of every kind — a technique fires nothing before its warm-up, every setup it fires has its stop
 * and target on the right sides of the entry (the signal bar's close) and a validity after the
 * bar, the same bars give the same setups, `reset()` makes it a new instance, and a bar that fires
 * nothing returns the shared empty array.
 *
 * Bars come from fast-check with a fixed seed (set FC_SEED to explore others).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Bar, OpeningRangeTracker } from '../src/features/index.js';
import { NO_SETUPS } from '../src/strategy/techniques/common.js';
import { createTechniqueContext } from '../src/strategy/techniques/technique-set.js';
import type {
  Setup,
  SweepAlert,
  Technique,
  TechniqueContext,
  TechniqueName,
} from '../src/strategy/techniques/types.js';

/** One implementation under the contract. */
export interface TechniqueContract {
  readonly name: TechniqueName;
  readonly create: () => Technique;
  /**
   * Bars after construction (with a fresh session tracker and every context feature not ready)
   * during which it cannot fire: what its rule needs first. `Infinity` when it needs a context
   * feature (EMAs, VWAP, a sweep alert) and so never fires on price alone.
   */
  readonly warmupBars: number;
  /** Generated markets per property (default 12). */
  readonly runs?: number;
}

const SEED = Number(process.env.FC_SEED ?? 20260310);
const INSTRUMENT = '6EZ6';
/** CME 6E: a tick of 0.00005, half a pip. */
const TICK = 0.00005;
const MINUTE_MS = 60_000;

/** One generated minute: the bar's move and wicks in ticks, and what the features say. */
interface Minute {
  readonly move: number;
  readonly wickUp: number;
  readonly wickDown: number;
  readonly volume: number;
  readonly rsi: number;
  readonly adx: number;
  readonly plusDi: number;
  readonly minusDi: number;
  readonly atrTicks: number;
  readonly sdTicks: number;
  readonly ofi: number;
  readonly delta: number;
  readonly sweepLevels: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly wallTicks: number;
}

/** A generated market: a start minute, the first bar's open, and the minutes that follow. */
export interface Market {
  readonly startMs: number;
  readonly open: number;
  readonly minutes: readonly Minute[];
}

/**
 * A number spread evenly over [min, max] in 1,000 steps (`fc.double` spreads over the float
 * representation, so most of its values would be near 0).
 */
const uniform = (min: number, max: number) =>
  fc.integer({ min: 0, max: 1_000 }).map((k) => min + ((max - min) * k) / 1_000);

const minute: fc.Arbitrary<Minute> = fc.record({
  move: fc.integer({ min: -6, max: 6 }),
  wickUp: fc.integer({ min: 0, max: 4 }),
  wickDown: fc.integer({ min: 0, max: 4 }),
  volume: fc.integer({ min: 1, max: 400 }),
  rsi: uniform(0, 100),
  adx: uniform(0, 60),
  plusDi: uniform(0, 50),
  minusDi: uniform(0, 50),
  atrTicks: fc.integer({ min: 1, max: 12 }),
  sdTicks: fc.integer({ min: 1, max: 20 }),
  ofi: fc.integer({ min: -300, max: 300 }),
  delta: fc.integer({ min: -200, max: 200 }),
  // Mostly no sweep (0); otherwise the levels it took.
  sweepLevels: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) },
  ),
  bidSize: fc.integer({ min: 1, max: 120 }),
  askSize: fc.integer({ min: 1, max: 120 }),
  // A wall this many ticks from the close, or none (NaN: -99 stands for none).
  wallTicks: fc.oneof(fc.constant(-99), fc.integer({ min: -6, max: 6 })),
});

/**
 * Markets of 200–1,500 consecutive minutes starting anywhere in the weeks of March 2026 (every
 * session, the London and New York opens, the Asian range), opening within 20 pips of 1.1000.
 * Unbiased: fast-check's usual bias toward small and extreme values would give short markets
 * starting at midnight with flat features.
 */
export const markets: fc.Arbitrary<Market> = fc.noBias(
  fc.record({
    startMs: fc
      .integer({ min: 0, max: 4 * 7 * 24 * 60 })
      .map((m) => Date.parse('2026-03-02T00:00:00Z') + m * MINUTE_MS),
    open: fc.integer({ min: -40, max: 40 }).map((t) => 1.1 + t * TICK),
    minutes: fc.array(minute, { minLength: 200, maxLength: 1_500, size: 'max' }),
  }),
);

/** The bars of a market (closes on the tick grid). */
export function barsOf(m: Market): Bar[] {
  const out: Bar[] = [];
  let px = m.open;
  for (let i = 0; i < m.minutes.length; i++) {
    const x = m.minutes[i];
    const close = px + x.move * TICK;
    const b = new Bar();
    b.reset(m.startMs + i * MINUTE_MS, MINUTE_MS);
    b.open = px;
    b.close = close;
    b.high = Math.max(px, close) + x.wickUp * TICK;
    b.low = Math.min(px, close) - x.wickDown * TICK;
    b.volume = x.volume;
    b.tradeCount = x.volume;
    out.push(b);
    px = close;
  }
  return out;
}

/** A feed of one market: the session tracker first, then the context, as `TechniqueSet` does. */
export interface Fed {
  readonly bar: Bar;
  readonly setups: readonly Setup[];
}

/**
 * Runs `t` over market `m` with a fresh tracker. With `ready`, the context carries EMAs 3/6/12 of
 * the closes, a session VWAP (the mean close) and the generated features and sweep alerts; without,
 * every feature stays not ready (NaN, no sweep).
 */
export function feed(t: Technique, m: Market, ready: boolean): Fed[] {
  const tracker = new OpeningRangeTracker();
  const ctx: TechniqueContext = createTechniqueContext(INSTRUMENT, TICK, tracker);
  const bars = barsOf(m);
  const out: Fed[] = [];
  let e3 = Number.NaN;
  let e6 = Number.NaN;
  let e12 = Number.NaN;
  let sum = 0;
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i];
    const x = m.minutes[i];
    tracker.update(b);
    if (ready) {
      const ema = (prev: number, n: number) =>
        Number.isNaN(prev) ? b.close : prev + (2 / (n + 1)) * (b.close - prev);
      e3 = ema(e3, 3);
      e6 = ema(e6, 6);
      e12 = ema(e12, 12);
      sum += b.close;
      ctx.ema3 = e3;
      ctx.ema6 = e6;
      ctx.ema12 = e12;
      ctx.rsi7 = x.rsi;
      ctx.adx7 = x.adx;
      ctx.plusDi7 = x.plusDi;
      ctx.minusDi7 = x.minusDi;
      ctx.atr = x.atrTicks * TICK;
      ctx.vwap = sum / (i + 1);
      ctx.vwapSd = x.sdTicks * TICK;
      ctx.ofi10s = x.ofi;
      ctx.volumeDelta = x.delta;
      ctx.bestBidSize = x.bidSize;
      ctx.bestAskSize = x.askSize;
      ctx.bidWallPx = x.wallTicks === -99 ? Number.NaN : b.close - x.wallTicks * TICK;
      ctx.askWallPx = x.wallTicks === -99 ? Number.NaN : b.close + x.wallTicks * TICK;
      if (x.sweepLevels > 0) {
        const up = x.move >= 0;
        const alert: SweepAlert = {
          side: up ? 'buy' : 'sell',
          levels: x.sweepLevels,
          size: x.volume,
          tMs: b.startMs + 30_000,
          price: up ? b.high : b.low,
        };
        ctx.sweep = alert;
      }
    }
    out.push({ bar: b, setups: t.onBar(b, ctx) });
  }
  return out;
}

const setupsOf = (fed: readonly Fed[]) => fed.flatMap((f) => [...f.setups]);

/** Registers the contract's tests for one technique. */
export function runTechniqueContract(c: TechniqueContract): void {
  const opts = { seed: SEED, numRuns: c.runs ?? 12, endOnFailure: true, includeErrorInReport: true };
  const w = c.warmupBars;

  test(`${c.name}: fires nothing in its first ${Number.isFinite(w) ? `${w} bars` : 'bars'} with no feature ready`, () => {
    fc.assert(
      fc.property(markets, (m) => {
        const fed = feed(c.create(), m, false);
        const quiet = Number.isFinite(w) ? fed.slice(0, w) : fed;
        assert.deepEqual(setupsOf(quiet), []);
      }),
      opts,
    );
  });

  test(`${c.name}: every setup is its own, entered at the bar's close with stop and target on the right sides, valid after the bar`, () => {
    let fired = 0;
    fc.assert(
      fc.property(markets, (m) => {
        for (const { bar, setups } of feed(c.create(), m, true)) {
          for (const s of setups) {
            fired++;
            const what = `${s.side} ${s.kind} at ${new Date(bar.startMs).toISOString()}`;
            assert.equal(s.technique, c.name);
            assert.equal(s.instrument, INSTRUMENT);
            assert.equal(s.entry, bar.close, `${what}: entry`);
            if (s.side === 'long')
              assert.ok(
                s.stop < s.entry && s.entry < s.target,
                `${what}: ${s.stop} < ${s.entry} < ${s.target}`,
              );
            else
              assert.ok(
                s.target < s.entry && s.entry < s.stop,
                `${what}: ${s.target} < ${s.entry} < ${s.stop}`,
              );
            assert.equal(s.createdMs, bar.endMs);
            assert.ok(s.validUntilMs > s.createdMs, `${what}: valid until after it is created`);
            assert.ok(s.confidence >= 0 && s.confidence <= 1, `${what}: confidence ${s.confidence}`);
            assert.equal(s.evidence.barStart, new Date(bar.startMs).toISOString());
            assert.ok(Object.isFrozen(s) && Object.isFrozen(s.evidence));
          }
        }
      }),
      opts,
    );
    assert.ok(fired > 0, 'the generated markets never made it fire: the checks above saw nothing');
  });

  test(`${c.name}: returns the shared empty array whenever nothing fires`, () => {
    fc.assert(
      fc.property(markets, (m) => {
        for (const { setups } of feed(c.create(), m, true))
          if (setups.length === 0) assert.equal(setups, NO_SETUPS);
      }),
      opts,
    );
  });

  test(`${c.name}: the same bars give the same setups`, () => {
    fc.assert(
      fc.property(markets, (m) => {
        assert.deepEqual(setupsOf(feed(c.create(), m, true)), setupsOf(feed(c.create(), m, true)));
      }),
      opts,
    );
  });

  test(`${c.name}: after reset() it fires exactly as a new instance`, () => {
    fc.assert(
      fc.property(markets, markets, (before, after) => {
        const used = c.create();
        feed(used, before, true);
        used.reset();
        assert.deepEqual(setupsOf(feed(used, after, true)), setupsOf(feed(c.create(), after, true)));
      }),
      opts,
    );
  });
}
