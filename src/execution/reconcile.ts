/**
 * Reconciliation: before trading at a venue (on start, and after a reconnect), the venue's own
 * account of our positions and working orders (`VenueBroker.venueState`) is compared with ours.
 * Every difference is named with both sides; what follows is the configured policy
 * (`execution.reconcile`): `wait` holds new orders until the trader decides, `adopt` makes ours
 * the venue's, `flatten` cancels the venue's working orders and closes its positions at the
 * market. Orders are matched by our client id when the venue carries it; an order the venue holds
 * without one is the venue's alone.
 */
import type { VenueBroker, VenueOrder, VenuePosition, VenueState } from './broker.js';
import { isTerminal, type Order, type OrderSide } from './order.js';

export type ReconcilePolicy = 'wait' | 'adopt' | 'flatten';

/** Our side of the comparison: positions per instrument and the orders we believe are working. */
export interface OurState {
  readonly positions: readonly VenuePosition[];
  readonly orders: readonly Order[];
}

/** What an order is, in the terms both sides share. */
export interface OrderTerms {
  readonly clientId?: string;
  readonly instrumentId: number;
  readonly side: OrderSide;
  /** Quantity still working. */
  readonly quantity: number;
  readonly limitPx?: number;
  readonly stopPx?: number;
}

export type Mismatch =
  | {
      readonly kind: 'position';
      readonly instrumentId: number;
      readonly ours: number;
      readonly theirs: number;
    }
  /** We hold it as working; the venue does not (filled, cancelled or never arrived). */
  | { readonly kind: 'order-only-ours'; readonly instrumentId: number; readonly ours: OrderTerms }
  /** The venue works it; we do not know it (sent by another session, or by hand). */
  | { readonly kind: 'order-only-theirs'; readonly instrumentId: number; readonly theirs: VenueOrder }
  /** Both hold it, with different terms (`fields`). */
  | {
      readonly kind: 'order-differs';
      readonly instrumentId: number;
      readonly ours: OrderTerms;
      readonly theirs: VenueOrder;
      readonly fields: readonly string[];
    };

/** What `reconcile` found. */
export interface Reconciliation {
  /** True when nothing differs. */
  readonly matched: boolean;
  readonly mismatches: readonly Mismatch[];
}

/** A step of a policy, for the runtime to carry out through its broker and portfolio. */
export type ReconcileAction =
  /** No new orders until the trader decides (`wait`). */
  | { readonly kind: 'hold'; readonly reason: string }
  /** Our position in `instrumentId` becomes the venue's. */
  | {
      readonly kind: 'adopt-position';
      readonly instrumentId: number;
      readonly quantity: number;
      readonly averagePx?: number;
    }
  /** The venue's working order becomes one of ours (its terms win where they differ). */
  | { readonly kind: 'adopt-order'; readonly order: VenueOrder }
  /** An order of ours the venue no longer works: ours is ended (a position difference covers fills). */
  | { readonly kind: 'forget-order'; readonly clientId: string }
  /** The venue's working order is cancelled. */
  | { readonly kind: 'cancel-order'; readonly order: VenueOrder }
  /** The venue's position is closed at the market. */
  | {
      readonly kind: 'close-position';
      readonly instrumentId: number;
      readonly side: OrderSide;
      readonly quantity: number;
    };

function termsOf(o: Order): OrderTerms {
  const s = o.spec;
  return {
    clientId: s.clientId,
    instrumentId: s.instrumentId,
    side: s.side,
    quantity: o.leavesQuantity,
    ...(s.limitPx !== undefined ? { limitPx: s.limitPx } : {}),
    ...(s.stopPx !== undefined ? { stopPx: s.stopPx } : {}),
  };
}

/** The fields in which two views of one order differ. */
function differences(ours: OrderTerms, theirs: VenueOrder): string[] {
  const out: string[] = [];
  if (ours.instrumentId !== theirs.instrumentId) out.push('instrument');
  if (ours.side !== theirs.side) out.push('side');
  if (ours.quantity !== theirs.quantity) out.push('quantity');
  if ((ours.limitPx ?? null) !== (theirs.limitPx ?? null)) out.push('limit price');
  if ((ours.stopPx ?? null) !== (theirs.stopPx ?? null)) out.push('stop price');
  return out;
}

/** Compares our positions and working orders with the venue's. */
export function reconcile(ours: OurState, theirs: VenueState): Reconciliation {
  const mismatches: Mismatch[] = [];
  const held = new Map<number, number>();
  for (const p of ours.positions) held.set(p.instrumentId, (held.get(p.instrumentId) ?? 0) + p.quantity);
  const venue = new Map<number, number>();
  for (const p of theirs.positions) venue.set(p.instrumentId, (venue.get(p.instrumentId) ?? 0) + p.quantity);
  const ids = [...new Set([...held.keys(), ...venue.keys()])].sort((a, b) => a - b);
  for (const id of ids) {
    const a = held.get(id) ?? 0;
    const b = venue.get(id) ?? 0;
    if (a !== b) mismatches.push({ kind: 'position', instrumentId: id, ours: a, theirs: b });
  }
  const byClient = new Map<string, VenueOrder>();
  for (const o of theirs.orders) if (o.clientId !== undefined) byClient.set(o.clientId, o);
  const matched = new Set<VenueOrder>();
  for (const order of ours.orders) {
    const terms = termsOf(order);
    const at = byClient.get(order.clientId);
    if (at === undefined) {
      mismatches.push({ kind: 'order-only-ours', instrumentId: terms.instrumentId, ours: terms });
      continue;
    }
    matched.add(at);
    const fields = differences(terms, at);
    if (fields.length > 0)
      mismatches.push({
        kind: 'order-differs',
        instrumentId: terms.instrumentId,
        ours: terms,
        theirs: at,
        fields,
      });
  }
  for (const o of theirs.orders)
    if (!matched.has(o))
      mismatches.push({ kind: 'order-only-theirs', instrumentId: o.instrumentId, theirs: o });
  return { matched: mismatches.length === 0, mismatches };
}

/** The steps `policy` takes for `r` (none when everything matched). */
export function reconciliationPlan(
  r: Reconciliation,
  theirs: VenueState,
  policy: ReconcilePolicy,
): ReconcileAction[] {
  if (r.matched) return [];
  if (policy === 'wait') {
    const n = r.mismatches.length;
    return [
      { kind: 'hold', reason: `${n} difference${n === 1 ? '' : 's'} with the venue: waiting for a decision` },
    ];
  }
  const out: ReconcileAction[] = [];
  if (policy === 'adopt') {
    for (const m of r.mismatches) {
      if (m.kind === 'position') {
        const at = theirs.positions.find((p) => p.instrumentId === m.instrumentId);
        out.push({
          kind: 'adopt-position',
          instrumentId: m.instrumentId,
          quantity: m.theirs,
          ...(at?.averagePx !== undefined ? { averagePx: at.averagePx } : {}),
        });
      } else if (m.kind === 'order-only-ours')
        out.push({ kind: 'forget-order', clientId: m.ours.clientId as string });
      else out.push({ kind: 'adopt-order', order: m.theirs });
    }
    return out;
  }
  // flatten: nothing of ours stays working, nothing at the venue stays open.
  for (const m of r.mismatches)
    if (m.kind === 'order-only-ours') out.push({ kind: 'forget-order', clientId: m.ours.clientId as string });
  for (const o of theirs.orders) out.push({ kind: 'cancel-order', order: o });
  const net = new Map<number, number>();
  for (const p of theirs.positions) net.set(p.instrumentId, (net.get(p.instrumentId) ?? 0) + p.quantity);
  for (const [id, q] of [...net].sort((a, b) => a[0] - b[0])) {
    if (q !== 0)
      out.push({
        kind: 'close-position',
        instrumentId: id,
        side: q > 0 ? 'sell' : 'buy',
        quantity: Math.abs(q),
      });
  }
  return out;
}

/** One line per difference, both sides named (`name` turns an instrument id into its symbol). */
export function describeMismatches(
  r: Reconciliation,
  name: (instrumentId: number) => string = String,
  price: (raw: number) => string = String,
): string[] {
  const order = (o: OrderTerms | VenueOrder) => {
    const px = [
      o.limitPx !== undefined ? `limit ${price(o.limitPx)}` : '',
      o.stopPx !== undefined ? `stop ${price(o.stopPx)}` : '',
    ]
      .filter((x) => x !== '')
      .join(' ');
    return `${o.side} ${o.quantity}${px === '' ? '' : ` ${px}`}`;
  };
  return r.mismatches.map((m) => {
    const sym = name(m.instrumentId);
    switch (m.kind) {
      case 'position':
        return `${sym}: position ours ${signed(m.ours)}, venue ${signed(m.theirs)}`;
      case 'order-only-ours':
        return `${sym}: order ${m.ours.clientId} (${order(m.ours)}) working here, not at the venue`;
      case 'order-only-theirs':
        return `${sym}: order ${m.theirs.clientId ?? `venue ${m.theirs.venueId}`} (${order(m.theirs)}) at the venue, not ours`;
      default:
        return `${sym}: order ${m.ours.clientId} differs in ${m.fields.join(', ')}: ours ${order(m.ours)}, venue ${order(m.theirs)}`;
    }
  });
}

function signed(q: number): string {
  return q > 0 ? `+${q}` : String(q);
}

/** What carrying out a plan did, and what is left to the caller. */
export interface ReconcileOutcome {
  /** False while the plan holds trading (`wait` with differences). */
  readonly trading: boolean;
  /** Why trading is held, when it is. */
  readonly held?: string;
  /** Orders sent to close the venue's positions (`flatten`). */
  readonly closing: readonly Order[];
  /** Orders asked to be cancelled (the venue's, adopted first when the broker did not hold them). */
  readonly cancelling: readonly Order[];
  /** Venue orders the broker now holds as ours (`adopt`). */
  readonly adopted: readonly Order[];
  /** Our orders the venue did not have, ended here. */
  readonly forgotten: readonly string[];
  /** Positions the caller's portfolio takes on as the venue's (`adopt`). */
  readonly positions: readonly VenuePosition[];
}

/**
 * Carries out `plan` through `broker` at `nowNs`: closing orders go out at the market (IOC) under
 * ids from `newId`, venue orders are cancelled (adopted first when the broker does not hold them),
 * our orders the venue does not have are ended as cancelled with the reason, and adopted positions
 * are returned for the caller's portfolio. Reports of what was sent come as usual.
 */
export function carryOut(
  plan: readonly ReconcileAction[],
  broker: VenueBroker,
  nowNs: bigint,
  newId: () => string,
): ReconcileOutcome {
  const closing: Order[] = [];
  const cancelling: Order[] = [];
  const adopted: Order[] = [];
  const forgotten: string[] = [];
  const positions: VenuePosition[] = [];
  let held: string | undefined;
  for (const a of plan) {
    switch (a.kind) {
      case 'hold':
        held = a.reason;
        break;
      case 'adopt-position':
        positions.push({
          instrumentId: a.instrumentId,
          quantity: a.quantity,
          ...(a.averagePx !== undefined ? { averagePx: a.averagePx } : {}),
        });
        break;
      case 'adopt-order':
        adopted.push(broker.adopt(a.order, nowNs));
        break;
      case 'forget-order': {
        const o = broker.order(a.clientId);
        if (o !== undefined && !isTerminal(o.status) && o.status !== 'pending-new')
          o.cancelled(nowNs, 'not at the venue on reconciliation');
        forgotten.push(a.clientId);
        break;
      }
      case 'cancel-order': {
        const o = broker.adopt(a.order, nowNs);
        if (!isTerminal(o.status) && o.status !== 'pending-cancel') {
          broker.cancel(o.clientId, nowNs);
          cancelling.push(o);
        }
        break;
      }
      case 'close-position':
        closing.push(
          broker.submit(
            {
              clientId: newId(),
              instrumentId: a.instrumentId,
              side: a.side,
              type: 'market',
              quantity: a.quantity,
              tif: 'IOC',
            },
            nowNs,
          ),
        );
        break;
    }
  }
  return {
    trading: held === undefined,
    ...(held !== undefined ? { held } : {}),
    closing,
    cancelling,
    adopted,
    forgotten,
    positions,
  };
}
