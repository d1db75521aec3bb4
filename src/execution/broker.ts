/**
 * What every broker offers (paper, IG, FIX): orders go in, execution reports come out. Reports
 * reach the listener in the order the venue produced them, each when we hear of it, and the
 * broker has already moved the `Order` through the matching transition when the listener runs.
 */
import type { BookView } from '../book/index.js';
import { EngineError } from '../core/index.js';
import type { RecordCursor } from '../data/dbn/index.js';
import type { Liquidity } from './fees.js';
import {
  isTerminal,
  Order,
  type OrderSide,
  type OrderSpec,
  OrderStateError,
  type OrderType,
  type TimeInForce,
} from './order.js';

/** What a report says happened. `charge` is a cost without a fill (overnight financing). */
export type ReportKind =
  | 'ack'
  | 'reject'
  | 'fill'
  | 'cancelled'
  | 'cancel-rejected'
  | 'replaced'
  | 'replace-rejected'
  | 'expired'
  | 'charge';

export interface ExecutionReport {
  readonly kind: ReportKind;
  /** The order's client id ('' for a charge). */
  readonly clientId: string;
  readonly instrumentId: number;
  /** When it happened at the venue (exchange clock, ns). */
  readonly venueNs: bigint;
  /** When we heard of it (local clock, ns): the venue's time plus the latency back. */
  readonly atNs: bigint;
  /** Fills: side, quantity, price (raw units), fee (account currency) and who provided liquidity. */
  readonly side?: OrderSide;
  readonly quantity?: number;
  readonly price?: number;
  readonly fee?: number;
  readonly liquidity?: Liquidity;
  /** Rejections, cancels, expiries: why. */
  readonly reason?: string;
}

/** A change asked of a working order: new total quantity and prices. */
export interface ReplaceChange {
  readonly quantity?: number;
  readonly limitPx?: number;
  readonly stopPx?: number;
}

export type ReportListener = (report: ExecutionReport, order: Order | undefined) => void;

export interface Broker {
  readonly name: string;
  /**
   * Sends an order now (local clock). An order that cannot be sent as asked (unknown instrument,
   * bad size, off-tick price, …) comes back rejected with the reason; nothing is sent.
   */
  submit(spec: OrderSpec, nowNs: bigint): Order;
  /** Asks to cancel a working order; the answer comes as a report. */
  cancel(clientId: string, nowNs: bigint): void;
  /** Asks to change a working order's quantity or prices; the answer comes as a report. */
  replace(clientId: string, change: ReplaceChange, nowNs: bigint): void;
  /** An order this broker was given, by client id. */
  order(clientId: string): Order | undefined;
  /** Orders not yet finished (working, or on their way), oldest first. */
  openOrders(): Order[];
  /** Calls `listener` with every report from now on. */
  onReport(listener: ReportListener): void;
}

/**
 * A broker driven by replayed market data (the paper broker): told of each record before it is
 * applied to its book and after, so that its venue acts on the book of its own time.
 */
export interface ReplayingBroker extends Broker {
  before(c: RecordCursor): void;
  after(c: RecordCursor, book: BookView): void;
  /**
   * Whether records of `book`'s market, the one of the last `after`, can go unseen until `dueMs`
   * (but for trades): nothing of ours rests or waits there, no depth is marked taken, no venue
   * action or report is on its way, and the latency model does not learn from every record.
   */
  quietFor(book: BookView): boolean;
  /** The next time (float ms) `before` has timed work to do whatever the records say. */
  readonly dueMs: number;
  /**
   * Changes so far that may end a quiet: venue actions scheduled (every order sent, cancelled or
   * replaced, by anyone), reports queued, instruments added. What `quietFor` said holds while this
   * stays the same.
   */
  readonly changes: number;
}

/** A position as the venue holds it: signed quantity (long > 0), average price in raw units. */
export interface VenuePosition {
  readonly instrumentId: number;
  readonly quantity: number;
  readonly averagePx?: number;
}

/** A working order as the venue holds it: what is left of it, and its prices in raw units. */
export interface VenueOrder {
  /** Our client id, when the venue carries it (FIX ClOrdID, IG deal reference). */
  readonly clientId?: string;
  /**
   * The id the venue knows the order by now, when it is not `clientId`: the FIX ClOrdID of the
   * order's last cancel or replace request (`<client id>.<n>`).
   */
  readonly venueClientId?: string;
  /** The venue's own id (FIX OrderID, IG dealId). */
  readonly venueId: string;
  readonly instrumentId: number;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Quantity still working. */
  readonly quantity: number;
  readonly limitPx?: number;
  readonly stopPx?: number;
  /**
   * What of it had filled before, when known (quantity, average price in raw units): an order of
   * ours adopted on a restart carries the state store's account of it, so that the order taken on
   * is the one the store holds.
   */
  readonly filled?: { readonly quantity: number; readonly averagePx: number };
}

/**
 * What a venue says of one order when asked (a FIX OrderStatusRequest): whether it still works or
 * how it ended, and how much of it filled at what average price.
 */
export interface VenueOrderStatus {
  readonly status: 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  /** Quantity filled over the order's life. */
  readonly filledQuantity: number;
  /** Average price of those fills, raw units (absent when none filled or the venue did not say). */
  readonly averagePx?: number;
  /** The venue's words, when it gave some (an unknown order, why it was rejected …). */
  readonly text?: string;
}

/** The venue's own account of the positions and working orders of the account we trade. */
export interface VenueState {
  readonly positions: readonly VenuePosition[];
  readonly orders: readonly VenueOrder[];
}

/** What a venue connection tells besides reports: the link coming and going, and what it could not take. */
export type VenueEvent =
  | { readonly kind: 'connected'; readonly detail?: string }
  | { readonly kind: 'disconnected'; readonly reason: string }
  /**
   * A message from the venue that could not be read or does not fit what we hold (malformed,
   * unknown order, a fill for a finished order): named, set aside, nothing booked of it.
   */
  | { readonly kind: 'problem'; readonly message: string };

export type VenueListener = (event: VenueEvent) => void;

/**
 * A broker at a venue over the network (IG, FIX): connected before use, asked for its own account
 * of positions and working orders (reconciliation), telling of its link. A dropped link is
 * re-established by the broker itself; reports missed meanwhile arrive once, after it.
 */
export interface VenueBroker extends Broker {
  /** Connects and logs in; rejects with a clear error if the venue cannot be reached or refuses us. */
  connect(): Promise<void>;
  /** Logs out and closes every socket and timer; reports stop. */
  close(): Promise<void>;
  /** The venue's positions and working orders now. */
  venueState(): Promise<VenueState>;
  /**
   * Takes on a working order the venue holds and this broker does not know (left by an earlier
   * session, or placed by hand), so that it can be cancelled or changed like ours: an accepted
   * order under the venue's client id for it, or `venue-<venueId>` when it has none. An order the
   * broker already holds under that id is returned as it is.
   */
  adopt(order: VenueOrder, nowNs: bigint): Order;
  /**
   * What the venue says of one order of ours, by client id (and its venue id when known), for a
   * venue that can be asked: after a restart, an order the store holds open and the venue no longer
   * works is looked up here. Rejects when the venue does not answer or refuses the question.
   */
  orderStatus?(order: {
    readonly clientId: string;
    readonly venueId?: string;
    readonly instrumentId: number;
    readonly side: OrderSide;
    /** How it was sent, when known: some venues can only tell of some kinds of order. */
    readonly type?: OrderType;
    readonly tif?: TimeInForce;
  }): Promise<VenueOrderStatus>;
  /** Calls `listener` with every link event and problem from now on. */
  onVenueEvent(listener: VenueListener): void;
}

/** The client id a broker adopts a venue's order under (`VenueBroker.adopt`). */
export function adoptedId(o: VenueOrder): string {
  return o.clientId ?? `venue-${o.venueId}`;
}

/**
 * A venue's working order as an accepted order of ours, GTC, for what is left of it; with what had
 * filled before (`filled`), partially filled for it.
 */
export function adoptedOrder(o: VenueOrder, nowNs: bigint): Order {
  const before = o.filled !== undefined && o.filled.quantity > 0 ? o.filled : null;
  const order = new Order(
    {
      clientId: adoptedId(o),
      instrumentId: o.instrumentId,
      side: o.side,
      type: o.type,
      quantity: o.quantity + (before?.quantity ?? 0),
      tif: 'GTC',
      ...(o.limitPx !== undefined ? { limitPx: o.limitPx } : {}),
      ...(o.stopPx !== undefined ? { stopPx: o.stopPx } : {}),
    },
    nowNs,
  );
  order.ack(nowNs);
  if (before !== null) order.fill(nowNs, before.quantity, before.averagePx);
  return order;
}

/** Whether `b` wants the market data replayed to it. */
export function isReplaying(b: Broker): b is ReplayingBroker {
  const r = b as Partial<ReplayingBroker>;
  return typeof r.before === 'function' && typeof r.after === 'function';
}

/** A request about an order the broker does not hold, or a client id used twice. */
export class BrokerRequestError extends EngineError {
  constructor(
    code: 'UNKNOWN_ORDER' | 'DUPLICATE_ORDER_ID',
    readonly clientId: string,
    detail: string,
  ) {
    super(code, `order ${clientId}: ${detail}`);
  }
}

/** The checks every broker makes before it sends anything of `spec`. */
export function requireNewId(orders: ReadonlyMap<string, unknown>, spec: OrderSpec): void {
  if (orders.has(spec.clientId))
    throw new BrokerRequestError('DUPLICATE_ORDER_ID', spec.clientId, 'this client id was already used');
}

/** Moves `order` through the transition a report describes (skipping what a finished order cannot take). */
export function applyReport(order: Order, r: ExecutionReport, arrived: boolean): void {
  if (arrived && !isTerminal(order.status)) order.arrived(r.venueNs);
  switch (r.kind) {
    case 'ack':
      order.ack(r.atNs);
      break;
    case 'reject':
      order.reject(r.atNs, r.reason as string);
      break;
    case 'fill':
      order.fill(r.atNs, r.quantity as number, r.price as number);
      break;
    case 'cancelled':
      order.cancelled(r.atNs, r.reason);
      break;
    case 'expired':
      order.expire(r.atNs, r.reason);
      break;
    case 'replaced':
      order.replaced(r.atNs);
      break;
    case 'cancel-rejected':
      if (order.status === 'pending-cancel') order.cancelRejected(r.atNs, r.reason as string);
      break;
    case 'replace-rejected':
      if (order.replacePending) order.replaceRejected(r.atNs, r.reason as string);
      break;
    case 'charge':
      break;
  }
}

/** A report an order could not take: a duplicate fill, a fill of a finished order, … */
export interface ReportAnomaly {
  readonly report: ExecutionReport;
  readonly error: string;
}

/**
 * Applies `report` to `order`; a report the order cannot take (a hostile or confused venue: a fill
 * for an order already filled, an acknowledgement of a cancelled one) is recorded in `anomalies`
 * with the reason, and false returned, so that the caller books nothing of it.
 */
export function acceptReport(
  order: Order,
  report: ExecutionReport,
  arrived: boolean,
  anomalies: ReportAnomaly[],
): boolean {
  try {
    applyReport(order, report, arrived);
    return true;
  } catch (e) {
    if (!(e instanceof OrderStateError)) throw e;
    anomalies.push({ report, error: e.message });
    return false;
  }
}
