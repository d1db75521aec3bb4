/**
 * The feature store in Redis against the in-memory one, on the machine's Redis
 * (`SCALPER_REDIS_URL`, default 127.0.0.1:6379), keys under a prefix of this run removed at the end:
 *
 * - latest-snapshot read latency, p50 and p99 of 5,000 reads awaited one after another (each a
 *   round trip to Redis and a decode; the best of three rounds), as ratios to the same reads from
 *   `MemoryFeatureStore`;
 * - put rate, snapshots/s: awaited one at a time on a connection without auto-pipelining (one
 *   round trip each), against 20,000 puts issued together (auto-pipelined into a few writes);
 * - the encoded snapshot's size against the same snapshot as JSON, and encode + decode time
 *   against `JSON.stringify` + `JSON.parse`.
 *
 * When no Redis answers the Redis rows are skipped and the reason printed.
 */

import type { FeatureSnapshot } from '../src/features/index.js';
import {
  decodeFeatureSnapshot,
  encodeFeatureSnapshot,
  MemoryFeatureStore,
  RedisConnection,
  RedisFeatureStore,
  RedisResponseCache,
} from '../src/infra/index.js';
import { storeSnapshot, T0_NS } from '../test/feature-store-contract.js';
import { machineRedisUrl, redisAnswers, uniquePrefix } from '../test/redis.js';
import { best, type Report } from './harness.js';

const READS = 5_000;
const PUTS = 20_000;
const INSTRUMENTS = 8;

/** A snapshot with every column ready (a value in each), as a busy instrument's would be. */
function fullSnapshot(id: number, i: number): FeatureSnapshot {
  const fields: Record<string, number> = {};
  const s = storeSnapshot(id, T0_NS + BigInt(i), '2024-12-05T13:00:00.000000000Z');
  let k = 0;
  for (const c of Object.keys(s))
    if (typeof s[c as keyof FeatureSnapshot] === 'number' && c !== 'instrument_id')
      fields[c] = 1.0843 + (k++ + i) * 0.00017;
  return storeSnapshot(id, T0_NS + BigInt(i), '2024-12-05T13:00:00.000000000Z', fields);
}

/**
 * p50 and p99 of `n` awaited calls of `fn`, µs: the round (of three) with the lowest p50, the one
 * least disturbed by the rest of the machine.
 */
async function latencies(fn: () => Promise<unknown>, n: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 500; i++) await fn();
  let out = { p50: Number.POSITIVE_INFINITY, p99: Number.POSITIVE_INFINITY };
  const t = new Float64Array(n);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await fn();
      t[i] = Number(process.hrtime.bigint() - s) / 1e3;
    }
    t.sort();
    const p50 = t[Math.floor(0.5 * (n - 1))];
    if (p50 < out.p50) out = { p50, p99: t[Math.floor(0.99 * (n - 1))] };
  }
  return out;
}

/** Snapshots/s of `PUTS` puts made by `run`. */
async function putRate(run: () => Promise<void>): Promise<number> {
  await run();
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const s = process.hrtime.bigint();
    await run();
    min = Math.min(min, Number(process.hrtime.bigint() - s) / 1e9);
  }
  return PUTS / min;
}

function codecRows(report: Report): void {
  const snap = fullSnapshot(1, 0);
  const bytes = encodeFeatureSnapshot(snap);
  const json = JSON.stringify(snap, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  report.add('snapshot as JSON', Buffer.byteLength(json), 'bytes');
  report.add('snapshot encoded (compact binary)', bytes.length, 'bytes', 'snapshot as JSON');
  const n = 20_000;
  const jsonS = best(() => {
    for (let i = 0; i < n; i++)
      JSON.parse(JSON.stringify(snap, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  });
  report.add('snapshot JSON stringify + parse', (jsonS / n) * 1e6, 'µs');
  const binS = best(() => {
    for (let i = 0; i < n; i++) decodeFeatureSnapshot(encodeFeatureSnapshot(snap), 'bench');
  });
  report.add('snapshot encode + decode', (binS / n) * 1e6, 'µs', 'snapshot JSON stringify + parse');
}

/** The feature store rows (see the module comment). */
export async function redisBench(report: Report): Promise<void> {
  codecRows(report);
  const url = machineRedisUrl();
  if (!(await redisAnswers(url))) {
    const why = `redis: skipped, no Redis answers at ${url} (set SCALPER_REDIS_URL or run scripts/services.sh)`;
    report.say(why);
    process.stderr.write(`${why}\n`);
    return;
  }
  const prefix = uniquePrefix('bench');
  const memory = new MemoryFeatureStore();
  const piped = await RedisFeatureStore.open({ url, prefix, name: 'scalper-bench' });
  const unpipedConn = await RedisConnection.open({
    url,
    name: 'scalper-bench-nopipe',
    autoPipelining: false,
  });
  const unpiped = new RedisFeatureStore(unpipedConn, { prefix });
  try {
    const snap = fullSnapshot(1, 0);
    await memory.put(snap);
    await piped.put(snap);
    const mem = await latencies(() => memory.latest(1), READS);
    const red = await latencies(() => piped.latest(1), READS);
    report.add('feature store latest, memory p50', mem.p50, 'µs');
    report.add('feature store latest, memory p99', mem.p99, 'µs');
    report.add('feature store latest, Redis p50', red.p50, 'µs', 'feature store latest, memory p50');
    report.add('feature store latest, Redis p99', red.p99, 'µs', 'feature store latest, memory p99');

    const snaps = Array.from({ length: PUTS }, (_, i) => fullSnapshot(1 + (i % INSTRUMENTS), i));
    const one = await putRate(async () => {
      for (let i = 0; i < PUTS; i++) await unpiped.put(snaps[i]);
    });
    report.add('feature store put, Redis, one at a time', one, 'snap/s');
    const many = await putRate(async () => {
      await Promise.all(snaps.map((s) => piped.put(s)));
    });
    report.add(
      'feature store put, Redis, pipelined',
      many,
      'snap/s',
      'feature store put, Redis, one at a time',
    );
  } finally {
    await new RedisResponseCache(unpipedConn, { prefix }).clear();
    await unpiped.close();
    await unpipedConn.close();
    await piped.close();
  }
}
