/**
 * The contract every `EventBus` keeps (src/infra/bus/types.ts), run against the in-process bus
 * (src/infra/bus/memory-bus.test.ts) and NATS JetStream (jetstream-bus.services.test.ts):
 *
 * ```ts
 * busContract('memory', async () => memoryBackend());
 * ```
 *
 * Each test gets a fresh backend: one empty stream (sequences start at 1) that every client made
 * by `client()` shares, as processes share a server. Expected sequences and orders are worked out
 * from the publishes each test makes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BusError, type BusMessage, type EventBus, type Subscription } from '../src/infra/index.js';
import { until } from './until.js';

/** One stream for one test, and clients of it. */
export interface BusBackend {
  /** A new client of this backend's stream. */
  client(opts?: { readonly closeTimeoutMs?: number }): Promise<EventBus>;
  /** Closes the clients made and removes the stream. */
  dispose(): Promise<void>;
}

/** What the suite varies. */
export interface BusContractConfig {
  /** A reason to skip the suite (the server is unreachable); never given in CI. */
  readonly skip?: string;
  /** How long to wait for a delivery (default 5 s). */
  readonly waitMs?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);

/** A received message, copied out of the handler call. */
interface Got {
  readonly subject: string;
  readonly text: string;
  readonly seq: number;
  readonly redelivered: boolean;
}

function got(m: BusMessage): Got {
  return { subject: m.subject, text: dec.decode(m.data), seq: m.seq, redelivered: m.redelivered };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `body` with a fresh backend, disposing of it whatever happens. */
async function withBackend(
  newBackend: () => Promise<BusBackend>,
  body: (b: BusBackend) => Promise<void>,
): Promise<void> {
  const b = await newBackend();
  try {
    await body(b);
  } finally {
    await b.dispose();
  }
}

/** Publishes `texts` on `subject` in turn, returning the acknowledged sequences. */
async function publishAll(bus: EventBus, subject: string, texts: readonly string[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const t of texts) seqs.push((await bus.publish(subject, bytes(t))).seq);
  return seqs;
}

/** The contract suite, for the backend `newBackend` makes. */
export function busContract(
  name: string,
  newBackend: () => Promise<BusBackend>,
  config: BusContractConfig = {},
): void {
  const wait = config.waitMs ?? 5_000;
  const run = (title: string, body: (b: BusBackend) => Promise<void>) =>
    test(title, { skip: config.skip }, () => withBackend(newBackend, body));

  /** Subscribes and collects every delivery into an array. */
  const collect = async (bus: EventBus, durable: string, filter: string, more = {}) => {
    const all: Got[] = [];
    const sub = await bus.subscribe({ durable, filter, ...more }, (m) => {
      all.push(got(m));
    });
    return { all, sub };
  };

  describe(`EventBus contract: ${name}`, () => {
    run('publishes get increasing sequences and are delivered with them, in order', async (b) => {
      const bus = await b.client();
      assert.deepEqual(
        [
          (await bus.publish('md.6E.mbp10', bytes('e1'))).seq,
          (await bus.publish('md.6B.mbp10', bytes('b1'))).seq,
          (await bus.publish('md.6E.mbp10', bytes('e2'))).seq,
        ],
        [1, 2, 3],
      );
      const { all, sub } = await collect(bus, 'all-md', 'md.>');
      await until(() => all.length === 3, 'three deliveries', wait);
      assert.deepEqual(all, [
        { subject: 'md.6E.mbp10', text: 'e1', seq: 1, redelivered: false },
        { subject: 'md.6B.mbp10', text: 'b1', seq: 2, redelivered: false },
        { subject: 'md.6E.mbp10', text: 'e2', seq: 3, redelivered: false },
      ]);
      await sub.stop();
    });

    run('a filter delivers only its subjects', async (b) => {
      const bus = await b.client();
      await bus.publish('md.6E.mbp10', bytes('e1'));
      await bus.publish('md.6B.mbp10', bytes('b1'));
      await bus.publish('signals.6E', bytes('s1'));
      await bus.publish('md.6E.trades', bytes('t1'));
      const { all, sub } = await collect(bus, 'six-e', 'md.6E.*');
      await until(() => all.length === 2, 'two deliveries', wait);
      await sleep(50);
      assert.deepEqual(
        all.map((g) => [g.seq, g.text]),
        [
          [1, 'e1'],
          [4, 't1'],
        ],
      );
      await sub.stop();
    });

    run('the last message of a subject is the latest stored on it; none is null', async (b) => {
      const bus = await b.client();
      await publishAll(bus, 'features.6E', ['e1', 'e2']);
      await publishAll(bus, 'features.6B', ['b1']);
      await publishAll(bus, 'features.6E', ['e3']);
      const e = await bus.lastMessage('features.6E');
      assert.deepEqual(e && got(e), { subject: 'features.6E', text: 'e3', seq: 4, redelivered: false });
      const x = await bus.lastMessage('features.6B');
      assert.deepEqual(x && got(x), { subject: 'features.6B', text: 'b1', seq: 3, redelivered: false });
      assert.equal(await bus.lastMessage('features.6J'), null);
      await assert.rejects(bus.lastMessage('features.>'), /subject/);
    });

    run('a message id published again within the window is stored once', async (b) => {
      const bus = await b.client();
      assert.deepEqual(await bus.publish('orders', bytes('A'), { msgId: 'ord-1' }), {
        seq: 1,
        duplicate: false,
      });
      assert.deepEqual(await bus.publish('orders', bytes('B'), { msgId: 'ord-1' }), {
        seq: 1,
        duplicate: true,
      });
      assert.deepEqual(await bus.publish('orders', bytes('C'), { msgId: 'ord-2' }), {
        seq: 2,
        duplicate: false,
      });
      const { all, sub } = await collect(bus, 'orders', 'orders');
      await until(() => all.length === 2, 'two deliveries', wait);
      await sleep(50);
      assert.deepEqual(
        all.map((g) => g.text),
        ['A', 'C'],
      );
      await sub.stop();
    });

    run(
      'a handler that throws gets its message again, before the later messages of its subject',
      async (b) => {
        const bus = await b.client();
        // seq 1 e1, 2 e2 on 6E; seq 3 b1 on 6B. e1 fails once: e2 waits for it, b1 does not.
        await bus.publish('md.6E.mbp10', bytes('e1'));
        await bus.publish('md.6E.mbp10', bytes('e2'));
        await bus.publish('md.6B.mbp10', bytes('b1'));
        const handled: Got[] = [];
        let failures = 0;
        const sub = await bus.subscribe({ durable: 'retry', filter: 'md.>', nakDelayMs: 100 }, (m) => {
          if (m.seq === 1 && failures === 0) {
            failures++;
            throw new Error('first attempt fails');
          }
          handled.push(got(m));
        });
        await until(() => handled.length === 3, 'three handled', wait);
        await sleep(300);
        const e = handled.filter((g) => g.subject === 'md.6E.mbp10');
        assert.deepEqual(
          e.map((g) => g.text),
          ['e1', 'e2'],
        );
        assert.equal(e[0].redelivered, true);
        assert.deepEqual(
          handled.filter((g) => g.subject === 'md.6B.mbp10').map((g) => g.text),
          ['b1'],
        );
        assert.equal(sub.stats.failed, 1);
        assert.equal(sub.stats.handled, 3);
        assert.ok(sub.stats.held >= 1, `e2 was held back at least once, got ${sub.stats.held}`);
        await sub.stop();
      },
    );

    run('a message its consumer left unanswered goes to the next subscriber of the durable', async (b) => {
      const first = await b.client({ closeTimeoutMs: 50 });
      await first.publish('fills', bytes('f1'));
      let calls = 0;
      await first.subscribe({ durable: 'svc', filter: 'fills', ackWaitMs: 1_000 }, () => {
        calls++;
        return new Promise<void>(() => {});
      });
      await until(() => calls === 1, 'the first handler call', wait);
      await first.close();
      const second = await b.client();
      const { all, sub } = await collect(second, 'svc', 'fills', { ackWaitMs: 1_000 });
      await until(() => all.length === 1, 'the redelivery', wait);
      assert.deepEqual(all, [{ subject: 'fills', text: 'f1', seq: 1, redelivered: true }]);
      await sub.stop();
    });

    run('a durable resumes after its last acknowledged message, nothing twice', async (b) => {
      const bus = await b.client();
      await publishAll(bus, 'signals.6E', ['s1', 's2', 's3']);
      const one = await collect(bus, 'resume', 'signals.*');
      await until(() => one.all.length === 3, 'three deliveries', wait);
      await one.sub.stop();
      await publishAll(bus, 'signals.6E', ['s4', 's5']);
      const two = await collect(bus, 'resume', 'signals.*', { startAt: 'all' });
      await until(() => two.all.length === 2, 'two deliveries', wait);
      await sleep(100);
      assert.deepEqual(
        [...one.all, ...two.all].map((g) => [g.seq, g.text]),
        [
          [1, 's1'],
          [2, 's2'],
          [3, 's3'],
          [4, 's4'],
          [5, 's5'],
        ],
      );
      assert.equal(await two.sub.lag(), 0);
      await two.sub.stop();
    });

    run('a durable replays from a sequence', async (b) => {
      const bus = await b.client();
      await publishAll(bus, 'features.6E', ['f1', 'f2', 'f3', 'f4', 'f5']);
      const { all, sub } = await collect(bus, 'from-3', 'features.6E', { startAt: { seq: 3 } });
      await until(() => all.length === 3, 'three deliveries', wait);
      assert.deepEqual(
        all.map((g) => [g.seq, g.text]),
        [
          [3, 'f3'],
          [4, 'f4'],
          [5, 'f5'],
        ],
      );
      await sub.stop();
    });

    run('a durable replays from a time', async (b) => {
      const bus = await b.client();
      await publishAll(bus, 'features.6E', ['before1', 'before2']);
      // Milliseconds apart on both sides, so that neither clock's rounding puts a message across.
      await sleep(30);
      const time = new Date();
      await sleep(30);
      await publishAll(bus, 'features.6E', ['after3', 'after4']);
      const { all, sub } = await collect(bus, 'from-time', 'features.6E', { startAt: { time } });
      await until(() => all.length === 2, 'two deliveries', wait);
      await sleep(50);
      assert.deepEqual(
        all.map((g) => [g.seq, g.text]),
        [
          [3, 'after3'],
          [4, 'after4'],
        ],
      );
      await sub.stop();
    });

    run('a durable started at "new" sees only what is published after it', async (b) => {
      const bus = await b.client();
      await publishAll(bus, 'orders', ['o1', 'o2']);
      const { all, sub } = await collect(bus, 'fresh', 'orders', { startAt: 'new' });
      await publishAll(bus, 'orders', ['o3']);
      await until(() => all.length === 1, 'one delivery', wait);
      await sleep(50);
      assert.deepEqual(
        all.map((g) => [g.seq, g.text]),
        [[3, 'o3']],
      );
      await sub.stop();
    });

    run('each subject keeps its publish order under a slow, bounded consumer', async (b) => {
      const bus = await b.client();
      const subjects = ['md.6E.mbp10', 'md.6B.mbp10', 'md.6J.mbp10'];
      const n = 150;
      const all: Got[] = [];
      let maxInFlight = 0;
      let sub: Subscription | null = null;
      sub = await bus.subscribe({ durable: 'ordered', filter: 'md.>', maxAckPending: 8 }, async (m) => {
        maxInFlight = Math.max(maxInFlight, sub?.inFlight ?? 0);
        if (m.seq % 7 === 0) await sleep(1);
        all.push(got(m));
      });
      for (let i = 0; i < n; i++) await bus.publish(subjects[i % 3], bytes(String(i)));
      await until(() => all.length === n, `${n} deliveries`, wait * 2);
      for (const s of subjects) {
        const texts = all.filter((g) => g.subject === s).map((g) => Number(g.text));
        const k = subjects.indexOf(s);
        assert.deepEqual(
          texts,
          Array.from({ length: n / 3 }, (_, i) => 3 * i + k),
        );
      }
      assert.deepEqual(
        all.map((g) => g.seq),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      assert.ok(maxInFlight <= 8, `at most 8 in flight, saw ${maxInFlight}`);
      await sub.stop();
    });

    run('lag counts what the consumer has not acknowledged', async (b) => {
      const bus = await b.client();
      await publishAll(
        bus,
        'md.6E.mbp10',
        Array.from({ length: 50 }, (_, i) => `m${i}`),
      );
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let calls = 0;
      const sub = await bus.subscribe(
        { durable: 'lagging', filter: 'md.6E.>', maxAckPending: 4 },
        async () => {
          calls++;
          await gate;
        },
      );
      await until(() => calls === 1, 'the first handler call', wait);
      // 1 in the handler, up to 3 more fetched, 46 or more not yet delivered: 50 unacknowledged.
      assert.equal(await sub.lag(), 50);
      assert.ok(sub.inFlight <= 4, `at most 4 in flight, got ${sub.inFlight}`);
      release();
      await until(() => calls === 50, 'fifty handler calls', wait);
      await until(async () => (await sub.lag()) === 0, 'lag 0', wait);
      await sub.stop();
    });

    run('a durable that exists with another filter is refused', async (b) => {
      const bus = await b.client();
      const sub = await bus.subscribe({ durable: 'taken', filter: 'orders' }, () => {});
      await sub.stop();
      await assert.rejects(
        bus.subscribe({ durable: 'taken', filter: 'fills' }, () => {}),
        (e: unknown) => e instanceof BusError && e.code === 'BUS_CONSUMER' && /"taken"/.test(e.message),
      );
      await bus.deleteConsumer('taken');
      const again = await bus.subscribe({ durable: 'taken', filter: 'fills' }, () => {});
      await again.stop();
    });

    run('a subject outside the bus or with wildcards is refused, naming it', async (b) => {
      const bus = await b.client();
      await assert.rejects(
        bus.publish('quotes.6E', bytes('x')),
        (e: unknown) => e instanceof BusError && e.code === 'BUS_SUBJECT' && /"quotes\.6E"/.test(e.message),
      );
      await assert.rejects(
        bus.publish('md.*.mbp10', bytes('x')),
        (e: unknown) => e instanceof BusError && e.code === 'BUS_SUBJECT',
      );
      await assert.rejects(
        bus.subscribe({ durable: 'quotes', filter: 'quotes.>' }, () => {}),
        (e: unknown) =>
          e instanceof BusError && e.code === 'BUS_SUBJECT' && /"quotes\.>" matches none/.test(e.message),
      );
      await assert.rejects(
        bus.subscribe({ durable: 'bad.name', filter: 'orders' }, () => {}),
        (e: unknown) => e instanceof BusError && e.code === 'BUS_OPTION' && /"bad\.name"/.test(e.message),
      );
    });

    run('a closed bus refuses publishes', async (b) => {
      const bus = await b.client();
      await bus.close();
      await assert.rejects(
        bus.publish('orders', bytes('x')),
        (e: unknown) => e instanceof BusError && e.code === 'BUS_CLOSED',
      );
    });
  });
}
