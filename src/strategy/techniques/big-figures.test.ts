/** Big-figure levels per instrument, and bounce, break and magnet setups on them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  all,
  expectSetup,
  flat,
  mkBar,
  mkCtx,
  near,
  OpeningRangeTracker,
  run,
} from '../../../test/techniques.js';
import { BigFigureGrid, BigFigures, pipSizeOf } from './big-figures.js';
import { techniquesConfig } from './config.js';

const at = (m: number) => `2026-03-10T10:${String(m).padStart(2, '0')}:00Z`;

describe('pipSizeOf and BigFigureGrid', () => {
  it('knows 6E/6B/6J and spot pips, with overrides', () => {
    assert.equal(pipSizeOf('6EH6'), 0.0001);
    assert.equal(pipSizeOf('6BM6'), 0.0001);
    assert.equal(pipSizeOf('6JZ6'), 0.000001); // USD per JPY: 0.006650 → pip in the 6th decimal
    assert.equal(pipSizeOf('EUR/USD'), 0.0001);
    assert.equal(pipSizeOf('USD/JPY'), 0.01);
    assert.equal(pipSizeOf('CS.D.USDJPY.MINI.IP'), 0.01);
    assert.equal(pipSizeOf('AUD/CAD'), 0.0001);
    assert.equal(pipSizeOf('6JZ6', { '6J': 0.00001 }), 0.00001);
    assert.equal(pipSizeOf('EUR/USD', { 'EUR/USD': 0.001 }), 0.001);
  });

  it('places 00/20/50/80 levels in each instrument’s own quote', () => {
    const eur = new BigFigureGrid(0.0001);
    // 1.1634: next level up 1.1650 ('50'), down 1.1620 ('20'); exact doubles of the literals.
    assert.equal(eur.price(eur.nextLevel(1.1634, 1, 0)), 1.165);
    assert.equal(eur.price(eur.nextLevel(1.1634, -1, 0)), 1.162);
    assert.equal(eur.price(eur.nextLevel(1.1685, 1, 0)), 1.17);
    assert.equal(BigFigureGrid.label(11680), '80');
    assert.equal(BigFigureGrid.label(11700), '00');
    const jpy = new BigFigureGrid(0.01);
    assert.equal(jpy.price(jpy.nextLevel(150.37, 1, 0)), 150.5);
    assert.equal(jpy.price(jpy.nextLevel(150.37, -1, 0)), 150.2);
    const sixJ = new BigFigureGrid(0.000001);
    assert.equal(sixJ.price(sixJ.nextLevel(0.006637, 1, 0)), 0.00665);
    assert.equal(sixJ.price(sixJ.nextLevel(0.006637, -1, 0)), 0.00662);
    const only00 = new BigFigureGrid(0.0001, ['00']);
    assert.equal(only00.price(only00.nextLevel(1.1634, 1, 0)), 1.17);
  });
});

describe('BigFigures', () => {
  it('shorts a rejection of the 1.1650 level with 1.1620 as target', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), {}, 'EUR/USD', 0.00001);
    const bars = [flat(at(0), 1.164), mkBar(at(1), 1.1642, 1.1651, 1.1638, 1.1644)];
    const got = all(run(new BigFigures(), ctx, bars));
    assert.equal(got.length, 1);
    // Stop max(1.1650 + 5 pips, high + 1 tick) = 1.1655; next level ≥ 5 pips below 1.1644 is 1.1620.
    const s = expectSetup(got[0], 'short', 1.1644, 1.1655, 1.162);
    assert.equal(s.kind, 'bounce');
    assert.equal(s.evidence.levelType, '50');
    assert.ok(Math.abs(s.confidence - 0.6) < 1e-12);
  });

  it('breaks long through the 1.1700 big figure', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), {}, 'EUR/USD', 0.00001);
    const bars = [flat(at(0), 1.1695), mkBar(at(1), 1.1695, 1.1706, 1.1693, 1.1704)];
    const got = all(run(new BigFigures(), ctx, bars));
    // Close 1.1704 ≥ 1.1700 + 2 pips. Stop 1.1700 − 5 pips = 1.1695; target 1.1720 (next level ≥ 5 pips up).
    const s = expectSetup(got[0], 'long', 1.1704, 1.1695, 1.172);
    assert.equal(s.kind, 'break');
    assert.equal(s.evidence.levelType, '00');
  });

  it('breaks long through 0.006650 on 6J (pip 0.000001) and through 150.50 on USD/JPY', () => {
    const j = mkCtx(new OpeningRangeTracker(), {}, '6JM6', 0.0000005);
    const got = all(
      run(new BigFigures(), j, [flat(at(0), 0.006645), mkBar(at(1), 0.006645, 0.006654, 0.006644, 0.006653)]),
    );
    expectSetup(got[0], 'long', 0.006653, 0.006645, 0.00668);
    const u = mkCtx(new OpeningRangeTracker(), {}, 'USD/JPY', 0.001);
    const got2 = all(
      run(new BigFigures(), u, [flat(at(0), 150.45), mkBar(at(1), 150.45, 150.55, 150.44, 150.53)]),
    );
    // Stop 150.50 − 0.05; target 150.80.
    expectSetup(got2[0], 'long', 150.53, 150.45, 150.8);
  });

  it('pulls toward the next 00 as a magnet when EMAs stack toward it', () => {
    const trend = { ema3: 1.1691, ema6: 1.1689, ema12: 1.1686, rsi7: 60 };
    const ctx = mkCtx(new OpeningRangeTracker(), trend, 'EUR/USD', 0.00001);
    // The first bar, 12 pips away, is outside the magnet zone.
    const got = all(
      run(new BigFigures(), ctx, [flat(at(0), 1.1688), mkBar(at(1), 1.169, 1.1693, 1.1689, 1.1692)]),
    );
    assert.equal(got.length, 1);
    // 8 pips below 1.1700: target 1.1699 (1 pip short), risk 0.0007, stop 1.1685.
    const s = expectSetup(got[0], 'long', 1.1692, 1.1685, 1.1699);
    assert.equal(s.kind, 'magnet');
    near(s.evidence.distancePips as number, 8, 1e-9);
  });

  it('has no magnet too far (12 pips), too near (2 pips), against the EMAs or overbought', () => {
    const trend = { ema3: 1.1691, ema6: 1.1689, ema12: 1.1686, rsi7: 60 };
    const cases = [
      { px: 1.1688, ctx: trend },
      { px: 1.1698, ctx: trend },
      { px: 1.1692, ctx: { ...trend, ema12: 1.1695 } },
      { px: 1.1692, ctx: { ...trend, rsi7: 75 } },
    ];
    const params = techniquesConfig({ bigFigures: { bounce: false, break: false } }).bigFigures;
    for (const c of cases) {
      const ctx = mkCtx(new OpeningRangeTracker(), c.ctx, 'EUR/USD', 0.00001);
      assert.equal(all(run(new BigFigures(params), ctx, [flat(at(1), c.px)])).length, 0, `price ${c.px}`);
    }
    // The same check passes for 1.1692 with the trend intact.
    const ok = mkCtx(new OpeningRangeTracker(), trend, 'EUR/USD', 0.00001);
    assert.equal(all(run(new BigFigures(params), ok, [flat(at(1), 1.1692)])).length, 1);
  });

  it('fires a level once while price stays around it, again after it has left (> 10 pips)', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), {}, 'EUR/USD', 0.00001);
    const probe = (m: number) => mkBar(at(m), 1.1642, 1.1651, 1.1638, 1.1644);
    const bars = [
      flat(at(0), 1.164),
      probe(1),
      flat(at(2), 1.164),
      probe(3),
      flat(at(4), 1.1636),
      flat(at(5), 1.164),
      probe(6),
    ];
    // 1.1636 is 14 pips from 1.1650: the level re-arms, and the 10:06 rejection fires again.
    // (1.1640 → 1.1636 → 1.1640 does not react to 1.1620 or 1.1650.)
    assert.deepEqual(
      [...run(new BigFigures(), ctx, bars).keys()],
      ['2026-03-10T10:01:00.000Z', '2026-03-10T10:06:00.000Z'],
    );
  });

  it('uses only the configured levels', () => {
    const params = techniquesConfig({ bigFigures: { levels: ['00'] } }).bigFigures;
    const ctx = mkCtx(new OpeningRangeTracker(), {}, 'EUR/USD', 0.00001);
    const bars = [flat(at(0), 1.164), mkBar(at(1), 1.1642, 1.1651, 1.1638, 1.1644)];
    assert.equal(all(run(new BigFigures(params), ctx, bars)).length, 0);
  });
});
