/**
 * Event bus latency: the time from calling `publish` to the handler receiving the message, one
 * message at a time (the next is published once the last arrived, so nothing queues), for an
 * MBP-10-sized payload (368 bytes). Rows: p50 and p99 through the in-process `MemoryBus` (the
 * baseline), then through `JetStreamBus` to the machine's NATS on loopback (a memory-storage stream
 * of its own, deleted afterwards) as ratios to them. JetStream is skipped, with the reason
 * printed, when nothing answers on 127.0.0.1:4222.
 */
import { silentLogger } from '../src/core/index.js';
import { type EventBus, JetStreamBus, MemoryBus } from '../src/infra/index.js';
import { portOpen } from '../test/nats.js';
import type { Report } from './harness.js';

const WARMUP = 200;
const MESSAGES = 3_000;
const PAYLOAD = 368;

/** Latencies in µs of `n` publish→handler round trips on `bus`, after a warm-up. */
async function latencies(bus: EventBus, n: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  const payload = new Uint8Array(PAYLOAD);
  let arrived: (() => void) | null = null;
  const sub = await bus.subscribe({ durable: 'bench', filter: 'md.6E.mbp10', startAt: 'new' }, () => {
    arrived?.();
  });
  for (let i = -WARMUP; i < n; i++) {
    const got = new Promise<void>((r) => {
      arrived = r;
    });
    const t = process.hrtime.bigint();
    await bus.publish('md.6E.mbp10', payload);
    await got;
    if (i >= 0) out[i] = Number(process.hrtime.bigint() - t) / 1e3;
  }
  await sub.stop();
  return out.sort();
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** p50/p99 publish→consume latency, in-process and over JetStream on loopback. */
export async function busBench(report: Report): Promise<void> {
  const memory = new MemoryBus();
  const m = await latencies(memory, MESSAGES);
  await memory.close();
  report.add('bus latency p50, MemoryBus', pct(m, 0.5), 'µs');
  report.add('bus latency p99, MemoryBus', pct(m, 0.99), 'µs');
  if (!(await portOpen('127.0.0.1', 4222))) {
    const why = 'bus latency over JetStream skipped: NATS is not answering on 127.0.0.1:4222';
    report.say(why);
    process.stderr.write(`${why}\n`);
    return;
  }
  const prefix = `bench${process.pid}${Date.now().toString(36)}`;
  const js = await JetStreamBus.connect({
    stream: prefix.toUpperCase(),
    prefix,
    storage: 'memory',
    logger: silentLogger(),
  });
  try {
    const j = await latencies(js, MESSAGES);
    report.add('bus latency p50, JetStream loopback', pct(j, 0.5), 'µs', 'bus latency p50, MemoryBus');
    report.add('bus latency p99, JetStream loopback', pct(j, 0.99), 'µs', 'bus latency p99, MemoryBus');
  } finally {
    await js.deleteStream();
    await js.close();
  }
}
