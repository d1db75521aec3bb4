/**
 * A broker over FIX 4.4 (an FCM's or broker's order-entry gateway for CME futures), on jspurefix
 * as the initiator. Orders go out as NewOrderSingle (D), OrderCancelRequest (F) and
 * OrderCancelReplaceRequest (G); ExecutionReports (8) and OrderCancelRejects (9) come back as
 * our reports:
 *
 * | ExecType(150)            | report            |
 * |--------------------------|-------------------|
 * | 0 new                    | ack               |
 * | F trade (LastQty, LastPx)| fill              |
 * | 4 canceled               | cancelled         |
 * | 5 replaced               | replaced          |
 * | 8 rejected               | reject            |
 * | C expired                | expired           |
 * | 9 with CxlRejResponseTo  | cancel-rejected (1) / replace-rejected (2) |
 *
 * Pending states (A, 6, E), restatements and status reports change nothing. Each cancel or
 * replace carries a new ClOrdID(11) and the ClOrdID the venue knows the order by as
 * OrigClOrdID(41); the order keeps our client id.
 *
 * The session: logon with optional Username/Password, heartbeats and test requests, sequence
 * numbers kept in a file per session (`SequenceStore`) so that a restart logs on with the next
 * number, a resend request when the venue's numbers jump (what it sent while we were away arrives
 * replayed with PossDupFlag=Y), and reconnection with a growing delay. An execution report is
 * booked once per ExecID(17), however often it is replayed. A message that is malformed or fits
 * nothing we hold (an unknown ClOrdID, a fill the order cannot take) is answered with a session
 * Reject (3) naming the tag, and reported as a `problem`; nothing of it is booked.
 *
 * `venueState()` asks the venue: OrderMassStatusRequest (AF, all orders) answered by
 * ExecutionReports with ExecType I (one per working order, TotNumReports(911) and
 * LastRptRequested(912) marking the end; TotNumReports=0 for none), and RequestForPositions (AN)
 * answered by RequestForPositionsAck (AO, TotalNumPosReports) and PositionReports (AP).
 * `orderStatus()` asks of one order: OrderStatusRequest (H), answered by an ExecutionReport with
 * ExecType I and our OrdStatusReqID(790). An order of an earlier session that was replaced goes
 * by the ClOrdID of its last request (`<client id>.<n>`): the mass status reports it under the
 * client id, and `adopt` keeps both.
 */
import { createConnection, type Socket } from 'node:net';
import {
  type Clock,
  componentLogger,
  EngineError,
  InvalidOptionError,
  type Logger,
  tradingDateOf,
  wallClock,
} from '../../core/index.js';
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
import type { Liquidity } from '../fees.js';
import { isTerminal, Order, type OrderSide, type OrderSpec, orderProblem } from '../order.js';
import {
  type ILooseObject,
  type ISessionDescription,
  type Jspf,
  jspurefix,
  type MsgView,
  sessionConfig,
} from './engine.js';
import { type BrokerSession, brokerSessionClass, type SessionHost } from './session.js';
import { SequenceStore } from './store.js';
import {
  dateOfNs,
  type FixInstrument,
  fixPrice,
  fromCode,
  InstrumentMap,
  instrumentFields,
  ORD_TYPE,
  rawPrice,
  SIDE,
  TIME_IN_FORCE,
  wholeQty,
} from './wire.js';

/** How long to wait before reconnecting: `initialMs`, growing by `factor` per failed attempt up to `maxMs`. */
export interface FixBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export interface FixBrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly senderCompId: string;
  readonly targetCompId: string;
  /** HeartBtInt(108), seconds. */
  readonly heartbeatSeconds: number;
  /** Username(553) and Password(554) on the Logon, when the counterparty wants them. */
  readonly username?: string;
  readonly password?: string;
  /** Account(1) on every order and request. */
  readonly account: string;
  /** Where the session's sequence numbers are kept (a file per session). */
  readonly storeDirectory: string;
  /** The instruments traded and how this counterparty names them. */
  readonly instruments: readonly FixInstrument[];
  /** Reconnection delays (default 500 ms, doubling, at most 30 s). */
  readonly reconnect?: FixBackoff;
  /** How long connect() waits for the venue's Logon, and venueState() for its answers (ms, default 10 s). */
  readonly timeoutMs?: number;
  /** The local clock (default the wall clock): when reports were heard, TransactTime of requests. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Name of the broker (default "fix"). */
  readonly name?: string;
}

/** The venue could not be reached, refused our logon, or the link is down when a request needs it. */
export class FixSessionError extends EngineError {
  constructor(
    code: 'FIX_CONNECT' | 'FIX_LOGON_REFUSED' | 'FIX_NOT_CONNECTED' | 'FIX_TIMEOUT' | 'FIX_REQUEST',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** An order as sent: the ClOrdIDs it is known by and what the venue calls it. */
interface Entry {
  readonly order: Order;
  readonly instrument: FixInstrument;
  /** The ClOrdID the venue knows the order by now (ours, then each confirmed replace's). */
  current: string;
  /** The ClOrdID of a replace not yet answered. */
  replacing: string | null;
  venueId: string | null;
  /** Requests made for the order (for the next request's ClOrdID). */
  requests: number;
}

/** A message that cannot be booked: the tag at fault and the session reject reason. */
class Unbookable {
  constructor(
    readonly text: string,
    readonly reason: number,
    readonly tag?: number,
  ) {}
}

/** SessionRejectReason(373). */
const REQUIRED_TAG_MISSING = 1;
const VALUE_INCORRECT = 5;
const BAD_FORMAT = 6;
const INVALID_MSG_TYPE = 11;

/** Outstanding venueState() questions. */
interface Pending<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}
interface MassStatus {
  readonly orders: VenueOrder[];
  /** TotNumReports, once told; reports seen so far (some may have been left out). */
  expected: number | null;
  seen: number;
}
interface Positions {
  readonly positions: VenuePosition[];
  /** TotalNumPosReports, once told; reports seen so far (some may have been left out). */
  expected: number | null;
  seen: number;
}

/** A message we sent: its type and the id it carries (ClOrdID, MassStatusReqID, PosReqID). */
interface Sent {
  readonly msgType: string;
  readonly ref?: string;
}

/** OrdStatus(39) as what an order's status tells of it: working, or how it ended. */
const ORD_STATUS: Readonly<Record<string, VenueOrderStatus['status']>> = {
  '0': 'working',
  '1': 'working',
  '5': 'working',
  '6': 'working',
  A: 'working',
  E: 'working',
  '2': 'filled',
  '4': 'cancelled',
  '8': 'rejected',
  '3': 'expired',
  C: 'expired',
};

/** The ClOrdID of a cancel or replace request: the order's client id and the request's number. */
const REQUEST_ID = /^(.+)\.(\d+)$/;

/** How many sent sequence numbers are remembered, to map a venue's Reject back to its order. */
const SENT_MEMORY = 4096;

/** A broker at a FIX 4.4 order-entry gateway (see the module comment). */
export class FixBroker implements VenueBroker {
  readonly name: string;
  /** Reports their orders could not take (each also a `problem` event and a Reject sent). */
  readonly anomalies: ReportAnomaly[] = [];
  readonly #opts: FixBrokerOptions;
  readonly #instruments: InstrumentMap;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: FixBackoff;
  readonly #timeoutMs: number;
  readonly #orders = new Map<string, Entry | Order>();
  readonly #byClOrdId = new Map<string, Entry>();
  readonly #execIds = new Set<string>();
  readonly #sent = new Map<number, Sent>();
  readonly #reportListeners: ReportListener[] = [];
  readonly #venueListeners: VenueListener[] = [];
  readonly #massStatus = new Map<string, Pending<VenueOrder[]> & MassStatus>();
  readonly #positions = new Map<string, Pending<VenuePosition[]> & Positions>();
  readonly #statuses = new Map<string, Pending<VenueOrderStatus>>();
  #j: Jspf | null = null;
  #session: BrokerSession | null = null;
  #socket: Socket | null = null;
  #ready = false;
  #everReady = false;
  #closing = false;
  #closed: Promise<void> | null = null;
  /** Resolves close() once the session on the open connection has ended. */
  #closeWaiter: (() => void) | null = null;
  #refusal: string | null = null;
  #attempt: { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #requests = 0;

  constructor(opts: FixBrokerOptions) {
    this.#opts = opts;
    this.name = opts.name ?? 'fix';
    this.#instruments = new InstrumentMap(opts.instruments);
    this.#clock = opts.clock ?? wallClock;
    this.#log = opts.logger ?? componentLogger('fix');
    this.#backoff = opts.reconnect ?? { initialMs: 500, maxMs: 30_000, factor: 2 };
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    for (const [name, v] of [
      ['heartbeatSeconds', opts.heartbeatSeconds],
      ['port', opts.port],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new InvalidOptionError(`FIX ${name}`, v, 'a whole number above 0');
    }
  }

  // ---- the link ----

  async connect(): Promise<void> {
    if (this.#session !== null)
      throw new FixSessionError(
        'FIX_CONNECT',
        `${this.#where()}: connect() was already called (a broker connects once; make a new one to start again)`,
      );
    const j = jspurefix();
    this.#j = j;
    const o = this.#opts;
    const description = {
      application: {
        name: this.name,
        type: 'initiator',
        protocol: 'ascii',
        dictionary: 'qf44',
        tcp: { host: o.host, port: o.port },
      },
      BeginString: 'FIX.4.4',
      SenderCompId: o.senderCompId,
      TargetCompID: o.targetCompId,
      HeartBtInt: o.heartbeatSeconds,
      ResetSeqNumFlag: false,
      Username: o.username,
      Password: o.password,
    } as unknown as ISessionDescription;
    const store = {
      create: (id: ConstructorParameters<typeof SequenceStore>[0]) => new SequenceStore(id, o.storeDirectory),
    };
    // The store is opened here so that an unreadable sequence file fails connect(), not a logon.
    new SequenceStore(new j.SessionId('FIX.4.4', o.senderCompId, o.targetCompId), o.storeDirectory);
    const config = await sessionConfig(description, store, new j.EmptyLogFactory());
    const Session = brokerSessionClass(j);
    this.#session = new Session(config, this.#host());
    try {
      await this.#open();
    } catch (e) {
      this.#closing = true;
      this.#destroySocket();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  onVenueEvent(listener: VenueListener): void {
    this.#venueListeners.push(listener);
  }

  onReport(listener: ReportListener): void {
    this.#reportListeners.push(listener);
  }

  /** Whether the session is logged on now. */
  get connected(): boolean {
    return this.#ready;
  }

  // ---- orders ----

  submit(spec: OrderSpec, nowNs: bigint): Order {
    requireNewId(this.#orders, spec);
    const order = new Order(spec, nowNs);
    const instrument = this.#instruments.get(spec.instrumentId);
    const problem = orderProblem(spec, instrument?.tickRaw);
    const reason =
      problem !== null
        ? `${problem.problem}: ${problem.detail}`
        : !this.#ready
          ? `NOT_CONNECTED: the FIX session with ${this.#opts.targetCompId} is not logged on`
          : null;
    if (reason !== null || instrument === undefined) {
      this.#orders.set(spec.clientId, order);
      order.reject(nowNs, reason ?? 'UNKNOWN_INSTRUMENT');
      this.#emit(
        {
          kind: 'reject',
          clientId: spec.clientId,
          instrumentId: spec.instrumentId,
          venueNs: nowNs,
          atNs: nowNs,
          reason: reason ?? '',
        },
        order,
      );
      return order;
    }
    const entry: Entry = {
      order,
      instrument,
      current: spec.clientId,
      replacing: null,
      venueId: null,
      requests: 0,
    };
    this.#orders.set(spec.clientId, entry);
    this.#byClOrdId.set(spec.clientId, entry);
    const body: ILooseObject = {
      ClOrdID: spec.clientId,
      Account: this.#opts.account,
      Instrument: instrumentFields(instrument.symbology),
      Side: SIDE[spec.side],
      TransactTime: this.#now(),
      OrderQtyData: { OrderQty: spec.quantity },
      OrdType: ORD_TYPE[spec.type],
      TimeInForce: TIME_IN_FORCE[spec.tif],
    };
    if (spec.limitPx !== undefined && (spec.type === 'limit' || spec.type === 'stop-limit'))
      body.Price = fixPrice(spec.limitPx);
    if (spec.stopPx !== undefined && (spec.type === 'stop' || spec.type === 'stop-limit'))
      body.StopPx = fixPrice(spec.stopPx);
    if (spec.tif === 'GTT' && spec.expireAtNs !== undefined) body.ExpireTime = dateOfNs(spec.expireAtNs);
    // ExecInst 6: participate, don't initiate (post-only).
    if (spec.postOnly === true) body.ExecInst = '6';
    this.#send('D', body, spec.clientId);
    return order;
  }

  cancel(clientId: string, nowNs: bigint): void {
    const e = this.#entry(clientId, 'cancel');
    this.#requireLink('cancel', clientId);
    e.order.cancel(nowNs);
    const id = this.#requestId(e);
    const body: ILooseObject = {
      OrigClOrdID: e.current,
      ClOrdID: id,
      Account: this.#opts.account,
      Instrument: instrumentFields(e.instrument.symbology),
      Side: SIDE[e.order.spec.side],
      TransactTime: this.#now(),
      OrderQtyData: { OrderQty: e.order.spec.quantity },
    };
    if (e.venueId !== null) body.OrderID = e.venueId;
    this.#send('F', body, id);
  }

  replace(clientId: string, change: ReplaceChange, nowNs: bigint): void {
    const e = this.#entry(clientId, 'replace');
    const tick = e.instrument.tickRaw;
    for (const [name, px] of [
      ['limit price', change.limitPx],
      ['stop price', change.stopPx],
    ] as const) {
      if (px !== undefined && !(Number.isSafeInteger(px) && px > 0 && px % tick === 0))
        throw new InvalidOptionError(
          `new ${name} of ${clientId}`,
          px,
          `a positive multiple of the tick ${tick}`,
        );
    }
    this.#requireLink('replace', clientId);
    e.order.replace(nowNs, change);
    const spec = e.order.spec;
    const id = this.#requestId(e);
    e.replacing = id;
    const body: ILooseObject = {
      OrigClOrdID: e.current,
      ClOrdID: id,
      Account: this.#opts.account,
      Instrument: instrumentFields(e.instrument.symbology),
      Side: SIDE[spec.side],
      TransactTime: this.#now(),
      OrderQtyData: { OrderQty: change.quantity ?? spec.quantity },
      OrdType: ORD_TYPE[spec.type],
      TimeInForce: TIME_IN_FORCE[spec.tif],
    };
    const limitPx = change.limitPx ?? spec.limitPx;
    const stopPx = change.stopPx ?? spec.stopPx;
    if (limitPx !== undefined && (spec.type === 'limit' || spec.type === 'stop-limit'))
      body.Price = fixPrice(limitPx);
    if (stopPx !== undefined && (spec.type === 'stop' || spec.type === 'stop-limit'))
      body.StopPx = fixPrice(stopPx);
    if (spec.tif === 'GTT' && spec.expireAtNs !== undefined) body.ExpireTime = dateOfNs(spec.expireAtNs);
    if (e.venueId !== null) body.OrderID = e.venueId;
    this.#send('G', body, id);
  }

  order(clientId: string): Order | undefined {
    const o = this.#orders.get(clientId);
    return o instanceof Order ? o : o?.order;
  }

  adopt(o: VenueOrder, nowNs: bigint): Order {
    const clientId = adoptedId(o);
    const known = this.order(clientId);
    if (known !== undefined) return known;
    const instrument = this.#instruments.get(o.instrumentId);
    if (instrument === undefined)
      throw new BrokerRequestError(
        'UNKNOWN_ORDER',
        clientId,
        `cannot adopt: instrument ${o.instrumentId} is not configured`,
      );
    const order = adoptedOrder(o, nowNs);
    // The venue knows it by its ClOrdID (our client id for it, or its last request's) and its OrderID.
    const current = o.venueClientId ?? clientId;
    const entry: Entry = {
      order,
      instrument,
      current,
      replacing: null,
      venueId: o.venueId,
      requests: Number(REQUEST_ID.exec(current)?.[2] ?? 0),
    };
    this.#orders.set(clientId, entry);
    this.#byClOrdId.set(clientId, entry);
    this.#byClOrdId.set(current, entry);
    return order;
  }

  openOrders(): Order[] {
    const out: Order[] = [];
    for (const o of this.#orders.values()) {
      const order = o instanceof Order ? o : o.order;
      if (!isTerminal(order.status)) out.push(order);
    }
    return out;
  }

  // ---- the venue's account ----

  async venueState(): Promise<VenueState> {
    this.#requireLink('ask for the venue state', '');
    const n = ++this.#requests;
    const [orders, positions] = await Promise.all([
      this.#askOrders(`ms-${n}`),
      this.#askPositions(`pos-${n}`),
    ]);
    positions.sort((a, b) => a.instrumentId - b.instrumentId);
    return { positions, orders };
  }

  #askOrders(id: string): Promise<VenueOrder[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(this.#massStatus, id, 'OrderMassStatusRequest'),
        this.#timeoutMs,
      );
      this.#massStatus.set(id, { resolve, reject, timer, orders: [], expected: null, seen: 0 });
      // MassStatusReqType 7: all orders.
      this.#send('AF', { MassStatusReqID: id, MassStatusReqType: 7, Account: this.#opts.account }, id);
    });
  }

  #askPositions(id: string): Promise<VenuePosition[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(this.#positions, id, 'RequestForPositions'), this.#timeoutMs);
      this.#positions.set(id, { resolve, reject, timer, positions: [], expected: null, seen: 0 });
      const ms = this.#clock.now();
      const date = (tradingDateOf(ms) ?? new Date(ms).toISOString().slice(0, 10)).replaceAll('-', '');
      this.#send(
        'AN',
        {
          PosReqID: id,
          // PosReqType 0: positions; AccountType 1: carried on the customer side of the books.
          PosReqType: 0,
          Parties: { NoPartyIDs: [{ PartyID: this.#opts.account, PartyIDSource: 'D', PartyRole: 3 }] },
          Account: this.#opts.account,
          AccountType: 1,
          ClearingBusinessDate: date,
          TransactTime: this.#now(),
        },
        id,
      );
    });
  }

  /**
   * What the venue says of one order: an OrderStatusRequest (H) by ClOrdID (and OrderID when
   * known), answered by an ExecutionReport with ExecType I and our OrdStatusReqID(790). A venue
   * that does not know the order answers with OrdStatus 8 (rejected) and its words in Text.
   */
  async orderStatus(q: {
    readonly clientId: string;
    readonly venueId?: string;
    readonly instrumentId: number;
    readonly side: OrderSide;
  }): Promise<VenueOrderStatus> {
    this.#requireLink('ask for an order status', q.clientId);
    const instrument = this.#instruments.get(q.instrumentId);
    if (instrument === undefined)
      throw new BrokerRequestError(
        'UNKNOWN_ORDER',
        q.clientId,
        `instrument ${q.instrumentId} is not configured`,
      );
    const id = `st-${++this.#requests}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(this.#statuses, id, 'OrderStatusRequest'), this.#timeoutMs);
      this.#statuses.set(id, { resolve, reject, timer });
      this.#send(
        'H',
        {
          ...(q.venueId !== undefined ? { OrderID: q.venueId } : {}),
          ClOrdID: q.clientId,
          OrdStatusReqID: id,
          Account: this.#opts.account,
          Instrument: instrumentFields(instrument.symbology),
          Side: SIDE[q.side],
        },
        id,
      );
    });
  }

  #fail<T>(table: Map<string, Pending<T>>, id: string, what: string, error?: Error): void {
    const p = table.get(id);
    if (p === undefined) return;
    table.delete(id);
    clearTimeout(p.timer);
    p.reject(
      error ??
        new FixSessionError(
          'FIX_TIMEOUT',
          `${this.#where()}: no complete answer to ${what} ${id} within ${this.#timeoutMs} ms`,
        ),
    );
  }

  #failAll(error: Error): void {
    for (const id of [...this.#massStatus.keys()]) this.#fail(this.#massStatus, id, '', error);
    for (const id of [...this.#positions.keys()]) this.#fail(this.#positions, id, '', error);
    for (const id of [...this.#statuses.keys()]) this.#fail(this.#statuses, id, '', error);
  }

  // ---- connection life ----

  #host(): SessionHost {
    return {
      ready: () => this.#onReady(),
      application: (msgType, view) => this.#onApplication(msgType, view),
      refused: (text) => {
        this.#refusal = text;
      },
      problem: (message) => this.#event({ kind: 'problem', message }),
      stopped: () => {},
    };
  }

  /** One connection: resolves once logged on, rejects if the venue cannot be reached or refuses us. */
  #open(): Promise<void> {
    const session = this.#session as BrokerSession;
    const j = this.#j as Jspf;
    const o = this.#opts;
    return new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        this.#settleAttempt(
          new FixSessionError(
            'FIX_TIMEOUT',
            `${this.#where()}: no answer to our Logon within ${this.#timeoutMs} ms`,
          ),
        );
        // Ended through its 'close', like any other end of the connection.
        socket.destroy();
      }, this.#timeoutMs);
      this.#attempt = { resolve, reject, timer };
      this.#refusal = null;
      this.#socket = socket;
      let running = false;
      let failure: Error | undefined;
      socket.on('error', (e) => {
        failure ??= e;
      });
      socket.once('close', () => {
        // A reset connection (no FIN) is not seen by jspurefix's reader: the session on it is
        // ended here, and its end is handled when its run settles. A connection never made
        // (refused, unreachable, given up) ends here.
        if (running) {
          if (this.#socket === socket) session.requestStop('the connection closed');
          return;
        }
        if (this.#socket === socket)
          this.#afterRun(failure ?? new Error('the connection closed before it was made'));
      });
      socket.once('connect', () => {
        running = true;
        socket.setNoDelay(true);
        const transport = new j.MsgTransport(0, session.config, new j.TcpDuplex(socket));
        session.reset();
        session.run(transport).then(
          () => this.#afterRun(),
          (e: Error) => this.#afterRun(e),
        );
      });
    });
  }

  #settleAttempt(error: Error | null): void {
    const a = this.#attempt;
    if (a === null) return;
    this.#attempt = null;
    clearTimeout(a.timer);
    if (error === null) a.resolve();
    else a.reject(error);
  }

  #onReady(): void {
    this.#ready = true;
    this.#everReady = true;
    this.#failures = 0;
    this.#settleAttempt(null);
    const s = this.#session as BrokerSession;
    this.#log.info({ target: this.#opts.targetCompId, nextSeqNum: s.nextSeqNum }, 'FIX logged on');
    this.#event({
      kind: 'connected',
      detail: `logged on to ${this.#opts.targetCompId} as ${this.#opts.senderCompId}`,
    });
  }

  /** The session on a connection ended (or the connection never came up). */
  #afterRun(error?: Error): void {
    const wasReady = this.#ready;
    this.#ready = false;
    this.#destroySocket();
    const reason = this.#closing
      ? 'logged out: the broker was closed'
      : this.#refusal !== null
        ? `the venue refused our logon: ${this.#refusal}`
        : (error?.message ?? 'the venue ended the session');
    if (this.#attempt !== null) {
      this.#settleAttempt(
        this.#refusal !== null
          ? new FixSessionError(
              'FIX_LOGON_REFUSED',
              `${this.#where()}: the venue refused our logon: ${this.#refusal}`,
            )
          : new FixSessionError(
              'FIX_CONNECT',
              `${this.#where()}: the connection ended before logon: ${reason}`,
            ),
      );
    }
    if (wasReady) {
      this.#log.warn({ reason }, 'FIX session ended');
      this.#event({ kind: 'disconnected', reason });
      this.#failAll(
        new FixSessionError('FIX_NOT_CONNECTED', `${this.#where()}: the link dropped: ${reason}`),
      );
    }
    this.#closeWaiter?.();
    if (!this.#closing && this.#everReady) this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(reason: string): void {
    if (this.#reconnectTimer !== null) return;
    const b = this.#backoff;
    const delay = Math.min(b.maxMs, b.initialMs * b.factor ** this.#failures);
    this.#failures++;
    this.#log.info({ delayMs: delay, reason }, 'FIX reconnecting');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#closing) return;
      this.#open().catch((e: Error) => {
        this.#log.warn({ error: e.message }, 'FIX reconnect failed');
        // A refusal needs someone to look (credentials, an account disabled); retrying goes on.
        if (e instanceof FixSessionError && e.code === 'FIX_LOGON_REFUSED')
          this.#event({ kind: 'problem', message: e.message });
      });
    }, delay);
  }

  async #close(): Promise<void> {
    this.#closing = true;
    if (this.#reconnectTimer !== null) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
    this.#failAll(new FixSessionError('FIX_NOT_CONNECTED', `${this.#where()}: the broker is closing`));
    const session = this.#session;
    if (session === null) return;
    if (this.#socket !== null) {
      const done = new Promise<void>((r) => {
        this.#closeWaiter = r;
      });
      if (session.loggedOn) session.done();
      else this.#socket.destroy();
      // jspurefix stops a session whose Logout is not confirmed after 2 s; the socket goes after 3 s regardless.
      const timer = setTimeout(() => {
        this.#destroySocket();
        this.#closeWaiter?.();
      }, 3_000);
      await done;
      clearTimeout(timer);
      this.#closeWaiter = null;
    }
    session.requestStop('closed');
    this.#destroySocket();
    this.#ready = false;
  }

  #destroySocket(): void {
    const s = this.#socket;
    if (s === null) return;
    this.#socket = null;
    s.destroy();
  }

  // ---- incoming ----

  #onApplication(msgType: string, view: MsgView): void {
    try {
      switch (msgType) {
        case '8':
          this.#onExecutionReport(view);
          break;
        case '9':
          this.#onCancelReject(view);
          break;
        case 'AO':
          this.#onPositionsAck(view);
          break;
        case 'AP':
          this.#onPositionReport(view);
          break;
        case '3':
          this.#onSessionReject(view);
          break;
        case 'j':
          this.#onBusinessReject(view);
          break;
        default:
          throw new Unbookable(
            `MsgType ${msgType} is not one this order-entry session takes`,
            INVALID_MSG_TYPE,
            35,
          );
      }
    } catch (e) {
      if (!(e instanceof Unbookable)) throw e;
      this.#refuse(msgType, view, e);
    }
  }

  /** Answers a message we cannot book with a session Reject (3), and tells of it. */
  #refuse(msgType: string, view: MsgView, u: Unbookable): void {
    const seq = Number(view.getString(34));
    const body: ILooseObject = {
      RefSeqNum: seq,
      RefMsgType: msgType,
      SessionRejectReason: u.reason,
      Text: u.text,
    };
    if (u.tag !== undefined) body.RefTagID = u.tag;
    this.#send('3', body);
    this.#event({ kind: 'problem', message: `${msgType} MsgSeqNum ${seq}: ${u.text} (rejected)` });
  }

  #onExecutionReport(view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    const execType = need(f, 150);
    const execId = need(f, 17);
    need(f, 39);
    if (execType === 'I') {
      this.#onOrderStatus(view);
      return;
    }
    const possDup = f(43) === 'Y';
    if (this.#execIds.has(execId)) {
      if (!possDup)
        this.#event({
          kind: 'problem',
          message: `ExecID ${execId} was already booked; the repeat is ignored`,
        });
      return;
    }
    const clOrdId = need(f, 11);
    const orig = f(41);
    const entry = this.#byClOrdId.get(clOrdId) ?? (orig !== null ? this.#byClOrdId.get(orig) : undefined);
    if (entry === undefined)
      throw new Unbookable(`ClOrdID "${clOrdId}" is not an order of ours`, VALUE_INCORRECT, 11);
    const kind = EXEC_TYPE[execType];
    if (kind === undefined) {
      if (!INFORMATIONAL.has(execType))
        throw new Unbookable(`ExecType "${execType}" is not known`, VALUE_INCORRECT, 150);
      this.#execIds.add(execId);
      return;
    }
    const orderId = f(37);
    if (orderId !== null) entry.venueId = orderId;
    const order = entry.order;
    const report = this.#report(kind, entry, view);
    if (kind === 'fill') {
      const quantity = wholeQty(f(32));
      if (quantity === null || quantity <= 0)
        throw new Unbookable(`LastQty "${f(32)}" is not a whole number above 0`, BAD_FORMAT, 32);
      const price = rawPrice(f(31));
      if (price === null) throw new Unbookable(`LastPx "${f(31)}" is not a price`, BAD_FORMAT, 31);
      const liq = f(851);
      // LastLiquidityInd(851): 1 added liquidity, 2 removed it.
      const liquidity: Liquidity | undefined = liq === '1' ? 'maker' : liq === '2' ? 'taker' : undefined;
      Object.assign(
        report,
        { side: order.spec.side, quantity, price },
        liquidity === undefined ? {} : { liquidity },
      );
    }
    // Some gateways send the fill or cancel of an order that never rested without a New before
    // it: the order was accepted, as the report shows, and is acknowledged first.
    if (IMPLY_ACK.has(kind) && !order.history.some((t) => t.event === 'ack') && !isTerminal(order.status)) {
      const { clientId, instrumentId, venueNs, atNs } = report;
      const ack: ExecutionReport = { kind: 'ack', clientId, instrumentId, venueNs, atNs };
      if (acceptReport(order, ack, false, this.anomalies)) this.#emit(ack, order);
    }
    if (!acceptReport(order, report, false, this.anomalies)) {
      const a = this.anomalies[this.anomalies.length - 1];
      throw new Unbookable(`ExecID ${execId} cannot be booked: ${a.error}`, VALUE_INCORRECT, 150);
    }
    this.#execIds.add(execId);
    if (kind === 'replaced') {
      entry.current = clOrdId;
      entry.replacing = null;
    }
    this.#emit(report, order);
  }

  #onCancelReject(view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    const clOrdId = need(f, 11);
    const orig = need(f, 41);
    const to = need(f, 434);
    const entry = this.#byClOrdId.get(orig) ?? this.#byClOrdId.get(clOrdId);
    if (entry === undefined)
      throw new Unbookable(`OrigClOrdID "${orig}" is not an order of ours`, VALUE_INCORRECT, 41);
    if (to !== '1' && to !== '2')
      throw new Unbookable(`CxlRejResponseTo "${to}" is neither 1 nor 2`, VALUE_INCORRECT, 434);
    const kind: ReportKind = to === '2' ? 'replace-rejected' : 'cancel-rejected';
    const orderId = f(37);
    if (orderId !== null && orderId !== 'NONE') entry.venueId = orderId;
    if (kind === 'replace-rejected' && entry.replacing === clOrdId) entry.replacing = null;
    const report = this.#report(kind, entry, view);
    const why = f(58) ?? (f(102) !== null ? `CxlRejReason ${f(102)}` : 'refused');
    Object.assign(report, { reason: why });
    acceptReport(entry.order, report, false, this.anomalies);
    this.#emit(report, entry.order);
  }

  /** The venue's session Reject of one of our messages: an order it refused is rejected. */
  #onSessionReject(view: MsgView): void {
    const ref = Number(view.getString(45));
    const text = view.getString(58) ?? `SessionRejectReason ${view.getString(373) ?? '?'}`;
    this.#referenced(this.#sent.get(ref), `the venue rejected our MsgSeqNum ${ref}: ${text}`);
  }

  /** The venue's BusinessMessageReject (j): BusinessRejectRefID(379) names the ClOrdID or request id. */
  #onBusinessReject(view: MsgView): void {
    const ref = view.getString(379);
    const text = view.getString(58) ?? `BusinessRejectReason ${view.getString(380) ?? '?'}`;
    const msgType = view.getString(372) ?? '?';
    this.#referenced(
      ref !== null ? { msgType, ref } : undefined,
      `the venue rejected our ${msgType}: ${text}`,
    );
  }

  /** A refusal of our message `sent`: its order rejected, or its question failed, or a problem told. */
  #referenced(sent: Sent | undefined, text: string): void {
    const ref = sent?.ref;
    if (sent !== undefined && ref !== undefined && ['AF', 'AN', 'H'].includes(sent.msgType)) {
      const error = new FixSessionError('FIX_REQUEST', `${this.#where()}: ${text}`);
      if (sent.msgType === 'AF') this.#fail(this.#massStatus, ref, '', error);
      else if (sent.msgType === 'AN') this.#fail(this.#positions, ref, '', error);
      else this.#fail(this.#statuses, ref, '', error);
      return;
    }
    const entry = ref !== undefined ? this.#byClOrdId.get(ref) : undefined;
    const kind: ReportKind | null =
      sent?.msgType === 'D'
        ? 'reject'
        : sent?.msgType === 'F'
          ? 'cancel-rejected'
          : sent?.msgType === 'G'
            ? 'replace-rejected'
            : null;
    if (entry === undefined || kind === null || (kind === 'reject' && entry.order.status !== 'pending-new')) {
      this.#event({ kind: 'problem', message: text });
      return;
    }
    const now = this.#nowNs();
    const report: ExecutionReport = {
      kind,
      clientId: entry.order.clientId,
      instrumentId: entry.instrument.instrumentId,
      venueNs: now,
      atNs: now,
      reason: text,
    };
    if (acceptReport(entry.order, report, false, this.anomalies)) this.#emit(report, entry.order);
    else this.#event({ kind: 'problem', message: text });
  }

  #onOrderStatus(view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    const statusId = f(790);
    if (statusId !== null) {
      this.#onStatusAnswer(statusId, f);
      return;
    }
    const reqId = f(584);
    const p = reqId !== null ? this.#massStatus.get(reqId) : undefined;
    if (p === undefined) return;
    const total = wholeQty(f(911));
    if (total !== null) p.expected = total;
    if (total !== 0) {
      p.seen++;
      const instrument = this.#instruments.find(f);
      const side = fromCode(SIDE, f(54));
      const type = fromCode(ORD_TYPE, f(40));
      const leaves = wholeQty(f(151));
      if (instrument === undefined || side === undefined || type === undefined || leaves === null) {
        this.#event({
          kind: 'problem',
          message: `order status ${f(37)}: instrument, Side, OrdType or LeavesQty not understood; left out of the venue state`,
        });
      } else {
        const clOrdId = f(11);
        const entry = clOrdId !== null ? this.#byClOrdId.get(clOrdId) : undefined;
        const limitPx = rawPrice(f(44));
        const stopPx = rawPrice(f(99));
        // An order of an earlier session, replaced then: it goes by the ClOrdID of that request.
        const request = entry === undefined && clOrdId !== null ? REQUEST_ID.exec(clOrdId) : null;
        p.orders.push({
          clientId: entry?.order.clientId ?? request?.[1] ?? clOrdId ?? undefined,
          ...(request !== null ? { venueClientId: clOrdId as string } : {}),
          venueId: f(37) ?? '',
          instrumentId: instrument.instrumentId,
          side,
          type,
          quantity: leaves,
          ...(limitPx !== null ? { limitPx } : {}),
          ...(stopPx !== null ? { stopPx } : {}),
        });
      }
    }
    if (f(912) === 'Y' || (p.expected !== null && p.seen >= p.expected)) {
      this.#massStatus.delete(reqId as string);
      clearTimeout(p.timer);
      p.resolve(p.orders);
    }
  }

  /** The answer to an OrderStatusRequest: OrdStatus(39), CumQty(14), AvgPx(6), Text(58). */
  #onStatusAnswer(id: string, f: (tag: number) => string | null): void {
    const p = this.#statuses.get(id);
    if (p === undefined) return;
    this.#statuses.delete(id);
    clearTimeout(p.timer);
    const code = f(39) ?? '';
    const status = ORD_STATUS[code];
    const filled = wholeQty(f(14));
    if (status === undefined || filled === null) {
      p.reject(
        new FixSessionError(
          'FIX_REQUEST',
          `${this.#where()}: order status ${id}: OrdStatus "${code}" or CumQty "${f(14)}" not understood`,
        ),
      );
      return;
    }
    const averagePx = filled > 0 ? rawPrice(f(6)) : null;
    const text = f(58);
    p.resolve({
      status,
      filledQuantity: filled,
      ...(averagePx !== null && averagePx > 0 ? { averagePx } : {}),
      ...(text !== null ? { text } : {}),
    });
  }

  #onPositionsAck(view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    const id = f(710);
    const p = id !== null ? this.#positions.get(id) : undefined;
    if (p === undefined) return;
    const result = f(728);
    // PosReqResult 0 valid, 2 no positions match.
    if (result === '2' || (result === '0' && f(727) === '0')) {
      this.#positions.delete(id as string);
      clearTimeout(p.timer);
      p.resolve([]);
      return;
    }
    if (result !== '0') {
      this.#fail(
        this.#positions,
        id as string,
        '',
        new FixSessionError(
          'FIX_REQUEST',
          `${this.#where()}: positions refused (PosReqResult ${result}): ${f(58) ?? ''}`,
        ),
      );
      return;
    }
    p.expected = wholeQty(f(727));
    this.#positionsDone(id as string, p);
  }

  #onPositionReport(view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    const id = f(710);
    const p = id !== null ? this.#positions.get(id) : undefined;
    if (p === undefined) return;
    const instrument = this.#instruments.find(f);
    const quantity = positionOf(view);
    p.seen++;
    if (instrument === undefined || quantity === null) {
      this.#event({
        kind: 'problem',
        message: `position report ${f(721)}: instrument or quantities not understood; left out of the venue state`,
      });
    } else {
      p.positions.push({ instrumentId: instrument.instrumentId, quantity });
    }
    this.#positionsDone(id as string, p);
  }

  #positionsDone(id: string, p: Pending<VenuePosition[]> & Positions): void {
    if (p.expected === null || p.seen < p.expected) return;
    this.#positions.delete(id);
    clearTimeout(p.timer);
    p.resolve(p.positions);
  }

  // ---- helpers ----

  #report(kind: ReportKind, entry: Entry, view: MsgView): ExecutionReport {
    const at = this.#nowNs();
    const t = view.getTyped(60) ?? view.getTyped(52);
    const venueNs = t instanceof Date ? BigInt(t.getTime()) * 1_000_000n : at;
    const text = view.getString(58);
    const report: { -readonly [K in keyof ExecutionReport]: ExecutionReport[K] } = {
      kind,
      clientId: entry.order.clientId,
      instrumentId: entry.instrument.instrumentId,
      venueNs,
      atNs: at,
    };
    if (kind === 'reject')
      report.reason =
        text ?? (view.getString(103) !== null ? `OrdRejReason ${view.getString(103)}` : 'rejected');
    else if (kind === 'cancelled' || kind === 'expired') report.reason = text ?? kind;
    return report;
  }

  #emit(report: ExecutionReport, order: Order | undefined): void {
    for (const l of this.#reportListeners) l(report, order);
  }

  #event(e: VenueEvent): void {
    if (e.kind === 'problem') this.#log.warn({ problem: e.message }, 'FIX problem');
    for (const l of this.#venueListeners) l(e);
  }

  #send(msgType: string, body: ILooseObject, ref?: string): void {
    const s = this.#session as BrokerSession;
    s.sendMessage(msgType, body, (seq, error) => {
      if (error !== null) {
        // Not sent (the session went down, or it would not encode): answered as a refusal.
        this.#referenced({ msgType, ref }, `${msgType} ${ref ?? ''} was not sent: ${error.message}`);
        return;
      }
      if (seq === null) return;
      this.#sent.set(seq, { msgType, ref });
      if (this.#sent.size > SENT_MEMORY) this.#sent.delete(this.#sent.keys().next().value as number);
    });
  }

  #entry(clientId: string, what: string): Entry {
    const e = this.#orders.get(clientId);
    if (e === undefined)
      throw new BrokerRequestError('UNKNOWN_ORDER', clientId, `cannot ${what}: no such order`);
    if (e instanceof Order)
      throw new BrokerRequestError('UNKNOWN_ORDER', clientId, `cannot ${what}: it was never sent`);
    return e;
  }

  #requireLink(what: string, clientId: string): void {
    if (!this.#ready)
      throw new FixSessionError(
        'FIX_NOT_CONNECTED',
        `${this.#where()}: cannot ${what}${clientId === '' ? '' : ` ${clientId}`}: the session is not logged on`,
      );
  }

  /** A new ClOrdID for a request about `e`'s order. */
  #requestId(e: Entry): string {
    let id: string;
    do id = `${e.order.clientId}.${++e.requests}`;
    while (this.#byClOrdId.has(id) || this.#orders.has(id));
    this.#byClOrdId.set(id, e);
    return id;
  }

  #nowNs(): bigint {
    return BigInt(Math.round(this.#clock.now())) * 1_000_000n;
  }

  #now(): Date {
    return new Date(this.#clock.now());
  }

  #where(): string {
    const o = this.#opts;
    return `FIX ${o.senderCompId}->${o.targetCompId} at ${o.host}:${o.port}`;
  }
}

const EXEC_TYPE: Readonly<Record<string, ReportKind>> = {
  '0': 'ack',
  F: 'fill',
  // FIX 4.2's partial fill and fill, which some 4.4 gateways still send.
  '1': 'fill',
  '2': 'fill',
  '4': 'cancelled',
  '5': 'replaced',
  '8': 'reject',
  C: 'expired',
};
/** Reports that show an order was accepted. */
const IMPLY_ACK: ReadonlySet<ReportKind> = new Set(['fill', 'cancelled', 'replaced']);
/** ExecTypes that change nothing: done for day, pending cancel/new/replace, stopped, suspended, calculated, restated. */
const INFORMATIONAL = new Set(['3', '6', '7', '9', 'A', 'B', 'D', 'E']);

/** A tag's value, or an `Unbookable` naming it. */
function need(f: (tag: number) => string | null, tag: number): string {
  const v = f(tag);
  if (v === null || v === '')
    throw new Unbookable(`required tag ${tag} is missing`, REQUIRED_TAG_MISSING, tag);
  return v;
}

/**
 * Net quantity of a PositionReport: Σ LongQty − ShortQty over its NoPositions entries of
 * PosType SOD (start of day) and TQ (the day's trades), or its only entry; null if unreadable.
 */
function positionOf(view: MsgView): number | null {
  const group = view.getView('NoPositions');
  const n = group?.groupCount() ?? 0;
  if (group === null || n === 0) return null;
  let net = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const g = group.getGroupInstance(i);
    if (g === null) return null;
    const type = g.getString(703);
    if (n > 1 && type !== 'SOD' && type !== 'TQ') continue;
    const long = wholeQty(g.getString(704) ?? '0');
    const short = wholeQty(g.getString(705) ?? '0');
    if (long === null || short === null) return null;
    net += long - short;
    used++;
  }
  return used === 0 ? null : net;
}
