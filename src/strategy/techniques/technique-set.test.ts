/** Configuration parsing and the technique set run end to end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { barsOf, feed, markets } from '../../../test/technique-contract.js';
import { expectSetup, flat, mkBar, near } from '../../../test/techniques.js';
import { ConfigError } from '../../core/index.js';
import { DEFAULT_TECHNIQUES_CONFIG, parseTechniquesConfig, techniquesConfig } from './config.js';
import { createTechniques, TECHNIQUES, TechniqueSet } from './technique-set.js';
import { TECHNIQUE_NAMES, type TechniqueName } from './types.js';

/** A configuration with only `names` enabled (the others from the registry's list, off). */
function only(...names: TechniqueName[]) {
  return techniquesConfig(
    Object.fromEntries(TECHNIQUE_NAMES.map((n) => [n, { enabled: names.includes(n) }])),
  );
}

describe('TechniquesConfig', () => {
  it('documents its defaults: every technique enabled', () => {
    const c = DEFAULT_TECHNIQUES_CONFIG;
    assert.equal(c.openingRangeMinutes, 15);
    assert.deepEqual(c.orb.centres, ['london', 'new_york']);
    assert.equal(c.sfp.swingStrength, 2);
    assert.deepEqual(c.pivots.variants, ['classic', 'camarilla', 'fibonacci']);
    assert.deepEqual(c.bigFigures.levels, ['00', '20', '50', '80']);
    assert.equal(c.liquiditySweep.requireDepth, true);
    assert.equal(c.vwap.reversionBand, 2);
    assert.equal(c.emaMomentum.minAdx, 20);
    assert.equal(c.asianBreakout.maxMinutesAfterLondonOpen, 120);
    assert.equal(c.fvg.minGapTicks, 2);
    for (const n of TECHNIQUE_NAMES) assert.equal(c[n].enabled, true, n);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.orb) && Object.isFrozen(c.orb.centres));
  });

  it('builds every technique of the registry, each under its own name, in TECHNIQUE_NAMES order', () => {
    // The registry, the names and the configuration sections are one list: a technique added to
    // one and not the others fails here.
    assert.deepEqual(Object.keys(TECHNIQUES), [...TECHNIQUE_NAMES]);
    for (const n of TECHNIQUE_NAMES) assert.ok(n in DEFAULT_TECHNIQUES_CONFIG, `config section ${n}`);
    assert.deepEqual(
      createTechniques().map((t) => t.name),
      [...TECHNIQUE_NAMES],
    );
    assert.deepEqual(
      createTechniques(only('fvg', 'sfp')).map((t) => t.name),
      ['sfp', 'fvg'],
    );
  });

  it('merges partial overrides over the defaults, from an object or JSON text', () => {
    const c = parseTechniquesConfig('{"orb":{"enabled":false},"sfp":{"swingStrength":3}}', 'cfg.json');
    assert.equal(c.orb.enabled, false);
    assert.equal(c.orb.minRangeTicks, 2);
    assert.equal(c.sfp.swingStrength, 3);
    assert.equal(c.sfp.targetR, 2);
    assert.deepEqual(
      createTechniques(c).map((t) => t.name),
      TECHNIQUE_NAMES.filter((n) => n !== 'orb'),
    );
  });

  it('names the source and every bad field', () => {
    assert.throws(
      () => parseTechniquesConfig({ orb: { minRangeTicks: -1 }, vwap: { reversionBand: 'two' } }, 'cfg.json'),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'CONFIG' &&
        e.message.startsWith('cfg.json: ') &&
        e.message.includes('orb.minRangeTicks') &&
        e.message.includes('vwap.reversionBand'),
    );
    assert.throws(() => parseTechniquesConfig({ orb: { minRangTicks: 1 } }, 'x'), /orb: .*minRangTicks/);
    assert.throws(
      () => parseTechniquesConfig({ pivots: { variants: ['woodie'] } }, 'x'),
      /pivots\.variants\.0/,
    );
    assert.throws(() => parseTechniquesConfig('{not json', 'bad.json'), /bad\.json: not valid JSON/);
    // Big-figure levels are multiples of the pip: only powers of ten make whole levels.
    assert.throws(
      () => parseTechniquesConfig({ pipSizes: { X: 0.3 } }, 'x'),
      /pipSizes\.X: a pip size is a power of ten/,
    );
    assert.equal(parseTechniquesConfig({ pipSizes: { X: 0.01 } }, 'x').pipSizes.X, 0.01);
  });
});

describe('TechniqueSet', () => {
  it('tracks the London opening range itself and reports the breakout', () => {
    // Big figures and FVG would also react to these flat bars; this test looks at the ORB.
    const set = new TechniqueSet(
      techniquesConfig({ openingRangeMinutes: 5, bigFigures: { enabled: false }, fvg: { enabled: false } }),
    );
    const ctx = set.context('EUR/USD', 0.0001);
    const seen: string[] = [];
    const t0 = Date.parse('2026-03-10T08:00:00Z');
    for (let i = 0; i < 5; i++) {
      const r = set.onBar(mkBar(new Date(t0 + i * 60_000).toISOString(), 1.161, 1.162, 1.16, 1.161), ctx);
      for (const s of r) seen.push(s.technique);
    }
    assert.equal(set.sessions.sessions.london.openingRange.state, 'complete');
    const out = set.onBar(flat('2026-03-10T08:05:00Z', 1.1625), ctx);
    // Range 08:00–08:05: high 1.162, low 1.16, height 20 ticks, mid 1.161. The close 1.1625 is
    // beyond the high: long, stop at the mid, target high + 1 × height = 1.164; reward 0.0015 ≥
    // risk 0.0015 (the minimum 1R).
    const orb = expectSetup(
      out.find((s) => s.technique === 'orb'),
      'long',
      1.1625,
      1.161,
      1.164,
    );
    assert.equal(orb.instrument, 'EUR/USD');
    assert.equal(orb.createdMs, Date.parse('2026-03-10T08:06:00Z'));
    assert.ok(set.setups.includes(orb));
    const drained = set.drain();
    assert.deepEqual(drained, [...out]);
    assert.equal(set.setups.length, 0);
    // No setup → the shared empty array.
    assert.equal(set.onBar(flat('2026-03-10T08:06:00Z', 1.1625), ctx).length, 0);
    set.reset();
    assert.equal(set.sessions.sessions.london.date, '');
  });

  it('a gap in the bars resets the detectors: no fair value gap across a weekend', () => {
    const bars = (gap: boolean) => {
      // A, B then C 6 ticks above A's high (a bullish gap 1.1010–1.1016), then a retrace into it.
      // With `gap`, C comes after the weekend; without, a minute after B.
      const c = gap ? Date.parse('2026-03-15T21:00:00Z') : Date.parse('2026-03-13T21:00:00Z');
      const iso = (ms: number) => new Date(ms).toISOString();
      return [
        mkBar('2026-03-13T20:58:00Z', 1.1002, 1.101, 1.1, 1.1008),
        mkBar('2026-03-13T20:59:00Z', 1.1008, 1.103, 1.1008, 1.1028),
        mkBar(iso(c), 1.1028, 1.1035, 1.1016, 1.1033),
        mkBar(iso(c + 60_000), 1.1033, 1.104, 1.102, 1.1038),
        mkBar(iso(c + 120_000), 1.1025, 1.1026, 1.1014, 1.1021),
      ];
    };
    const fired = (gap: boolean) => {
      const set = new TechniqueSet(only('fvg'));
      const ctx = set.context('EUR/USD', 0.0001);
      return bars(gap).flatMap((b) => [...set.onBar(b, ctx)]);
    };
    const adjacent = fired(false);
    assert.equal(adjacent.length, 1, 'adjacent bars: the fill setup');
    // The last bar's low 1.1014 enters the gap and it closes at 1.1021, above the bottom 1.1010:
    // long; stop = min(low, bottom) − 1 tick = 1.1009, risk 0.0012, target 1.1021 + 2R = 1.1045;
    // confidence 0.5 + 6 ticks × 0.02 = 0.62.
    const s = expectSetup(adjacent[0], 'long', 1.1021, 1.1009, 1.1045);
    assert.equal(s.kind, 'fill');
    near(s.confidence, 0.62);
    assert.equal(s.evidence.gapTop, 1.1016);
    assert.equal(s.evidence.gapBottom, 1.101);
    assert.equal(fired(true).length, 0, 'across the weekend: no gap between Friday and Sunday bars');
  });

  it('drops a bar that is not later than the last one', () => {
    const set = new TechniqueSet(techniquesConfig({ openingRangeMinutes: 5 }));
    const ctx = set.context('EUR/USD', 0.0001);
    const bar = mkBar('2026-03-10T08:00:00Z', 1.161, 1.162, 1.16, 1.161);
    set.onBar(bar, ctx);
    const before = set.sessions.sessions.london.openingRange.high;
    assert.equal(set.onBar(mkBar('2026-03-10T08:00:00Z', 1.161, 1.17, 1.16, 1.161), ctx).length, 0);
    assert.equal(
      set.sessions.sessions.london.openingRange.high,
      before,
      'the repeat did not reach the tracker',
    );
  });

  it('gives exactly what its techniques give one by one, in registry order', () => {
    // Generated markets (the technique contract's) through the whole set, and through each
    // technique alone with a tracker of its own: the set adds, drops and reorders nothing.
    const ms = fc.sample(markets, { seed: 7, numRuns: 3 });
    let total = 0;
    for (const m of ms) {
      const set = new TechniqueSet(DEFAULT_TECHNIQUES_CONFIG, { gapMs: Number.POSITIVE_INFINITY });
      const ctx = set.context('6EZ6', 0.00005);
      const viaSet = barsOf(m).map((b) => [...set.onBar(b, ctx)]);
      const alone = TECHNIQUE_NAMES.map((n) => feed(TECHNIQUES[n](DEFAULT_TECHNIQUES_CONFIG), m, false));
      const expected = viaSet.map((_, i) => alone.flatMap((fed) => [...fed[i].setups]));
      assert.deepEqual(viaSet, expected);
      total += expected.flat().length;
    }
    assert.ok(total > 0, 'the markets made some technique fire');
  });
});
