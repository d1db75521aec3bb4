/**
 * Simulator throughput: one whole 6E trading day (MBP-10, trades, definitions, truth; zstd), and
 * the same number of records pushed through the encoder alone (zstd, to a file), so the ratio
 * says how much the market model costs on top of writing its output. Each is run `RUNS` times,
 * alternating, and the best time of each kept (the run least disturbed by the rest of the machine).
 * The simulator compresses on a worker thread (sim/file-thread.ts), so it gains from a second core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbnEncoder } from '../src/data/dbn/index.js';
import { simulateDay } from '../src/sim/index.js';
import type { Report } from './harness.js';

const RUNS = 3;

/** Seconds since `t0` (from `process.hrtime.bigint()`). */
function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function simBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scalper-sim-bench-'));
  try {
    report.say(`Simulating one 6E trading day (best of ${RUNS})…`);
    let tSim = Number.POSITIVE_INFINITY;
    let tEnc = Number.POSITIVE_INFINITY;
    let counts = { events: 0, mbp10: 0, trades: 0 };
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      const day = await simulateDay({ date: '2026-11-24', seed: 11, out: dir });
      tSim = Math.min(tSim, since(t0));
      counts = day.counts;
      const t1 = process.hrtime.bigint();
      await encodeAlone(dir, counts.mbp10, counts.trades);
      tEnc = Math.min(tEnc, since(t1));
    }
    const { events, mbp10 } = counts;
    report.add('encode the same records alone (zstd)', events / tEnc, 'events/s');
    report.add(
      'simulate one 6E trading day',
      events / tSim,
      'events/s',
      'encode the same records alone (zstd)',
      `${events.toLocaleString('en-US')} events, ${mbp10.toLocaleString('en-US')} MBP-10 records in ${tSim.toFixed(1)} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Encoding alone: `mbp10` MBP-10 and `trades` trade records, built once and written as they are
 * through the zstd encoder to files in `dir`.
 */
async function encodeAlone(dir: string, mbp10: number, trades: number): Promise<void> {
  const mbp = new Uint8Array(368);
  mbp[0] = 92;
  mbp[1] = 0x0a;
  const tr = new Uint8Array(48);
  tr[0] = 12;
  const dv = new DataView(mbp.buffer);
  const a = DbnEncoder.toFile(join(dir, 'enc.mbp-10.dbn.zst'), {
    metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10' },
    zstd: true,
  });
  for (let i = 0; i < mbp10; i++) {
    dv.setUint32(44, i, true); // vary the sequence so zstd does not see identical records
    dv.setUint32(8, i * 977, true);
    a.writeEncoded(mbp);
  }
  await a.end();
  const b = DbnEncoder.toFile(join(dir, 'enc.trades.dbn.zst'), {
    metadata: { dataset: 'GLBX.MDP3', schema: 'trades' },
    zstd: true,
  });
  for (let i = 0; i < trades; i++) b.writeEncoded(tr);
  await b.end();
}
