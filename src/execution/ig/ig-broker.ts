/**
 * The IG broker: our orders as IG deals, over IG's REST trading API, with IG's Lightstreamer
 * TRADE stream telling what became of them.
 *
 * - A market order is a deal (`POST /positions/otc`, MARKET, EXECUTE_AND_ELIMINATE or
 *   FILL_OR_KILL); a limit order with IOC or FOK is the same deal at its LIMIT level. Its outcome is
 *   the deal's confirm, from the stream's CONFIRMS or, when none came within `confirmFallbackMs`,
 *   from `GET /confirms/{dealReference}`: ACCEPTED is an acknowledgement and a fill at the
 *   confirmed level, REJECTED a rejection with IG's reason.
 * - A GTC or GTT limit (or stop) order is a working order (`POST /working-orders/otc`); it rests
 *   until the stream says it became a position (OPU carrying its deal reference or its deal id as
 *   origin), which fills it whole at that level: IG does not fill a working order in parts. A
 *   cancel deletes it, a replace amends its level (`PUT /working-orders/otc/{dealId}`); IG cannot
 *   change a working order's size, so a replace of the quantity is refused here.
 * - Our client id travels as the deal reference (`dealReferenceOf`), and prices cross in IG
 *   points at each market's `pointRaw`, exactly.
 * - After the stream was down, once the TRADE subscription is back, the broker asks IG by REST for
 *   the confirms it still waits for, the working orders and the positions: a working order that
 *   became a position meanwhile is filled then, once (a fill already booked is never booked again).
 *
 * Positions net as on an IG account without hedging (`forceOpen: false`): a sell against a long
 * reduces it. `venueState` reads `GET /positions` (summed per instrument, signed) and
 * `GET /working-orders`.
 */

import { InvalidOptionError } from '../../core/index.js';
import {
  type Confirm,
  describeDealReason,
  type IgConfig,
  IgError,
  type IgMarket,
  IgRest,
  IgStream,
  type IgStreamOptions,
  type OpenPosition,
  type PositionUpdate,
  pointsToRaw,
  rawToPoints,
  type StreamLink,
  type TradeEvent,
  type WorkingOrder,
  type WorkingOrderUpdate,
} from '../../data/ig/index.js';
import {
  acceptReport,
  adoptedId,
  adoptedOrder,
  BrokerRequestError,
  type ExecutionReport,
  type ReplaceChange,
  type ReportAnomaly,
  type ReportKind,
  type ReportListener,
  requireNewId,
  type VenueBroker,
  type VenueEvent,
  type VenueListener,
  type VenueOrder,
  type VenueOrderStatus,
  type VenuePosition,
  type VenueState,
} from '../broker.js';
import {
  isTerminal,
  Order,
  type OrderSpec,
  type OrderType,
  orderProblem,
  type TimeInForce,
} from '../order.js';
import { dealReferenceOf } from './reference.js';

export interface IgBrokerOptions {
  /** The REST client (the broker logs it in and closes it). */
  readonly rest: IgRest;
  /** The markets traded: epic, instrument id, point and tick sizes. */
  readonly markets: readonly IgMarket[];
  /** The stream's timings (the login comes from the REST session). */
  readonly stream?: Omit<IgStreamOptions, 'login'>;
  /** How long a deal waits for its confirm on the stream before asking `GET /confirms`, ms (1000). */
  readonly confirmFallbackMs?: number;
  /** The local clock, ns (default: the wall clock). */
  readonly now?: () => bigint;
}

/** An order of ours and what IG knows it by. */
interface Tracked {
  readonly order: Order;
  readonly market: IgMarket;
  readonly ref: string;
  /** A deal (market, IOC/FOK) or a working order. */
  readonly kind: 'deal' | 'working';
  dealId: string | null;
  /** Resolves once IG accepted the order (working orders), rejects if it did not. */
  readonly accepted: Promise<void>;
  resolveAccepted(): void;
  rejectAccepted(e: Error): void;
}

/** Confirms remembered for references nobody waits for yet (amend and delete answers may trail them). */
const HELD_CONFIRMS = 256;
/** Looks of `GET /confirms` for a deal before the broker stops and reports the deal as unconfirmed. */
const CONFIRM_LOOKS = 4;
/** A working order IG deleted without our asking: how long to wait for the position update that may explain it, ms. */
const DELETED_GRACE_MS = 300;

const wallClock = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** IG's `yyyy/mm/dd hh:mm:ss` (UTC) for a GOOD_TILL_DATE expiry. */
function goodTillDate(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' ');
}

/** An IG time (`2026-12-05T07:10:00.123`, UTC without a zone) in ns, or `fallback`. */
function igTimeNs(text: string | null | undefined, fallback: bigint): bigint {
  if (!text) return fallback;
  const ms = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? fallback : BigInt(ms) * 1_000_000n;
}

export class IgBroker implements VenueBroker {
  readonly name = 'ig';
  /** Reports their orders could not take (a confused venue): see `acceptReport`. */
  readonly anomalies: ReportAnomaly[] = [];
  readonly #rest: IgRest;
  readonly #byId = new Map<number, IgMarket>();
  readonly #byEpic = new Map<string, IgMarket>();
  readonly #streamOptions: Omit<IgStreamOptions, 'login'>;
  readonly #fallbackMs: number;
  readonly #now: () => bigint;
  readonly #orders = new Map<string, Tracked>();
  readonly #byRef = new Map<string, Tracked>();
  readonly #byDealId = new Map<string, Tracked>();
  readonly #waiters = new Map<string, (c: Confirm) => void>();
  readonly #held = new Map<string, Confirm>();
  readonly #listeners: ReportListener[] = [];
  readonly #venueListeners: VenueListener[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #stream: IgStream | null = null;
  #linkUp = false;
  #activations = 0;
  #closed = false;

  constructor(opts: IgBrokerOptions) {
    for (const m of opts.markets) {
      this.#byId.set(m.instrumentId, m);
      this.#byEpic.set(m.epic, m);
    }
    this.#rest = opts.rest;
    this.#streamOptions = opts.stream ?? {};
    this.#fallbackMs = opts.confirmFallbackMs ?? 1_000;
    this.#now = opts.now ?? wallClock;
  }

  /** A broker for the `ig:` configuration, with the credentials from the environment. */
  static fromConfig(
    cfg: IgConfig,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): IgBroker {
    return new IgBroker({
      rest: IgRest.fromConfig(cfg, env),
      markets: cfg.markets,
      stream: cfg.stream,
      confirmFallbackMs: cfg.confirmFallbackMs,
    });
  }

  onReport(listener: ReportListener): void {
    this.#listeners.push(listener);
  }

  onVenueEvent(listener: VenueListener): void {
    this.#venueListeners.push(listener);
  }

  order(clientId: string): Order | undefined {
    return this.#orders.get(clientId)?.order;
  }

  openOrders(): Order[] {
    return [...this.#orders.values()].map((t) => t.order).filter((o) => !isTerminal(o.status));
  }

  async connect(): Promise<void> {
    if (this.#closed)
      throw new IgError('IG_NETWORK', 'IG broker closed: it cannot connect again', { call: 'connect' });
    await this.#rest.login();
    const login = await this.#rest.streamingLogin();
    const stream = new IgStream({ ...this.#streamOptions, login });
    this.#stream = stream;
    stream.onLink((l) => this.#onLink(l));
    stream.onProblem((message) => this.#event({ kind: 'problem', message }));
    try {
      await stream.connect();
      const trade = stream.trade(login.accountId, (e) => this.#onTrade(e));
      trade.onActive(() => {
        if (this.#activations++ > 0) void this.#reconcile();
      });
      await trade.active;
    } catch (e) {
      await stream.close();
      this.#stream = null;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#waiters.clear();
    await this.#stream?.close();
    this.#stream = null;
    try {
      await this.#rest.logout();
    } catch {
      // Logged out or not, the session is dropped here; IG expires it by itself.
    }
    this.#rest.close();
  }

  submit(spec: OrderSpec, nowNs: bigint): Order {
    requireNewId(this.#orders, spec);
    const market = this.#byId.get(spec.instrumentId);
    const order = new Order(spec, nowNs);
    const ref = dealReferenceOf(spec.clientId);
    const kind = spec.type === 'market' || spec.tif === 'IOC' || spec.tif === 'FOK' ? 'deal' : 'working';
    const t = tracked(order, market as IgMarket, ref, kind);
    this.#orders.set(spec.clientId, t);
    const problem = this.#problemOf(spec, market, ref);
    if (problem !== null) {
      t.rejectAccepted(new Error(problem));
      this.#report(t, 'reject', { reason: problem }, nowNs);
      return order;
    }
    this.#byRef.set(ref, t);
    this.#send(t).catch((e: Error) =>
      this.#event({ kind: 'problem', message: `order ${spec.clientId}: ${e.message}` }),
    );
    return order;
  }

  cancel(clientId: string, nowNs: bigint): void {
    const t = this.#tracked(clientId);
    t.order.cancel(nowNs);
    if (t.kind === 'deal') {
      this.#later(0, () => {
        if (t.order.status === 'pending-cancel')
          this.#report(t, 'cancel-rejected', { reason: 'an IG deal cannot be cancelled' });
      });
      return;
    }
    void this.#request(t, 'cancel', async (dealId) => this.#rest.deleteWorkingOrder(dealId));
  }

  replace(clientId: string, change: ReplaceChange, nowNs: bigint): void {
    const t = this.#tracked(clientId);
    for (const [name, px] of [
      ['limit price', change.limitPx],
      ['stop price', change.stopPx],
    ] as const) {
      if (px !== undefined && !(px > 0 && px % t.market.tickRaw === 0))
        throw new InvalidOptionError(
          `new ${name} of ${clientId}`,
          px,
          `a positive multiple of the tick ${t.market.tickRaw}`,
        );
    }
    const spec = t.order.spec;
    const stop = spec.type === 'stop';
    const newPx = stop ? (change.stopPx ?? spec.stopPx) : (change.limitPx ?? spec.limitPx);
    // In points before the order moves: a price IG cannot be sent fails here, changing nothing.
    const level = newPx === undefined ? Number.NaN : rawToPoints(newPx, t.market.pointRaw);
    t.order.replace(nowNs, change);
    const refusal =
      t.kind === 'deal'
        ? 'an IG deal cannot be changed'
        : change.quantity !== undefined && change.quantity !== spec.quantity
          ? "IG cannot change a working order's size"
          : null;
    if (refusal !== null) {
      this.#later(0, () => {
        if (t.order.replacePending) this.#report(t, 'replace-rejected', { reason: refusal });
      });
      return;
    }
    void this.#request(t, 'replace', async (dealId) =>
      this.#rest.amendWorkingOrder(dealId, {
        level,
        type: stop ? 'STOP' : 'LIMIT',
        ...timeInForce(spec),
      }),
    );
  }

  adopt(o: VenueOrder, nowNs: bigint): Order {
    const clientId = adoptedId(o);
    const known = this.order(clientId);
    if (known !== undefined) return known;
    const market = this.#byId.get(o.instrumentId);
    if (market === undefined)
      throw new BrokerRequestError(
        'UNKNOWN_ORDER',
        clientId,
        `cannot adopt: instrument ${o.instrumentId} has no IG market configured`,
      );
    const order = adoptedOrder(o, nowNs);
    // A working order IG already holds, known by its deal id.
    const t = tracked(order, market, dealReferenceOf(clientId), 'working');
    t.dealId = o.venueId;
    t.resolveAccepted();
    this.#orders.set(clientId, t);
    this.#byDealId.set(o.venueId, t);
    return order;
  }

  /**
   * What IG says of a deal of ours (a market, IOC or FOK order) after a restart, from its confirm
   * (`GET /confirms/{dealReference}`): accepted is filled at the confirmed level, rejected is rejected
   * with IG's reason. IG keeps confirms only for a while, and a working order's confirm says only
   * that it was placed: for those, and for a deal IG has no confirm of, the question is refused
   * (`IG_LOOKUP`), and the venue's positions tell what can be told.
   */
  async orderStatus(order: {
    readonly clientId: string;
    readonly instrumentId: number;
    readonly type?: OrderType;
    readonly tif?: TimeInForce;
  }): Promise<VenueOrderStatus> {
    const m = this.#byId.get(order.instrumentId);
    if (m === undefined)
      throw new IgError('IG_LOOKUP', `instrument ${order.instrumentId} is not an IG market of ours`, {
        call: 'GET /confirms',
      });
    const deal = order.type === 'market' || order.tif === 'IOC' || order.tif === 'FOK';
    if (!deal)
      throw new IgError(
        'IG_LOOKUP',
        `IG's confirms do not tell whether working order ${order.clientId} filled; its positions do`,
        { call: 'GET /confirms' },
      );
    const ref = dealReferenceOf(order.clientId);
    let c: Confirm;
    try {
      c = await this.#rest.confirm(ref);
    } catch (e) {
      if (e instanceof IgError && e.status === 404)
        throw new IgError('IG_LOOKUP', `IG holds no confirm of deal ${ref} (${order.clientId})`, {
          call: 'GET /confirms',
          status: 404,
          cause: e,
        });
      throw e;
    }
    if (c.dealStatus === 'REJECTED')
      return {
        status: 'rejected',
        filledQuantity: 0,
        text: `IG rejected it: ${describeDealReason(c.reason)}`,
      };
    const size = c.size ?? 0;
    return {
      status: 'filled',
      filledQuantity: Math.round(size * m.quantityPerSize),
      ...(c.level !== null && c.level !== undefined ? { averagePx: pointsToRaw(c.level, m.pointRaw) } : {}),
      text: `confirmed by IG as deal ${c.dealId ?? ref}`,
    };
  }

  async venueState(): Promise<VenueState> {
    const [positions, orders] = await Promise.all([this.#rest.positions(), this.#rest.workingOrders()]);
    return { positions: this.#aggregate(positions), orders: this.#venueOrders(orders) };
  }

  // ---- sending ----

  /** Why `spec` cannot go to IG as asked, or null. */
  #problemOf(spec: OrderSpec, market: IgMarket | undefined, ref: string): string | null {
    const p = orderProblem(spec, market?.tickRaw);
    if (p !== null) return `${p.problem}: ${p.detail}`;
    if (spec.type === 'stop-limit') return 'UNSUPPORTED: IG has no stop-limit orders';
    if (spec.type === 'stop' && (spec.tif === 'IOC' || spec.tif === 'FOK'))
      return 'BAD_TIME_IN_FORCE: an IG stop order rests (GTC or GTT)';
    if (spec.type !== 'market' && spec.tif === 'DAY')
      return 'BAD_TIME_IN_FORCE: IG working orders are GTC or GTT (GOOD_TILL_DATE), not DAY';
    const other = this.#byRef.get(ref);
    if (other !== undefined)
      return `DUPLICATE_ORDER_ID: deal reference "${ref}" already names order ${other.order.clientId}`;
    return null;
  }

  /** Sends a new order and books IG's answer. */
  async #send(t: Tracked): Promise<void> {
    const spec = t.order.spec;
    const m = t.market;
    const confirmed = this.#awaitConfirm(t.ref);
    const common = {
      epic: m.epic,
      expiry: m.expiry,
      direction: spec.side === 'buy' ? ('BUY' as const) : ('SELL' as const),
      size: spec.quantity / m.quantityPerSize,
      currencyCode: m.currencyCode,
      forceOpen: false,
      guaranteedStop: false,
      dealReference: t.ref,
    };
    try {
      if (t.kind === 'deal') {
        const limit = spec.type === 'limit';
        await this.#rest.openPosition({
          ...common,
          orderType: limit ? 'LIMIT' : 'MARKET',
          level: limit ? rawToPoints(spec.limitPx as number, m.pointRaw) : undefined,
          timeInForce: spec.tif === 'FOK' ? 'FILL_OR_KILL' : 'EXECUTE_AND_ELIMINATE',
        });
      } else {
        const stop = spec.type === 'stop';
        await this.#rest.createWorkingOrder({
          ...common,
          type: stop ? 'STOP' : 'LIMIT',
          level: rawToPoints((stop ? spec.stopPx : spec.limitPx) as number, m.pointRaw),
          ...timeInForce(spec),
        });
      }
    } catch (e) {
      // An answer refusing the order: it was not placed. No answer at all: the confirm tells.
      if (!(e instanceof IgError) || e.status === 0) {
        this.#event({
          kind: 'problem',
          message: `order ${spec.clientId}: ${(e as Error).message}; asking IG for its confirm`,
        });
      } else {
        this.#waiters.delete(t.ref);
        t.rejectAccepted(e);
        this.#report(t, 'reject', { reason: e.message });
        return;
      }
    }
    const c = await confirmed;
    if (c !== null) this.#onNewConfirm(t, c);
  }

  /** Books the confirm of a new order. */
  #onNewConfirm(t: Tracked, c: Confirm): void {
    const venueNs = igTimeNs(c.date, this.#now());
    if (c.dealStatus === 'REJECTED') {
      t.rejectAccepted(new Error(describeDealReason(c.reason)));
      this.#report(t, 'reject', { reason: `IG rejected the deal: ${describeDealReason(c.reason)}`, venueNs });
      return;
    }
    if (t.kind === 'working' && c.dealId) {
      t.dealId = c.dealId;
      this.#byDealId.set(c.dealId, t);
    }
    this.#report(t, 'ack', { venueNs });
    t.resolveAccepted();
    if (t.kind === 'working') return;
    if (c.level === null || c.level === undefined) {
      this.#event({
        kind: 'problem',
        message: `order ${t.order.clientId}: IG accepted the deal without a level`,
      });
      return;
    }
    const spec = t.order.spec;
    const size = c.size ?? spec.quantity / t.market.quantityPerSize;
    const quantity = Math.min(Math.round(size * t.market.quantityPerSize), spec.quantity);
    this.#report(t, 'fill', { ...this.#fillOf(t, c.level, quantity), venueNs });
    if (quantity < spec.quantity)
      this.#report(t, 'cancelled', { reason: `IG dealt ${quantity} of ${spec.quantity}`, venueNs });
  }

  /** A cancel or replace of a working order: sent once IG holds the order, booked from the confirm. */
  async #request(
    t: Tracked,
    what: 'cancel' | 'replace',
    send: (dealId: string) => Promise<string>,
  ): Promise<void> {
    const refused = what === 'cancel' ? 'cancel-rejected' : 'replace-rejected';
    try {
      await t.accepted;
      const ref = await send(t.dealId as string);
      const c = await this.#awaitConfirm(ref);
      if (c === null) return;
      const venueNs = igTimeNs(c.date, this.#now());
      if (c.dealStatus === 'REJECTED')
        this.#report(t, refused, { reason: `IG refused: ${describeDealReason(c.reason)}`, venueNs });
      else this.#report(t, what === 'cancel' ? 'cancelled' : 'replaced', { venueNs });
    } catch (e) {
      // An order IG never took was rejected already: there is nothing left to refuse.
      if (!isTerminal(t.order.status)) this.#report(t, refused, { reason: (e as Error).message });
    }
  }

  // ---- confirms ----

  /**
   * The confirm of `ref`: from the stream, or asked of IG after `confirmFallbackMs` (and again,
   * waiting twice as long each time). Null when IG never had one: a problem is reported and the
   * order stays as it is until a reconciliation finds it.
   */
  #awaitConfirm(ref: string): Promise<Confirm | null> {
    const held = this.#held.get(ref);
    if (held !== undefined) {
      this.#held.delete(ref);
      return Promise.resolve(held);
    }
    return new Promise((resolve) => {
      this.#waiters.set(ref, resolve);
      const look = (n: number) => {
        if (!this.#waiters.has(ref)) return;
        this.#rest.confirm(ref).then(
          (c) => this.#deliver(c),
          (e: Error) => {
            if (!this.#waiters.has(ref)) return;
            if (n + 1 < CONFIRM_LOOKS) this.#later(this.#fallbackMs * 2 ** (n + 1), () => look(n + 1));
            else {
              this.#waiters.delete(ref);
              this.#event({ kind: 'problem', message: `deal ${ref}: no confirm from IG (${e.message})` });
              resolve(null);
            }
          },
        );
      };
      this.#later(this.#fallbackMs, () => look(0));
    });
  }

  /** A confirm, from the stream or REST: to whoever waits for it, or held for a while. */
  #deliver(c: Confirm): void {
    const w = this.#waiters.get(c.dealReference);
    if (w !== undefined) {
      this.#waiters.delete(c.dealReference);
      w(c);
      return;
    }
    this.#held.set(c.dealReference, c);
    if (this.#held.size > HELD_CONFIRMS) this.#held.delete(this.#held.keys().next().value as string);
  }

  // ---- the stream ----

  #onTrade(e: TradeEvent): void {
    if (e.kind === 'confirm') this.#deliver(e.confirm);
    else if (e.kind === 'position') this.#onPosition(e.update);
    else this.#onWorkingOrder(e.update);
  }

  /** An open position update: a working order of ours that became (part of) a position is filled. */
  #onPosition(u: PositionUpdate): void {
    const t =
      (u.dealReference ? this.#byRef.get(u.dealReference) : undefined) ??
      (u.dealIdOrigin ? this.#byDealId.get(u.dealIdOrigin) : undefined);
    if (t === undefined || t.kind !== 'working' || u.dealStatus === 'REJECTED') return;
    this.#filledAt(t, u.level, igTimeNs(u.timestamp, this.#now()));
  }

  /** A working order IG deleted without our asking: filled (the position update tells) or gone. */
  #onWorkingOrder(u: WorkingOrderUpdate): void {
    if (u.status !== 'DELETED') return;
    const t =
      this.#byDealId.get(u.dealId) ?? (u.dealReference ? this.#byRef.get(u.dealReference) : undefined);
    if (t === undefined || isTerminal(t.order.status) || t.order.status === 'pending-cancel') return;
    this.#later(DELETED_GRACE_MS, () => {
      if (!isTerminal(t.order.status)) void this.#reconcile();
    });
  }

  /** Fills working order `t` whole at `level` (points), unless it is already finished. */
  #filledAt(t: Tracked, level: number, venueNs: bigint): void {
    const o = t.order;
    if (isTerminal(o.status) || o.status === 'pending-new') return;
    this.#report(t, 'fill', { ...this.#fillOf(t, level, o.leavesQuantity), venueNs });
  }

  #onLink(l: StreamLink): void {
    if (l.state === 'connected' && !this.#linkUp) {
      this.#linkUp = true;
      this.#event({ kind: 'connected', detail: l.status });
    } else if ((l.state === 'disconnected' || l.state === 'stalled') && this.#linkUp) {
      this.#linkUp = false;
      this.#event({ kind: 'disconnected', reason: `IG stream ${l.status}` });
    }
    if (l.status === 'DISCONNECTED' && !this.#closed)
      this.#later(this.#streamOptions.retryDelayMs ?? 4_000, () => void this.#relogin());
  }

  /** The stream gave up (its login refused, say): log in again and reopen it. */
  async #relogin(): Promise<void> {
    const s = this.#stream;
    if (this.#closed || s === null || s.link.status !== 'DISCONNECTED') return;
    try {
      await this.#rest.login();
      s.setLogin(await this.#rest.streamingLogin());
      await s.connect();
    } catch (e) {
      this.#event({ kind: 'problem', message: `IG stream: ${(e as Error).message}` });
    }
  }

  /**
   * Catches up after the stream was away: confirms still awaited are asked for now, and each of
   * our working orders IG no longer lists is matched with the position carrying its reference.
   */
  async #reconcile(): Promise<void> {
    if (this.#closed) return;
    for (const ref of this.#waiters.keys())
      this.#rest.confirm(ref).then(
        (c) => this.#deliver(c),
        () => {},
      );
    try {
      const [positions, orders] = await Promise.all([this.#rest.positions(), this.#rest.workingOrders()]);
      const listed = new Set(orders.map((o) => o.workingOrderData.dealId));
      for (const t of this.#orders.values()) {
        if (t.kind !== 'working' || t.dealId === null || isTerminal(t.order.status) || listed.has(t.dealId))
          continue;
        const p = positions.find((x) => x.position.dealReference === t.ref);
        if (p !== undefined)
          this.#filledAt(t, p.position.level, igTimeNs(p.position.createdDateUTC, this.#now()));
        else
          this.#event({
            kind: 'problem',
            message: `order ${t.order.clientId}: IG no longer lists working order ${t.dealId} and no position carries reference ${t.ref}`,
          });
      }
    } catch (e) {
      this.#event({ kind: 'problem', message: `IG reconciliation: ${(e as Error).message}` });
    }
  }

  // ---- reports and state ----

  #fillOf(t: Tracked, level: number, quantity: number): Partial<ExecutionReport> {
    return {
      side: t.order.spec.side,
      quantity,
      price: pointsToRaw(level, t.market.pointRaw),
      fee: 0,
      liquidity: 'taker',
    };
  }

  #report(
    t: Tracked,
    kind: ReportKind,
    extra: Partial<ExecutionReport> & { venueNs?: bigint },
    atNs?: bigint,
  ): void {
    if (this.#closed) return;
    const now = atNs ?? this.#now();
    const r: ExecutionReport = {
      kind,
      clientId: t.order.clientId,
      instrumentId: t.order.spec.instrumentId,
      venueNs: extra.venueNs ?? now,
      atNs: now,
      ...extra,
    };
    const s = t.order.status;
    const arrived =
      kind !== 'fill' && (s === 'pending-new' || s === 'pending-cancel' || s === 'pending-replace');
    if (acceptReport(t.order, r, arrived, this.anomalies)) {
      for (const l of this.#listeners) l(r, t.order);
    } else {
      this.#event({ kind: 'problem', message: this.anomalies[this.anomalies.length - 1].error });
    }
  }

  #event(e: VenueEvent): void {
    if (this.#closed) return;
    for (const l of this.#venueListeners) l(e);
  }

  #later(ms: number, f: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) f();
    }, ms);
    this.#timers.add(timer);
  }

  #tracked(clientId: string): Tracked {
    const t = this.#orders.get(clientId);
    if (t === undefined)
      throw new BrokerRequestError('UNKNOWN_ORDER', clientId, 'no such order was sent to IG');
    return t;
  }

  #aggregate(positions: readonly OpenPosition[]): VenuePosition[] {
    const sums = new Map<
      number,
      { q: number; long: number; longPx: number; short: number; shortPx: number }
    >();
    for (const p of positions) {
      const m = this.#byEpic.get(p.market.epic);
      if (m === undefined) continue;
      const q = Math.round(p.position.size * m.quantityPerSize);
      const px = pointsToRaw(p.position.level, m.pointRaw);
      const s = sums.get(m.instrumentId) ?? { q: 0, long: 0, longPx: 0, short: 0, shortPx: 0 };
      if (p.position.direction === 'BUY') {
        s.q += q;
        s.long += q;
        s.longPx += q * px;
      } else {
        s.q -= q;
        s.short += q;
        s.shortPx += q * px;
      }
      sums.set(m.instrumentId, s);
    }
    return [...sums].map(([instrumentId, s]) => ({
      instrumentId,
      quantity: s.q,
      averagePx: s.q > 0 ? s.longPx / s.long : s.q < 0 ? s.shortPx / s.short : undefined,
    }));
  }

  #venueOrders(orders: readonly WorkingOrder[]): VenueOrder[] {
    const out: VenueOrder[] = [];
    for (const { workingOrderData: w } of orders) {
      const m = this.#byEpic.get(w.epic);
      if (m === undefined) continue;
      const px = pointsToRaw(w.orderLevel, m.pointRaw);
      const clientId = this.#byDealId.get(w.dealId)?.order.clientId;
      out.push({
        ...(clientId === undefined ? {} : { clientId }),
        venueId: w.dealId,
        instrumentId: m.instrumentId,
        side: w.direction === 'BUY' ? 'buy' : 'sell',
        type: w.orderType === 'STOP' ? 'stop' : 'limit',
        quantity: Math.round(w.orderSize * m.quantityPerSize),
        ...(w.orderType === 'STOP' ? { stopPx: px } : { limitPx: px }),
      });
    }
    return out;
  }
}

/** IG's time in force of a working order for `spec` (GTC, or GTT as GOOD_TILL_DATE). */
function timeInForce(spec: OrderSpec): {
  timeInForce: 'GOOD_TILL_CANCELLED' | 'GOOD_TILL_DATE';
  goodTillDate?: string;
} {
  return spec.tif === 'GTT' && spec.expireAtNs !== undefined
    ? { timeInForce: 'GOOD_TILL_DATE', goodTillDate: goodTillDate(spec.expireAtNs) }
    : { timeInForce: 'GOOD_TILL_CANCELLED' };
}

function tracked(order: Order, market: IgMarket, ref: string, kind: 'deal' | 'working'): Tracked {
  let resolveAccepted: () => void = () => {};
  let rejectAccepted: (e: Error) => void = () => {};
  const accepted = new Promise<void>((res, rej) => {
    resolveAccepted = res;
    rejectAccepted = rej;
  });
  // A refusal is read by whoever awaits it; unawaited it must not end the process.
  accepted.catch(() => {});
  return { order, market, ref, kind, dealId: null, accepted, resolveAccepted, rejectAccepted };
}
