/**
 * A consumer service killed with SIGKILL and started again (test/bus-consumer.ts, a process of its
 * own, against the machine's NATS on a stream of the test's own): it resumes from its durable
 * position, and with its handler idempotent by sequence every message is handled exactly once,
 * including those published while it was down.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SHARED_NATS, sharedNatsSkip, uniquePrefix } from '../../../test/nats.js';
import { until } from '../../../test/until.js';
import { silentLogger } from '../../core/index.js';
import { JetStreamBus } from './jetstream-bus.js';

const skip = await sharedNatsSkip();
const CHILD = fileURLToPath(new URL('../../../test/bus-consumer.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bus-restart-'));
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the consumer service and waits for it to be subscribed. */
async function startService(stream: string, prefix: string, out: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, [CHILD, stream, prefix, out], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  let text = '';
  c.stdout?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  c.stderr?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  await until(() => text.includes('ready') || c.exitCode !== null, 'the service to subscribe', 15_000);
  assert.equal(c.exitCode, null, `the service exited: ${text}`);
  return c;
}

function handled(out: string): number[] {
  return existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

async function kill(c: ChildProcess): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await exited;
}

test('a consumer killed mid-stream and restarted handles every message exactly once', { skip }, async () => {
  const prefix = uniquePrefix();
  const stream = `TEST_${prefix}`;
  const out = join(dir, 'handled.txt');
  const bus = await JetStreamBus.connect({ servers: SHARED_NATS, stream, prefix, logger: silentLogger() });
  try {
    for (let i = 1; i <= 400; i++)
      await bus.publish('orders', new Uint8Array([i & 255]), { msgId: `o-${i}` });
    let svc = await startService(stream, prefix, out);
    await until(() => handled(out).length >= 100, '100 handled', 15_000);
    await kill(svc);
    const atKill = handled(out).length;
    assert.ok(atKill < 400, `killed mid-stream (after ${atKill})`);
    // Published while the service is down.
    for (let i = 401; i <= 500; i++)
      await bus.publish('orders', new Uint8Array([i & 255]), { msgId: `o-${i}` });
    svc = await startService(stream, prefix, out);
    await until(
      () => handled(out).length >= 500,
      `500 handled (got ${handled(out).length}, at kill ${atKill}; last ${handled(out).slice(-3)})`,
      30_000,
    );
    // Long enough for any message left unacknowledged by the kill to come back (ack wait 1 s).
    await new Promise((r) => setTimeout(r, 1_500));
    await kill(svc);
    assert.deepEqual(
      handled(out),
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
  } finally {
    await bus.deleteStream();
    await bus.close();
  }
});
