/** Hand-built bars and contexts for the technique tests. */
import assert from 'node:assert/strict';
import { Bar, OpeningRangeTracker } from '../src/features/index.js';
import { createTechniqueContext } from '../src/strategy/techniques/technique-set.js';
import type { Setup, Technique, TechniqueContext } from '../src/strategy/techniques/types.js';

/** A closed 1-minute trade bar starting at `iso` (UTC). */
export function mkBar(iso: string, o: number, h: number, l: number, c: number, volume = 100): Bar {
  const b = new Bar();
  b.reset(Date.parse(iso), 60_000);
  b.open = o;
  b.high = h;
  b.low = l;
  b.close = c;
  b.volume = volume;
  b.tradeCount = 1;
  return b;
}

/** A flat bar at one price. */
export function flat(iso: string, px: number, volume = 100): Bar {
  return mkBar(iso, px, px, px, px, volume);
}

/** A context over `sessions` with `overrides` (everything else NaN / null). */
export function mkCtx(
  sessions: OpeningRangeTracker,
  overrides: Partial<TechniqueContext> = {},
  instrument = 'EUR/USD',
  tickSize = 0.0001,
): TechniqueContext {
  return { ...createTechniqueContext(instrument, tickSize, sessions), ...overrides };
}

/** Fed bars: the tracker first, then the technique, as `TechniqueSet` does. Setups keyed by bar start ISO. */
export function run(
  tech: Technique,
  ctx: TechniqueContext,
  bars: readonly Bar[],
  perBar?: (bar: Bar, ctx: TechniqueContext) => void,
): Map<string, Setup[]> {
  const out = new Map<string, Setup[]>();
  const tracker = ctx.sessions as OpeningRangeTracker;
  for (const b of bars) {
    tracker.update(b);
    perBar?.(b, ctx);
    const s = tech.onBar(b, ctx);
    if (s.length > 0) out.set(new Date(b.startMs).toISOString(), [...s]);
  }
  return out;
}

/** All setups of a run, in order. */
export function all(m: Map<string, Setup[]>): Setup[] {
  return [...m.values()].flat();
}

/** Asserts |a − b| ≤ tol. */
export function near(actual: number, expected: number, tol = 1e-9, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} != ${expected} (tol ${tol})`);
}

/** Asserts a setup's side, entry, stop and target. */
export function expectSetup(
  s: Setup | undefined,
  side: 'long' | 'short',
  entry: number,
  stop: number,
  target: number,
): Setup {
  assert.ok(s, 'expected a setup');
  assert.equal(s.side, side);
  near(s.entry, entry, 1e-9, 'entry');
  near(s.stop, stop, 1e-9, 'stop');
  near(s.target, target, 1e-9, 'target');
  return s;
}

/**
 * A tracker whose prior FX day is Tuesday 2026-03-10 (ends 17:00 New York = 21:00 UTC, US summer
 * time) with high `h`, low `l`, close `c`: a 13:00 UTC bar spans [l, h], a 20:59 bar closes at c.
 * Also returns those bars so a technique can see them.
 */
export function priorDayBars(h: number, l: number, c: number): Bar[] {
  return [mkBar('2026-03-10T13:00:00Z', (h + l) / 2, h, l, (h + l) / 2), flat('2026-03-10T20:59:00Z', c)];
}

export { OpeningRangeTracker };
