/**
 * Multi-level OFI on a simulated 20 minutes of MBP-10 against a brute-force reading of its
 * definition: e_m per good state from the levels by rank (empty = ∓∞, size 0), summed over the
 * states whose 1-s bucket lies in the last ten, and the depth mean of (qb^m + qa^m)/2 over the same
 * states. The calculator keeps its sums by buckets, staging and runs, and skips the levels an add or
 * cancel cannot have changed; none of that may change a value. Its best-level windows
 * (`bestWindowsMs`, level 1 of the same pass) equal `BestLevelOfi` fed the same book, and the same
 * recount at level 1.
 */

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { L2Book } from '../../book/index.js';
import { DbnDecoder } from '../../data/dbn/index.js';
import type { SimDayResult } from '../../sim/index.js';
import { BestLevelOfi, isTwoSided, MultiLevelOfi } from './ofi.js';

const L = 10;

describe('multi-level OFI against its definition', () => {
  const span = simulatedSpan({
    seed: 23,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 20,
    prefix: 'mlofi-',
  });
  let day: SimDayResult;
  before(() => {
    day = span.day;
  });

  test('window sums and depth means equal a brute-force recount', async () => {
    const book = new L2Book();
    const ml = new MultiLevelOfi({ levels: L, windowMs: 10_000 });
    const windows = [1_000, 10_000, 60_000];
    const both = new MultiLevelOfi({ levels: L, windowMs: 10_000, bestWindowsMs: windows });
    const best = new BestLevelOfi({ windowsMs: windows });
    // Good states: bucket (1 s), e per level, half-depth per level.
    const states: { ts: number; bucket: number; e: number[]; h: number[] }[] = [];
    let prev: number[][] | null = null;
    let lastTs = Number.NaN;
    let compared = 0;
    let n = 0;
    for await (const batch of DbnDecoder.fromFile(day.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (!book.applyMbp(c)) continue;
        const ts = c.tsRecvMs;
        ml.update(book, ts);
        both.update(book, ts);
        best.update(book, ts);
        n++;
        // A gap of a minute or more drops the baseline (the calculator's default gapMs).
        if (ts - lastTs >= 60_000) prev = null;
        lastTs = ts;
        if (book.consistent) {
          if (!isTwoSided(book)) prev = null;
          else {
            const lv: number[][] = [];
            for (let m = 0; m < L; m++) {
              const pb = book.bidPx(m);
              const pa = book.askPx(m);
              lv.push([
                Number.isNaN(pb) ? -Infinity : pb,
                book.bidSz(m),
                Number.isNaN(pa) ? Infinity : pa,
                book.askSz(m),
              ]);
            }
            const e = lv.map(([pb, qb, pa, qa], m) => {
              if (prev === null) return 0;
              const [ppb, pqb, ppa, pqa] = prev[m];
              return (
                (pb >= ppb ? qb : 0) - (pb <= ppb ? pqb : 0) - (pa <= ppa ? qa : 0) + (pa >= ppa ? pqa : 0)
              );
            });
            states.push({ ts, bucket: Math.floor(ts / 1000), e, h: lv.map(([, qb, , qa]) => (qb + qa) / 2) });
            prev = lv;
          }
        }
        if (n % 389 !== 0 || states.length === 0) continue;
        const head = Math.floor(ts / 1000);
        const inWin = states.filter((s) => s.bucket > head - 10);
        for (const m of [0, 1, 4, 9]) {
          const ofi = inWin.reduce((a, s) => a + s.e[m], 0);
          const depth = inWin.reduce((a, s) => a + s.h[m], 0) / inWin.length;
          assert.equal(ml.ofi(m), ofi, `record ${n} level ${m} OFI`);
          assert.ok(
            Math.abs(ml.avgDepth(m) - depth) <= 1e-9 * depth,
            `record ${n} level ${m} depth ${ml.avgDepth(m)} vs ${depth}`,
          );
        }
        // Best level: the recount over each window (1 s in 100-ms buckets, 10 s and 60 s in 1-s
        // buckets), and BestLevelOfi over every window, exactly.
        for (let i = 0; i < windows.length; i++) {
          const bucketMs = windows[i] >= 10_000 ? 1000 : windows[i] / 10;
          const last = Math.floor(ts / bucketMs);
          const held = states.filter((s) => Math.floor(s.ts / bucketMs) > last - windows[i] / bucketMs);
          const ofi = held.reduce((a, s) => a + s.e[0], 0);
          const depth = held.reduce((a, s) => a + s.h[0], 0) / held.length;
          assert.equal(both.bestSum(i), ofi, `record ${n} best window ${i} OFI`);
          const ad = both.bestAvgDepth(i);
          if (held.length === 0) assert.ok(Number.isNaN(ad), `record ${n} best window ${i}: no state`);
          else
            assert.ok(
              Math.abs(ad - depth) <= 1e-9 * depth,
              `record ${n} best window ${i} depth ${ad} vs ${depth}`,
            );
        }
        for (let i = 0; i < windows.length; i++) {
          assert.equal(both.bestSum(i), best.sum(i), `record ${n} best window ${i} sum`);
          assert.equal(both.bestAvgDepth(i), best.avgDepth(i), `record ${n} best window ${i} depth`);
          assert.equal(both.bestNormalized(i), best.normalized(i), `record ${n} best window ${i} normalized`);
        }
        assert.equal(both.score, ml.score, `record ${n} score`);
        compared++;
      }
    }
    assert.ok(compared > 100, `${compared} comparisons`);
  });
});
