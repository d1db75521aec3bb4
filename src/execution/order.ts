/**
 * Orders and their life: what was asked (`OrderSpec`), the state it is in, and every transition
 * with the time it happened on the event clock. The state machine is the one FIX and most venues
 * share:
 *
 * ```
 *   pending-new ──ack──► accepted ──fill──► partially-filled ──fill──► filled
 *        │                  │  ▲                  │  ▲
 *        │ reject           │  └─replaced/        │  └─replaced/cancel-rejected/replace-rejected
 *        ▼                  │    cancel-rejected  │
 *    rejected               ├──cancel──► pending-cancel ──cancelled──► cancelled
 *                           ├──replace─► pending-replace ──cancel──► pending-cancel (both answered in turn)
 *                           └──expire──► expired (also partially-filled; DAY, GTT, IOC/FOK rest)
 * ```
 *
 * A fill may arrive while a cancel or replace is pending (it was already on its way), and may
 * fill the order; an impossible transition throws `OrderStateError` and changes nothing.
 */
import { EngineError, InvalidOptionError } from '../core/index.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop-limit';
/** DAY ends at the trading day's close, GTT at `expireAtNs`; IOC and FOK never rest. */
export type TimeInForce = 'DAY' | 'GTC' | 'IOC' | 'FOK' | 'GTT';
export type OrderStatus =
  | 'pending-new'
  | 'accepted'
  | 'partially-filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'pending-cancel'
  | 'pending-replace';

/** What can happen to an order. */
export type OrderEvent =
  | 'send'
  | 'arrive'
  | 'ack'
  | 'reject'
  | 'fill'
  | 'cancel'
  | 'cancelled'
  | 'cancel-rejected'
  | 'replace'
  | 'replaced'
  | 'replace-rejected'
  | 'expire';

/** An order as asked. Prices are raw integer 1e-9 units on the instrument's tick grid. */
export interface OrderSpec {
  /** Unique and deterministic in a backtest (`ClientOrderIds`). */
  readonly clientId: string;
  readonly instrumentId: number;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Contracts (futures) or units of the base currency (spot); a positive integer. */
  readonly quantity: number;
  /** Limit price (limit, stop-limit). */
  readonly limitPx?: number;
  /** Trigger price (stop, stop-limit). */
  readonly stopPx?: number;
  readonly tif: TimeInForce;
  /** Expiry of a GTT order, ns since the epoch. */
  readonly expireAtNs?: bigint;
  /** A limit order that must not take liquidity: rejected if it would cross on arrival. */
  readonly postOnly?: boolean;
}

/** One transition, when it happened (event clock, ns) and what it carried. */
export interface OrderTransition {
  readonly event: OrderEvent;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly atNs: bigint;
  /** Fill quantity and price, for fills. */
  readonly quantity?: number;
  readonly price?: number;
  /** Why, for rejections, cancels and expiries. */
  readonly reason?: string;
}

/** An order in a state that does not allow what was asked of it. */
export class OrderStateError extends EngineError {
  constructor(
    readonly clientId: string,
    readonly status: OrderStatus,
    readonly event: OrderEvent,
    detail?: string,
  ) {
    super(
      'ORDER_STATE',
      `order ${clientId}: cannot ${event} in state ${status}${detail ? ` (${detail})` : ''}`,
    );
  }
}

const WORKING: ReadonlySet<OrderStatus> = new Set(['accepted', 'partially-filled']);
const FILLABLE: ReadonlySet<OrderStatus> = new Set([
  'accepted',
  'partially-filled',
  'pending-cancel',
  'pending-replace',
]);

/** Whether an order in `status` is finished: nothing more can happen to it. */
export function isTerminal(status: OrderStatus): boolean {
  return status === 'filled' || status === 'cancelled' || status === 'rejected' || status === 'expired';
}

/** An order's state, driven by the events the broker reports, with its history. */
export class Order {
  #spec: OrderSpec;
  #status: OrderStatus = 'pending-new';
  /** The working state a pending cancel or replace returns to if the venue refuses it. */
  #before: OrderStatus = 'pending-new';
  #pendingReplace: { quantity: number; limitPx?: number; stopPx?: number } | null = null;
  #filled = 0;
  /** Σ quantity × price of the fills (raw units), for the average price. */
  #notional = 0;
  readonly history: OrderTransition[] = [];

  /** A new order, sent at `sentNs`. */
  constructor(spec: OrderSpec, sentNs: bigint) {
    this.#spec = spec;
    this.history.push({ event: 'send', from: 'pending-new', to: 'pending-new', atNs: sentNs });
  }

  get spec(): OrderSpec {
    return this.#spec;
  }
  get clientId(): string {
    return this.#spec.clientId;
  }
  get status(): OrderStatus {
    return this.#status;
  }
  get filledQuantity(): number {
    return this.#filled;
  }
  get leavesQuantity(): number {
    return isTerminal(this.#status) ? 0 : this.#spec.quantity - this.#filled;
  }
  /** Average fill price (raw units), NaN before the first fill. */
  get averagePx(): number {
    return this.#filled === 0 ? Number.NaN : this.#notional / this.#filled;
  }
  /** Time the order was sent (ns). */
  get sentNs(): bigint {
    return this.history[0].atNs;
  }

  /** The order, or a pending cancel or replace of it, reached the venue (after the latency model). */
  arrived(atNs: bigint): void {
    const s = this.#status;
    this.#expect('arrive', s === 'pending-new' || s === 'pending-cancel' || s === 'pending-replace');
    this.#move('arrive', s, atNs);
  }

  /**
   * The venue acknowledged the order. A cancel sent before the acknowledgement stays pending: the
   * order is working until the venue answers it.
   */
  ack(atNs: bigint): void {
    if (this.#status === 'pending-cancel' && this.#before === 'pending-new') {
      this.#before = 'accepted';
      this.#move('ack', 'pending-cancel', atNs);
      return;
    }
    this.#expect('ack', this.#status === 'pending-new');
    this.#move('ack', 'accepted', atNs);
  }

  /** The venue refused the order (or a risk check did, before it was sent). */
  reject(atNs: bigint, reason: string): void {
    const unacked = this.#status === 'pending-cancel' && this.#before === 'pending-new';
    this.#expect('reject', this.#status === 'pending-new' || unacked);
    this.#move('reject', 'rejected', atNs, { reason });
  }

  /** A fill of `quantity` at `price`; fills the order when nothing is left. */
  fill(atNs: bigint, quantity: number, price: number): void {
    this.#expect('fill', FILLABLE.has(this.#status));
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity > this.#spec.quantity - this.#filled) {
      throw new OrderStateError(
        this.clientId,
        this.#status,
        'fill',
        `quantity ${quantity} with ${this.#spec.quantity - this.#filled} left`,
      );
    }
    this.#filled += quantity;
    this.#notional += quantity * price;
    const done = this.#filled === this.#spec.quantity;
    // A pending cancel or replace stays pending after a partial fill; a full fill ends the order.
    const pending = this.#status === 'pending-cancel' || this.#status === 'pending-replace';
    if (pending && !done) this.#before = 'partially-filled';
    const to = done ? 'filled' : pending ? this.#status : 'partially-filled';
    this.#move('fill', to, atNs, { quantity, price });
  }

  /**
   * A cancel request was sent. It may follow a replace still pending: the venue answers both, in
   * order, and the order stays pending cancel until the cancel's answer.
   */
  cancel(atNs: bigint): void {
    const s = this.#status;
    this.#expect('cancel', WORKING.has(s) || s === 'pending-new' || s === 'pending-replace');
    if (s !== 'pending-replace') this.#before = s;
    this.#move('cancel', 'pending-cancel', atNs);
  }

  /** A replace was sent and not yet answered. */
  get replacePending(): boolean {
    return this.#pendingReplace !== null;
  }

  /** The venue cancelled the order: as asked, or on its own (IOC remainder, a venue's cancel). */
  cancelled(atNs: bigint, reason = 'cancelled'): void {
    this.#expect('cancelled', FILLABLE.has(this.#status));
    this.#move('cancelled', 'cancelled', atNs, { reason });
  }

  /** The venue refused a cancel (too late, say): the order works on as before. */
  cancelRejected(atNs: bigint, reason: string): void {
    this.#expect('cancel-rejected', this.#status === 'pending-cancel');
    this.#move('cancel-rejected', this.#before, atNs, { reason });
  }

  /** A cancel/replace request was sent: new total quantity and prices. */
  replace(atNs: bigint, change: { quantity?: number; limitPx?: number; stopPx?: number }): void {
    this.#expect('replace', WORKING.has(this.#status));
    const quantity = change.quantity ?? this.#spec.quantity;
    if (!Number.isInteger(quantity) || quantity <= this.#filled) {
      throw new OrderStateError(
        this.clientId,
        this.#status,
        'replace',
        `new quantity ${quantity} must exceed the ${this.#filled} already filled`,
      );
    }
    this.#pendingReplace = { quantity, limitPx: change.limitPx, stopPx: change.stopPx };
    this.#before = this.#status;
    this.#move('replace', 'pending-replace', atNs);
  }

  /** The venue replaced the order: the new quantity and prices apply from now on. */
  replaced(atNs: bigint): void {
    this.#expect(
      'replaced',
      this.#pendingReplace !== null &&
        (this.#status === 'pending-replace' || this.#status === 'pending-cancel'),
    );
    const r = this.#pendingReplace!;
    this.#pendingReplace = null;
    this.#spec = {
      ...this.#spec,
      quantity: r.quantity,
      limitPx: r.limitPx ?? this.#spec.limitPx,
      stopPx: r.stopPx ?? this.#spec.stopPx,
    };
    const working = this.#filled > 0 ? 'partially-filled' : 'accepted';
    if (this.#status === 'pending-cancel') this.#before = working;
    this.#move('replaced', this.#status === 'pending-cancel' ? 'pending-cancel' : working, atNs);
  }

  /** The venue refused a replace: the order works on unchanged. */
  replaceRejected(atNs: bigint, reason: string): void {
    this.#expect(
      'replace-rejected',
      this.#pendingReplace !== null &&
        (this.#status === 'pending-replace' || this.#status === 'pending-cancel'),
    );
    this.#pendingReplace = null;
    this.#move(
      'replace-rejected',
      this.#status === 'pending-cancel' ? 'pending-cancel' : this.#before,
      atNs,
      { reason },
    );
  }

  /** The order's time ran out (DAY at the close, GTT at its expiry). */
  expire(atNs: bigint, reason = 'expired'): void {
    this.#expect('expire', FILLABLE.has(this.#status) || this.#status === 'pending-new');
    this.#move('expire', 'expired', atNs, { reason });
  }

  #expect(event: OrderEvent, allowed: boolean): void {
    if (!allowed) throw new OrderStateError(this.clientId, this.#status, event);
  }

  #move(
    event: OrderEvent,
    to: OrderStatus,
    atNs: bigint,
    extra?: { quantity?: number; price?: number; reason?: string },
  ): void {
    this.history.push({ event, from: this.#status, to, atNs, ...extra });
    this.#status = to;
  }
}

/**
 * Client order ids: `<run id>-<sequence>`, the sequence counting from 1 in the order orders are
 * created, so a backtest names its orders the same way every run and a restarted run can tell
 * which of its ids were already sent.
 */
export class ClientOrderIds {
  #next: number;

  constructor(
    readonly runId: string,
    /** The last sequence already used (after a restart). */
    last = 0,
  ) {
    if (!/^[A-Za-z0-9_.:]+$/.test(runId))
      throw new InvalidOptionError('run id', runId, 'letters, digits, _ . or :');
    if (!Number.isInteger(last) || last < 0)
      throw new InvalidOptionError('last sequence', last, 'an integer >= 0');
    this.#next = last + 1;
  }

  /** The next id. */
  next(): string {
    return `${this.runId}-${this.#next++}`;
  }

  /** The sequence of an id of this run, or undefined for another run's id. */
  sequenceOf(id: string): number | undefined {
    const prefix = `${this.runId}-`;
    if (!id.startsWith(prefix)) return undefined;
    const n = Number(id.slice(prefix.length));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
}

/** Why an order cannot be sent as asked. */
export type OrderProblem =
  | 'UNKNOWN_INSTRUMENT'
  | 'BAD_QUANTITY'
  | 'MISSING_PRICE'
  | 'OFF_TICK'
  | 'BAD_TIME_IN_FORCE';

/**
 * What is wrong with `spec` for an instrument whose tick is `tickRaw` (undefined: an instrument
 * the engine does not know), or null when it can be sent: a positive whole quantity, the prices
 * its type needs on the tick grid, post-only only on limit orders, an expiry exactly for GTT.
 */
export function orderProblem(
  spec: OrderSpec,
  tickRaw: number | undefined,
): { problem: OrderProblem; detail: string } | null {
  if (tickRaw === undefined)
    return { problem: 'UNKNOWN_INSTRUMENT', detail: `instrument ${spec.instrumentId} is not known` };
  if (!Number.isInteger(spec.quantity) || spec.quantity <= 0)
    return { problem: 'BAD_QUANTITY', detail: `quantity ${spec.quantity} is not a whole number above 0` };
  const needsLimit = spec.type === 'limit' || spec.type === 'stop-limit';
  const needsStop = spec.type === 'stop' || spec.type === 'stop-limit';
  for (const [name, price, needed] of [
    ['limit price', spec.limitPx, needsLimit],
    ['stop price', spec.stopPx, needsStop],
  ] as const) {
    if (needed && (price === undefined || !Number.isFinite(price)))
      return { problem: 'MISSING_PRICE', detail: `a ${spec.type} order needs a ${name}` };
    if (needed && price !== undefined && (price <= 0 || price % tickRaw !== 0))
      return {
        problem: 'OFF_TICK',
        detail: `${name} ${price} is not a positive multiple of the tick ${tickRaw}`,
      };
  }
  if (spec.postOnly === true && spec.type !== 'limit')
    return { problem: 'BAD_TIME_IN_FORCE', detail: `post-only applies to limit orders, not ${spec.type}` };
  if ((spec.tif === 'GTT') !== (spec.expireAtNs !== undefined))
    return { problem: 'BAD_TIME_IN_FORCE', detail: 'an expiry time goes with GTT and only with GTT' };
  if (spec.postOnly === true && (spec.tif === 'IOC' || spec.tif === 'FOK'))
    return { problem: 'BAD_TIME_IN_FORCE', detail: `a post-only order rests: not ${spec.tif}` };
  return null;
}
