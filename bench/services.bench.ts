/**
 * The services' latency: 30 simulated minutes of 6E replayed at 30 times real time (about 2,200
 * records a second, with the bursts of the simulated day) through ingest → featurize → decide →
 * execute, once as one process over the in-process bus (`scalper run`) and once as four processes
 * over the machine's NATS JetStream on loopback (a stream of its own, deleted afterwards). Each
 * run's execute measures, for every grid second of the product and for every decision that sent an
 * order, the time from the record that closed the second being stored on the bus to the second
 * being acted on, split by stage (services/execute.ts `StageLatency`). Rows: p50 and p99 of the
 * whole (tick-to-order) and of each stage; the four-process rows as ratios to the one-process
 * ones. The distributed part is skipped, with the reason printed, when NATS does not answer on
 * 127.0.0.1:4222. The roadmap's budget: features < 50 ms, decisions < 100 ms, end to end < 1 s;
 * ours for the quant path over NATS: p99 under 5 ms.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/core/index.js';
import { JetStreamBus } from '../src/infra/index.js';
import { simulateDay } from '../src/sim/index.js';
import { scalperBin } from '../test/fixtures.js';
import { portOpen } from '../test/nats.js';
import type { Report } from './harness.js';

const SPEED = 30;
const DATE = '2026-11-24';
const FROM = '2026-11-24T14:00:00Z';
/** The replay's length by default: 30 minutes from 14:00 UTC, the day's busiest hours. */
export const SERVICES_MINUTES = 30;

interface Pcts {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}
interface Summary {
  readonly count: number;
  readonly featurize: Pcts;
  readonly decide: Pcts;
  readonly execute: Pcts;
  readonly tickToOrder: Pcts;
}
interface Stats {
  readonly seconds: Summary;
  readonly orders: Summary;
}

function scalper(args: readonly string[]): { proc: ChildProcess; done: Promise<void> } {
  const proc = spawn(process.execPath, [scalperBin(), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
  });
  let err = '';
  proc.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const done = new Promise<void>((resolve, reject) =>
    proc.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scalper ${args[0]} exited ${code}: ${err.slice(-2_000)}`)),
    ),
  );
  return { proc, done };
}

function rows(report: Report, label: string, s: Stats, base?: string): void {
  const what = [
    ['tick-to-order', 'tickToOrder'],
    ['featurize', 'featurize'],
    ['decide', 'decide'],
    ['execute', 'execute'],
  ] as const;
  for (const [name, key] of what) {
    for (const p of ['p50', 'p99'] as const) {
      const row = `services ${name} ${p}, every grid second, ${label}`;
      report.add(
        row,
        s.seconds[key][p],
        'ms',
        base === undefined ? undefined : `services ${name} ${p}, every grid second, ${base}`,
      );
    }
  }
  report.say(`  ${label}: ${s.seconds.count} grid seconds, ${s.orders.count} decisions that sent orders`);
  if (s.orders.count === 0) return;
  for (const p of ['p50', 'p99'] as const) {
    const row = `services tick-to-order ${p}, decisions that sent orders, ${label}`;
    report.add(row, s.orders.tickToOrder[p], 'ms');
  }
}

/**
 * `minutes`: the replay's length from 14:00 UTC, or `day` for the whole simulated trading day (48
 * minutes of wall time at 30x).
 */
export async function servicesBench(
  report: Report,
  minutes: number | 'day' = SERVICES_MINUTES,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-services-'));
  try {
    const startMs = Date.parse(FROM);
    const day = await simulateDay({
      seed: 7,
      instruments: ['6E'],
      date: DATE,
      out: dir,
      zstd: false,
      ...(minutes === 'day' ? {} : { window: { startMs, endMs: startMs + minutes * 60_000 } }),
    });
    const files = [day.files.mbp10, day.files.trades];
    const span = minutes === 'day' ? `the simulated day ${DATE}` : `${minutes} simulated minutes`;
    report.say(`services: ${span} of 6E at ${SPEED}x real time, ingest → featurize → decide → execute`);
    const one = join(dir, 'one.json');
    await scalper(['run', ...files, '--speed', String(SPEED), '--stats', one, '--out', join(dir, 'one')])
      .done;
    const oneStats = JSON.parse(readFileSync(one, 'utf8')) as Stats;
    rows(report, 'one process', oneStats);
    if (!(await portOpen('127.0.0.1', 4222))) {
      const why = 'services over NATS skipped: NATS is not answering on 127.0.0.1:4222';
      report.say(why);
      process.stderr.write(`${why}\n`);
      return;
    }
    const stream = `BENCHSVC${process.pid}`;
    const bus = ['--bus', 'nats://127.0.0.1:4222', '--stream', stream];
    const four = join(dir, 'four.json');
    const services = [
      scalper(['featurize', ...bus]),
      scalper(['decide', ...bus]),
      scalper(['execute', ...bus, '--stats', four, '--out', join(dir, 'four')]),
    ];
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      await scalper(['ingest', ...files, ...bus, '--speed', String(SPEED)]).done;
      await Promise.all(services.map((s) => s.done));
    } finally {
      for (const s of services) s.proc.kill('SIGKILL');
      const js = await JetStreamBus.connect({ stream, logger: silentLogger() });
      await js.deleteStream();
      await js.close();
    }
    rows(report, 'four processes over NATS', JSON.parse(readFileSync(four, 'utf8')) as Stats, 'one process');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
