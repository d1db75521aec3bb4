/**
 * Golden outputs: two short runs whose every file must keep the same bytes. The hashes below were
 * produced by the simulator at commit 901de5f, before it was split into trader populations, a
 * scheduler and record sinks, and before its random draws moved to core/random; a refactoring of
 * the simulator must leave them unchanged (same seed, same bytes).
 *
 * DBN files are hashed as decompressed streams (CONVENTIONS.md, "re-encode byte-identically"):
 * the zstd frames depend on the compressor build, the records do not.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Decompress } from 'fzstd';
import { type SimDayResult, simulateDay } from './index.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sim-golden-'));
  dirs.push(d);
  return d;
}

/** sha256 of every file in `dir` by name, of the decompressed stream for `.zst` files. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const h = createHash('sha256');
    const bytes = readFileSync(join(dir, name));
    if (name.endsWith('.zst')) new Decompress((chunk) => h.update(chunk)).push(bytes, true);
    else h.update(bytes);
    out[name] = h.digest('hex');
  }
  return out;
}

/** The figures of a day's result besides its file names. */
function figures(r: SimDayResult): Record<string, unknown> {
  return {
    counts: r.counts,
    volume: r.volume,
    informedVolume: r.informedVolume,
    oneTickShare: r.oneTickShare,
    closePrices: r.closePrices,
    nextSequence: r.nextSequence,
    spot: r.spot,
  };
}

describe('golden simulator output', () => {
  it('6E, 6B and 6J over the 08:30 New York release (zstd, MBO, spot)', async () => {
    // 13:25–13:35 UTC on Tuesday 24 November 2026 (EST): the London–New York overlap, with the US
    // data release at 13:30 (a common jump and three times the activity); seed 4 has three toxic
    // episodes in it.
    const out = tmp();
    const start = Date.UTC(2026, 10, 24, 13, 25);
    const r = await simulateDay({
      date: '2026-11-24',
      instruments: ['6E', '6B', '6J'],
      seed: 4,
      out,
      mbo: true,
      window: { startMs: start, endMs: start + 10 * 60_000 },
    });
    assert.deepEqual(hashes(out), {
      'glbx-mdp3-20261124.definition.dbn.zst':
        'a2b050de4a15a342d4cfccf864e4f4738d67beb19a9b2218f9c65bd501ac2994',
      'glbx-mdp3-20261124.mbo.dbn.zst': 'da5b770eca0f1a218b7daef7cbd02318964a6393e1ccae3f45b5453e4be51d9a',
      'glbx-mdp3-20261124.mbp-10.dbn.zst': 'fc3167adb69b6c1f637b622683733a22e8ec97a7e6ab0eb136ad65a9a6f7db44',
      'glbx-mdp3-20261124.trades.dbn.zst': '00a019bd585f1bd91a09656a627940a11ee823d873af285b9e3ddc1725a99639',
      'ig-fx-20261124.GBPUSD.prices.json': '6618989e3503cfd02bbdea9f200fba7251f92ed080477929199324c037f71094',
      'ig-fx-20261124.USDJPY.prices.json': '3a3d6fcd055c62ea031a5ad5a6a12f2c4653fa9d18b3e55b24698af989289dd8',
      'ig-fx-20261124.mbp-1.dbn.zst': 'b9e4e96d61cda60e5cb07776e44faa7d8ecffd9253fc60ce8c5cd77278ebf136',
      'ig-fx-20261124.ohlcv-1m.dbn.zst': '738b5a3334b37f61a7065c902b120ab4d4e0777f0b6de7fb34312e4441b34497',
      'ig-fx-20261124.prices.json': '8cc40b29f82734f8720590505d13ac3305f416cd84a549997b011dbadd643c4e',
      'truth-20261124.json': 'a76913a8bbd14f6f937f6a8a5a8cb127913272450df24f83d17382051c1e237e',
    });
    assert.deepEqual(figures(r), GOLDEN_A);
  });

  it('6J and 6E across the Globex open (plain DBN, given prices, sequence and parameters)', async () => {
    // 22:50–23:15 UTC on Monday 23 November 2026: ten closed minutes, then the opening snapshot of
    // trading date 2026-11-24 at 23:00 (Sydney and Tokyo). Starting in the high regime with many
    // walls and episodes exercises the high-regime branches, wall expiry and informed flow.
    const out = tmp();
    const start = Date.UTC(2026, 10, 23, 22, 50);
    const r = await simulateDay({
      date: '2026-11-24',
      instruments: ['6J', '6E'],
      seed: 3,
      out,
      mbo: true,
      zstd: false,
      firstSequence: 1000,
      startPrices: { '6E': 1_160_000_000, '6J': 6_400_000 },
      params: { initialRegime: 2, wallRate: 0.5, episodeRate: [0.05, 0.05, 0.05] },
      window: { startMs: start, endMs: start + 25 * 60_000 },
    });
    assert.deepEqual(hashes(out), {
      'glbx-mdp3-20261124.definition.dbn': '0e02a085fc7be61c70969388b57d8172acd4d1619b4ed180f6bf86095a19616a',
      'glbx-mdp3-20261124.mbo.dbn': '414cb26085085c5c4ff790b07d20ea8cd93be436c56fe3f6dc2f758b0774929d',
      'glbx-mdp3-20261124.mbp-10.dbn': '538ecd1960641bd127cbf6d2351ea4715525fb1f1e690de72501d304ea29744d',
      'glbx-mdp3-20261124.trades.dbn': 'f469f76271bcbead13bd4baa673463cc799a821846423a38c8efbc68e2c70692',
      'ig-fx-20261124.EURUSD.prices.json': '5235b9acd3a856fd0f8a8ae5257363e526e0ed7e290b96b1e33e861e6b197a41',
      'ig-fx-20261124.mbp-1.dbn': 'c893328c5c8fcacfb7418aa34cd3e5a991e2e83506e0a2129848e05f125e56bc',
      'ig-fx-20261124.ohlcv-1m.dbn': '6429db4d8240a4371824026256c86988679eff821bbafce259e59ac86268fc40',
      'ig-fx-20261124.prices.json': '93d2a40d7176aef4698b9843296a1f76c81fdc6b10fbf31145f08366936a84d8',
      'truth-20261124.json': '0126b0ea77a0a22bc9c22f80420dfeb7613e1bd2645c96622288b1fbf8906ae0',
    });
    assert.deepEqual(figures(r), GOLDEN_B);
  });
});

// Figures of the same runs at commit 901de5f.
const GOLDEN_A = {
  counts: { events: 129_430, mbo: 165_654, mbp10: 152_732, trades: 10_497 },
  volume: 26_221,
  informedVolume: 19_376,
  oneTickShare: 0.951695897396276,
  closePrices: { '6E': 1_160_600_000, '6B': 1_320_300_000, '6J': 6_695_500 },
  nextSequence: 129_431,
  spot: {
    ticks: { 'EUR/USD': 1298, 'GBP/USD': 1166, 'USD/JPY': 1397 },
    bars: { 'EUR/USD': 10, 'GBP/USD': 10, 'USD/JPY': 10 },
  },
};
const GOLDEN_B = {
  counts: { events: 22_579, mbo: 27_957, mbp10: 26_083, trades: 1316 },
  volume: 3105,
  informedVolume: 1824,
  oneTickShare: 0.9391027060542982,
  closePrices: { '6E': 1_160_400_000, '6J': 6_403_500 },
  nextSequence: 23_579,
  spot: { ticks: { 'EUR/USD': 564, 'USD/JPY': 543 }, bars: { 'EUR/USD': 15, 'USD/JPY': 15 } },
};
