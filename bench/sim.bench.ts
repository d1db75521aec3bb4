/**
 * Simulator throughput: one whole 6E trading day (MBP-10, trades, definitions, truth; zstd), and
 * the same number of records pushed through the encoder alone (zstd, to a file), so the ratio
 * says how much the market model costs on top of writing its output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbnEncoder } from '../src/data/dbn/index.js';
import { simulateDay } from '../src/sim/index.js';
import type { Report } from './harness.js';

export async function simBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scalper-sim-bench-'));
  try {
    report.say('Simulating one 6E trading day…');
    const t0 = process.hrtime.bigint();
    const day = await simulateDay({ date: '2026-11-24', seed: 11, out: dir });
    const tSim = Number(process.hrtime.bigint() - t0) / 1e9;
    const { events, mbp10, trades } = day.counts;

    // Encoding alone: the same count of MBP-10 and trade records, built once and written as they
    // are through the zstd encoder to a file.
    const mbp = new Uint8Array(368);
    mbp[0] = 92;
    mbp[1] = 0x0a;
    const tr = new Uint8Array(48);
    tr[0] = 12;
    const dv = new DataView(mbp.buffer);
    const t1 = process.hrtime.bigint();
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
    const tEnc = Number(process.hrtime.bigint() - t1) / 1e9;

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
