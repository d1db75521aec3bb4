/**
 * A session's control endpoint over HTTP (node:http), bound to 127.0.0.1 unless configured
 * otherwise:
 * - `GET /metrics`: the session's Prometheus metrics (text format 0.0.4);
 * - `GET /health`: 200 `{"ready":true}` while the feed is live (its last record within the stale
 *   threshold of the clock, the session not ended) and every instrument's book trusted, else 503
 *   with the reasons;
 * - `GET /status`: the session's status as JSON;
 * - `POST /kill` (optional reason as text or `{"reason": …}`) and `POST /kill/reset`: the kill
 *   switch, with `Authorization: Bearer <token>` matching SCALPER_CONTROL_TOKEN. Without a token
 *   configured the endpoint is read-only: both answer 403.
 *
 * Hostile input never brings it down: bodies are capped (413), malformed requests get 400 and the
 * connection is closed, headers and whole requests have time limits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { componentLogger, EngineError, type Logger } from '../core/index.js';
import { CONTROL_TOKEN_ENV, type RuntimeConfig } from './config-schema.js';
import {
  answerClientError,
  BearerToken,
  HttpError,
  type HttpRoutes,
  sendJson as json,
  pathOf,
  readBody,
  routeOf,
  sendFailure,
} from './http.js';
import { type KillFileWatcher, killFilePath, killFilePresent, sessionKillFile } from './kill-file.js';
import { SessionMetrics, type TrustView } from './metrics.js';
import type { TradingSession } from './session.js';

export interface ControlServerOptions {
  readonly session: TradingSession;
  readonly metrics: SessionMetrics;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9464; 0 asks the system for a free port (`listen` says which). */
  readonly port?: number;
  /** The kill switch's token (default the SCALPER_CONTROL_TOKEN variable); none or '': read-only. */
  readonly token?: string | null;
  /** The feed-health monitor `/health` asks about the books (none: never ready, trust unknown). */
  readonly trust?: TrustView | null;
  /** A record older than this on the session's clock means the feed is not live, ms (default 5,000). */
  readonly staleAfterMs?: number;
  /** The kill file: while it is there `POST /kill/reset` is refused (the file would pull the switch again). */
  readonly killFile?: string | null;
  /** The largest request body taken, bytes (default 4,096). */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
}

/** Whether a session is ready to trade, and if not why. */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/**
 * Ready when the feed is live (a record within `staleAfterMs` of the session's clock and the
 * session not ended) and every instrument's book is trusted.
 */
export function readiness(session: TradingSession, trust: TrustView | null, staleAfterMs: number): Readiness {
  const reasons: string[] = [];
  const st = session.status();
  const stopped = session.trader.stopped;
  if (stopped !== null) reasons.push(`session ended: ${stopped}`);
  if (st.records === 0) reasons.push('feed: no record yet');
  else if (!(st.feedLagMs <= staleAfterMs))
    reasons.push(
      `feed: last record ${Math.round(st.feedLagMs)} ms behind the clock (stale after ${staleAfterMs} ms)`,
    );
  if (trust === null) reasons.push('books: no feed-health monitor, trust unknown');
  else if (trust.instruments.length === 0) reasons.push('books: no instrument seen yet');
  else
    for (const id of trust.instruments) {
      const why = trust.whyUntrusted(id);
      if (why !== null) reasons.push(`book ${symbolOf(session, id)}: ${why}`);
    }
  return { ready: reasons.length === 0, reasons };
}

function symbolOf(session: TradingSession, id: number): string {
  return session.loop.engine.snapshot(id)?.symbol ?? String(id);
}

/** The control endpoint of one session (see the module comment). */
export class ControlServer {
  readonly #opts: ControlServerOptions;
  readonly #server: Server;
  readonly #log: Logger;
  readonly #token: BearerToken;
  readonly #routes: HttpRoutes;
  #address: AddressInfo | null = null;

  constructor(opts: ControlServerOptions) {
    this.#opts = opts;
    this.#log = componentLogger('control', opts.logger);
    const token = opts.token === undefined ? process.env[CONTROL_TOKEN_ENV] : opts.token;
    this.#token = new BearerToken(
      token,
      `the kill switch over HTTP is off: no token configured (set ${CONTROL_TOKEN_ENV} where the session starts)`,
    );
    this.#routes = {
      '/metrics': { GET: (_q, r) => this.#metrics(r) },
      '/health': { GET: async (_q, r) => this.#health(r) },
      '/status': { GET: async (_q, r) => json(r, 200, this.#opts.session.status()) },
      '/kill': { POST: (q, r) => this.#kill(q, r) },
      '/kill/reset': { POST: (q, r) => this.#reset(q, r) },
    };
    this.#server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
      void this.#handle(req, res);
    });
    this.#server.on('clientError', answerClientError);
  }

  /** Starts listening; resolves with the address bound (the port chosen when 0 was asked). */
  listen(): Promise<AddressInfo> {
    const { host = '127.0.0.1', port = 9464 } = this.#opts;
    return new Promise((resolve, reject) => {
      const failed = (err: Error) =>
        reject(
          new EngineError('CONTROL_LISTEN', `control endpoint on ${host}:${port}: ${err.message}`, {
            cause: err,
          }),
        );
      this.#server.once('error', failed);
      this.#server.listen(port, host, () => {
        this.#server.off('error', failed);
        this.#address = this.#server.address() as AddressInfo;
        this.#log.info({ host: this.#address.address, port: this.#address.port }, 'control endpoint');
        resolve(this.#address);
      });
    });
  }

  /** The base URL (after `listen`). */
  get url(): string {
    const a = this.#address;
    if (a === null)
      throw new EngineError('CONTROL_NOT_LISTENING', 'the control endpoint is not listening yet');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = pathOf(req.url);
      await routeOf(this.#routes, path, req)(req, res);
    } catch (err) {
      this.#fail(req, res, err);
    }
  }

  #fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (sendFailure(req, res, err)) this.#log.error({ err, path: req.url }, 'control request failed');
  }

  async #metrics(res: ServerResponse): Promise<void> {
    const m = this.#opts.metrics;
    const body = await m.text();
    res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
    res.end(body);
  }

  #health(res: ServerResponse): void {
    const o = this.#opts;
    const r = readiness(o.session, o.trust ?? null, o.staleAfterMs ?? 5_000);
    json(res, r.ready ? 200 : 503, r.ready ? { ready: true } : r);
  }

  async #kill(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#authorize(req);
    const reason =
      reasonOf(await readBody(req, this.#opts.maxBodyBytes ?? 4_096), req) ?? 'kill switch (HTTP)';
    const session = this.#opts.session;
    session.kill(reason);
    this.#log.warn({ reason, from: req.socket.remoteAddress }, 'kill switch pulled');
    json(res, 200, { killed: true, reason, status: session.status() });
  }

  async #reset(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#authorize(req);
    await readBody(req, this.#opts.maxBodyBytes ?? 4_096);
    const file = this.#opts.killFile ?? null;
    if (file !== null && killFilePresent(file))
      throw new HttpError(
        409,
        `the kill file ${file} is there: remove it (scalper kill --reset) to clear the switch`,
      );
    const session = this.#opts.session;
    session.resetKill('reset over HTTP');
    this.#log.warn({ from: req.socket.remoteAddress }, 'kill switch cleared');
    json(res, 200, { killed: false, status: session.status() });
  }

  /** 403 without a configured token, 401 without the right one. */
  #authorize(req: IncomingMessage): void {
    this.#token.authorize(req);
  }
}

/** The reason a kill request gives: `{"reason": …}` as JSON, else the text; null when none. */
function reasonOf(body: string, req: IncomingMessage): string | null {
  let text = body.trim();
  if (/json/i.test(req.headers['content-type'] ?? '') && text !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'the body is not valid JSON (expected {"reason": "…"})');
    }
    const r = (parsed as { reason?: unknown } | null)?.reason;
    if (r !== undefined && typeof r !== 'string') throw new HttpError(400, '"reason" must be a string');
    text = (r ?? '').trim();
  }
  // One line, printable, short: it goes into logs and the journal.
  const clean = text.replace(/\p{Cc}+/gu, ' ').slice(0, 200);
  return clean === '' ? null : clean;
}

/** What watches and guards a running session: its metrics, its endpoint (if any) and its kill file. */
export interface SessionControl {
  readonly metrics: SessionMetrics;
  /** Null when the configuration's port is 0. */
  readonly server: ControlServer | null;
  readonly killFile: KillFileWatcher;
  /** Stops the endpoint, the kill file's watch and the sampling. */
  close(): Promise<void>;
}

export interface SessionControlOptions {
  /** The feed-health monitor of the session's feed (see `ControlServerOptions.trust`). */
  readonly trust?: TrustView | null;
  /** See `ControlServerOptions.staleAfterMs` (the execution configuration's `risk.feed.staleAfterMs`). */
  readonly staleAfterMs?: number;
  /** Default the SCALPER_CONTROL_TOKEN variable. */
  readonly token?: string | null;
  readonly logger?: Logger;
}

/**
 * Starts what the `runtime:` configuration asks around `session`, before it runs: metrics, the
 * kill file's watch (a kill file already there kills the session at once) and the HTTP endpoint on
 * `runtime.http` (none for port 0).
 */
export async function startSessionControl(
  session: TradingSession,
  runtime: Pick<RuntimeConfig, 'dataDir' | 'killFile' | 'http'>,
  opts: SessionControlOptions = {},
): Promise<SessionControl> {
  const metrics = new SessionMetrics({ trust: opts.trust }).attach(session);
  const path = killFilePath(runtime);
  const killFile = sessionKillFile(session, path);
  killFile.start();
  let server: ControlServer | null = null;
  if (runtime.http.port !== 0) {
    server = new ControlServer({ ...opts, session, metrics, killFile: path, ...runtime.http });
    try {
      await server.listen();
    } catch (err) {
      killFile.stop();
      metrics.close();
      throw err;
    }
  }
  return {
    metrics,
    server,
    killFile,
    close: async () => {
      killFile.stop();
      metrics.close();
      await server?.close();
    },
  };
}
