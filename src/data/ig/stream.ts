/**
 * IG's streaming prices and trade notices, through Lightstreamer's own Node client
 * (`lightstreamer-client-node`). The client logs in with the account id as its user and
 * `CST-<cst>|XST-<xst>` as its password (adapter set `DEFAULT`), reconnects by itself, and
 * re-subscribes what was subscribed. Items (labs.ig.com streaming reference):
 *
 * - `MARKET:{epic}` (MERGE): BID, OFFER, HIGH, LOW, MID_OPEN, CHANGE, UPDATE_TIME (UK local
 *   `HH:mm:ss`), MARKET_STATE, MARKET_DELAY;
 * - `CHART:{epic}:1MINUTE` (MERGE): UTM and bid/offer/last-traded OHLC, LTV, TTV,
 *   CONS_TICK_COUNT, CONS_END (1 when the candle closed);
 * - `CHART:{epic}:TICK` (DISTINCT): BID, OFR, LTP, LTV, TTV, UTM;
 * - `TRADE:{accountId}` (DISTINCT): CONFIRMS, OPU, WOU, each a JSON text.
 *
 * The link's state is told as `connected`, `stalled` or `disconnected`. The client reports a
 * silent WebSocket stream as `DISCONNECTED:TRYING-RECOVERY` without ever passing through
 * `STALLED`, so a consumer watching for a broken link must watch both (INTEGRATIONS.md §3). A
 * streamed value that cannot be read (malformed JSON, a field of the wrong shape) is a problem
 * told to `onProblem` listeners, never an exception in the client's own thread.
 */
import { type ItemUpdate, LightstreamerClient, Subscription } from 'lightstreamer-client-node';
import * as z from 'zod/mini';
import { IgError } from './errors.js';
import type { StreamingLogin } from './rest.js';
import {
  type Confirm,
  ConfirmSchema,
  type PositionUpdate,
  PositionUpdateSchema,
  type WorkingOrderUpdate,
  WorkingOrderUpdateSchema,
} from './schemas.js';

/** The link as a consumer needs it. `status` is Lightstreamer's own word for it. */
export interface StreamLink {
  readonly state: 'connecting' | 'connected' | 'stalled' | 'disconnected';
  readonly status: string;
}

export interface IgStreamOptions {
  readonly login: StreamingLogin;
  /**
   * Pause before reconnecting after a failed attempt, ms (Lightstreamer's default 4000). The client
   * also gives a new WebSocket this long to open before it falls back to HTTP.
   */
  readonly retryDelayMs?: number;
  /** Longest random pause before the first reconnection attempt, ms (100). */
  readonly firstRetryMaxDelayMs?: number;
  /** Silence after which the link is STALLED, ms. */
  readonly stalledTimeoutMs?: number;
  /** Silence after a stall before the link is reopened, ms. */
  readonly reconnectTimeoutMs?: number;
  /** How long to try resuming a dropped session before opening a new one, ms (0: never). */
  readonly sessionRecoveryTimeoutMs?: number;
}

/** A MARKET item update: prices in IG points (null when IG sends none). */
export interface MarketUpdate {
  readonly epic: string;
  readonly bid: number | null;
  readonly offer: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly midOpen: number | null;
  readonly change: number | null;
  /** UK local time of the update, `HH:mm:ss`. */
  readonly updateTime: string | null;
  /** TRADEABLE, CLOSED, EDIT, AUCTION, OFFLINE, … */
  readonly marketState: string | null;
  /** 1 when the prices are delayed. */
  readonly marketDelay: number | null;
}

/** One side's OHLC of a candle, in points. */
export interface Ohlc {
  readonly open: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly close: number | null;
}

/** A CHART candle update (the candle so far, or closed when `closed`). */
export interface ChartCandle {
  readonly epic: string;
  readonly scale: string;
  /** Candle start, ms since the epoch (UTM). */
  readonly timeMs: number | null;
  readonly bid: Ohlc;
  readonly offer: Ohlc;
  readonly lastTraded: Ohlc;
  readonly lastTradedVolume: number | null;
  readonly incrementalVolume: number | null;
  readonly tickCount: number | null;
  /** CONS_END = 1: the candle is complete. */
  readonly closed: boolean;
}

/** A CHART:{epic}:TICK update. */
export interface ChartTick {
  readonly epic: string;
  readonly timeMs: number | null;
  readonly bid: number | null;
  readonly offer: number | null;
  readonly lastTraded: number | null;
  readonly lastTradedVolume: number | null;
  readonly incrementalVolume: number | null;
}

/** A TRADE item notice: a deal confirmation, an open-position update or a working-order update. */
export type TradeEvent =
  | { readonly kind: 'confirm'; readonly confirm: Confirm }
  | { readonly kind: 'position'; readonly update: PositionUpdate }
  | { readonly kind: 'working-order'; readonly update: WorkingOrderUpdate };

/**
 * A subscription: `active` resolves when the server first confirms it; `onActive` listeners hear
 * of every confirmation, the first and each one after a reconnection (what was streamed while the
 * link was down is lost, so a consumer that must not miss an event catches up then).
 */
export interface StreamSubscription {
  readonly active: Promise<void>;
  onActive(listener: () => void): void;
  unsubscribe(): void;
}

const MARKET_FIELDS = [
  'BID',
  'OFFER',
  'HIGH',
  'LOW',
  'MID_OPEN',
  'CHANGE',
  'UPDATE_TIME',
  'MARKET_STATE',
  'MARKET_DELAY',
] as const;
const OHLC = ['OPEN', 'HIGH', 'LOW', 'CLOSE'] as const;
const CANDLE_FIELDS = [
  'UTM',
  ...['BID', 'OFR', 'LTP'].flatMap((s) => OHLC.map((p) => `${s}_${p}`)),
  'LTV',
  'TTV',
  'CONS_TICK_COUNT',
  'CONS_END',
];
const TICK_FIELDS = ['BID', 'OFR', 'LTP', 'LTV', 'TTV', 'UTM'];
const TRADE_FIELDS = ['CONFIRMS', 'OPU', 'WOU'] as const;

/** A streamed number: null for no value, a problem for text that is not one. */
function num(u: ItemUpdate, field: string): number | null {
  const v = u.getValue(field);
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new IgError('IG_STREAM', `${u.getItemName()} ${field} "${v}" is not a number`, { call: 'stream' });
  return n;
}

function text(u: ItemUpdate, field: string): string | null {
  const v = u.getValue(field);
  return v === null || v === undefined || v === '' ? null : v;
}

function ohlc(u: ItemUpdate, side: string): Ohlc {
  return {
    open: num(u, `${side}_OPEN`),
    high: num(u, `${side}_HIGH`),
    low: num(u, `${side}_LOW`),
    close: num(u, `${side}_CLOSE`),
  };
}

/** A TRADE field's JSON text as its event, or an `IgError` naming what is wrong with it. */
export function parseTradeField(field: 'CONFIRMS' | 'OPU' | 'WOU', json: string): TradeEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new IgError('IG_STREAM', `TRADE ${field} is not JSON: "${json.slice(0, 120)}"`, { call: 'stream' });
  }
  const schema =
    field === 'CONFIRMS' ? ConfirmSchema : field === 'OPU' ? PositionUpdateSchema : WorkingOrderUpdateSchema;
  const r = z.safeParse(schema as z.ZodMiniType, value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new IgError(
      'IG_STREAM',
      `TRADE ${field} has an unexpected shape: ${i.path.join('.') || '(root)'}: ${i.message}`,
      {
        call: 'stream',
      },
    );
  }
  if (field === 'CONFIRMS') return { kind: 'confirm', confirm: r.data as Confirm };
  if (field === 'OPU') return { kind: 'position', update: r.data as PositionUpdate };
  return { kind: 'working-order', update: r.data as WorkingOrderUpdate };
}

/** The link's state from Lightstreamer's status word. */
export function linkOf(status: string): StreamLink {
  if (status === 'STALLED') return { state: 'stalled', status };
  if (status.startsWith('DISCONNECTED')) return { state: 'disconnected', status };
  if (status.startsWith('CONNECTED:') && status !== 'CONNECTED:STREAM-SENSING')
    return { state: 'connected', status };
  return { state: 'connecting', status };
}

/** One Lightstreamer connection to IG, and its subscriptions. */
export class IgStream {
  readonly #client: LightstreamerClient;
  readonly #linkListeners: ((l: StreamLink) => void)[] = [];
  readonly #problemListeners: ((message: string) => void)[] = [];
  readonly #subs = new Set<Subscription>();
  #link: StreamLink = { state: 'disconnected', status: 'DISCONNECTED' };
  #serverError: string | null = null;
  #closed = false;

  constructor(opts: IgStreamOptions) {
    const c = new LightstreamerClient(opts.login.lightstreamerEndpoint, 'DEFAULT');
    c.connectionDetails.setUser(opts.login.accountId);
    c.connectionDetails.setPassword(opts.login.password);
    const o = c.connectionOptions;
    if (opts.retryDelayMs !== undefined) o.setRetryDelay(opts.retryDelayMs);
    if (opts.firstRetryMaxDelayMs !== undefined) o.setFirstRetryMaxDelay(opts.firstRetryMaxDelayMs);
    if (opts.stalledTimeoutMs !== undefined) o.setStalledTimeout(opts.stalledTimeoutMs);
    if (opts.reconnectTimeoutMs !== undefined) o.setReconnectTimeout(opts.reconnectTimeoutMs);
    if (opts.sessionRecoveryTimeoutMs !== undefined)
      o.setSessionRecoveryTimeout(opts.sessionRecoveryTimeoutMs);
    c.addListener({
      onStatusChange: (status: string) => {
        this.#link = linkOf(status);
        for (const l of this.#linkListeners) l(this.#link);
      },
      onServerError: (code: number, message: string) => {
        this.#serverError = `Lightstreamer refused the session: ${message} (code ${code})`;
        this.#problem(this.#serverError);
        // The refusal may come after the DISCONNECTED it caused: tell the link again with it known.
        for (const l of this.#linkListeners) l(this.#link);
      },
    });
    this.#client = c;
  }

  /** The link now. */
  get link(): StreamLink {
    return this.#link;
  }

  /** Calls `listener` on every change of the link. */
  onLink(listener: (link: StreamLink) => void): void {
    this.#linkListeners.push(listener);
  }

  /** Calls `listener` with every streamed message that could not be read. */
  onProblem(listener: (message: string) => void): void {
    this.#problemListeners.push(listener);
  }

  /** New session tokens for the next (re)connection, after IG's session was renewed. */
  setLogin(login: StreamingLogin): void {
    this.#client.connectionDetails.setUser(login.accountId);
    this.#client.connectionDetails.setPassword(login.password);
  }

  /** Connects; resolves once streaming, rejects if the server refuses the login or `timeoutMs` passes. */
  connect(timeoutMs = 10_000): Promise<void> {
    this.#serverError = null;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(
            new IgError(
              'IG_STREAM',
              `Lightstreamer did not connect within ${timeoutMs} ms (${this.#link.status})`,
              { call: 'stream' },
            ),
          ),
        timeoutMs,
      );
      const check = (l: StreamLink) => {
        if (l.state === 'connected') done(null);
        else if (l.status === 'DISCONNECTED' && this.#serverError !== null)
          done(new IgError('IG_AUTH', this.#serverError, { call: 'stream' }));
      };
      const done = (e: Error | null) => {
        clearTimeout(timer);
        const i = this.#linkListeners.indexOf(check);
        if (i >= 0) this.#linkListeners.splice(i, 1);
        if (e === null) resolve();
        else {
          this.#client.disconnect();
          reject(e);
        }
      };
      this.#linkListeners.push(check);
      this.#client.connect();
    });
  }

  /** Disconnects and forgets the subscriptions; resolves once the client has let go of its socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subs) this.#client.unsubscribe(s);
    this.#subs.clear();
    this.#client.disconnect();
    const end = Date.now() + 2_000;
    while (this.#link.status !== 'DISCONNECTED' && Date.now() < end)
      await new Promise((r) => setTimeout(r, 10));
  }

  /** `MARKET:{epic}`: the market's prices and state as they change. */
  market(epic: string, listener: (u: MarketUpdate) => void): StreamSubscription {
    return this.#subscribe('MERGE', `MARKET:${epic}`, [...MARKET_FIELDS], (u) => {
      listener({
        epic,
        bid: num(u, 'BID'),
        offer: num(u, 'OFFER'),
        high: num(u, 'HIGH'),
        low: num(u, 'LOW'),
        midOpen: num(u, 'MID_OPEN'),
        change: num(u, 'CHANGE'),
        updateTime: text(u, 'UPDATE_TIME'),
        marketState: text(u, 'MARKET_STATE'),
        marketDelay: num(u, 'MARKET_DELAY'),
      });
    });
  }

  /** `CHART:{epic}:{scale}` candles (`1MINUTE`, `SECOND`, `5MINUTE`, `HOUR`). */
  candles(epic: string, scale: string, listener: (c: ChartCandle) => void): StreamSubscription {
    return this.#subscribe('MERGE', `CHART:${epic}:${scale}`, CANDLE_FIELDS, (u) => {
      listener({
        epic,
        scale,
        timeMs: num(u, 'UTM'),
        bid: ohlc(u, 'BID'),
        offer: ohlc(u, 'OFR'),
        lastTraded: ohlc(u, 'LTP'),
        lastTradedVolume: num(u, 'LTV'),
        incrementalVolume: num(u, 'TTV'),
        tickCount: num(u, 'CONS_TICK_COUNT'),
        closed: num(u, 'CONS_END') === 1,
      });
    });
  }

  /** `CHART:{epic}:TICK`: every price change. */
  ticks(epic: string, listener: (t: ChartTick) => void): StreamSubscription {
    return this.#subscribe('DISTINCT', `CHART:${epic}:TICK`, TICK_FIELDS, (u) => {
      listener({
        epic,
        timeMs: num(u, 'UTM'),
        bid: num(u, 'BID'),
        offer: num(u, 'OFR'),
        lastTraded: num(u, 'LTP'),
        lastTradedVolume: num(u, 'LTV'),
        incrementalVolume: num(u, 'TTV'),
      });
    });
  }

  /** `TRADE:{accountId}`: deal confirmations and position and working-order updates. */
  trade(accountId: string, listener: (e: TradeEvent) => void): StreamSubscription {
    return this.#subscribe('DISTINCT', `TRADE:${accountId}`, [...TRADE_FIELDS], (u) => {
      for (const field of TRADE_FIELDS) {
        const v = u.getValue(field);
        if (!u.isValueChanged(field) || v === null || v === undefined || v === '') continue;
        let event: TradeEvent;
        try {
          event = parseTradeField(field, v);
        } catch (e) {
          this.#problem((e as Error).message);
          continue;
        }
        listener(event);
      }
    });
  }

  #subscribe(
    mode: 'MERGE' | 'DISTINCT',
    item: string,
    fields: string[],
    onUpdate: (u: ItemUpdate) => void,
  ): StreamSubscription {
    const sub = new Subscription(mode, [item], fields);
    sub.setRequestedSnapshot(mode === 'MERGE' ? 'yes' : 'no');
    let activate: () => void = () => {};
    const active = new Promise<void>((r) => {
      activate = r;
    });
    const onActive: (() => void)[] = [];
    sub.addListener({
      onSubscription: () => {
        activate();
        for (const l of onActive) l();
      },
      onSubscriptionError: (code: number, message: string) =>
        this.#problem(`Lightstreamer refused the subscription to ${item}: ${message} (code ${code})`),
      onItemUpdate: (u: ItemUpdate) => {
        try {
          onUpdate(u);
        } catch (e) {
          this.#problem(e instanceof IgError ? e.message : `${item}: ${(e as Error).message}`);
        }
      },
    });
    this.#subs.add(sub);
    this.#client.subscribe(sub);
    return {
      active,
      onActive: (l) => onActive.push(l),
      unsubscribe: () => {
        if (this.#subs.delete(sub)) this.#client.unsubscribe(sub);
      },
    };
  }

  #problem(message: string): void {
    for (const l of this.#problemListeners) l(message);
  }
}
