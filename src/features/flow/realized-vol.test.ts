import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealizedVolatility } from './realized-vol.js';

const close = (a: number, b: number, eps = 1e-15) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

// Grid of 1 s; windows of 2 and 4 returns. Cell k closes with the last valid mid before (k+1) s.
//   t=0: 100 → cell 0 close 100
//   t=1500: 101 → cell 1 close 101, r1 = ln(101/100) = 0.009950330853168092
//   t=2500: NaN (ignored), t=2600: 99 → cell 2 close 99, r2 = ln(99/101) = −0.020000666706669543
//   t=3200: 99 → cell 3 close 99, r3 = 0
//   t=4100: 100 → cell 4 close 100, r4 = ln(100/99) = 0.010050335853501506
// r1² + r2² = 0.0004990357527987884; r3² + r4² = 0.00010100925076817785;
// r1² + r2² + r3² + r4² = 0.0006000450035669662.
function feed(rv: RealizedVolatility): void {
  rv.update(0, 100);
  rv.update(1500, 101);
  rv.update(2500, Number.NaN);
  rv.update(2600, 99);
  rv.update(3200, 99);
}

describe('RealizedVolatility', () => {
  const options = { sampleMs: 1000, windowsMs: [2000, 4000], maxGapMs: 10_000 };

  it('sums squared grid log returns per window, ignoring a NaN mid', () => {
    const rv = new RealizedVolatility(options);
    feed(rv);
    // t=3200 closed cell 2: returns r1, r2.
    assert.equal(rv.returnCount, 2);
    close(rv.rv(0), 0.0004990357527987884);
    assert.ok(Number.isNaN(rv.rv(1)));
    rv.update(4100, 100);
    rv.advance(5000); // closes cell 4
    assert.equal(rv.returnCount, 4);
    close(rv.rv(0), 0.00010100925076817785);
    close(rv.rv(1), 0.0006000450035669662);
    close(rv.volatility(1), Math.sqrt(0.0006000450035669662));
    // Annualised: a 2-s window is 1/30 minute; 1380 × 252 = 347760 minutes a year.
    close(rv.annualisedVolatility(0), Math.sqrt(0.00010100925076817785 * 347760 * 30), 1e-12);
  });

  it('gives zero returns for grid cells with no new mid', () => {
    const rv = new RealizedVolatility(options);
    feed(rv);
    rv.update(4100, 100);
    rv.advance(8000); // cells 4..7 close; cells 5–7 repeat 100
    assert.equal(rv.returnCount, 7);
    assert.equal(rv.rv(0), 0);
    assert.equal(rv.lastReturn, 0);
  });

  it('restarts after a gap in the data', () => {
    const rv = new RealizedVolatility(options);
    feed(rv);
    rv.update(20_000, 100); // 16.8 s of silence > maxGapMs
    assert.equal(rv.gapResets, 1);
    assert.equal(rv.returnCount, 0);
    assert.ok(Number.isNaN(rv.rv(0)));
    rv.update(21_000, 101); // cell 20 closes with 100 (first sample, no return)
    rv.update(22_000, 100); // cell 21 closes with 101: r = ln(1.01)
    rv.advance(23_000); // cell 22 closes with 100: r = ln(100/101)
    close(rv.rv(0), Math.log(1.01) ** 2 + Math.log(100 / 101) ** 2);
  });

  it('is NaN until the first window fills', () => {
    const rv = new RealizedVolatility(options);
    rv.update(0, 100);
    assert.ok(Number.isNaN(rv.rv(0)));
    assert.ok(Number.isNaN(rv.volatility(0)));
  });

  it('agrees with a direct sum after the ring wraps many times', () => {
    const rv = new RealizedVolatility({ sampleMs: 1000, windowsMs: [3000, 5000], maxGapMs: 10_000 });
    const mids: number[] = [];
    for (let k = 0; k < 200; k++) mids.push(100 * Math.exp(0.001 * Math.sin(k * 1.7) + 0.0005 * k));
    for (let k = 0; k < 200; k++) rv.update(k * 1000 + 1, mids[k]);
    rv.advance(200_000);
    // 199 returns; window 5 = returns of cells 195..199.
    let s = 0;
    for (let k = 195; k < 200; k++) s += Math.log(mids[k] / mids[k - 1]) ** 2;
    close(rv.rv(1), s, 1e-15);
  });
});
