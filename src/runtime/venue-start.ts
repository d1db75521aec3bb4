/**
 * A live session's start at a real venue: the venue's account (positions, working orders) set
 * beside the state store's, and the reconciliation policy (execution/reconcile.ts) carried out
 * before the first decision.
 *
 * The store's open orders are the last process's, and none is ever sent again. Each is looked for
 * among the venue's working orders by its client id: one the venue still works is adopted by the
 * broker, so that its fills and cancels are booked and the store follows it (a bracket's exit goes
 * on protecting its position, and no second one is sent); one the venue no longer works is ended
 * in the store with what the venue tells of it: its order status when it can be asked (`lookUp`),
 * else what its position shows (`settleByPosition`). Only then are the positions compared and the
 * venue's orders that are not ours left to the policy.
 */
import { ConfigError, type Logger } from '../core/index.js';
import {
  carryOut,
  describeMismatches,
  type Order,
  type ReconcilePolicy,
  reconcile,
  reconciliationPlan,
  type TraderFill,
  type VenueBroker,
  type VenueOrder,
  type VenueOrderStatus,
  type VenuePosition,
  type VenueState,
} from '../execution/index.js';
import type { SqliteStateStore, StoredOrder, StoredTransition } from '../infra/index.js';
import { bracketsOf, type Resume, storedFills } from './journal.js';

/**
 * The venue's account set beside ours (the store's positions and open orders): our orders the
 * venue works adopted, the others ended in the store, then the policy's actions carried out.
 * Returns the resume with the store's fills and brackets as they now are and the venue's positions
 * adopted, or throws when the policy holds trading.
 */
export async function reconciledResume(o: {
  readonly broker: VenueBroker;
  readonly resume: Resume;
  readonly store: SqliteStateStore;
  readonly policy: ReconcilePolicy;
  readonly runId: string;
  readonly nowNs: bigint;
  readonly log: Logger;
}): Promise<Resume> {
  const { broker, resume, store, policy, runId, nowNs, log } = o;
  const theirs = await broker.venueState();
  const ours = await adoptOpenOrders(o, theirs);
  const fills = await storedFills(store);
  const net = netOf(fills.map((f) => ({ instrumentId: f.instrumentId, quantity: signed(f) })));
  const positions = [...net]
    .filter(([, q]) => q !== 0)
    .map(([instrumentId, quantity]) => ({ instrumentId, quantity }));
  const r = reconcile({ positions, orders: ours }, theirs);
  const adopted: TraderFill[] = [];
  const closed: number[] = [];
  if (!r.matched) {
    const lines = describeMismatches(r, (id) => String(id));
    log.warn({ differences: lines, policy }, 'the venue differs from the state store');
    const plan = reconciliationPlan(r, theirs, policy);
    const ids = await store.reserveClientOrderIds(runId, Math.max(1, plan.length));
    let next = 0;
    const outcome = carryOut(plan, broker, nowNs, () => ids[next++]);
    for (const a of plan) if (a.kind === 'close-position') closed.push(a.instrumentId);
    if (!outcome.trading)
      throw new ConfigError(
        `the venue's account differs from the state store, and execution.reconcile is "wait": ${outcome.held}\n  ${lines.join('\n  ')}\nSettle the account, or set execution.reconcile to adopt or flatten.`,
      );
    for (const p of outcome.positions) {
      const have = net.get(p.instrumentId) ?? 0;
      const q = p.quantity - have;
      if (q === 0) continue;
      if (p.averagePx === undefined)
        throw new ConfigError(
          `the venue holds ${p.quantity} of instrument ${p.instrumentId} without a price to adopt it at`,
        );
      adopted.push({
        clientId: `reconcile-${p.instrumentId}`,
        liquidity: 'taker',
        instrumentId: p.instrumentId,
        side: q > 0 ? 'buy' : 'sell',
        quantity: Math.abs(q),
        price: p.averagePx,
        fee: 0,
        tsNs: nowNs,
      });
    }
  }
  const open = await store.openOrders();
  // A position the policy closes at the market is not protected again.
  const closing = new Set(closed);
  const brackets = (await bracketsOf(store, fills, open, true)).filter((b) => !closing.has(b.instrumentId));
  return {
    ...resume,
    open,
    lastSequence: Math.max(resume.lastSequence, await store.lastClientOrderSequence(runId)),
    trader: {
      ...resume.trader,
      fills: [...fills, ...adopted],
      brackets,
    },
  };
}

type Context = Parameters<typeof reconciledResume>[0];

/**
 * The store's open orders against the venue's working ones, by client id (a FIX order replaced
 * goes by the ClOrdID of its last replace, which the broker reports under our client id): each
 * the venue works is brought to a working state in the store and adopted by the broker with what
 * had filled of it; the others are ended in the store (`lookUp`, `settleByPosition`). Returns the
 * adopted orders.
 */
async function adoptOpenOrders(o: Context, theirs: VenueState): Promise<Order[]> {
  const { broker, resume, store, nowNs, log } = o;
  const working = new Map<string, VenueOrder>();
  for (const v of theirs.orders) if (v.clientId !== undefined) working.set(v.clientId, v);
  const adopted: Order[] = [];
  const gone: StoredOrder[] = [];
  for (const s of resume.open) {
    const id = s.spec.clientId;
    const v = working.get(id);
    if (v === undefined) {
      gone.push(s);
      continue;
    }
    await workingInStore(store, s, v, nowNs);
    const filled =
      s.filledQuantity > 0 ? { quantity: s.filledQuantity, averagePx: await averagePx(store, id) } : null;
    if (s.spec.quantity - s.filledQuantity !== v.quantity)
      log.warn(
        { clientId: id, stored: s.spec.quantity - s.filledQuantity, venue: v.quantity },
        'an open order works at the venue for another quantity than the store holds',
      );
    adopted.push(broker.adopt({ ...v, clientId: id, ...(filled !== null ? { filled } : {}) }, nowNs));
  }
  await settleByPosition(store, await lookUp(o, gone), theirs.positions, nowNs);
  return adopted;
}

/**
 * Open orders of the store the venue no longer works, asked of a venue that can be asked
 * (`orderStatus`) one by one, and ended in the store as it tells. Returns those it could not tell
 * of (the question failed, or it says the order works though its working orders did not list it).
 */
async function lookUp(o: Context, gone: readonly StoredOrder[]): Promise<StoredOrder[]> {
  const { broker, store, nowNs, log } = o;
  if (broker.orderStatus === undefined) return [...gone];
  const left: StoredOrder[] = [];
  for (const s of gone) {
    const clientId = s.spec.clientId;
    let v: VenueOrderStatus;
    try {
      v = await broker.orderStatus({
        clientId,
        ...(s.venueId !== null ? { venueId: s.venueId } : {}),
        instrumentId: s.spec.instrumentId,
        side: s.spec.side,
        type: s.spec.type,
        tif: s.spec.tif,
      });
    } catch (err) {
      log.warn({ err, clientId }, 'the venue could not be asked of an order; its position tells what it can');
      left.push(s);
      continue;
    }
    if (v.status === 'working' || (v.filledQuantity > s.filledQuantity && v.averagePx === undefined)) {
      log.warn(
        { clientId, status: v },
        "the venue's order status does not settle an order; its position tells what it can",
      );
      left.push(s);
      continue;
    }
    await settleAsTold(store, s, v, nowNs);
  }
  return left;
}

const END_EVENT = { cancelled: 'cancelled', rejected: 'reject', expired: 'expire' } as const;

/**
 * An order ended in the store as the venue's status tells: what filled beyond the store's fills is
 * booked as one fill at the price the venue's average leaves for it (without a fee, which the
 * status does not tell), then the rest is cancelled, rejected or expired as the venue says.
 */
async function settleAsTold(
  store: SqliteStateStore,
  s: StoredOrder,
  v: VenueOrderStatus,
  nowNs: bigint,
): Promise<void> {
  const id = s.spec.clientId;
  const told = `looked up at the venue on restart: ${v.status}${v.text !== undefined ? ` (${v.text})` : ''}`;
  const missing = v.filledQuantity - s.filledQuantity;
  let status = s.status;
  if (missing > 0) {
    let known = 0;
    for (const f of await store.fills(id)) known += f.quantity * f.price;
    const price = Math.round((v.filledQuantity * (v.averagePx as number) - known) / missing);
    const to = v.filledQuantity >= s.spec.quantity ? 'filled' : 'partially-filled';
    const reason = `filled while the session was down, ${told}; at the price the venue's average price leaves for it, without a fee`;
    await store.recordFill(
      {
        fillId: `${id}:restart`,
        clientId: id,
        instrumentId: s.spec.instrumentId,
        side: s.spec.side,
        quantity: missing,
        price,
        fee: 0,
        tsNs: nowNs,
      },
      { event: 'fill', from: status, to, atNs: nowNs, quantity: missing, price, reason },
    );
    status = to;
  }
  if (status === 'filled') return;
  const to = v.status === 'rejected' || v.status === 'expired' ? v.status : 'cancelled';
  await store.recordTransition(id, { event: END_EVENT[to], from: status, to, atNs: nowNs, reason: told });
}

/**
 * An order of the store the venue still works, brought to the working state the adopted order
 * has: an order never acknowledged was, a cancel still pending did not take, a replace still
 * pending took when the venue's terms are the new ones and did not otherwise.
 */
async function workingInStore(
  store: SqliteStateStore,
  s: StoredOrder,
  v: VenueOrder,
  nowNs: bigint,
): Promise<void> {
  const to = s.filledQuantity > 0 ? 'partially-filled' : 'accepted';
  const id = s.spec.clientId;
  const base = { from: s.status, to, atNs: nowNs } as const;
  if (s.status === 'pending-new')
    await store.recordTransition(id, { ...base, event: 'ack', reason: 'working at the venue on restart' });
  else if (s.status === 'pending-cancel')
    await store.recordTransition(id, {
      ...base,
      event: 'cancel-rejected',
      reason: 'still working at the venue on restart: the cancel did not take',
    });
  else if (s.status === 'pending-replace') {
    const same =
      v.quantity === s.spec.quantity - s.filledQuantity &&
      (v.limitPx ?? null) === (s.spec.limitPx ?? null) &&
      (v.stopPx ?? null) === (s.spec.stopPx ?? null);
    if (same)
      await store.recordTransition(id, {
        ...base,
        event: 'replace-rejected',
        reason: 'working at the venue on restart with its old terms: the replace did not take',
      });
    else
      await store.recordTransition(
        id,
        { ...base, event: 'replaced', reason: 'working at the venue on restart with new terms' },
        {
          quantity: s.filledQuantity + v.quantity,
          ...(v.limitPx !== undefined ? { limitPx: v.limitPx } : {}),
          ...(v.stopPx !== undefined ? { stopPx: v.stopPx } : {}),
        },
      );
  }
}

/** The average price (raw units) of an order's stored fills. */
async function averagePx(store: SqliteStateStore, clientId: string): Promise<number> {
  let q = 0;
  let n = 0;
  for (const f of await store.fills(clientId)) {
    q += f.quantity;
    n += f.quantity * f.price;
  }
  return q === 0 ? 0 : Math.round(n / q);
}

/**
 * Open orders of the store the venue no longer works and could not tell of, ended in the store and
 * never sent again. What happened to them is read from the venue's position against the store's,
 * per instrument:
 * the same, and none of them filled (cancelled); moved by exactly what one of them would have
 * done, and that one filled while the session was down (booked as a fill at its limit or stop
 * price, the venue not telling the price; the others cancelled); anything else, and which filled
 * cannot be told (all cancelled, the position difference left to the reconciliation policy).
 */
async function settleByPosition(
  store: SqliteStateStore,
  gone: readonly StoredOrder[],
  venuePositions: readonly VenuePosition[],
  nowNs: bigint,
): Promise<void> {
  if (gone.length === 0) return;
  const fills = await storedFills(store);
  const ours = netOf(fills.map((f) => ({ instrumentId: f.instrumentId, quantity: signed(f) })));
  const venue = netOf(venuePositions);
  const instruments = [...new Set(gone.map((s) => s.spec.instrumentId))];
  for (const id of instruments) {
    const list = gone.filter((s) => s.spec.instrumentId === id);
    const d = (venue.get(id) ?? 0) - (ours.get(id) ?? 0);
    const leaves = (s: StoredOrder) =>
      (s.spec.side === 'buy' ? 1 : -1) * (s.spec.quantity - s.filledQuantity);
    const explaining = d === 0 ? [] : list.filter((s) => leaves(s) === d);
    const filled = explaining.length === 1 ? explaining[0] : null;
    const price = filled === null ? undefined : (filled.spec.limitPx ?? filled.spec.stopPx);
    for (const s of list) {
      const cid = s.spec.clientId;
      if (s === filled && price !== undefined) {
        const q = s.spec.quantity - s.filledQuantity;
        const t: StoredTransition = {
          event: 'fill',
          from: s.status,
          to: 'filled',
          atNs: nowNs,
          quantity: q,
          price,
          reason: `filled while the session was down: not working at the venue on restart, and the venue's position moved by ${d} as its fill would; the venue did not tell the price or fee: booked at its ${s.spec.limitPx !== undefined ? 'limit' : 'stop'} price, without a fee`,
        };
        await store.recordFill(
          {
            fillId: `${cid}:restart`,
            clientId: cid,
            instrumentId: id,
            side: s.spec.side,
            quantity: q,
            price,
            fee: 0,
            tsNs: nowNs,
          },
          t,
        );
        continue;
      }
      const reason =
        d === 0
          ? "not working at the venue on restart, and the venue's position shows no fill of it"
          : filled !== null && s !== filled
            ? `not working at the venue on restart; the venue's position shows the fill of ${filled.spec.clientId}, none of this one`
            : s === filled
              ? `not working at the venue on restart; the venue's position moved by ${d} as its fill would, at a price neither it nor the order tells: closed as cancelled, the difference left to reconciliation`
              : `not working at the venue on restart; the venue's position differs by ${d}, which this order's fill does not explain alone: closed as cancelled, the difference left to reconciliation`;
      await store.recordTransition(cid, {
        event: 'cancelled',
        from: s.status,
        to: 'cancelled',
        atNs: nowNs,
        reason,
      });
    }
  }
}

function signed(f: TraderFill): number {
  return f.side === 'buy' ? f.quantity : -f.quantity;
}

/** Net quantity per instrument. */
function netOf(
  list: readonly { readonly instrumentId: number; readonly quantity: number }[],
): Map<number, number> {
  const net = new Map<number, number>();
  for (const p of list) net.set(p.instrumentId, (net.get(p.instrumentId) ?? 0) + p.quantity);
  return net;
}
