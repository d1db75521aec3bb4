/**
 * What the session's HTTP endpoints share (the control endpoint, the dashboard): errors answered
 * with their status, request paths and bodies read within limits, JSON answers, garbage from the
 * HTTP parser answered and closed, and the bearer token that guards controls, compared in constant
 * time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A failure answered with its status and message. */
export class HttpError extends Error {
  readonly code = 'HTTP_ERROR';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Handlers by path, then by method. */
export type HttpRoutes = Readonly<Record<string, Readonly<Record<string, HttpHandler>>>>;

/** The handler of `req` among `routes` (its path already read), or 404 / 405 saying why not. */
export function routeOf(routes: HttpRoutes, path: string, req: IncomingMessage): HttpHandler {
  const route = routes[path];
  if (route === undefined) throw new HttpError(404, `no such path "${path}"`);
  const handler = route[req.method ?? ''];
  if (handler === undefined)
    throw new HttpError(405, `${req.method} is not allowed on ${path}`, {
      allow: Object.keys(route).join(', '),
    });
  return handler;
}

/** The path of a request target (`/metrics?x` → `/metrics`), a trailing slash dropped. */
export function pathOf(target: string | undefined): string {
  let url: URL;
  try {
    url = new URL(target ?? '/', 'http://endpoint.invalid');
  } catch {
    throw new HttpError(400, 'malformed request target');
  }
  const p = url.pathname;
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** The request body as text, refused with 413 past `max` bytes (announced or sent). */
export function readBody(req: IncomingMessage, max: number): Promise<string> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(max));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, `the request body is larger than ${max} bytes`);
}

/** Sends `body` as JSON; bigints as decimal strings, NaN and infinities as null. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
}

/**
 * Answers a failed request: an `HttpError` with its status, headers and message, anything else as
 * 500 (returned true so that the caller logs it). A response already under way is cut.
 */
export function sendFailure(req: IncomingMessage, res: ServerResponse, err: unknown): boolean {
  const status = err instanceof HttpError ? err.status : 500;
  if (res.headersSent) {
    res.destroy();
    return status === 500;
  }
  // A body left unread (too large, refused unread) is not waited for: the connection ends after this.
  if (!req.complete) res.setHeader('connection', 'close');
  for (const [k, v] of Object.entries(err instanceof HttpError ? err.headers : {})) res.setHeader(k, v);
  sendJson(res, status, { error: err instanceof HttpError ? err.message : 'internal error' });
  return status === 500;
}

/** A request the HTTP parser refused (garbage, headers too large): 400 or 431, then the socket closes. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (socket.writable && !socket.destroyed) {
    const large = err.code === 'HPE_HEADER_OVERFLOW';
    const line = large ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${line}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  } else socket.destroy();
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The token that guards controls. Without one (null or '') every control is refused with 403 and
 * `readOnly`'s words; with one, a request without `Authorization: Bearer <token>` matching it gets
 * 401. The token's SHA-256 is compared in constant time whatever the length of what is offered.
 */
export class BearerToken {
  readonly #hash: Buffer | null;
  readonly #readOnly: string;

  constructor(token: string | null | undefined, readOnly: string) {
    this.#hash = token ? sha256(token) : null;
    this.#readOnly = readOnly;
  }

  /** Whether a token is configured (controls can be taken at all). */
  get configured(): boolean {
    return this.#hash !== null;
  }

  /** Throws the `HttpError` (403 or 401) that refuses `req`, or returns when it carries the token. */
  authorize(req: IncomingMessage): void {
    if (this.#hash === null) throw new HttpError(403, this.#readOnly);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m === null || !timingSafeEqual(sha256(m[1]), this.#hash))
      throw new HttpError(401, 'a valid "Authorization: Bearer <token>" header is required', {
        'www-authenticate': 'Bearer',
      });
  }
}
