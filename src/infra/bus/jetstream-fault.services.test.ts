/**
 * `JetStreamBus` when its server dies: a `nats-server -js -sd DIR` of the test's own on a free port
 * (never the machine's shared one) is killed with SIGKILL in the middle of a stream of publishes,
 * then started again on the same store directory and port. Publishes in between fail, are logged
 * and retried; afterwards the stream holds each message once and the consumer has handled each
 * once, in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type OwnNats, startNats, stopNats } from '../../../test/nats.js';
import { freePort } from '../../../test/ports.js';
import { until } from '../../../test/until.js';
import { createLogger } from '../../core/index.js';
import { BusError } from './errors.js';
import { JetStreamBus } from './jetstream-bus.js';

const dirs: string[] = [];
const servers: OwnNats[] = [];
/** Buses to close whatever happens: an open one reconnects for ever and keeps the process alive. */
const buses: JetStreamBus[] = [];

after(async () => {
  for (const b of buses) await b.close();
  for (const s of servers) await stopNats(s, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function ownServer(dir: string, port: number): Promise<OwnNats> {
  const s = await startNats(dir, port);
  servers.push(s);
  return s;
}

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bus-fault-'));
  dirs.push(d);
  return d;
}

interface Line {
  readonly level: string;
  readonly msg: string;
  readonly [k: string]: unknown;
}

function capture(): { lines: Line[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (l: string) => lines.push(JSON.parse(l)) },
  });
  return { lines, logger };
}

const enc = new TextEncoder();

describe('JetStreamBus when its server is killed', () => {
  test('publishes are retried across a SIGKILL and restart; nothing is lost or handled twice', async () => {
    const dir = newDir();
    const port = await freePort();
    let server = await ownServer(dir, port);
    const { lines, logger } = capture();
    const bus = await JetStreamBus.connect({
      servers: server.url,
      stream: 'FAULT',
      publishTimeoutMs: 30_000,
      ackTimeoutMs: 500,
      retryDelayMs: 50,
      maxRetryDelayMs: 400,
      logger,
    });
    buses.push(bus);
    const N = 300;
    const handled: number[] = [];
    const sub = await bus.subscribe(
      { durable: 'ingest', filter: 'md.>', ackWaitMs: 2_000, maxAckPending: 32 },
      (m) => {
        handled.push(Number(new TextDecoder().decode(m.data)));
      },
    );
    const acked: number[] = [];
    let restarted: Promise<void> | null = null;
    for (let i = 0; i < N; i++) {
      if (i === 120) {
        await until(() => handled.length >= 60, 'the consumer under way');
        await stopNats(server, 'SIGKILL');
        // Back after 1.5 s on the same store and port, while the publishes below keep retrying.
        restarted = (async () => {
          await new Promise((r) => setTimeout(r, 1_500));
          server = await ownServer(dir, port);
        })();
      }
      const ack = await bus.publish('md.6E.mbp10', enc.encode(String(i)), { msgId: `6E:${i}` });
      acked.push(ack.seq);
    }
    await restarted;
    await until(() => handled.length >= N, `${N} handled`, 30_000);
    // An acknowledgement sent as the server died is lost: that message comes back after its ack
    // wait (2 s) and is acknowledged as already handled; the lag then falls to 0.
    await until(async () => (await sub.lag()) === 0, 'lag 0', 10_000);
    // Each publish stored once: the acknowledged sequences are 1..N, each once.
    assert.deepEqual(
      [...new Set(acked)].sort((a, b) => a - b),
      Array.from({ length: N }, (_, i) => i + 1),
    );
    // Each message handled once, in publish order.
    assert.deepEqual(
      handled,
      Array.from({ length: N }, (_, i) => i),
    );
    assert.equal(sub.stats.handled, N);
    assert.ok(
      lines.some((l) => l.msg === 'NATS disconnected; reconnecting' && l.level === 'warn'),
      'the disconnection is logged',
    );
    assert.ok(
      lines.some(
        (l) =>
          l.msg === 'publish failed; retrying' &&
          l.subject === 'md.6E.mbp10' &&
          typeof l.attempt === 'number',
      ),
      'the retries are logged with subject and attempt',
    );
    assert.ok(
      lines.some((l) => l.msg === 'NATS reconnected'),
      'the reconnection is logged',
    );
    await sub.stop();
    await bus.close();
  });

  test('a publish to a server that stays away fails with BUS_PUBLISH, naming the subject and attempts', async () => {
    const dir = newDir();
    const port = await freePort();
    const server = await ownServer(dir, port);
    const { logger } = capture();
    const bus = await JetStreamBus.connect({
      servers: server.url,
      stream: 'GONE',
      publishTimeoutMs: 1_500,
      ackTimeoutMs: 300,
      retryDelayMs: 50,
      logger,
    });
    buses.push(bus);
    assert.equal((await bus.publish('orders', enc.encode('o1'))).seq, 1);
    await stopNats(server, 'SIGKILL');
    const t0 = Date.now();
    await assert.rejects(
      bus.publish('orders', enc.encode('o2')),
      (e: unknown) =>
        e instanceof BusError &&
        e.code === 'BUS_PUBLISH' &&
        /publish to "orders" not acknowledged within 1500 ms \(\d+ attempts; last: /.test(e.message),
    );
    const took = Date.now() - t0;
    assert.ok(took >= 1_000 && took < 5_000, `gave up after its 1.5 s budget, took ${took} ms`);
    await bus.close();
  });
});
