/**
 * A FIX 4.4 venue for tests: a jspurefix acceptor on 127.0.0.1 (a free port) that plays the
 * broker's gateway. It acknowledges orders, fills market orders at its quote, rests limit orders,
 * cancels and replaces them, refuses the next order when told, fills when told (partially too),
 * answers OrderMassStatusRequest (AF), OrderStatusRequest (H: any order it was sent, working or
 * not; OrdStatus 8 for one it does not know) and RequestForPositions (AN), and keeps its own sequence
 * numbers and every execution report it sent: what it "sends" while the broker is away is
 * numbered and kept, and replayed (PossDupFlag=Y) when the broker's ResendRequest asks for it.
 * Every message it receives is kept as text, for tests to read the tags.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ILooseObject, ISessionDescription, MsgView } from '../src/execution/fix/engine.js';
import { jspurefix, sessionConfig } from '../src/execution/fix/engine.js';
import { type BrokerSession, brokerSessionClass } from '../src/execution/fix/session.js';
import { SequenceStore } from '../src/execution/fix/store.js';
import {
  type FixInstrument,
  fixPrice,
  fromCode,
  InstrumentMap,
  instrumentFields,
  ORD_TYPE,
  rawPrice,
  SIDE,
  wholeQty,
} from '../src/execution/fix/wire.js';
import type { OrderSide, OrderType } from '../src/execution/order.js';
import type { VenueControl } from './venue-contract.js';

/** The FIX field delimiter. */
const SOH = '\x01';

export interface FixVenueOptions {
  /** The venue's SenderCompID (the broker's TargetCompID). */
  readonly compId: string;
  /** The broker's SenderCompID. */
  readonly brokerCompId: string;
  readonly heartbeatSeconds: number;
  readonly instruments: readonly FixInstrument[];
}

/** A message the venue received: its type and text (`|` between fields). */
export interface Received {
  readonly msgType: string;
  readonly text: string;
}

/** The tag=value pairs of a message's text, in order. */
export function tagsOf(text: string): [number, string][] {
  return text
    .split('|')
    .filter((f) => f.includes('='))
    .map((f) => {
      const i = f.indexOf('=');
      return [Number(f.slice(0, i)), f.slice(i + 1)];
    });
}

/** The value of `tag` in a message's text (first occurrence), or undefined. */
export function tagOf(text: string, tag: number): string | undefined {
  return tagsOf(text).find(([t]) => t === tag)?.[1];
}

interface VenueOrder {
  readonly orderId: string;
  clOrdId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly instrument: FixInstrument;
  quantity: number;
  cum: number;
  notional: number;
  limitPx: number | null;
  stopPx: number | null;
  done: boolean;
}

interface Logged {
  readonly msgType: string;
  readonly body: ILooseObject;
  readonly sentAt: Date;
}

/** The venue; `harness` is what the venue contract drives. */
export class FixVenue {
  readonly received: Received[] = [];
  /** Problems the venue's session saw (a sequence number too low …). */
  readonly problems: string[] = [];
  readonly #opts: FixVenueOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<BrokerSession>();
  readonly #instruments: InstrumentMap;
  readonly #orders = new Map<string, VenueOrder>();
  readonly #byClOrdId = new Map<string, VenueOrder>();
  readonly #positions = new Map<number, number>();
  readonly #log = new Map<number, Logged>();
  #store: SequenceStore | null = null;
  #live: BrokerSession | null = null;
  #bid = 0;
  #ask = 0;
  #refuseNext: string | null = null;
  #refuseLogon: string | null = null;
  #orderEntry = 0;
  #ids = 0;
  readonly #muted = new Set<Socket>();
  #garble = false;
  #ignoreNext = false;
  #refusePositions: string | null = null;
  #refuseStatus: string | null = null;

  private constructor(opts: FixVenueOptions, server: Server) {
    this.#opts = opts;
    this.#server = server;
    this.#instruments = new InstrumentMap(opts.instruments);
  }

  /** Starts listening on 127.0.0.1 at a free port. */
  static async start(opts: FixVenueOptions): Promise<FixVenue> {
    const server = createServer();
    const venue = new FixVenue(opts, server);
    server.on('connection', (s) => {
      venue.#accept(s).catch((e: Error) => {
        venue.problems.push(`accept: ${e.message}`);
        s.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return venue;
  }

  get port(): number {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('the venue is not listening');
    return a.port;
  }

  /** What the venue contract drives. */
  get harness(): VenueControl {
    return {
      quote: async (bid, ask) => {
        this.#bid = bid;
        this.#ask = ask;
      },
      fill: async (clientId, quantity, price) => this.fill(clientId, quantity, price),
      refuseNext: async (reason) => {
        this.#refuseNext = reason;
      },
      received: () => this.#orderEntry,
      drop: async () => this.drop(),
      hostile: async () => this.hostile(),
    };
  }

  /** Logons are refused with `text` from now on (null: accepted again). */
  refuseLogons(text: string | null): void {
    this.#refuseLogon = text;
  }

  /** Whether a broker is logged on now. */
  get connected(): boolean {
    return this.#live !== null;
  }

  /** The venue's next outgoing sequence number. */
  get nextSeqNum(): number {
    return this.#live?.nextSeqNum ?? this.#store?.senderSeqNum ?? 1;
  }

  /** Messages of one type received so far. */
  messages(msgType: string): Received[] {
    return this.received.filter((m) => m.msgType === msgType);
  }

  /** OrderStatusRequests are refused with `text` (a BusinessMessageReject) from now on (null: answered again). */
  refuseOrderStatus(text: string | null): void {
    this.#refuseStatus = text;
  }

  /** Fills `quantity` of the working order known by `clOrdId` at `price` (raw units). */
  fill(clOrdId: string, quantity: number, price: number): void {
    const o = this.#byClOrdId.get(clOrdId);
    if (o === undefined || o.done) throw new Error(`the venue has no working order ${clOrdId}`);
    this.#fill(o, quantity, price);
  }

  /** Sends the broker a message as it is given (numbered in turn, kept for resends). */
  send(msgType: string, body: ILooseObject): void {
    this.#emit(msgType, body);
  }

  /** Sends again the message numbered `seq`, as a possible duplicate with its own number. */
  replay(seq: number): void {
    const m = this.#log.get(seq);
    if (m === undefined) throw new Error(`the venue sent no application message ${seq}`);
    this.#live?.sendMessage(m.msgType, {
      ...m.body,
      StandardHeader: { PossDupFlag: true, MsgSeqNum: seq, SendingTime: m.sentAt },
    });
  }

  /** The sequence numbers of the application messages sent, with their types. */
  sent(): { seq: number; msgType: string; body: ILooseObject }[] {
    return [...this.#log.entries()].map(([seq, m]) => ({ seq, msgType: m.msgType, body: m.body }));
  }

  /** An execution report with a LastQty that is not a number, for a working order. */
  hostile(): void {
    const o = [...this.#orders.values()].reverse().find((x) => !x.done);
    this.#emit('8', {
      ...this.#execution(o ?? this.#phantom(), 'F', '1'),
      LastQty: 'ten',
      LastPx: fixPrice(this.#ask),
    });
  }

  /** RequestForPositions is refused with a BusinessMessageReject carrying `text` (null: answered again). */
  refusePositions(text: string | null): void {
    this.#refusePositions = text;
  }

  /** The next order is taken in but not answered (a test answers it by hand). */
  ignoreNextOrder(): void {
    this.#ignoreNext = true;
  }

  /** Stops writing to the connections open now (the broker hears nothing more on them; the venue still reads). */
  mute(): void {
    for (const s of this.#sockets) this.#muted.add(s);
  }

  /** The next message written to the broker goes out with a wrong CheckSum (it stays kept as sent). */
  garbleNext(): void {
    this.#garble = true;
  }

  /** What the venue writes passes here: muted, or one message's CheckSum changed. */
  #tap(socket: Socket): void {
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.#muted.has(socket)) return true;
      if (this.#garble) {
        this.#garble = false;
        const text = Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk);
        // The trailer is SOH "10=" three digits SOH: change the digits.
        const at = text.lastIndexOf(`${SOH}10=`) + 4;
        const sum = (Number(text.slice(at, at + 3)) + 1) % 256;
        const garbled = `${text.slice(0, at)}${String(sum).padStart(3, '0')}${text.slice(at + 3)}`;
        return write(Buffer.from(garbled, 'latin1'), ...rest);
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
  }

  /** Cuts every connection (the venue keeps listening and keeps its state). */
  async drop(): Promise<void> {
    this.#live = null;
    const closing = [...this.#sockets].map((s) => new Promise<void>((r) => s.once('close', () => r())));
    for (const s of this.#sockets) s.destroy();
    await Promise.all(closing);
  }

  async close(): Promise<void> {
    this.#live = null;
    for (const s of this.#sessions) s.requestStop('venue closing');
    await this.drop();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  // ---- sessions ----

  async #accept(socket: Socket): Promise<void> {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    this.#tap(socket);
    const j = jspurefix();
    const o = this.#opts;
    const description = {
      application: {
        name: 'venue',
        type: 'acceptor',
        protocol: 'ascii',
        dictionary: 'qf44',
        tcp: { host: '127.0.0.1', port: this.port },
      },
      BeginString: 'FIX.4.4',
      SenderCompId: o.compId,
      TargetCompID: o.brokerCompId,
      HeartBtInt: o.heartbeatSeconds,
      ResetSeqNumFlag: false,
    } as unknown as ISessionDescription;
    const store = {
      create: (id: ConstructorParameters<typeof SequenceStore>[0]) => {
        this.#store ??= new SequenceStore(id);
        return this.#store;
      },
    };
    const config = await sessionConfig(description, store, new j.EmptyLogFactory());
    if (socket.destroyed) return;
    const Session = brokerSessionClass(j);
    const session: BrokerSession = new Session(config, {
      ready: () => {
        this.#live = session;
      },
      application: (msgType, view) => this.#onMessage(msgType, view),
      refused: () => {},
      problem: (m) => this.problems.push(m),
      stopped: () => {
        if (this.#live === session) this.#live = null;
        this.#sessions.delete(session);
      },
      received: (msgType, text) => this.received.push({ msgType, text }),
      logon: () => (this.#refuseLogon === null ? true : Promise.reject(new Error(this.#refuseLogon))),
      resend: (begin, end) => this.#resend(session, begin, end),
    });
    this.#sessions.add(session);
    const transport = new j.MsgTransport(0, config, new j.TcpDuplex(socket));
    socket.once('close', () => session.requestStop('connection closed'));
    session.run(transport).catch(() => {});
  }

  /** Replays kept application messages `begin`..`end` (PossDupFlag=Y) and gap-fills the rest. */
  #resend(session: BrokerSession, begin: number, end: number): void {
    let gap: number | null = null;
    for (let seq = begin; seq <= end; seq++) {
      const m = this.#log.get(seq);
      if (m === undefined) {
        gap ??= seq;
        continue;
      }
      if (gap !== null) session.gapFill(gap, seq);
      gap = null;
      session.sendMessage(m.msgType, {
        ...m.body,
        StandardHeader: { PossDupFlag: true, MsgSeqNum: seq, SendingTime: m.sentAt },
      });
    }
    if (gap !== null) session.gapFill(gap, end + 1);
  }

  /** Sends now if a broker is logged on; otherwise numbers the message and keeps it for the resend. */
  #emit(msgType: string, body: ILooseObject): void {
    const sentAt = new Date();
    const live = this.#live;
    if (live?.loggedOn) {
      live.sendMessage(msgType, body, (seq) => {
        if (seq !== null) this.#log.set(seq, { msgType, body, sentAt });
      });
      return;
    }
    const store = this.#store;
    if (store === null) throw new Error('the venue cannot send before a broker has logged on once');
    const seq = store.senderSeqNum;
    this.#log.set(seq, { msgType, body, sentAt });
    store.senderSeqNum = seq + 1;
  }

  // ---- order entry ----

  #onMessage(msgType: string, view: MsgView): void {
    const f = (tag: number) => view.getString(tag);
    switch (msgType) {
      case 'D':
        this.#orderEntry++;
        this.#onNew(f);
        break;
      case 'F':
        this.#orderEntry++;
        this.#onCancel(f);
        break;
      case 'G':
        this.#orderEntry++;
        this.#onReplace(f);
        break;
      case 'AF':
        this.#onMassStatus(f);
        break;
      case 'AN':
        this.#onPositions(f);
        break;
      case 'H':
        this.#onStatus(f);
        break;
      default:
        break;
    }
  }

  #onNew(f: (tag: number) => string | null): void {
    if (this.#ignoreNext) {
      this.#ignoreNext = false;
      return;
    }
    const clOrdId = f(11) ?? '';
    const side = fromCode(SIDE, f(54));
    const type = fromCode(ORD_TYPE, f(40));
    const quantity = wholeQty(f(38));
    const instrument = this.#instruments.find(f);
    const o: VenueOrder = {
      orderId: `O${++this.#ids}`,
      clOrdId,
      side: side ?? 'buy',
      type: type ?? 'market',
      instrument: instrument ?? this.#opts.instruments[0],
      quantity: quantity ?? 0,
      cum: 0,
      notional: 0,
      limitPx: rawPrice(f(44)),
      stopPx: rawPrice(f(99)),
      done: false,
    };
    const refusal =
      this.#refuseNext ??
      (side === undefined || type === undefined || quantity === null || instrument === undefined
        ? 'order not understood'
        : null);
    this.#refuseNext = null;
    if (refusal !== null) {
      o.done = true;
      this.#emit('8', { ...this.#execution(o, '8', '8'), Text: refusal, OrdRejReason: 0 });
      return;
    }
    this.#orders.set(o.orderId, o);
    this.#byClOrdId.set(clOrdId, o);
    this.#emit('8', this.#execution(o, '0', '0'));
    const touch = o.side === 'buy' ? this.#ask : this.#bid;
    const marketable =
      o.type === 'market' ||
      (o.type === 'limit' &&
        o.limitPx !== null &&
        (o.side === 'buy' ? o.limitPx >= touch : o.limitPx <= touch));
    if (marketable) this.#fill(o, o.quantity, touch);
  }

  #onCancel(f: (tag: number) => string | null): void {
    const o = this.#byClOrdId.get(f(41) ?? '');
    const clOrdId = f(11) ?? '';
    if (o === undefined || o.done) {
      this.#emit('9', {
        OrderID: o?.orderId ?? 'NONE',
        ClOrdID: clOrdId,
        OrigClOrdID: f(41) ?? '',
        OrdStatus: o === undefined ? '8' : this.#status(o),
        CxlRejResponseTo: '1',
        CxlRejReason: 1,
        Text: 'unknown or finished order',
      });
      return;
    }
    const orig = o.clOrdId;
    o.clOrdId = clOrdId;
    this.#byClOrdId.set(clOrdId, o);
    o.done = true;
    this.#emit('8', { ...this.#execution(o, '4', '4'), OrigClOrdID: orig });
  }

  #onReplace(f: (tag: number) => string | null): void {
    const o = this.#byClOrdId.get(f(41) ?? '');
    const clOrdId = f(11) ?? '';
    const quantity = wholeQty(f(38));
    if (o === undefined || o.done || quantity === null || quantity <= o.cum) {
      this.#emit('9', {
        OrderID: o?.orderId ?? 'NONE',
        ClOrdID: clOrdId,
        OrigClOrdID: f(41) ?? '',
        OrdStatus: o === undefined ? '8' : this.#status(o),
        CxlRejResponseTo: '2',
        CxlRejReason: o === undefined ? 1 : 99,
        Text: 'cannot replace',
      });
      return;
    }
    const orig = o.clOrdId;
    o.clOrdId = clOrdId;
    this.#byClOrdId.set(clOrdId, o);
    o.quantity = quantity;
    o.limitPx = rawPrice(f(44));
    o.stopPx = rawPrice(f(99));
    this.#emit('8', { ...this.#execution(o, '5', this.#status(o)), OrigClOrdID: orig });
  }

  #onMassStatus(f: (tag: number) => string | null): void {
    const id = f(584) ?? '';
    const working = [...this.#orders.values()].filter((o) => !o.done);
    if (working.length === 0) {
      this.#emit('8', {
        ...this.#execution(this.#phantom(), 'I', '0'),
        MassStatusReqID: id,
        TotNumReports: 0,
        LastRptRequested: true,
      });
      return;
    }
    working.forEach((o, i) => {
      this.#emit('8', {
        ...this.#execution(o, 'I', this.#status(o)),
        MassStatusReqID: id,
        TotNumReports: working.length,
        LastRptRequested: i === working.length - 1,
      });
    });
  }

  #onStatus(f: (tag: number) => string | null): void {
    const id = f(790) ?? '';
    if (this.#refuseStatus !== null) {
      this.#emit('j', {
        RefMsgType: 'H',
        BusinessRejectRefID: id,
        BusinessRejectReason: 3,
        Text: this.#refuseStatus,
      });
      return;
    }
    const clOrdId = f(11) ?? '';
    const o = this.#byClOrdId.get(clOrdId);
    if (o === undefined) {
      this.#emit('8', {
        ...this.#execution({ ...this.#phantom(), clOrdId }, 'I', '8'),
        OrdStatusReqID: id,
        Text: 'unknown order',
      });
      return;
    }
    this.#emit('8', { ...this.#execution(o, 'I', this.#status(o)), OrdStatusReqID: id });
  }

  #onPositions(f: (tag: number) => string | null): void {
    const id = f(710) ?? '';
    if (this.#refusePositions !== null) {
      // BusinessRejectReason 3: unsupported message type.
      this.#emit('j', {
        RefMsgType: 'AN',
        BusinessRejectRefID: id,
        BusinessRejectReason: 3,
        Text: this.#refusePositions,
      });
      return;
    }
    const held = [...this.#positions.entries()].filter(([, q]) => q !== 0);
    const account = f(1) ?? '';
    const common = {
      PosReqID: id,
      TotalNumPosReports: held.length,
      Parties: { NoPartyIDs: [{ PartyID: account, PartyIDSource: 'D', PartyRole: 3 }] },
      Account: account,
      AccountType: 1,
    };
    this.#emit('AO', {
      PosMaintRptID: `R${++this.#ids}`,
      ...common,
      PosReqResult: held.length === 0 ? 2 : 0,
      PosReqStatus: 0,
    });
    for (const [instrumentId, q] of held) {
      const instrument = this.#opts.instruments.find((i) => i.instrumentId === instrumentId);
      if (instrument === undefined) continue;
      this.#emit('AP', {
        PosMaintRptID: `R${++this.#ids}`,
        ...common,
        PosReqResult: 0,
        ClearingBusinessDate: f(715) ?? '',
        Instrument: instrumentFields(instrument.symbology),
        SettlPrice: fixPrice(this.#bid),
        SettlPriceType: 1,
        PriorSettlPrice: fixPrice(this.#bid),
        PositionQty: { NoPositions: [{ PosType: 'TQ', LongQty: Math.max(q, 0), ShortQty: Math.max(-q, 0) }] },
        PositionAmountData: { NoPosAmt: [{ PosAmtType: 'FMTM', PosAmt: 0 }] },
      });
    }
  }

  #fill(o: VenueOrder, quantity: number, price: number): void {
    if (quantity <= 0 || o.cum + quantity > o.quantity)
      throw new Error(`cannot fill ${quantity} of ${o.clOrdId}: ${o.quantity - o.cum} left`);
    o.cum += quantity;
    o.notional += quantity * price;
    if (o.cum === o.quantity) o.done = true;
    const signed = o.side === 'buy' ? quantity : -quantity;
    const id = o.instrument.instrumentId;
    this.#positions.set(id, (this.#positions.get(id) ?? 0) + signed);
    this.#emit('8', {
      ...this.#execution(o, 'F', this.#status(o)),
      LastQty: quantity,
      LastPx: fixPrice(price),
    });
  }

  #status(o: VenueOrder): string {
    if (o.cum === o.quantity) return '2';
    if (o.done) return '4';
    return o.cum > 0 ? '1' : '0';
  }

  #execution(o: VenueOrder, execType: string, ordStatus: string): ILooseObject {
    const body: ILooseObject = {
      OrderID: o.orderId,
      ClOrdID: o.clOrdId,
      ExecID: `E${++this.#ids}`,
      ExecType: execType,
      OrdStatus: ordStatus,
      Instrument: instrumentFields(o.instrument.symbology),
      Side: SIDE[o.side],
      OrderQtyData: { OrderQty: o.quantity },
      OrdType: ORD_TYPE[o.type],
      LeavesQty: o.done ? 0 : o.quantity - o.cum,
      CumQty: o.cum,
      AvgPx: o.cum === 0 ? 0 : fixPrice(Math.round(o.notional / o.cum)),
      TransactTime: new Date(),
    };
    if (o.limitPx !== null) body.Price = fixPrice(o.limitPx);
    if (o.stopPx !== null) body.StopPx = fixPrice(o.stopPx);
    return body;
  }

  /** An order for reports about nothing (a mass status with no orders). */
  #phantom(): VenueOrder {
    return {
      orderId: 'NONE',
      clOrdId: 'NONE',
      side: 'buy',
      type: 'limit',
      instrument: this.#opts.instruments[0],
      quantity: 0,
      cum: 0,
      notional: 0,
      limitPx: null,
      stopPx: null,
      done: true,
    };
  }
}
