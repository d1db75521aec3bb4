/**
 * A process that writes to a state store as fast as it can until it is killed, for the kill -9
 * test (src/infra/store/crash.test.ts): `node dist/test/store-writer.js <path> <run id>`.
 *
 * It first resumes what the last process left: an open order never acknowledged is "looked up"
 * (taken as acknowledged, as a venue that has it would answer) and every open order is filled to
 * the end. Then, in a loop: reserve a client order id, record the order, acknowledge it, fill it
 * in pieces (recording one fill twice, as a venue replaying its reports does), save the day's risk
 * state, and now and then a decision and a kill switch change. It prints `ready` once the first
 * order is complete, so the test kills it while it is writing.
 */
import {
  openSqliteStore,
  type StateStore,
  type StoredOrder,
  type StoredOrderStatus,
} from '../src/infra/index.js';

const [path, runId] = process.argv.slice(2);
let clock = BigInt(Date.now()) * 1_000_000n;
const now = (): bigint => ++clock;

/** Fills what is left of `o` in pieces of up to 2, each with its transition. */
async function fillRest(store: StateStore, o: StoredOrder, from: StoredOrderStatus): Promise<void> {
  let filled = o.filledQuantity;
  let status = from;
  let k = (await store.fills(o.spec.clientId)).length;
  while (filled < o.spec.quantity) {
    const quantity = Math.min(2, o.spec.quantity - filled);
    filled += quantity;
    const to: StoredOrderStatus = filled === o.spec.quantity ? 'filled' : 'partially-filled';
    const atNs = now();
    const price = 1_085_000_000 + 250_000 * (k % 4);
    const fill = {
      fillId: `${o.spec.clientId}:${++k}`,
      clientId: o.spec.clientId,
      instrumentId: o.spec.instrumentId,
      side: o.spec.side,
      quantity,
      price,
      fee: 0.5 * quantity,
      tsNs: atNs,
    };
    const t = { event: 'fill' as const, from: status, to, atNs, quantity, price };
    await store.recordFill(fill, t);
    if (k === 1 && (await store.recordFill(fill, t)) !== false) throw new Error('a fill was stored twice');
    status = to;
  }
}

/** Finishes the orders the last process left open. */
async function resume(store: StateStore): Promise<void> {
  for (const o of await store.openOrders()) {
    let status = o.status;
    if (o.ackedNs === null) {
      await store.recordTransition(o.spec.clientId, {
        event: 'ack',
        from: status,
        to: 'accepted',
        atNs: now(),
      });
      status = 'accepted';
    }
    await fillRest(store, o, status);
  }
}

/** One order from its id to its last fill, and the state written beside it. */
async function oneOrder(store: StateStore, i: number): Promise<void> {
  const [clientId] = await store.reserveClientOrderIds(runId);
  const spec = {
    clientId,
    instrumentId: 1 + (i % 3),
    side: i % 2 === 0 ? ('buy' as const) : ('sell' as const),
    type: 'market' as const,
    quantity: 1 + (i % 5),
    tif: 'IOC' as const,
  };
  const sentNs = now();
  await store.recordOrder({ spec, sentNs }, { role: 'entry', decisionId: `${clientId}:d` });
  await store.recordTransition(clientId, { event: 'ack', from: 'pending-new', to: 'accepted', atNs: now() });
  const o = (await store.order(clientId))!;
  await fillRest(store, o, 'accepted');
  const pnl = -(i % 50);
  await store.saveRiskDay({
    tradingDate: '2026-03-04',
    startEquity: 1e5,
    pnl,
    high: 0,
    halted: null,
    updatedNs: now(),
  });
  if (i % 7 === 0) {
    const d = {
      id: `${clientId}:d`,
      instrument: '6EH6',
      snapshotTs: '2026-03-04T14:30:00.000000000Z',
      trigger: { kind: 'bar' },
      route: 'fast',
      approval: { approved: true, direction: 'long' as const, size: spec.quantity },
    };
    await store.recordDecision(d, JSON.stringify({ ...d, note: 'x'.repeat(200) }));
    await store.setKillSwitch({ engaged: i % 14 === 0, reason: `step ${i}`, atNs: now() });
  }
}

const store = openSqliteStore(path);
await resume(store);
for (let i = 0; ; i++) {
  await oneOrder(store, i);
  if (i === 0) process.stdout.write('ready\n');
}
