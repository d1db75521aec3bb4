/**
 * The dashboard's server (node:http and the `ws` package), bound to 127.0.0.1 unless told
 * otherwise:
 * - `GET /`: the page; `GET /assets/…`: its script, styles and Lightweight Charts, from the
 *   installed packages (nothing from a CDN);
 * - `GET /ws`: the WebSocket: a snapshot on connecting, then at most `updateHz` updates a second,
 *   each sampled once and sent as the same text to every browser (protocol.ts);
 * - `GET /api/state`: the snapshot as JSON;
 * - `POST /api/control`: a control (`ControlRequest`), with `Authorization: Bearer <token>`; 403
 *   when no token is configured (read-only), 401 without the right one, 409 when the source cannot
 *   take it now.
 *
 * A browser that falls behind (more than `maxBufferedBytes` unsent) is skipped until its socket
 * drains, then sent a fresh snapshot: memory does not grow with a slow page, and the page never
 * works through a backlog. Browsers that stop answering pings are dropped. A WebSocket from a page
 * of another origin is refused, so another site cannot read the session through a user's browser.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { componentLogger, EngineError, type Logger } from '../core/index.js';
import {
  answerClientError,
  BearerToken,
  CONTROL_TOKEN_ENV,
  HttpError,
  type HttpRoutes,
  pathOf,
  readBody,
  routeOf,
  sendFailure,
  sendJson,
} from '../runtime/index.js';
import type { DashboardAsset } from './page/html.js';
import { CONTROL_ACTIONS, type ControlAction, type ControlRequest } from './protocol.js';
import { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';

export interface DashboardServerOptions {
  readonly backend: DashboardBackend;
  /** The page at `/`. */
  readonly html: string;
  /** Files under `/assets/`, by path (`/assets/page/app.js`): read once, at the start. */
  readonly assets: ReadonlyMap<string, DashboardAsset>;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9465; 0 asks the system for a free port (`url` says which). */
  readonly port?: number;
  /** The controls' token (default the SCALPER_CONTROL_TOKEN variable); none or '': read-only. */
  readonly token?: string | null;
  /** Updates a second at most (default 10). */
  readonly updateHz?: number;
  /** Unsent bytes past which a browser is skipped until it catches up (default 4 MiB). */
  readonly maxBufferedBytes?: number;
  /** How often browsers are pinged, ms; one that has not answered the last ping is dropped (default 15,000). */
  readonly pingEveryMs?: number;
  readonly logger?: Logger;
}

/** Actions that carry a number, and what it must be. */
const VALUED: Partial<Record<ControlAction, (v: number) => string | null>> = {
  speed: (v) =>
    v >= 0 && v <= 10_000 ? null : 'a speed from 0 (as fast as it reads) to 10,000 times real time',
  seek: (v) => (Number.isFinite(v) && v > 0 ? null : 'a market time in ms since the epoch'),
};

/** One connected browser. */
interface Client {
  readonly ws: WebSocket;
  /** Skipped while its socket was full: it gets a snapshot once it drains. */
  behind: boolean;
  alive: boolean;
}

export class DashboardServer {
  readonly #o: DashboardServerOptions;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  readonly #token: BearerToken;
  readonly #routes: HttpRoutes;
  readonly #clients = new Set<Client>();
  readonly #files: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }>;
  #model: DashboardModel | null = null;
  #timer: NodeJS.Timeout | null = null;
  #pinger: NodeJS.Timeout | null = null;
  #address: AddressInfo | null = null;
  #sent = 0;

  private constructor(o: DashboardServerOptions) {
    this.#o = o;
    this.#files = readAssets(o.assets);
    this.#log = componentLogger('dashboard', o.logger);
    const token = o.token === undefined ? process.env[CONTROL_TOKEN_ENV] : o.token;
    this.#token = new BearerToken(
      token,
      `the dashboard is read-only: no control token configured (set ${CONTROL_TOKEN_ENV} where the dashboard starts)`,
    );
    this.#routes = {
      '/': { GET: async (_q, r) => this.#page(r), HEAD: async (_q, r) => this.#page(r) },
      '/api/state': { GET: async (_q, r) => sendJson(r, 200, this.#current().snapshot()) },
      '/api/control': { POST: (q, r) => this.#control(q, r) },
    };
    this.#http = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
      void this.#handle(req, res);
    });
    this.#http.on('clientError', answerClientError);
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4_096 });
    this.#http.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  /** Starts listening and sampling; resolves once the port is bound. */
  static async start(o: DashboardServerOptions): Promise<DashboardServer> {
    const hz = o.updateHz ?? 10;
    if (!(hz > 0 && hz <= 60))
      throw new EngineError('DASHBOARD_OPTION', `updateHz must be above 0 and at most 60, got ${hz}`);
    const server = new DashboardServer(o);
    await server.#listen();
    server.#timer = setInterval(() => server.#tick(), 1_000 / hz);
    server.#pinger = setInterval(() => server.#ping(), o.pingEveryMs ?? 15_000);
    return server;
  }

  /** The page's URL. */
  get url(): string {
    const a = this.#address;
    if (a === null) throw new EngineError('DASHBOARD_NOT_LISTENING', 'the dashboard is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/`;
  }

  /** Browsers connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Messages sent to browsers so far (snapshots and updates). */
  get sent(): number {
    return this.#sent;
  }

  /** Whether controls are taken (a token is configured). */
  get controls(): boolean {
    return this.#token.configured;
  }

  /** Samples the source now and sends what changed (it also runs `updateHz` times a second). */
  flush(): void {
    this.#tick();
  }

  /** Stops sampling, closes every browser's socket and stops listening. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#pinger !== null) clearInterval(this.#pinger);
    this.#timer = null;
    this.#pinger = null;
    for (const c of this.#clients) c.ws.terminate();
    this.#clients.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }

  #listen(): Promise<void> {
    const { host = '127.0.0.1', port = 9465 } = this.#o;
    return new Promise((resolve, reject) => {
      const failed = (err: Error) =>
        reject(
          new EngineError('DASHBOARD_LISTEN', `dashboard on ${host}:${port}: ${err.message}`, { cause: err }),
        );
      this.#http.once('error', failed);
      this.#http.listen(port, host, () => {
        this.#http.off('error', failed);
        this.#address = this.#http.address() as AddressInfo;
        this.#log.info({ url: this.url, controls: this.#token.configured }, 'dashboard');
        resolve();
      });
    });
  }

  /** The backend's model now; a new one (a replay started again) goes to every browser as a snapshot. */
  #current(): DashboardModel {
    const m = this.#o.backend.model();
    if (m !== this.#model) {
      this.#model = m;
      for (const c of this.#clients) c.behind = true;
    }
    return m;
  }

  #tick(): void {
    try {
      this.#broadcast();
    } catch (err) {
      this.#log.error({ err }, 'dashboard sample failed');
    }
  }

  /** Samples the model and sends each browser what it needs: the update, or a snapshot once it caught up. */
  #broadcast(): void {
    const model = this.#current();
    const update = model.sample();
    const max = this.#o.maxBufferedBytes ?? 4 * 1024 * 1024;
    let text: string | null = null;
    let snapshot: string | null = null;
    for (const c of this.#clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.behind) {
        if (c.ws.bufferedAmount > 0) continue;
        snapshot ??= wire(model.snapshot());
        this.#send(c, snapshot);
        c.behind = false;
      } else if (update !== null) {
        if (c.ws.bufferedAmount > max) {
          c.behind = true;
          this.#log.warn(
            { buffered: c.ws.bufferedAmount },
            'a browser is falling behind; it gets a snapshot when it catches up',
          );
          continue;
        }
        text ??= wire(update);
        this.#send(c, text);
      }
    }
  }

  #send(c: Client, text: string): void {
    c.ws.send(text);
    this.#sent++;
  }

  #ping(): void {
    for (const c of this.#clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node leaves an upgraded socket without an error listener: a peer that resets it must not
    // bring the process down.
    socket.on('error', () => socket.destroy());
    let refusal: string | null = null;
    try {
      if (pathOf(req.url) !== '/ws') refusal = '404 Not Found';
      else if (!this.#hostAllowed(req) || !sameOrigin(req)) refusal = '403 Forbidden';
    } catch {
      refusal = '400 Bad Request';
    }
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws));
  }

  #join(ws: WebSocket): void {
    const client: Client = { ws, behind: false, alive: true };
    let snapshot: string;
    try {
      // Before the browser joins: a model seen for the first time marks the others behind, not it.
      snapshot = wire(this.#current().snapshot());
    } catch (err) {
      this.#log.error({ err }, 'dashboard snapshot failed');
      ws.close(1011, 'snapshot failed');
      return;
    }
    this.#clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    // The page sends nothing; whatever arrives is ignored (a control goes over HTTP, with its token).
    ws.on('message', () => {});
    ws.on('error', (err) => this.#log.warn({ err: err.message }, 'browser socket error'));
    ws.on('close', () => this.#clients.delete(client));
    this.#send(client, snapshot);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.#hostAllowed(req))
        throw new HttpError(
          421,
          `this dashboard answers to 127.0.0.1, localhost or [::1] only, not ${JSON.stringify(req.headers.host ?? '')}`,
        );
      const path = pathOf(req.url);
      const asset = this.#files.get(path);
      if (asset !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, {
          'content-type': asset.type,
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
        return;
      }
      await routeOf(this.#routes, path, req)(req, res);
    } catch (err) {
      if (sendFailure(req, res, err)) this.#log.error({ err, path: req.url }, 'dashboard request failed');
    }
  }

  /**
   * Bound to a loopback address, the server answers only requests addressed to one (a page of
   * another site that points its own name at 127.0.0.1 would otherwise read the session).
   */
  #hostAllowed(req: IncomingMessage): boolean {
    const bound = this.#o.host ?? '127.0.0.1';
    if (!LOOPBACK.has(bound.toLowerCase())) return true;
    let host: string;
    try {
      host = new URL(`http://${req.headers.host ?? ''}`).hostname.toLowerCase();
    } catch {
      return false;
    }
    return LOOPBACK.has(host);
  }

  #page(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy':
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
    });
    res.end(this.#o.html);
  }

  async #control(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#token.authorize(req);
    const request = parseControl(await readBody(req, 1_024));
    try {
      const answer = await this.#o.backend.control(request);
      this.#log.warn(
        { action: request.action, value: request.value, from: req.socket.remoteAddress },
        answer.message,
      );
      this.#tick();
      sendJson(res, answer.ok ? 200 : 409, answer);
    } catch (err) {
      if (err instanceof ControlRefused) throw new HttpError(409, err.message);
      throw err;
    }
  }
}

/** The assets' contents; a missing file is named, with how to make it. */
function readAssets(
  assets: ReadonlyMap<string, DashboardAsset>,
): ReadonlyMap<string, { readonly type: string; readonly body: Buffer }> {
  const out = new Map<string, { readonly type: string; readonly body: Buffer }>();
  for (const [path, a] of assets) {
    let body: Buffer;
    try {
      body = readFileSync(a.file);
    } catch (err) {
      throw new EngineError(
        'DASHBOARD_ASSET',
        `the dashboard's ${path} is missing: cannot read ${a.file} (${(err as Error).message}); npm run build makes it`,
        { cause: err },
      );
    }
    out.set(path, { type: a.contentType, body });
  }
  return out;
}

/** A control request from its JSON body, or a 400 saying what is wrong with it. */
export function parseControl(body: string): ControlRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON (expected {"action": "…", "value": …})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'the body must be a JSON object {"action": "…", "value": …}');
  const { action, value, ...rest } = parsed as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new HttpError(400, `unknown field "${extra[0]}" (only "action" and "value")`);
  if (typeof action !== 'string' || !(CONTROL_ACTIONS as readonly string[]).includes(action))
    throw new HttpError(
      400,
      `"action" must be one of ${CONTROL_ACTIONS.join(', ')}, got ${JSON.stringify(action)}`,
    );
  const a = action as ControlAction;
  const check = VALUED[a];
  if (check === undefined) {
    if (value !== undefined) throw new HttpError(400, `"${a}" takes no value`);
    return { action: a };
  }
  const why = typeof value === 'number' ? check(value) : 'a number';
  if (why !== null) throw new HttpError(400, `"${a}" needs "value": ${why}, got ${JSON.stringify(value)}`);
  return { action: a, value: value as number };
}

/** Host names of the loopback interface, as a Host header or the server's bound address gives them. */
const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A message as it goes to browsers: JSON, with any bigint as its decimal digits. */
function wire(message: unknown): string {
  return JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** True when the request carries no Origin (not a browser page) or one of the host it was sent to. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
