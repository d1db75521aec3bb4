/**
 * `WorkQueue` against the machine's NATS JetStream (127.0.0.1:4222), each test on a stream of its
 * own, deleted at the end: a message id published twice is one job; each job goes to one of the
 * workers sharing the consumer; a handler that throws sees its job again, one that drops it does
 * not; a job running longer than the ack wait stays with its worker; `stop` hands a running job
 * back to another worker at once; no server, or a stream of another kind, fails clearly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SHARED_NATS, sharedNatsSkip, uniquePrefix } from '../../../test/nats.js';
import { freePort } from '../../../test/ports.js';
import { until } from '../../../test/until.js';
import { silentLogger } from '../../core/index.js';
import { BusError } from './errors.js';
import { JetStreamBus } from './jetstream-bus.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

const skip = await sharedNatsSkip();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Queues on a fresh stream (`jobs.<prefix>.>`), all closed and the stream deleted by `dispose`. */
function fresh(o: Partial<WorkQueueOptions> = {}) {
  const prefix = uniquePrefix();
  const stream = `TEST_WQ_${prefix}`;
  const subject = `jobs.${prefix}.x`;
  const queues: WorkQueue[] = [];
  return {
    subject,
    open: async (more: Partial<WorkQueueOptions> = {}) => {
      const q = await WorkQueue.connect({
        servers: SHARED_NATS,
        stream,
        subjects: [`jobs.${prefix}.>`],
        durable: 'workers',
        logger: silentLogger(),
        ...o,
        ...more,
      });
      queues.push(q);
      return q;
    },
    async dispose() {
      await Promise.all(queues.map((q) => q.close()));
      const admin = queues[0];
      if (admin === undefined) return;
      const q = await WorkQueue.connect({
        servers: SHARED_NATS,
        stream,
        subjects: [`jobs.${prefix}.>`],
        durable: 'workers',
        logger: silentLogger(),
      });
      await q.deleteStream();
      await q.close();
    },
  };
}

describe('WorkQueue', { skip }, () => {
  test('a message id published twice is one job; each job goes to one of two workers', async () => {
    const f = fresh();
    try {
      const producer = await f.open();
      assert.deepEqual(await producer.publish(f.subject, 'a', 'id-a'), { duplicate: false });
      assert.deepEqual(await producer.publish(f.subject, 'a', 'id-a'), { duplicate: true });
      for (const x of ['b', 'c', 'd', 'e', 'f']) await producer.publish(f.subject, x, `id-${x}`);
      assert.equal((await producer.state()).pending, 6);
      const seen: string[][] = [[], []];
      for (const [i, q] of [await f.open(), await f.open()].entries())
        await q.work(async (item) => {
          seen[i].push(text(item.data));
          await sleep(20);
          return 'done';
        }, 2);
      await until(() => seen[0].length + seen[1].length === 6, 'six jobs done', 10_000);
      assert.deepEqual([...seen[0], ...seen[1]].sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
      await until(async () => {
        const s = await producer.state();
        return s.pending === 0 && s.inProgress === 0;
      }, 'every job acknowledged');
    } finally {
      await f.dispose();
    }
  });

  test('a handler that throws sees its job again; one that drops it does not', async () => {
    const f = fresh({ retryDelayMs: 100 });
    try {
      const q = await f.open();
      await q.publish(f.subject, 'flaky', 'flaky');
      await q.publish(f.subject, 'poison', 'poison');
      const calls: [string, number][] = [];
      await q.work(async (item) => {
        calls.push([text(item.data), item.redeliveries]);
        if (text(item.data) === 'poison') return 'drop';
        if (item.redeliveries === 0) throw new Error('not this time');
        return 'done';
      });
      await until(() => calls.some(([t, r]) => t === 'flaky' && r === 1), 'the retry', 10_000);
      await sleep(500);
      assert.deepEqual(calls.sort(), [
        ['flaky', 0],
        ['flaky', 1],
        ['poison', 0],
      ]);
    } finally {
      await f.dispose();
    }
  });

  test('a job running three ack waits stays with its worker', async () => {
    const f = fresh({ ackWaitMs: 300 });
    try {
      const q = await f.open();
      await q.publish(f.subject, 'long', 'long');
      let runs = 0;
      const other = await f.open();
      await q.work(async () => {
        runs++;
        await sleep(900);
        return 'done';
      });
      let stolen = 0;
      await until(() => runs === 1, 'the job to start');
      await other.work(async () => {
        stolen++;
        return 'done';
      });
      await until(
        async () => (await q.state()).pending === 0 && (await q.state()).inProgress === 0,
        'the job acknowledged',
        5_000,
      );
      assert.equal(runs, 1);
      assert.equal(stolen, 0);
    } finally {
      await f.dispose();
    }
  });

  test('stop hands a running job back: another worker runs it at once', async () => {
    const f = fresh({ ackWaitMs: 60_000 });
    try {
      const first = await f.open();
      await first.publish(f.subject, 'job', 'job');
      let started = false;
      await first.work(async () => {
        started = true;
        await sleep(5_000);
        return 'done';
      });
      await until(() => started, 'the job to start');
      assert.equal(await first.stop(100), 1);
      const second = await f.open();
      const got: number[] = [];
      await second.work(async (item) => {
        got.push(item.redeliveries);
        return 'done';
      });
      // Far sooner than the 60 s ack wait: the job was handed back, not left to time out.
      await until(() => got.length === 1, 'the job at the second worker', 5_000);
      assert.deepEqual(got, [1]);
    } finally {
      await f.dispose();
    }
  });

  test('no server: BUS_CONNECT names it, password hidden; a stream of another kind is refused', async () => {
    const port = await freePort();
    await assert.rejects(
      WorkQueue.connect({
        servers: `nats://u:secret@127.0.0.1:${port}`,
        stream: 'S',
        subjects: ['s.>'],
        durable: 'w',
        connectTimeoutMs: 300,
      }),
      (e: unknown) =>
        e instanceof BusError &&
        e.code === 'BUS_CONNECT' &&
        e.message.includes(`nats://u:***@127.0.0.1:${port}`) &&
        !e.message.includes('secret'),
    );
    const prefix = uniquePrefix();
    const stream = `TEST_${prefix}`;
    const bus = await JetStreamBus.connect({ servers: SHARED_NATS, stream, prefix, subjects: ['orders'] });
    try {
      await assert.rejects(
        WorkQueue.connect({ servers: SHARED_NATS, stream, subjects: [`${prefix}.orders`], durable: 'w' }),
        /limits retention; a work queue needs its own stream/,
      );
    } finally {
      await bus.deleteStream();
      await bus.close();
    }
  });
});
