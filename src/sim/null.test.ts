/**
 * The `null` market (issue 22, "Checks"): on several seeds and days, neither 10-second best-level
 * OFI nor the queue imbalance at an interval's end foretells the next 10 seconds' mid change (a
 * block-bootstrap 95% interval of the correlation, so of R², includes zero), the 10-second mid
 * changes are uncorrelated with their predecessors (a martingale), and the spread is one tick
 * whenever the book trades. The same measurement on the `default` market, same seed and date,
 * finds the predictability planted there (an interval above zero), so the measure can tell the
 * two apart; and informed traders who know the walk's next step bring predictability back with
 * their share. Measured the way a user of the files would, from the MBP-10 records through the
 * project's DBN decoder and the test statistics (test/stats.ts), not the simulator's own state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { bootstrapCorrelation, MidResampler, OfiAccumulator } from '../../test/stats.js';
import { tradingDayBounds } from '../core/index.js';
import { DbnDecoder } from '../data/dbn/index.js';
import { ScenarioSchema, simulate } from './index.js';

const STEP_S = 10;
/** Bootstrap blocks of 30 minutes (180 intervals), as `scalper predictability` defaults to. */
const BLOCK_STEPS = 180;

/** The pairs of one run: predictors of interval k and the mid change (ticks) of interval k+1. */
interface Pairs {
  ofi: number[];
  qi: number[];
  /** Mid change of interval k (for the martingale check) and of interval k+1. */
  same: number[];
  next: number[];
  block: number[];
  /** Seconds in which the book was two-sided, and of them those with a one-tick spread. */
  seconds: number;
  oneTick: number;
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Simulates `days` 6E days of `scenario` from seed `seed` and measures every day's pairs into `into`. */
async function measure(scenario: string | object, seed: number, days: number, into: Pairs): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-scenario-'));
  dirs.push(dir);
  const results = await simulate({
    days,
    start: '2026-11-24',
    seed,
    out: dir,
    instruments: ['6E'],
    spot: false,
    scenario: ScenarioSchema.parse(scenario),
  });
  for (const r of results) {
    const { startMs, endMs } = tradingDayBounds(r.date);
    const n = Math.round((endMs - startMs) / 1000);
    const tickRaw = Math.round(r.truth.instruments[0].tick * 1e9);
    const mid = new MidResampler({ startMs, stepMs: 1000, count: n + 1 });
    const ofi = new OfiAccumulator({ startMs, stepMs: STEP_S * 1000, count: n / STEP_S });
    const events = new Float64Array(n / STEP_S);
    for await (const batch of DbnDecoder.fromFile(r.files.mbp10)) {
      for (let i = 0; i < batch.count; i++) {
        const rec = batch.at(i);
        const ts = rec.tsRecvMs;
        mid.update(ts, rec);
        ofi.update(ts, rec);
        const k = Math.floor((ts - startMs) / (STEP_S * 1000));
        if (k >= 0 && k < events.length) events[k]++;
      }
    }
    mid.finish();
    for (let s = 0; s < n; s++) {
      if (!Number.isFinite(mid.spread[s]) || events[Math.floor(s / STEP_S)] === 0) continue;
      into.seconds++;
      if (Math.round(mid.spread[s] / tickRaw) === 1) into.oneTick++;
    }
    const m = (k: number) => mid.mid[k * STEP_S];
    // A pair needs records in both its intervals: a change across the CME break is no 10 s move.
    for (let k = 0; k + 2 <= events.length; k++) {
      if (events[k] === 0 || events[k + 1] === 0) continue;
      const d0 = (m(k + 1) - m(k)) / tickRaw;
      const d1 = (m(k + 2) - m(k + 1)) / tickRaw;
      const q = mid.imbalance[(k + 1) * STEP_S];
      if (!Number.isFinite(d0) || !Number.isFinite(d1) || !Number.isFinite(q)) continue;
      into.ofi.push(ofi.ofi[k]);
      into.qi.push(q);
      into.same.push(d0);
      into.next.push(d1);
      into.block.push(seed * 1e6 + Math.floor((startMs / 1000 + k * STEP_S) / (BLOCK_STEPS * STEP_S)));
    }
  }
}

const empty = (): Pairs => ({ ofi: [], qi: [], same: [], next: [], block: [], seconds: 0, oneTick: 0 });
let nullPairs: Promise<Pairs> | null = null;
/** Two seeds of two days each, chosen before the first run (CONVENTIONS: no tuning on test data). */
function nullMarket(): Promise<Pairs> {
  nullPairs ??= (async () => {
    const p = empty();
    await measure('null', 101, 2, p);
    await measure('null', 202, 2, p);
    return p;
  })();
  return nullPairs;
}

const fmt = (b: { r: number; lo: number; hi: number; blocks: number }) =>
  `${b.r.toFixed(4)} [${b.lo.toFixed(4)}, ${b.hi.toFixed(4)}] (${b.blocks} blocks)`;

describe('the null market: nothing in the flow or the book predicts the mid', { timeout: 300_000 }, () => {
  it('OFI and queue imbalance against the next 10 s mid change: intervals include zero', async (t: TestContext) => {
    const p = await nullMarket();
    const ofi = bootstrapCorrelation(p.ofi, p.next, p.block);
    const qi = bootstrapCorrelation(p.qi, p.next, p.block);
    t.diagnostic(`null, ${p.next.length} pairs: OFI → next ${fmt(ofi)}, R² ${(ofi.r * ofi.r).toFixed(5)}`);
    t.diagnostic(`null: QI → next ${fmt(qi)}, R² ${(qi.r * qi.r).toFixed(5)}`);
    assert.ok(p.next.length > 20_000, `enough pairs (${p.next.length})`);
    assert.ok(ofi.lo <= 0 && ofi.hi >= 0, `OFI → next: ${fmt(ofi)}`);
    assert.ok(qi.lo <= 0 && qi.hi >= 0, `QI → next: ${fmt(qi)}`);
  });

  it('10 s mid changes are uncorrelated with the previous ones (a martingale)', async (t: TestContext) => {
    const p = await nullMarket();
    const ac = bootstrapCorrelation(p.same, p.next, p.block);
    t.diagnostic(`null: lag-1 autocorrelation of 10 s mid changes ${fmt(ac)}`);
    assert.ok(ac.lo <= 0 && ac.hi >= 0, `lag-1 autocorrelation: ${fmt(ac)}`);
  });

  it('the mid still moves with the contemporaneous OFI, and the spread is one tick', async (t: TestContext) => {
    // The book follows the walk in the same event: the orders a step passes are cancelled, so
    // OFI and the same interval's change go together (Cont, Kukanov & Stoikov's relation), and
    // every trading second shows bid m, ask m + 1.
    const p = await nullMarket();
    const same = bootstrapCorrelation(p.ofi, p.same, p.block);
    const oneTick = p.oneTick / p.seconds;
    t.diagnostic(
      `null: OFI → same interval ${fmt(same)}; one-tick spread ${(oneTick * 100).toFixed(3)}% of ${p.seconds} s`,
    );
    assert.ok(same.lo > 0.5, `OFI → same interval: ${fmt(same)}`);
    assert.equal(p.oneTick, p.seconds, 'a one-tick spread in every trading second');
  });

  it("informed traders who know the walk's next step dial the predictability up", async (t: TestContext) => {
    // Their share of the events in the 10 s before a step: 0.05 and 0.2 of them, same seed and day.
    const low = empty();
    const high = empty();
    await measure({ preset: 'null', informed: { share: 0.05 } }, 101, 1, low);
    await measure({ preset: 'null', informed: { share: 0.2 } }, 101, 1, high);
    const lo = bootstrapCorrelation(low.ofi, low.next, low.block);
    const hi = bootstrapCorrelation(high.ofi, high.next, high.block);
    t.diagnostic(`null, informed share 0.05: OFI → next ${fmt(lo)}; 0.2: ${fmt(hi)}`);
    assert.ok(lo.lo > 0, `share 0.05 foretells: ${fmt(lo)}`);
    assert.ok(hi.lo > lo.hi, `share 0.2 foretells more than 0.05: ${fmt(hi)} against ${fmt(lo)}`);
    // The mid is still a martingale to whoever does not know the draw.
    const ac = bootstrapCorrelation(high.same, high.next, high.block);
    assert.ok(ac.lo <= 0 && ac.hi >= 0, `lag-1 autocorrelation at share 0.2: ${fmt(ac)}`);
  });

  it('the same measure finds the predictability of the default market', async (t: TestContext) => {
    const p = empty();
    await measure('default', 101, 1, p);
    const ofi = bootstrapCorrelation(p.ofi, p.next, p.block);
    const qi = bootstrapCorrelation(p.qi, p.next, p.block);
    t.diagnostic(`default, ${p.next.length} pairs: OFI → next ${fmt(ofi)}; QI → next ${fmt(qi)}`);
    assert.ok(ofi.lo > 0.1, `OFI → next on default: ${fmt(ofi)}`);
    assert.ok(qi.lo > 0.1, `QI → next on default: ${fmt(qi)}`);
  });
});
