/**
 * A local IG for the IG clients' tests: one `node:http` server on 127.0.0.1 (a free port) that
 * answers IG's REST trading API with its documented shapes (labs.ig.com REST reference) and, on
 * the same port, a minimal Lightstreamer server speaking TLCP 2.5.0 over WebSocket (subprotocol
 * `TLCP-2.5.0.lightstreamer.com`, the official client's default transport), so that the real
 * `lightstreamer-client-node` connects to it.
 *
 * REST: login v2 (CST and X-SECURITY-TOKEN headers) and v3 (OAuth tokens, refresh,
 * `fetchSessionTokens`), accounts, market search and details, price history with its allowance,
 * positions (netted FIFO, as an IG account without hedging), working orders, confirms. Every
 * request is recorded with its headers. Tokens can be expired and the next call failed with any
 * IG error code.
 *
 * TLCP: `wsok` → `WSOK`; `create_session` → `CONOK`, `SERVNAME`, `CLIENTIP`, `CONS` (or `CONERR`
 * for a wrong user or password); `control` with `LS_op=add` → `REQOK`, `SUBOK` and, for MERGE
 * items with a snapshot, the item's current values; `delete` → `REQOK`, `UNSUB`; `destroy` →
 * `REQOK` and the socket closed; updates as `U,<sub>,<item>,<values>` in TLCP's compressed form
 * (an empty value for a field unchanged since the last update, `^N` for N of them, `#` for null,
 * `$` for the empty string, `%XX` for the separators); `PROBE` every `keepaliveMs` while idle. A
 * session cannot be resumed after its socket is cut: a `bind_session` or a recovery gets
 * `CONERR,20`, and the client opens a new session.
 *
 * The `ws` package (a dependency of lightstreamer-client-node) is used for the WebSocket framing.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type { VenueControl } from './venue-contract.js';

/** The `ws` package's surface used here (it ships no types of its own). */
interface WsSocket {
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'close', cb: () => void): void;
  readonly readyState: number;
  readonly protocol: string;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (o: {
    noServer: true;
    perMessageDeflate: false;
    handleProtocols: (p: Set<string>) => string | false;
  }) => WsServer;
};

/** The subprotocol of TLCP over WebSocket. */
export const TLCP_PROTOCOL = 'TLCP-2.5.0.lightstreamer.com';

export interface IgVenueOptions {
  readonly apiKey?: string;
  readonly identifier?: string;
  readonly password?: string;
  readonly accountId?: string;
  /** Markets: epic and its bid/offer in points. */
  readonly markets?: readonly { epic: string; bid: number; offer: number; scalingFactor?: number }[];
  /** Lifetime of a v3 access token, seconds (IG's is 60). */
  readonly accessTokenSeconds?: number;
  /** PROBE interval of the streaming server, ms. */
  readonly keepaliveMs?: number;
  /** The historical-data allowance, points per week. */
  readonly historicalAllowance?: number;
}

/** A request as the venue received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  readonly atMs: number;
}

interface Position {
  dealId: string;
  dealReference: string;
  epic: string;
  direction: 'BUY' | 'SELL';
  size: number;
  level: number;
  createdUtc: string;
}

interface WorkingOrder {
  dealId: string;
  dealReference: string;
  epic: string;
  direction: 'BUY' | 'SELL';
  size: number;
  level: number;
  type: 'LIMIT' | 'STOP';
  timeInForce: string;
  goodTillDate: string | null;
  currencyCode: string;
  createdUtc: string;
}

interface LsSubscription {
  readonly item: string;
  readonly mode: string;
  readonly fields: string[];
  /** What was last sent per field, for the compressed form. */
  last: (string | null)[] | null;
}

interface LsSession {
  readonly id: string;
  readonly ws: WsSocket;
  readonly subs: Map<number, LsSubscription>;
  probe: NodeJS.Timeout | null;
}

/** Item values held by the server for MERGE snapshots. */
type ItemValues = Record<string, string | null>;

type Handler = (req: ReceivedRequest, res: ServerResponse) => unknown;

const nowUtc = () => new Date().toISOString().slice(0, 19);
const ok = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
};
const fail = (res: ServerResponse, status: number, errorCode: string) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ errorCode }));
};

/** A value in TLCP's update form: `#` null, `$` empty, separators and markers as `%XX`. */
export function tlcpValue(v: string | null): string {
  if (v === null) return '#';
  if (v === '') return '$';
  return v.replace(
    /[%|,\r\n#$^+]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** The values of one update in TLCP's compressed form against what was sent before (`last`). */
export function compressedValues(values: (string | null)[], last: (string | null)[] | null): string {
  const out: string[] = [];
  let unchanged = 0;
  const flush = () => {
    if (unchanged === 1) out.push('');
    else if (unchanged > 1) out.push(`^${unchanged}`);
    unchanged = 0;
  };
  values.forEach((v, i) => {
    if (last !== null && last[i] === v) {
      unchanged++;
      return;
    }
    flush();
    out.push(tlcpValue(v));
  });
  flush();
  return out.join('|');
}

/** The local IG. */
export class IgVenue {
  readonly apiKey: string;
  readonly identifier: string;
  readonly password: string;
  readonly accountId: string;
  readonly requests: ReceivedRequest[] = [];
  /** Open positions and working orders, as IG holds them. */
  readonly positions: Position[] = [];
  readonly workingOrders: WorkingOrder[] = [];
  readonly confirms = new Map<string, Record<string, unknown>>();
  readonly markets = new Map<string, { bid: number; offer: number; scalingFactor: number; state: string }>();
  /** The historical-data allowance left. */
  historicalRemaining: number;
  readonly historicalTotal: number;
  /** Order-entry requests received (new, amend, delete, close). */
  orderEntries = 0;
  /** Deal confirms are not streamed (only `GET /confirms` has them), as when the stream lags. */
  muteConfirms = false;
  /** Nothing is streamed on the TRADE item: only REST tells what happened. */
  muteTrade = false;
  /** Lightstreamer sessions created so far. */
  lsSessionsCreated = 0;
  readonly #server: Server;
  readonly #wss: WsServer;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Map<string, LsSession>();
  readonly #items = new Map<string, ItemValues>();
  readonly #cst = new Set<string>();
  readonly #xst = new Set<string>();
  readonly #access = new Map<string, number>();
  readonly #refresh = new Set<string>();
  readonly #accessSeconds: number;
  readonly #keepaliveMs: number;
  #next = 1;
  #refuse: string | null = null;
  #failNext: { status: number; errorCode: string; times: number } | null = null;
  port = 0;

  constructor(opts: IgVenueOptions = {}) {
    this.apiKey = opts.apiKey ?? 'test-api-key';
    this.identifier = opts.identifier ?? 'trader';
    this.password = opts.password ?? 'secret';
    this.accountId = opts.accountId ?? 'ABC123';
    this.#accessSeconds = opts.accessTokenSeconds ?? 60;
    this.#keepaliveMs = opts.keepaliveMs ?? 1000;
    this.historicalTotal = opts.historicalAllowance ?? 10_000;
    this.historicalRemaining = this.historicalTotal;
    for (const m of opts.markets ?? [{ epic: 'CS.D.EURUSD.MINI.IP', bid: 10811.9, offer: 10812.1 }])
      this.markets.set(m.epic, {
        bid: m.bid,
        offer: m.offer,
        scalingFactor: m.scalingFactor ?? 10000,
        state: 'TRADEABLE',
      });
    this.#server = createServer((req, res) => this.#onRequest(req, res));
    this.#server.keepAliveTimeout = 60_000;
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (p) => (p.has(TLCP_PROTOCOL) ? TLCP_PROTOCOL : false),
    });
    this.#server.on('upgrade', (req, socket: Socket, head) => {
      if (!req.url?.startsWith('/lightstreamer')) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onWs(ws));
    });
  }

  /** The REST gateway's address. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/gateway/deal`;
  }

  /** The Lightstreamer server's address (what `/session` gives as `lightstreamerEndpoint`). */
  get lightstreamerEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Streaming sessions now open. */
  get lsSessions(): number {
    return this.#sessions.size;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.drop();
    this.#wss.close();
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    // A client still connecting after the drop must not hold the server open.
    this.#server.closeAllConnections();
    await closed;
  }

  /** Cuts every connection (REST keep-alive sockets and streams); state is kept. */
  drop(): void {
    for (const s of this.#sessions.values()) this.#endSession(s, true);
    for (const s of this.#sockets) s.destroy();
  }

  /** Makes every session token and access token invalid (IG's weekend, or a 12 h idle session). */
  expireSessions(): void {
    this.#cst.clear();
    this.#xst.clear();
    this.#access.clear();
  }

  /** The next `times` authenticated calls (not logins) get `status` with IG's `errorCode`. */
  failNext(status: number, errorCode: string, times = 1): void {
    this.#failNext = { status, errorCode, times };
  }

  /** The next deal is rejected with `reason`. */
  refuseNext(reason: string): void {
    this.#refuse = reason;
  }

  /** Sets a market's prices (points) and streams them to MARKET subscribers. */
  quote(epic: string, bid: number, offer: number): void {
    const m = this.#market(epic);
    m.bid = bid;
    m.offer = offer;
    this.publish(`MARKET:${epic}`, {
      BID: String(bid),
      OFFER: String(offer),
      MARKET_STATE: m.state,
      UPDATE_TIME: new Date().toISOString().slice(11, 19),
    });
  }

  /** Streams `values` (merged into the item's current values) to every subscriber of `item`. */
  publish(item: string, values: ItemValues): void {
    const merged = { ...this.#items.get(item), ...values };
    this.#items.set(item, merged);
    for (const s of this.#sessions.values())
      for (const [subId, sub] of s.subs) if (sub.item === item) this.#send(s, subId, sub, merged);
  }

  /** Streams one DISTINCT event: the given fields, every other field null. */
  event(item: string, values: ItemValues): void {
    if (this.muteTrade && item.startsWith('TRADE:')) return;
    for (const s of this.#sessions.values())
      for (const [subId, sub] of s.subs)
        if (sub.item === item) {
          sub.last = null;
          this.#send(s, subId, sub, values);
        }
  }

  /** IG fills working order `dealReference` at `level` (points): it becomes a position. */
  fillWorkingOrder(dealReference: string, size: number, level: number): void {
    const i = this.workingOrders.findIndex((w) => w.dealReference === dealReference);
    if (i < 0) throw new Error(`the venue holds no working order ${dealReference}`);
    const w = this.workingOrders[i];
    if (size !== w.size) throw new Error(`IG fills working orders whole: ${size} of ${w.size}`);
    this.workingOrders.splice(i, 1);
    const updates = this.#deal(w.epic, w.direction, w.size, level, w.dealReference, w.dealId);
    for (const u of updates) this.event(`TRADE:${this.accountId}`, { OPU: JSON.stringify(u) });
    this.event(`TRADE:${this.accountId}`, {
      WOU: JSON.stringify({ ...this.#wou(w), status: 'DELETED', dealStatus: 'ACCEPTED' }),
    });
  }

  /** The harness of the venue contract for one market whose points are `pointRaw` raw units. */
  harness(epic: string, pointRaw: number): VenueControl {
    return {
      quote: async (bid, ask) => this.quote(epic, bid / pointRaw, ask / pointRaw),
      fill: async (clientId, quantity, price) => this.fillWorkingOrder(clientId, quantity, price / pointRaw),
      refuseNext: async (reason) => this.refuseNext(reason),
      received: () => this.orderEntries,
      drop: async () => this.drop(),
      hostile: async () =>
        this.event(`TRADE:${this.accountId}`, { CONFIRMS: '{"dealReference":"X1","dealStatus":' }),
    };
  }

  // ---- REST ----

  #onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/lightstreamer')) {
        // A recovery or an HTTP transport: sessions live only on their WebSocket here.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('CONERR,20,Session not found\r\n');
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        return fail(res, 400, 'validation.invalid.json');
      }
      const override = req.headers._method;
      const r: ReceivedRequest = {
        method: typeof override === 'string' ? override.toUpperCase() : (req.method ?? 'GET'),
        path: url.pathname.replace(/^\/gateway\/deal/, ''),
        query: url.searchParams,
        headers: req.headers,
        body,
        atMs: Date.now(),
      };
      this.requests.push(r);
      this.#route(r, res);
    });
  }

  #route(r: ReceivedRequest, res: ServerResponse) {
    if (r.headers['x-ig-api-key'] !== this.apiKey) return fail(res, 403, 'error.security.api-key-invalid');
    const key = `${r.method} ${r.path}`;
    if (key === 'POST /session') return this.#login(r, res);
    if (key === 'POST /session/refresh-token') return this.#refreshToken(r, res);
    const auth = this.#authorised(r);
    if (auth !== null) return fail(res, 401, auth);
    if (this.#failNext !== null) {
      const f = this.#failNext;
      if (--f.times <= 0) this.#failNext = null;
      return fail(res, f.status, f.errorCode);
    }
    const routes: [RegExp, string, Handler][] = [
      [/^\/session$/, 'GET', (q, s) => this.#sessionDetails(q, s)],
      [/^\/session$/, 'DELETE', (_q, s) => s.writeHead(204).end()],
      [/^\/accounts$/, 'GET', (_q, s) => this.#accounts(s)],
      [/^\/markets$/, 'GET', (q, s) => this.#search(q, s)],
      [/^\/markets\/[^/]+$/, 'GET', (q, s) => this.#marketDetails(q, s)],
      [/^\/prices\/[^/]+$/, 'GET', (q, s) => this.#prices(q, s)],
      [/^\/positions$/, 'GET', (_q, s) => this.#listPositions(s)],
      [/^\/positions\/otc$/, 'POST', (q, s) => this.#openPosition(q, s)],
      [/^\/positions\/otc$/, 'DELETE', (q, s) => this.#closePosition(q, s)],
      [/^\/working-orders$/, 'GET', (_q, s) => this.#listWorkingOrders(s)],
      [/^\/working-orders\/otc$/, 'POST', (q, s) => this.#createWorkingOrder(q, s)],
      [/^\/working-orders\/otc\/[^/]+$/, 'PUT', (q, s) => this.#amendWorkingOrder(q, s)],
      [/^\/working-orders\/otc\/[^/]+$/, 'DELETE', (q, s) => this.#deleteWorkingOrder(q, s)],
      [/^\/confirms\/[^/]+$/, 'GET', (q, s) => this.#confirm(q, s)],
    ];
    for (const [re, method, h] of routes) if (method === r.method && re.test(r.path)) return h(r, res);
    fail(res, 404, 'error.public-api.failure.not-found');
  }

  /** Null when the request carries valid credentials, else IG's error code. */
  #authorised(r: ReceivedRequest): string | null {
    const bearer = r.headers.authorization;
    if (typeof bearer === 'string') {
      const exp = this.#access.get(bearer.replace(/^Bearer /, ''));
      if (exp === undefined || exp < Date.now()) return 'error.security.oauth-token-invalid';
      if (r.headers['ig-account-id'] !== this.accountId) return 'error.security.invalid-account-id';
      return null;
    }
    const cst = r.headers.cst;
    const xst = r.headers['x-security-token'];
    if (typeof cst !== 'string' || typeof xst !== 'string') return 'error.security.client-token-missing';
    return this.#cst.has(cst) && this.#xst.has(xst) ? null : 'error.security.client-token-invalid';
  }

  #tokens(): { cst: string; xst: string } {
    const cst = `cst${this.#next++}`;
    const xst = `xst${this.#next++}`;
    this.#cst.add(cst);
    this.#xst.add(xst);
    return { cst, xst };
  }

  #oauth(): Record<string, string> {
    const access = `acc${this.#next++}`;
    const refresh = `ref${this.#next++}`;
    this.#access.set(access, Date.now() + this.#accessSeconds * 1000);
    this.#refresh.add(refresh);
    return {
      access_token: access,
      refresh_token: refresh,
      scope: 'profile',
      token_type: 'Bearer',
      expires_in: String(this.#accessSeconds),
    };
  }

  #login(r: ReceivedRequest, res: ServerResponse) {
    const b = r.body as { identifier?: string; password?: string } | null;
    if (b?.identifier !== this.identifier || b?.password !== this.password)
      return fail(res, 401, 'error.security.invalid-details');
    const common = { clientId: '100', timezoneOffset: 0, lightstreamerEndpoint: this.lightstreamerEndpoint };
    if (r.headers.version === '3')
      return ok(res, { ...common, accountId: this.accountId, oauthToken: this.#oauth() });
    const t = this.#tokens();
    ok(
      res,
      {
        ...common,
        accountType: 'CFD',
        currentAccountId: this.accountId,
        accounts: [{ accountId: this.accountId, accountName: 'CFD', preferred: true, accountType: 'CFD' }],
        currencyIsoCode: 'GBP',
      },
      { CST: t.cst, 'X-SECURITY-TOKEN': t.xst },
    );
  }

  #refreshToken(r: ReceivedRequest, res: ServerResponse) {
    const token = (r.body as { refresh_token?: string } | null)?.refresh_token;
    if (token === undefined || !this.#refresh.delete(token))
      return fail(res, 401, 'error.security.invalid-details');
    ok(res, this.#oauth());
  }

  #sessionDetails(r: ReceivedRequest, res: ServerResponse) {
    const body = {
      clientId: '100',
      accountId: this.accountId,
      timezoneOffset: 0,
      locale: 'en_GB',
      currency: 'GBP',
      lightstreamerEndpoint: this.lightstreamerEndpoint,
    };
    if (r.query.get('fetchSessionTokens') !== 'true') return ok(res, body);
    const t = this.#tokens();
    ok(res, body, { CST: t.cst, 'X-SECURITY-TOKEN': t.xst });
  }

  #accounts(res: ServerResponse) {
    ok(res, {
      accounts: [
        {
          accountId: this.accountId,
          accountName: 'CFD',
          accountAlias: null,
          status: 'ENABLED',
          accountType: 'CFD',
          preferred: true,
          balance: { balance: 10000, deposit: 0, profitLoss: 0, available: 10000 },
          currency: 'GBP',
          canTransferFrom: true,
          canTransferTo: true,
        },
      ],
    });
  }

  #market(epic: string) {
    const m = this.markets.get(epic);
    if (m === undefined) throw new Error(`the venue has no market ${epic}`);
    return m;
  }

  #search(r: ReceivedRequest, res: ServerResponse) {
    const term = (r.query.get('searchTerm') ?? '').replace('/', '').toUpperCase();
    const markets = [...this.markets]
      .filter(([epic]) => epic.includes(term))
      .map(([epic, m]) => ({
        epic,
        instrumentName: `${epic.split('.')[2]?.slice(0, 3)}/${epic.split('.')[2]?.slice(3)} Mini`,
        instrumentType: 'CURRENCIES',
        expiry: '-',
        high: null,
        low: null,
        percentageChange: 0,
        netChange: 0,
        bid: m.bid,
        offer: m.offer,
        updateTime: '08:00:00',
        updateTimeUTC: '08:00:00',
        delayTime: 0,
        streamingPricesAvailable: true,
        marketStatus: m.state,
        scalingFactor: m.scalingFactor,
      }));
    ok(res, { markets });
  }

  #marketDetails(r: ReceivedRequest, res: ServerResponse) {
    const epic = decodeURIComponent(r.path.split('/')[2]);
    const m = this.markets.get(epic);
    if (m === undefined) return fail(res, 404, 'error.markets.epic-not-found');
    ok(res, {
      instrument: {
        epic,
        name: 'EUR/USD Mini',
        type: 'CURRENCIES',
        expiry: '-',
        lotSize: 1,
        onePipMeans: '0.0001 USD/EUR',
        valueOfOnePip: '1.00',
        contractSize: '10000',
        currencies: [{ code: 'USD', symbol: '$', baseExchangeRate: 1, exchangeRate: 0.8, isDefault: true }],
      },
      dealingRules: {
        minDealSize: { unit: 'POINTS', value: 0.5 },
        minStepDistance: { unit: 'POINTS', value: 1 },
        marketOrderPreference: 'AVAILABLE_DEFAULT_ON',
      },
      snapshot: {
        marketStatus: m.state,
        bid: m.bid,
        offer: m.offer,
        high: null,
        low: null,
        netChange: 0,
        percentageChange: 0,
        updateTime: '08:00:00',
        delayTime: 0,
        decimalPlacesFactor: 1,
        scalingFactor: m.scalingFactor,
        controlledRiskExtraSpread: 0,
      },
    });
  }

  #prices(r: ReceivedRequest, res: ServerResponse) {
    const max = Number(r.query.get('max') ?? '10');
    if (this.historicalRemaining < max)
      return fail(res, 403, 'error.public-api.exceeded-account-historical-data-allowance');
    this.historicalRemaining -= max;
    const bar = (i: number) => {
      const t = new Date(Date.UTC(2026, 11, 4, 8, i));
      const bid = 10810 + i / 10;
      const px = (b: number) => ({ bid: b, ask: Number((b + 0.6).toFixed(1)), lastTraded: null });
      return {
        snapshotTime: t.toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' '),
        snapshotTimeUTC: t.toISOString().slice(0, 19),
        openPrice: px(bid),
        closePrice: px(bid + 0.3),
        highPrice: px(bid + 0.5),
        lowPrice: px(bid - 0.2),
        lastTradedVolume: 40 + i,
      };
    };
    ok(res, {
      prices: Array.from({ length: max }, (_, i) => bar(i)),
      instrumentType: 'CURRENCIES',
      metadata: {
        allowance: {
          remainingAllowance: this.historicalRemaining,
          totalAllowance: this.historicalTotal,
          allowanceExpiry: 520_000,
        },
        size: max,
        pageData: { pageSize: 20, pageNumber: 1, totalPages: 1 },
      },
    });
  }

  #listPositions(res: ServerResponse) {
    ok(res, {
      positions: this.positions.map((p) => {
        const m = this.#market(p.epic);
        return {
          position: {
            contractSize: 10000,
            createdDate: p.createdUtc.replace(/-/g, '/').replace('T', ' '),
            createdDateUTC: p.createdUtc,
            dealId: p.dealId,
            dealReference: p.dealReference,
            size: p.size,
            direction: p.direction,
            limitLevel: null,
            level: p.level,
            currency: 'USD',
            controlledRisk: false,
            stopLevel: null,
            trailingStep: null,
            trailingStopDistance: null,
            limitedRiskPremium: null,
          },
          market: {
            instrumentName: 'EUR/USD Mini',
            expiry: '-',
            epic: p.epic,
            instrumentType: 'CURRENCIES',
            lotSize: 1,
            high: null,
            low: null,
            percentageChange: 0,
            netChange: 0,
            bid: m.bid,
            offer: m.offer,
            updateTime: '08:00:00',
            updateTimeUTC: '08:00:00',
            delayTime: 0,
            streamingPricesAvailable: true,
            marketStatus: m.state,
            scalingFactor: m.scalingFactor,
          },
        };
      }),
    });
  }

  /** Books a deal: nets it against opposite positions (oldest first), opens what is left. */
  #deal(
    epic: string,
    direction: 'BUY' | 'SELL',
    size: number,
    level: number,
    dealReference: string,
    dealIdOrigin: string,
  ): Record<string, unknown>[] {
    const updates: Record<string, unknown>[] = [];
    let left = size;
    const base = {
      dealReference,
      epic,
      direction,
      level,
      dealStatus: 'ACCEPTED',
      timestamp: nowUtc(),
      expiry: '-',
    };
    for (const p of this.positions.filter((x) => x.epic === epic && x.direction !== direction)) {
      if (left <= 0) break;
      const take = Math.min(left, p.size);
      p.size -= take;
      left -= take;
      updates.push({
        ...base,
        dealId: p.dealId,
        dealIdOrigin,
        size: p.size,
        status: p.size === 0 ? 'DELETED' : 'UPDATED',
      });
      if (p.size === 0) this.positions.splice(this.positions.indexOf(p), 1);
    }
    if (left > 0) {
      const dealId = `DIAAAA${this.#next++}`;
      this.positions.push({
        dealId,
        dealReference,
        epic,
        direction,
        size: left,
        level,
        createdUtc: nowUtc(),
      });
      updates.push({ ...base, dealId, dealIdOrigin, size: left, status: 'OPEN' });
    }
    return updates;
  }

  #confirmOf(fields: Record<string, unknown>): Record<string, unknown> {
    const c: Record<string, unknown> = {
      date: new Date().toISOString().slice(0, 23),
      status: null,
      reason: 'SUCCESS',
      dealStatus: 'ACCEPTED',
      epic: null,
      expiry: '-',
      dealId: null,
      level: null,
      size: null,
      direction: null,
      stopLevel: null,
      limitLevel: null,
      stopDistance: null,
      limitDistance: null,
      guaranteedStop: false,
      trailingStop: false,
      profit: null,
      profitCurrency: null,
      affectedDeals: [],
      ...fields,
    };
    this.confirms.set(c.dealReference as string, c);
    if (!this.muteConfirms) this.event(`TRADE:${this.accountId}`, { CONFIRMS: JSON.stringify(c) });
    return c;
  }

  #reference(b: { dealReference?: string }): string {
    return b.dealReference ?? `REF${this.#next++}`;
  }

  /** A refusal of the next deal, if one was asked for: the confirm says REJECTED. */
  #refused(ref: string, b: Record<string, unknown>): boolean {
    if (this.#refuse === null) return false;
    const reason = this.#refuse;
    this.#refuse = null;
    this.#confirmOf({
      dealReference: ref,
      dealStatus: 'REJECTED',
      reason,
      epic: b.epic,
      direction: b.direction,
      size: b.size,
    });
    return true;
  }

  #openPosition(r: ReceivedRequest, res: ServerResponse) {
    this.orderEntries++;
    const b = r.body as {
      epic: string;
      direction: 'BUY' | 'SELL';
      size: number;
      orderType: string;
      dealReference?: string;
    };
    if (r.headers.version !== '2') return fail(res, 400, 'validation.version');
    if (!this.markets.has(b.epic)) return fail(res, 404, 'error.markets.epic-not-found');
    if (b.dealReference !== undefined && !/^[A-Za-z0-9_-]{1,30}$/.test(b.dealReference))
      return fail(res, 400, 'validation.pattern.invalid.dealReference');
    const ref = this.#reference(b);
    ok(res, { dealReference: ref });
    if (this.#refused(ref, b)) return;
    const m = this.#market(b.epic);
    const level = b.direction === 'BUY' ? m.offer : m.bid;
    const updates = this.#deal(b.epic, b.direction, b.size, level, ref, '');
    this.#confirmOf({
      dealReference: ref,
      dealId: updates[updates.length - 1].dealId,
      status: 'OPEN',
      epic: b.epic,
      direction: b.direction,
      size: b.size,
      level,
      affectedDeals: updates.map((u) => ({
        dealId: u.dealId,
        status: u.status === 'OPEN' ? 'OPENED' : 'PARTIALLY_CLOSED',
      })),
    });
    for (const u of updates) this.event(`TRADE:${this.accountId}`, { OPU: JSON.stringify(u) });
  }

  #closePosition(r: ReceivedRequest, res: ServerResponse) {
    this.orderEntries++;
    const b = r.body as { dealId?: string; direction: 'BUY' | 'SELL'; size: number };
    const p = this.positions.find((x) => x.dealId === b.dealId);
    if (p === undefined) return fail(res, 404, 'error.position.notfound');
    const ref = `REF${this.#next++}`;
    ok(res, { dealReference: ref });
    const m = this.#market(p.epic);
    const level = b.direction === 'BUY' ? m.offer : m.bid;
    const updates = this.#deal(p.epic, b.direction, b.size, level, ref, '');
    this.#confirmOf({
      dealReference: ref,
      dealId: p.dealId,
      status: 'CLOSED',
      epic: p.epic,
      direction: b.direction,
      size: b.size,
      level,
    });
    for (const u of updates) this.event(`TRADE:${this.accountId}`, { OPU: JSON.stringify(u) });
  }

  #wou(w: WorkingOrder): Record<string, unknown> {
    return {
      dealReference: w.dealReference,
      dealId: w.dealId,
      direction: w.direction,
      epic: w.epic,
      expiry: '-',
      level: w.level,
      size: w.size,
      orderType: w.type,
      timeInForce: w.timeInForce,
      goodTillDate: w.goodTillDate,
      currency: w.currencyCode,
      timestamp: nowUtc(),
      channel: 'PublicRestOTC',
    };
  }

  #listWorkingOrders(res: ServerResponse) {
    ok(res, {
      workingOrders: this.workingOrders.map((w) => ({
        workingOrderData: {
          dealId: w.dealId,
          direction: w.direction,
          epic: w.epic,
          orderSize: w.size,
          orderLevel: w.level,
          timeInForce: w.timeInForce,
          goodTillDate: w.goodTillDate,
          goodTillDateISO: w.goodTillDate,
          createdDate: w.createdUtc.replace(/-/g, '/').replace('T', ' '),
          createdDateUTC: w.createdUtc,
          guaranteedStop: false,
          orderType: w.type,
          stopDistance: null,
          limitDistance: null,
          currencyCode: w.currencyCode,
          dma: false,
        },
        marketData: { epic: w.epic, bid: this.#market(w.epic).bid, offer: this.#market(w.epic).offer },
      })),
    });
  }

  #createWorkingOrder(r: ReceivedRequest, res: ServerResponse) {
    this.orderEntries++;
    const b = r.body as Omit<WorkingOrder, 'dealId' | 'createdUtc' | 'dealReference'> & {
      dealReference?: string;
    };
    if (!this.markets.has(b.epic)) return fail(res, 404, 'error.markets.epic-not-found');
    const ref = this.#reference(b);
    ok(res, { dealReference: ref });
    if (this.#refused(ref, b)) return;
    const w: WorkingOrder = {
      dealId: `DIAAAW${this.#next++}`,
      dealReference: ref,
      epic: b.epic,
      direction: b.direction,
      size: b.size,
      level: b.level,
      type: b.type,
      timeInForce: b.timeInForce,
      goodTillDate: b.goodTillDate ?? null,
      currencyCode: b.currencyCode,
      createdUtc: nowUtc(),
    };
    this.workingOrders.push(w);
    this.#confirmOf({
      dealReference: ref,
      dealId: w.dealId,
      status: 'OPEN',
      epic: w.epic,
      direction: w.direction,
      size: w.size,
      level: w.level,
    });
    this.event(`TRADE:${this.accountId}`, {
      WOU: JSON.stringify({ ...this.#wou(w), status: 'OPEN', dealStatus: 'ACCEPTED' }),
    });
  }

  #amendWorkingOrder(r: ReceivedRequest, res: ServerResponse) {
    this.orderEntries++;
    const dealId = decodeURIComponent(r.path.split('/')[3]);
    const w = this.workingOrders.find((x) => x.dealId === dealId);
    if (w === undefined) return fail(res, 404, 'error.service.otc.workingorder.notfound');
    const b = r.body as { level: number; type: 'LIMIT' | 'STOP'; timeInForce: string };
    const ref = `REF${this.#next++}`;
    ok(res, { dealReference: ref });
    w.level = b.level;
    w.type = b.type;
    w.timeInForce = b.timeInForce;
    this.#confirmOf({
      dealReference: ref,
      dealId,
      status: 'AMENDED',
      epic: w.epic,
      direction: w.direction,
      size: w.size,
      level: w.level,
    });
    this.event(`TRADE:${this.accountId}`, {
      WOU: JSON.stringify({ ...this.#wou(w), status: 'UPDATED', dealStatus: 'ACCEPTED' }),
    });
  }

  #deleteWorkingOrder(r: ReceivedRequest, res: ServerResponse) {
    this.orderEntries++;
    const dealId = decodeURIComponent(r.path.split('/')[3]);
    const i = this.workingOrders.findIndex((x) => x.dealId === dealId);
    if (i < 0) return fail(res, 404, 'error.service.otc.workingorder.notfound');
    const [w] = this.workingOrders.splice(i, 1);
    const ref = `REF${this.#next++}`;
    ok(res, { dealReference: ref });
    this.#confirmOf({
      dealReference: ref,
      dealId,
      status: 'DELETED',
      epic: w.epic,
      direction: w.direction,
      size: w.size,
      level: w.level,
    });
    this.event(`TRADE:${this.accountId}`, {
      WOU: JSON.stringify({ ...this.#wou(w), status: 'DELETED', dealStatus: 'ACCEPTED' }),
    });
  }

  #confirm(r: ReceivedRequest, res: ServerResponse) {
    const c = this.confirms.get(decodeURIComponent(r.path.split('/')[2]));
    if (c === undefined) return fail(res, 404, 'error.confirms.deal-not-found');
    ok(res, c);
  }

  // ---- Lightstreamer (TLCP over WebSocket) ----

  #onWs(ws: WsSocket): void {
    let session: LsSession | null = null;
    ws.on('message', (data: Buffer) => {
      const lines = data
        .toString('utf8')
        .split('\r\n')
        .filter((l) => l !== '');
      const verb = lines[0];
      const params = lines.slice(1).map((l) => new URLSearchParams(l));
      if (verb === 'wsok') ws.send('WSOK');
      else if (verb === 'create_session') session = this.#createSession(ws, params[0]);
      else if (verb === 'bind_session') ws.send('CONERR,20,Session not found');
      else if (verb === 'control' && session !== null) for (const p of params) this.#control(session, p);
      else if (verb === 'heartbeat' || verb === 'control')
        for (const p of params) if (p.get('LS_reqId')) ws.send(`REQOK,${p.get('LS_reqId')}`);
    });
    ws.on('close', () => {
      if (session !== null) this.#endSession(session, false);
    });
  }

  #createSession(ws: WsSocket, p: URLSearchParams | undefined): LsSession | null {
    const user = p?.get('LS_user');
    const m = /^CST-(.*)\|XST-(.*)$/.exec(p?.get('LS_password') ?? '');
    if (user !== this.accountId || m === null || !this.#cst.has(m[1]) || !this.#xst.has(m[2])) {
      ws.send('CONERR,1,User/password check failed');
      ws.close();
      return null;
    }
    const s: LsSession = {
      id: `S${createHash('sha1')
        .update(String(this.#next++))
        .digest('hex')
        .slice(0, 12)}`,
      ws,
      subs: new Map(),
      probe: null,
    };
    this.#sessions.set(s.id, s);
    this.lsSessionsCreated++;
    ws.send(`CONOK,${s.id},50000,${this.#keepaliveMs},*`);
    ws.send('SERVNAME,Local Lightstreamer');
    ws.send('CLIENTIP,127.0.0.1');
    ws.send('CONS,unlimited');
    s.probe = setInterval(() => ws.send('PROBE'), this.#keepaliveMs);
    return s;
  }

  #endSession(s: LsSession, cut: boolean): void {
    if (s.probe !== null) clearInterval(s.probe);
    s.probe = null;
    this.#sessions.delete(s.id);
    if (cut) s.ws.terminate();
  }

  #control(s: LsSession, p: URLSearchParams): void {
    const reqId = p.get('LS_reqId');
    const op = p.get('LS_op');
    const subId = Number(p.get('LS_subId'));
    s.ws.send(`REQOK,${reqId}`);
    if (op === 'add') {
      const sub: LsSubscription = {
        item: p.get('LS_group') ?? '',
        mode: p.get('LS_mode') ?? 'MERGE',
        fields: (p.get('LS_schema') ?? '').split(' '),
        last: null,
      };
      s.subs.set(subId, sub);
      s.ws.send(`SUBOK,${subId},1,${sub.fields.length}`);
      const snapshot = this.#items.get(sub.item);
      if (sub.mode === 'MERGE' && p.get('LS_snapshot') === 'true' && snapshot !== undefined)
        this.#send(s, subId, sub, snapshot);
    } else if (op === 'delete') {
      s.subs.delete(subId);
      s.ws.send(`UNSUB,${subId}`);
    } else if (op === 'destroy') {
      this.#endSession(s, false);
      s.ws.close();
    }
  }

  #send(s: LsSession, subId: number, sub: LsSubscription, values: ItemValues): void {
    const row = sub.fields.map((f) => values[f] ?? null);
    s.ws.send(`U,${subId},1,${compressedValues(row, sub.last)}`);
    sub.last = row;
  }
}

/** Starts a local IG on a free port. */
export function startIgVenue(opts: IgVenueOptions = {}): Promise<IgVenue> {
  return new IgVenue(opts).start();
}
