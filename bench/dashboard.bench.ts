/**
 * What watching costs: a paper session replaying a simulated 6E day with its EUR/USD quotes as
 * fast as it reads (speed 0), alone and with the dashboard's model sampled 10 and 60 times a
 * second of wall time (what the server does at `updateHz` 10, and at its most, 60), each as the
 * session's wall time and its ratio to the session alone; then the model's own cost per sample
 * (p50, p99) and the size of what goes to a browser (the snapshot, and the median update as JSON;
 * a sample of a replay this fast covers minutes of market, so its updates are far larger than at a
 * watched pace).
 * The sessions run in turn, three rounds, and each row keeps its best.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/cli/config.js';
import { backtestSetup } from '../src/cli/decide.js';
import { FileFeed, TradingSession } from '../src/runtime/index.js';
import { SessionModel } from '../src/server/index.js';
import { simulateDay } from '../src/sim/index.js';
import type { Report } from './harness.js';

const ROUNDS = 3;

interface Watched {
  readonly ms: number;
  readonly samples: number[];
  readonly snapshotBytes: number;
  readonly updateBytes: number[];
}

async function session(files: readonly string[], hz: number): Promise<Watched> {
  const cfg = loadConfig({ env: {} });
  const setup = backtestSetup(cfg, { llm: null, regime: null, runId: 'bench', warmUp: true });
  const s = new TradingSession({ setup, feed: new FileFeed(files, { speed: 0 }) });
  const samples: number[] = [];
  const updateBytes: number[] = [];
  const model =
    hz === 0
      ? null
      : new SessionModel({
          session: s,
          view: () => ({
            mode: 'replay',
            name: 'bench',
            speed: 0,
            held: false,
            range: null,
            controls: false,
            ended: null,
          }),
        });
  const timer =
    model === null
      ? null
      : setInterval(() => {
          const t0 = performance.now();
          const u = model.sample();
          samples.push(performance.now() - t0);
          if (u !== null) updateBytes.push(JSON.stringify(u).length);
        }, 1_000 / hz);
  const t0 = performance.now();
  try {
    await s.run();
  } finally {
    if (timer !== null) clearInterval(timer);
  }
  const ms = performance.now() - t0;
  model?.sample();
  return {
    ms,
    samples,
    snapshotBytes: model === null ? 0 : JSON.stringify(model.snapshot()).length,
    updateBytes,
  };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function dashboardBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  try {
    const day = await simulateDay({
      seed: 7,
      instruments: ['6E'],
      date: '2026-11-24',
      out: dir,
      zstd: false,
    });
    const f = day.files;
    const files = [f.definition, f.mbp10, f.trades, ...(f.spotMbp1 === null ? [] : [f.spotMbp1])];
    report.say('dashboard: a paper session on a simulated day of 6E and EUR/USD at speed 0');
    const best = new Map<number, Watched>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const hz of [0, 10, 60]) {
        const w = await session(files, hz);
        const b = best.get(hz);
        if (b === undefined || w.ms < b.ms) best.set(hz, w);
      }
    }
    const alone = 'dashboard paper session alone';
    report.add(alone, (best.get(0) as Watched).ms, 'ms');
    for (const hz of [10, 60]) {
      const w = best.get(hz) as Watched;
      report.add(`dashboard paper session sampled ${hz}x a second`, w.ms, 'ms', alone);
      report.add(`dashboard model sample p50, ${hz}x a second`, quantile(w.samples, 0.5), 'ms');
      report.add(`dashboard model sample p99, ${hz}x a second`, quantile(w.samples, 0.99), 'ms');
    }
    const w = best.get(10) as Watched;
    report.add('dashboard snapshot as JSON', w.snapshotBytes / 1024, 'KiB');
    report.add('dashboard update as JSON, median, 10x a second', quantile(w.updateBytes, 0.5) / 1024, 'KiB');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
