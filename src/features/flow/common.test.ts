import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GridClock, mod, normalCdf } from './common.js';

describe('normalCdf', () => {
  it('matches tabulated values of the standard normal CDF to 1e-14', () => {
    // Reference: Φ(x) = erfc(−x/√2)/2 (Python math.erfc).
    const table: [number, number][] = [
      [0, 0.5],
      [1, 0.8413447460685429],
      [-1.96, 0.024997895148220435],
      [0.5, 0.6914624612740131],
      [-0.6324555320336759, 0.26354462843276905],
      [3, 0.9986501019683699],
    ];
    for (const [x, p] of table) assert.ok(Math.abs(normalCdf(x) - p) < 1e-14, `Φ(${x})`);
  });

  it('is 0 and 1 in the far tails and NaN for NaN', () => {
    assert.equal(normalCdf(-40), 0);
    assert.equal(normalCdf(40), 1);
    assert.ok(Number.isNaN(normalCdf(Number.NaN)));
  });

  it('mod keeps ring indices non-negative', () => {
    assert.equal(mod(-1, 5), 4);
    assert.equal(mod(7, 5), 2);
  });
});

it('the grid clock reports ended cells, and a gap as -1', () => {
  // 100 ms cells, gaps over 1 s. First time 250 ms starts it (cell 2); 299 stays in cell 2;
  // 520 ends cells 2, 3 and 4 (now cell 5); 1600 is 1080 ms after 520: a gap (now cell 16);
  // a NaN time moves nothing.
  const c = new GridClock(100, 1000);
  assert.equal(c.started, false);
  assert.equal(c.advance(250), 0);
  assert.equal(c.started, true);
  assert.equal(c.advance(299), 0);
  assert.equal(c.advance(520), 3);
  assert.equal(c.advance(1600), -1);
  assert.equal(c.advance(Number.NaN), 0);
  assert.equal(c.advance(1650), 0);
  assert.equal(c.advance(1700), 1);
});

it('the grid clock sees a gap inside one cell, and a late time neither ends a cell nor moves its clock', () => {
  // 5 s cells, gaps over 1 s: 1000 starts cell 0; 1500 stays in it; 2600 is 1100 ms after 1500,
  // still in cell 0 but a gap (-1); 2000 comes late (0, and the last time stays 2600, so 3500,
  // 900 ms after 2600, is no gap); 4999.9 is still cell 0; 5000 ends it.
  const c = new GridClock(5000, 1000);
  assert.equal(c.advance(1000), 0);
  assert.equal(c.advance(1500), 0);
  assert.equal(c.advance(2600), -1);
  assert.equal(c.advance(2000), 0);
  assert.equal(c.advance(3500), 0);
  assert.equal(c.advance(4400), 0);
  assert.equal(c.advance(4999.9), 0);
  assert.equal(c.advance(5000), 1);
  assert.equal(c.advance(Number.NEGATIVE_INFINITY), 0);
  assert.equal(c.advance(5400), 0);
  assert.equal(c.gaps, 1);
});
