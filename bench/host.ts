/**
 * What the host gives two threads at once. Several goals are met by work done on a second thread
 * (zstd decompressed ahead of the decoder, the simulator's files compressed and written aside), and
 * a host of "2 vCPUs" does not always run two threads at the pace of one each: shared with other
 * machines, it may give both together no more than one thread's worth, or less. The same integer
 * loop runs on one worker, then on two at once; the second row's ratio is its time against the
 * first's (1.0x: two free cores; 2.0x: one core's worth shared), and the note gives the work done
 * a second against one thread's (2.00x at best).
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { Report } from './harness.js';

/** Steps of the loop: about 0.2–0.7 s on one thread, as the host runs. */
const STEPS = 4e8;

/** A loop no compiler folds away: each step depends on the last. */
function spin(steps: number): number {
  let x = 0;
  for (let i = 0; i < steps; i++) x = (x + i * 7) | 0;
  return x;
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  port.once('message', () => port.postMessage(spin(STEPS)));
  port.postMessage('ready');
}

/** The next message of a worker. */
function next(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** Wall time (ms) of `k` workers each running the loop, started together once all are loaded. */
async function workers(k: number): Promise<number> {
  const ws = Array.from({ length: k }, () => new Worker(new URL(import.meta.url)));
  try {
    await Promise.all(ws.map(next));
    const done = ws.map(next);
    const t0 = performance.now();
    for (const w of ws) w.postMessage('go');
    await Promise.all(done);
    return performance.now() - t0;
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** Adds the host rows: one thread's loop, and two at once (best of `rounds` each, taken in turn). */
export async function hostBench(report: Report, label: string, rounds = 3): Promise<void> {
  let one = Number.POSITIVE_INFINITY;
  let two = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    one = Math.min(one, await workers(1));
    two = Math.min(two, await workers(2));
  }
  const first = `host ${label}: one thread, a fixed loop`;
  report.add(first, one, 'ms');
  report.add(
    `host ${label}: two threads at once, the loop each`,
    two,
    'ms',
    first,
    `two threads did ${((2 * one) / two).toFixed(2)}x one thread's work a second; 2.00x is two free cores`,
  );
}
