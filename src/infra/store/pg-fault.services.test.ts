/**
 * Losing PostgreSQL: a private server (test/pg-cluster.ts, never the machine's) takes orders,
 * acknowledgements and fills from a writer in a loop, and is stopped with `pg_ctl stop -m
 * immediate` (a crash: no checkpoint, recovery at the next start) while the writer runs. Calls
 * then reject within the retry window with STORE_UNAVAILABLE naming the store, instead of
 * hanging; a store opened while the server is down waits for it (retrying with backoff) and opens
 * once it is back; the first store works again; and everything a call confirmed is still there,
 * consistent.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { type PgCluster, postgresBin, startCluster } from '../../../test/pg-cluster.js';
import { freePort } from '../../../test/ports.js';
import { until } from '../../../test/until.js';
import { createLogger } from '../../core/index.js';
import type { StateStoreError } from './errors.js';
import { openPgStore, type PgStateStore } from './pg-store.js';
import type { StateStore, StoredFill, StoredOrderEvent } from './types.js';

const RUN = 'fault';
/** How long a call of the first store retries before it rejects. */
const RETRY_MS = 1_500;

/** What the writer was told was committed: ids, each order's events, fills. */
interface Ledger {
  lastReserved: number;
  readonly events: Map<string, StoredOrderEvent[]>;
  readonly fills: StoredFill[];
  readonly failures: { error: unknown; ms: number }[];
}

let clock = 1_772_634_600_000_000_000n;
const now = (): bigint => ++clock;

/** One order: its id, the order, its ack and one fill, each entered in the ledger once confirmed. */
async function oneOrder(store: StateStore, ledger: Ledger, i: number): Promise<void> {
  const [clientId] = await store.reserveClientOrderIds(RUN);
  ledger.lastReserved = Math.max(ledger.lastReserved, Number(clientId.slice(RUN.length + 1)));
  const quantity = 1 + (i % 4);
  const side = i % 2 === 0 ? ('buy' as const) : ('sell' as const);
  const spec = {
    clientId,
    instrumentId: 1 + (i % 2),
    side,
    type: 'market' as const,
    quantity,
    tif: 'IOC' as const,
  };
  await store.recordOrder({ spec, sentNs: now() });
  const events: StoredOrderEvent[] = ['send'];
  ledger.events.set(clientId, events);
  await store.recordTransition(clientId, { event: 'ack', from: 'pending-new', to: 'accepted', atNs: now() });
  events.push('ack');
  const atNs = now();
  const price = 1_085_000_000 + 250_000 * (i % 3);
  const fill: StoredFill = {
    fillId: `${clientId}:1`,
    clientId,
    instrumentId: spec.instrumentId,
    side,
    quantity,
    price,
    fee: 0.5,
    tsNs: atNs,
  };
  await store.recordFill(fill, { event: 'fill', from: 'accepted', to: 'filled', atNs, quantity, price });
  events.push('fill');
  ledger.fills.push(fill);
}

/** Writes orders until `stop.now`; a failed call is noted with how long it took, then the next order starts. */
async function writer(store: StateStore, ledger: Ledger, stop: { now: boolean }): Promise<void> {
  for (let i = 0; !stop.now; i++) {
    const t0 = Date.now();
    try {
      await oneOrder(store, ledger, i);
    } catch (error) {
      ledger.failures.push({ error, ms: Date.now() - t0 });
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Log lines written by the stores, parsed. */
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  }),
});

let cluster: PgCluster | null = null;
const stores: PgStateStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
  await cluster?.remove();
});

const bin = postgresBin();
const problem =
  bin === null ? 'no PostgreSQL server binaries under /usr/lib/postgresql to start a private server' : null;

if (problem !== null && process.env.CI && process.env.CI !== 'false')
  test('losing PostgreSQL: a private server can be started', () => assert.fail(problem));
else
  test('PostgreSQL stopped mid-write: calls reject naming the store, the store recovers when the server returns, nothing confirmed is lost', {
    skip: problem ?? false,
    timeout: 120_000,
  }, async () => {
    cluster = await startCluster();
    const c = cluster;
    const a = await openPgStore({ url: c.url, schema: 'fault', retryForMs: RETRY_MS, logger });
    stores.push(a);
    const ledger: Ledger = { lastReserved: 0, events: new Map(), fills: [], failures: [] };
    const stop = { now: false };
    const writing = writer(a, ledger, stop);
    await until(() => ledger.fills.length >= 15, '15 orders filled', 20_000);
    assert.equal(ledger.failures.length, 0, String(ledger.failures[0]?.error));

    await c.stop('immediate');
    await until(() => ledger.failures.length >= 3, 'three calls to fail', 20_000);
    stop.now = true;
    await writing;
    // The store says it cannot record: the runtime opens no new position until it can.
    assert.equal(a.reachable, false);
    for (const { error, ms } of ledger.failures) {
      const e = error as StateStoreError;
      assert.equal(e.code, 'STORE_UNAVAILABLE', String(e));
      assert.ok(e.message.includes(`127.0.0.1:${c.port}`) && e.message.includes('schema fault'), e.message);
      // The retry window and one last refused connection: no call waits on a dead server.
      assert.ok(ms < RETRY_MS + 2_000, `a call took ${ms} ms to fail`);
    }

    // Opened while the server is down, a store waits for it and opens once it is back.
    const opening = openPgStore({ url: c.url, schema: 'fault', retryForMs: 60_000, logger });
    await new Promise((r) => setTimeout(r, 1_000));
    await c.start();
    const b = await opening;
    stores.push(b);
    // The first store's pool drops its dead connections and works again.
    const [next] = await a.reserveClientOrderIds(RUN);
    assert.equal(a.reachable, true);
    assert.ok(
      Number(next.slice(RUN.length + 1)) > ledger.lastReserved,
      `${next} after ${ledger.lastReserved}`,
    );

    // Everything a call confirmed is there.
    assert.ok(ledger.fills.length >= 15);
    const stored = new Map((await b.fills()).map((f) => [f.fillId, f]));
    for (const f of ledger.fills) assert.deepEqual(stored.get(f.fillId), f);
    for (const [clientId, events] of ledger.events) {
      const history = (await b.orderHistory(clientId)).map((t) => t.event);
      assert.deepEqual(history.slice(0, events.length), events, clientId);
    }
    assert.ok((await b.lastClientOrderSequence(RUN)) >= ledger.lastReserved);
    // And consistent: each position is the signed sum of the fills stored.
    const sums = new Map<number, number>();
    for (const f of stored.values())
      sums.set(
        f.instrumentId,
        (sums.get(f.instrumentId) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity),
      );
    assert.deepEqual(
      (await b.positions()).map((p) => [p.instrumentId, p.quantity]),
      [...sums].sort((x, y) => x[0] - y[0]),
    );

    // The logs say what happened: retries, giving up, and the server's return.
    const of = (msg: string) => lines.filter((l) => l.msg === msg);
    assert.ok(
      of('database unreachable, retrying').some(
        (l) => typeof l.call === 'string' && typeof l.delayMs === 'number',
      ),
    );
    // Each failed call logged an error: retried until the window closed, or lost during its commit.
    assert.equal(
      of('database unreachable').length + of('connection lost during commit, outcome unknown').length,
      ledger.failures.length,
      JSON.stringify(ledger.failures.map((f) => String(f.error))),
    );
    assert.ok(of('database reachable again').length >= 1);
    assert.ok(lines.every((l) => !JSON.stringify(l).includes('password')));
  });

test('a store opened on a port where no server listens rejects within its retry window', async () => {
  const port = await freePort();
  const t0 = Date.now();
  await assert.rejects(
    openPgStore({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, retryForMs: 700, logger }),
    (e: StateStoreError) => e.code === 'STORE_UNAVAILABLE' && e.message.includes(`127.0.0.1:${port}`),
  );
  assert.ok(Date.now() - t0 < 3_000);
});
