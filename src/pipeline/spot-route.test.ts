/**
 * Futures decisions carried to the spot pair: levels by the basis (and inverted for the yen), sizes
 * by notional, and the validators' view of spot positions in contracts. Expected values are worked
 * out by hand in the comments (decimal arithmetic, 1 raw unit = 1e-9).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpotPortfolio, spotLevel, spotLots, spotTerms } from './spot-route.js';

/** 6E at 1.16000 beside EUR/USD at 1.15950: spot is 50 pips below. */
const EURO = { futureMidRaw: 1_160_000_000, spotMidRaw: 1_159_500_000, invert: false };
/** 6J at 0.0067000 USD per JPY beside USD/JPY at 149.30. */
const YEN = { futureMidRaw: 6_700_000, spotMidRaw: 149_300_000_000, invert: true };

describe('spot route', () => {
  test('a 6E level moves by the basis: 1.16050 on the future is 1.16000 on EUR/USD', () => {
    assert.equal(spotLevel(1_160_500_000, EURO), 1_160_000_000);
    assert.equal(spotLevel(1_159_000_000, EURO), 1_158_500_000);
  });

  test('a 6J level moves by the basis in USD per JPY, then is inverted', () => {
    // At the future's mid: 1 / (1/149.30) = 149.30.
    assert.equal(spotLevel(6_700_000, YEN), 149_300_000_000);
    // 0.0066900 − 0.0067000 + 1/149.30 = 0.00668792364367046…; its inverse is 149.523238194624… yen.
    assert.equal(spotLevel(6_690_000, YEN), 149_523_238_195);
    // 0.0067100: 1 / 0.00670792364367046… = 149.077427400890… yen (a higher yen is a lower USD/JPY).
    assert.equal(spotLevel(6_710_000, YEN), 149_077_427_401);
  });

  test('a bracket is carried whole; the yen ATR scales by spot squared', () => {
    const t = spotTerms(
      {
        setup: { entry: 1_160_100_000, stop: 1_159_600_000, target: 1_161_100_000 },
        passivePx: 1_159_950_000,
        atrRaw: 300_000,
      },
      EURO,
    );
    assert.deepEqual(t, {
      setup: { entry: 1_159_600_000, stop: 1_159_100_000, target: 1_160_600_000 },
      passivePx: 1_159_450_000,
      atrRaw: 300_000,
    });
    // 0.0000100 USD per JPY × 149.30² = 0.2229049 yen.
    const y = spotTerms({ setup: null, passivePx: null, atrRaw: 10_000 }, YEN);
    assert.equal(y.setup, null);
    assert.ok(Math.abs(y.atrRaw - 222_904_900) < 1, `${y.atrRaw}`);
  });

  test('sizes: contracts as lots of 100,000 of the base currency, the yen future turned', () => {
    // 4 × 125,000 EUR = 500,000 EUR = 5 lots; 1 contract is 1.25 lots → 1; 3 are 3.75 → 4.
    assert.equal(spotLots(4, '6E', EURO), 5);
    assert.equal(spotLots(1, '6E', EURO), 1);
    assert.equal(spotLots(-3, '6E', EURO), -4);
    // 2 × 62,500 GBP = 125,000 GBP → 1 lot.
    assert.equal(spotLots(2, '6B', { ...EURO }), 1);
    // Long 2 yen futures = 25 M JPY = 167,448 USD at 149.30: short 2 lots of USD/JPY.
    assert.equal(spotLots(2, '6J', YEN), -2);
    assert.equal(spotLots(-2, '6J', YEN), 2);
    assert.equal(spotLots(0, '6J', YEN), 0);
    assert.throws(() => spotLots(1, 'ES', EURO), /ES is not a CME FX future/);
  });

  test('the validators see spot positions as contracts of the future', () => {
    const positions = [
      { symbol: 'EUR/USD', quantity: 5 },
      { symbol: 'USD/JPY', quantity: -2 },
    ];
    const book = {
      position: (s: string) => positions.find((p) => p.symbol === s)?.quantity ?? 0,
      grossExposure: () => 7,
      dailyPnl: () => -12.5,
      positions: () => positions,
    };
    const view = new SpotPortfolio(book, (pair) => (pair === 'USD/JPY' ? 149_300_000_000 : Number.NaN));
    // 5 lots = 500,000 EUR = 4 contracts of 125,000.
    assert.equal(view.position('6EZ6'), 4);
    // Short 2 lots of USD/JPY = 200,000 USD = 29.86 M JPY at 149.30 = 2.3888 yen contracts, long.
    assert.ok(Math.abs(view.position('6JZ6') - 2.3888) < 1e-9);
    assert.equal(view.position('6BZ6'), 0);
    assert.equal(view.position('EUR/USD'), 5, 'a spot symbol is read as it is');
    assert.ok(Math.abs(view.grossExposure() - 6.3888) < 1e-9);
    assert.equal(view.dailyPnl(), -12.5);
  });
});
