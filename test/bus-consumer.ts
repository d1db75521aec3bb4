/**
 * A consumer service in a process of its own, for tests that kill it:
 * `node dist/test/bus-consumer.js STREAM PREFIX OUT`. It reads the durable `svc` on `orders` of the
 * JetStream stream STREAM (subject prefix PREFIX) at 127.0.0.1:4222 and appends the sequence of
 * each message it handles to OUT, one per line. Its handler is idempotent by sequence, as a
 * service's must be: a message at or below the last sequence in OUT (handled, but killed before
 * its acknowledgement reached the server) is acknowledged without being handled again. Prints
 * `ready` once subscribed.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { silentLogger } from '../src/core/index.js';
import { JetStreamBus } from '../src/infra/index.js';

const [stream, prefix, out] = process.argv.slice(2);
const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
let last = lines.length > 0 ? Number(lines[lines.length - 1]) : 0;

const bus = await JetStreamBus.connect({ stream, prefix, logger: silentLogger() });
await bus.subscribe({ durable: 'svc', filter: 'orders', ackWaitMs: 1_000, maxAckPending: 16 }, async (m) => {
  if (m.seq <= last) return;
  await new Promise((r) => setTimeout(r, 2));
  appendFileSync(out, `${m.seq}\n`);
  last = m.seq;
});
process.stdout.write('ready\n');
