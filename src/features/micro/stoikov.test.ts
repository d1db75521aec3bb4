import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { L2Book } from '../../book/index.js';
import { DbnDecoder } from '../../data/dbn/index.js';
import { simulateDay } from '../../sim/index.js';
import { imbalanceBucket, StoikovFitter, StoikovMicroprice } from './stoikov.js';

const TICK = 50_000; // 6E tick, raw 1e-9 units

describe('Stoikov micro-price estimation', () => {
  test('imbalance buckets split Ib = qb/(qb+qa) into n equal bins', () => {
    assert.equal(imbalanceBucket(1, 3, 10), 2); // Ib 0.25 -> bin 2
    assert.equal(imbalanceBucket(3, 1, 10), 7); // 0.75 -> 7
    assert.equal(imbalanceBucket(5, 0, 10), 9); // 1.0 -> the last bin
    assert.equal(imbalanceBucket(0, 5, 10), 0);
    assert.equal(imbalanceBucket(0, 0, 10), -1); // no sizes: no state
  });

  test('a worked two-state chain gives g = ±1 tick', () => {
    // n = 2 buckets (b0: Ib < 0.5, b1: Ib >= 0.5), one spread state. From b1: half the samples
    // keep the mid and stay in b1 (Q = 1/2); half move the mid up a tick (R1 = 1/2 at K = +1), to
    // b1 or b0 equally (T = 1/4, 1/4). Mirroring gives b0 the opposite. Then
    //   (I − Q)⁻¹ = 2;  G1 = 2 · (1/2 · +1) = +1 for b1, −1 for b0;
    //   B = 2 · T = [[1/2, 1/2], [1/2, 1/2]];  B·G1 = (−1 + 1)/2 = 0,
    // so g = G1: the micro-price is the mid ± one tick.
    const f = new StoikovFitter({ tickRaw: TICK, n: 2, m: 1 });
    for (let i = 0; i < 4; i++) f.addTransition(1, 1, 0);
    for (let i = 0; i < 2; i++) f.addTransition(1, 1, 1);
    for (let i = 0; i < 2; i++) f.addTransition(1, 0, 1);
    const model = f.fit();
    assert.equal(model.samples, 8);
    assert.deepEqual(model.counts, [8, 8]);
    assert.ok(Math.abs(model.g[0] + 1) < 1e-12, `g(b0) ${model.g[0]}`);
    assert.ok(Math.abs(model.g[1] - 1) < 1e-12, `g(b1) ${model.g[1]}`);
    const mp = new StoikovMicroprice(model);
    // bid 1.08500, ask 1.08505, 30 on the bid and 10 on the ask: Ib 0.75, state b1.
    const mid = (1_085_000_000 + 1_085_050_000) / 2;
    assert.equal(mp.update(1_085_000_000, 1_085_050_000, 30, 10), mid + TICK);
    assert.equal(mp.update(1_085_000_000, 1_085_050_000, 10, 30), mid - TICK);
  });

  test('sampled quotes count consecutive pairs; changes over a tick and wide spreads are left out', () => {
    const f = new StoikovFitter({ tickRaw: TICK, n: 2, m: 1 });
    const b = 1_085_000_000;
    f.sample(b, b + TICK, 30, 10); // b1
    f.sample(b + TICK, b + 2 * TICK, 30, 10); // mid +1 tick: counted
    f.sample(b + 4 * TICK, b + 5 * TICK, 30, 10); // mid +3 ticks: outside K, dropped
    f.sample(b + 4 * TICK, b + 6 * TICK, 30, 10); // spread 2 ticks > m: no state
    f.sample(b + 4 * TICK, b + 5 * TICK, 10, 30); // no previous state: nothing counted
    assert.equal(f.fit().samples, 1);
  });

  test('states never seen fall back to the weighted mid', () => {
    const f = new StoikovFitter({ tickRaw: TICK, n: 2, m: 2 });
    f.addTransition(1, 1, 1); // only spread-1 states seen
    const mp = new StoikovMicroprice(f.fit());
    const b = 1_085_000_000;
    // Spread 2 ticks, 30 bid / 10 ask: weighted mid = (30·ask + 10·bid)/40 = bid + 0.75 · 2 ticks.
    assert.equal(mp.update(b, b + 2 * TICK, 30, 10), b + 1.5 * TICK);
    assert.ok(Number.isNaN(mp.update(Number.NaN, b, 1, 1)));
  });
});

/** Top-of-book updates of a simulated window, read back through the decoder and the L2 book. */
async function quotes(path: string) {
  const t: number[] = [];
  const bid: number[] = [];
  const ask: number[] = [];
  const bsz: number[] = [];
  const asz: number[] = [];
  const book = new L2Book();
  for await (const batch of DbnDecoder.fromFile(path)) {
    for (let i = 0; i < batch.count; i++) {
      if (!book.applyMbp(batch.at(i)) || !(book.bestAskPx > book.bestBidPx)) continue;
      t.push(book.tsRecvMs);
      bid.push(book.bestBidPx);
      ask.push(book.bestAskPx);
      bsz.push(book.bestBidSz);
      asz.push(book.bestAskSz);
    }
  }
  return { t, bid, ask, bsz, asz };
}

describe('Stoikov micro-price on held-out simulated data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stoikov-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The micro-price is fitted as Stoikov (2018) fits it, on top-of-book samples every second, and
  // scored on a different day and seed against the next mid that differs from the current one.
  // Queue imbalance predicts that next mid because liquidity providers thin the queue the value
  // approaches before it is taken (simulator.ts, `staleCancel`; params.ts, `staleApproachTicks`);
  // P(up) by imbalance bucket on the held-out day is printed with the MSEs.
  test('predicts the next mid better than the mid does (lower squared error)', async (t) => {
    // Fit on one simulated morning (seed 101), evaluate on another day with another seed (202).
    const fitStart = Date.UTC(2026, 2, 4, 7, 0);
    const evalStart = Date.UTC(2026, 2, 5, 7, 0);
    const fitDay = await simulateDay({
      date: '2026-03-04',
      seed: 101,
      out: join(dir, 'fit'),
      spot: false,
      window: { startMs: fitStart, endMs: fitStart + 5 * 3_600_000 },
    });
    const evalDay = await simulateDay({
      date: '2026-03-05',
      seed: 202,
      out: join(dir, 'eval'),
      spot: false,
      window: { startMs: evalStart, endMs: evalStart + 3 * 3_600_000 },
    });
    const fq = await quotes(fitDay.files.mbp10);
    const fitter = new StoikovFitter({ tickRaw: TICK });
    // Sample every second: the last quote at or before each whole second.
    let j = 0;
    for (let s = Math.ceil(fq.t[0] / 1000) * 1000; s <= fq.t[fq.t.length - 1]; s += 1000) {
      while (j + 1 < fq.t.length && fq.t[j + 1] <= s) j++;
      fitter.sample(fq.bid[j], fq.ask[j], fq.bsz[j], fq.asz[j]);
    }
    const model = fitter.fit();
    const mp = new StoikovMicroprice(model);

    const q = await quotes(evalDay.files.mbp10);
    let seMid = 0;
    let seMicro = 0;
    let n = 0;
    let i = 0;
    const up = new Array<number>(10).fill(0);
    const seen = new Array<number>(10).fill(0);
    for (let s = Math.ceil(q.t[0] / 1000) * 1000; s <= q.t[q.t.length - 1]; s += 1000) {
      while (i + 1 < q.t.length && q.t[i + 1] <= s) i++;
      const mid = (q.bid[i] + q.ask[i]) / 2;
      // The next mid that differs from this one.
      let k = i + 1;
      while (k < q.t.length && (q.bid[k] + q.ask[k]) / 2 === mid) k++;
      if (k >= q.t.length) break;
      const next = (q.bid[k] + q.ask[k]) / 2;
      const micro = mp.update(q.bid[i], q.ask[i], q.bsz[i], q.asz[i]);
      seMid += ((next - mid) / TICK) ** 2;
      seMicro += ((next - micro) / TICK) ** 2;
      n++;
      if (Math.round((q.ask[i] - q.bid[i]) / TICK) === 1) {
        const b = imbalanceBucket(q.bsz[i], q.asz[i], 10);
        seen[b]++;
        if (next > mid) up[b]++;
      }
    }
    const mseMid = seMid / n;
    const mseMicro = seMicro / n;
    t.diagnostic(
      `fit: ${model.samples} transitions; held-out: ${n} samples, MSE of the next mid (ticks²): mid ${mseMid.toFixed(4)}, micro-price ${mseMicro.toFixed(4)} (${((100 * (mseMid - mseMicro)) / mseMid).toFixed(1)}% lower)`,
    );
    t.diagnostic(
      `held-out P(next mid up | Ib bucket, 1-tick spread): ${up.map((u, b) => (seen[b] > 0 ? u / seen[b] : Number.NaN).toFixed(2)).join(' ')}; fitted g (ticks): ${model.g
        .slice(0, 10)
        .map((g) => g.toFixed(2))
        .join(' ')}`,
    );
    assert.ok(n > 5000, `enough held-out samples (${n})`);
    assert.ok(mseMicro < mseMid, `micro-price MSE ${mseMicro} not below mid MSE ${mseMid}`);
  });
});
