/**
 * A stand-in for Databento's historical HTTP API on 127.0.0.1 (INTEGRATIONS.md §2), shared by the
 * client's and the command's tests: basic authentication with the API key as user name, form or
 * query parameters, JSON answers, the API's JSON error bodies with a `request-id` header,
 * `timeseries.get_range` streaming zstd-compressed DBN built from a real DBN stream (our fixtures,
 * or one a test builds from their records) and honouring `start`, `end` and `limit`, and the batch
 * endpoints with files downloadable with `Range`.
 *
 * Failure knobs: `failures` answers the next requests with an error status and body; `cuts` ends
 * the next streamed bodies after a number of bytes, by destroying the socket, by ending the body
 * early, or by going silent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DbnDecoder, hasTsRecv } from '../src/data/dbn/index.js';
import { zstdCompressAll, zstdDecompressAll } from '../src/data/dbn/zstd.js';
import { fixture } from './fixtures.js';

/** The key the fake accepts unless told another. */
export const FAKE_KEY = 'db-FAKEKEY0123456789abcdefABCD';

/** One request as the fake received it. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly auth: string | undefined;
  readonly params: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

/** An error answer: its status, JSON body and extra headers. */
export interface Failure {
  readonly status: number;
  readonly body?: unknown;
  /** Sent as it is in place of `body` as JSON (a body that is not JSON). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  /** Only for requests to this path (`/v0/metadata.get_cost`); any path when left out. */
  readonly path?: string;
}

/** How a streamed body is cut short after `after` bytes. */
export interface Cut {
  readonly after: number;
  /** `destroy` the socket (default), `end` the body cleanly but early, or `stall` (send nothing more). */
  readonly how?: 'destroy' | 'end' | 'stall';
}

/** A DBN stream split into its metadata and its records, each record with its index time. */
export interface DbnSource {
  readonly metadata: Uint8Array;
  readonly records: readonly Uint8Array[];
  /** ts_recv, or ts_event for records without one, per record. */
  readonly times: readonly bigint[];
}

/** A batch job the fake holds. */
export interface FakeJob {
  id: string;
  state: 'received' | 'queued' | 'processing' | 'done' | 'expired';
  ts_received: string;
  params: Record<string, string>;
  /** Its files by name; `hash` defaults to the SHA-256 of `bytes`. */
  files: { filename: string; bytes: Uint8Array; hash?: string }[];
}

/** Splits a decompressed DBN stream into metadata and records (read with our decoder). */
export async function dbnSource(decompressed: Uint8Array): Promise<DbnSource> {
  const length = 8 + new DataView(decompressed.buffer, decompressed.byteOffset).getUint32(4, true);
  const records: Uint8Array[] = [];
  const times: bigint[] = [];
  for await (const batch of DbnDecoder.fromBytes(decompressed)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      const off = batch.offsets[i];
      records.push(batch.bytes.slice(off, off + (batch.bytes[off] << 2)));
      times.push(hasTsRecv(c.rtype) ? c.tsRecv : c.tsEvent);
    }
  }
  return { metadata: decompressed.slice(0, length), records, times };
}

/** A fixture file's DBN stream (decompressed when it is zstd). */
export function fixtureStream(name: string): Uint8Array {
  const raw = new Uint8Array(readFileSync(fixture('dbn', name)));
  return name.endsWith('.zst') ? zstdDecompressAll(raw) : raw;
}

/** The DBN stream a `.dbn.zst` holds. */
export function decompress(bytes: Uint8Array): Uint8Array {
  return zstdDecompressAll(bytes);
}

/** Nanoseconds since the epoch of an API time: an integer, or ISO 8601 with up to 9 fraction digits. */
export function parseTime(s: string): bigint {
  if (/^\d+$/.test(s)) return BigInt(s);
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)?$/.exec(s);
  const ms = Date.parse(`${m?.[1] ?? s}${m?.[3] ?? 'Z'}`);
  if (m === null || Number.isNaN(ms)) throw new Error(`not a time: ${s}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** The fake API. Start it with `FakeDatabento.start()`, close it with `close()`. */
export class FakeDatabento {
  readonly seen: Seen[] = [];
  /** Error answers given, in order, to the next requests they match. */
  readonly failures: Failure[] = [];
  /** Cuts applied, in order, to the next streamed bodies (get_range and batch downloads). */
  readonly cuts: Cut[] = [];
  /** JSON answers of the other endpoints by path (`/v0/metadata.get_cost`), or functions of the request. */
  readonly answers = new Map<string, unknown>();
  /** get_range's data by schema. */
  readonly streams = new Map<string, DbnSource>();
  /** Batch jobs by id. */
  readonly jobs = new Map<string, FakeJob>();
  /** Called before each get_range request is answered, with how many came before it. */
  onGetRange: ((s: Seen, before: number) => void) | null = null;
  #ranges = 0;
  /** Decompressed bytes per zstd frame of get_range bodies (0: one frame). */
  frameBytes = 0;
  /** Bytes per write of a streamed body. */
  chunkBytes = 97;
  /** The byte offset at which each zstd frame of the last get_range body starts. */
  lastFrames: number[] = [];
  /** The last get_range body as sent (whole, before any cut). */
  lastBody: Uint8Array = new Uint8Array(0);
  #requests = 0;
  #jobs = 0;
  readonly #server: Server;
  #base = '';

  private constructor(readonly key: string) {
    this.#server = createServer((req, res) => this.#receive(req, res));
  }

  /** Listens on a free port of 127.0.0.1. */
  static async start(key = FAKE_KEY): Promise<FakeDatabento> {
    const f = new FakeDatabento(key);
    await new Promise<void>((r) => f.#server.listen(0, '127.0.0.1', r));
    f.#base = `http://127.0.0.1:${(f.#server.address() as AddressInfo).port}`;
    return f;
  }

  /** The address to give the client (without `/v0`). */
  get baseUrl(): string {
    return this.#base;
  }

  /** Serves `stream` (a decompressed DBN stream) for get_range requests of `schema`. */
  async serve(schema: string, stream: Uint8Array): Promise<DbnSource> {
    const src = await dbnSource(stream);
    this.streams.set(schema, src);
    return src;
  }

  /** Adds a job in state `done` with these files; returns it. */
  addJob(files: FakeJob['files'], params: Record<string, string> = {}): FakeJob {
    const id = `GLBX-2024050${++this.#jobs}-ABCDEFGH${this.#jobs}`;
    const job: FakeJob = { id, state: 'done', ts_received: '2024-05-09T10:00:00.000000000Z', params, files };
    this.jobs.set(id, job);
    return job;
  }

  /** Forgets requests, failures and cuts (between tests). */
  reset(): void {
    this.seen.length = 0;
    this.failures.length = 0;
    this.cuts.length = 0;
    this.answers.clear();
    this.frameBytes = 0;
    this.chunkBytes = 97;
    this.onGetRange = null;
    this.#ranges = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params =
        req.method === 'POST'
          ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
          : url.searchParams;
      const s: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        auth: req.headers.authorization,
        params,
        headers: req.headers,
      };
      this.seen.push(s);
      const id = `req-${++this.#requests}`;
      try {
        this.#answer(s, res, id);
      } catch (err) {
        json(res, 500, { detail: `fake server: ${(err as Error).message}` }, id);
      }
    });
  }

  #answer(s: Seen, res: ServerResponse, id: string): void {
    if (s.auth !== `Basic ${Buffer.from(`${this.key}:`).toString('base64')}`) {
      const detail = {
        case: 'auth_authentication_failed',
        message: 'Authentication failed.',
        status_code: 401,
      };
      json(res, 401, { detail }, id);
      return;
    }
    const f = this.failures.findIndex((x) => x.path === undefined || x.path === s.path);
    if (f >= 0) {
      const [failure] = this.failures.splice(f, 1);
      if (failure.raw !== undefined) {
        res.writeHead(failure.status, {
          'content-type': 'application/json',
          'request-id': id,
          ...failure.headers,
        });
        res.end(failure.raw);
      } else json(res, failure.status, failure.body, id, failure.headers);
      return;
    }
    if (s.path === '/v0/timeseries.get_range') this.#getRange(s, res, id);
    else if (s.path.startsWith('/v0/batch.')) this.#batch(s, res, id);
    else if (s.path.startsWith('/v0/batch/download/')) this.#download(s, res, id);
    else this.#other(s, res, id);
  }

  #other(s: Seen, res: ServerResponse, id: string): void {
    const answer = this.answers.get(s.path);
    if (answer === undefined) json(res, 404, { detail: `Not found: ${s.path}` }, id);
    else json(res, 200, typeof answer === 'function' ? (answer as (s: Seen) => unknown)(s) : answer, id);
  }

  #getRange(s: Seen, res: ServerResponse, id: string): void {
    this.onGetRange?.(s, this.#ranges++);
    const schema = s.params.get('schema') ?? '';
    const src = this.streams.get(schema);
    if (src === undefined) {
      const detail = {
        case: 'schema_not_available',
        message: `No data for schema ${schema}.`,
        status_code: 422,
      };
      json(res, 422, { detail }, id);
      return;
    }
    const start = parseTime(s.params.get('start') ?? '0');
    const endParam = s.params.get('end');
    const end = endParam === null ? undefined : parseTime(endParam);
    const limit = Number(s.params.get('limit') ?? '0');
    const picked: Uint8Array[] = [];
    for (let i = 0; i < src.records.length; i++) {
      const t = src.times[i];
      if (t < start || (end !== undefined && t >= end)) continue;
      if (limit > 0 && picked.length >= limit) break;
      picked.push(src.records[i]);
    }
    // The metadata tells the request's own start and limit, as the API's does.
    const md = src.metadata.slice();
    const dv = new DataView(md.buffer);
    dv.setBigUint64(26, start, true);
    dv.setBigUint64(42, BigInt(limit), true);
    const plain = Buffer.concat([md, ...picked]);
    const step = this.frameBytes > 0 ? this.frameBytes : plain.length;
    const frames: Uint8Array[] = [];
    this.lastFrames = [];
    let at = 0;
    for (let o = 0; o < plain.length; o += step) {
      const frame = zstdCompressAll(plain.subarray(o, Math.min(plain.length, o + step)));
      this.lastFrames.push(at);
      at += frame.length;
      frames.push(frame);
    }
    this.lastBody = Buffer.concat(frames);
    this.#stream(res, this.lastBody, 200, { 'content-type': 'application/octet-stream', 'request-id': id });
  }

  /** Writes `body` in small pieces, applying the next cut if there is one. */
  #stream(res: ServerResponse, body: Uint8Array, status: number, headers: Record<string, string>): void {
    const cut = this.cuts.shift();
    res.writeHead(status, headers);
    const stop = cut === undefined ? body.length : Math.min(cut.after, body.length);
    let o = 0;
    const next = () => {
      if (res.destroyed) return;
      if (o >= stop) {
        if (cut === undefined || cut.how === 'end') res.end();
        else if (cut.how === 'stall') return;
        else res.socket?.destroy();
        return;
      }
      const n = Math.min(this.chunkBytes, stop - o);
      res.write(body.subarray(o, o + n));
      o += n;
      setImmediate(next);
    };
    next();
  }

  #batch(s: Seen, res: ServerResponse, id: string): void {
    if (s.path === '/v0/batch.submit_job') {
      const params = Object.fromEntries(s.params);
      const job = this.addJob([], params);
      job.state = 'received';
      json(
        res,
        200,
        { id: job.id, state: job.state, ts_received: job.ts_received, cost_usd: 1.25, ...params },
        id,
      );
      return;
    }
    if (s.path === '/v0/batch.list_jobs') {
      const states = (s.params.get('states') ?? 'received,queued,processing,done').split(',');
      const list = [...this.jobs.values()]
        .filter((j) => states.includes(j.state))
        .map((j) => ({ id: j.id, state: j.state, ts_received: j.ts_received }));
      json(res, 200, list, id);
      return;
    }
    if (s.path === '/v0/batch.list_files') {
      const job = this.jobs.get(s.params.get('job_id') ?? '');
      if (job === undefined) {
        const detail = {
          case: 'batch_job_not_found',
          message: `No batch job with id ${s.params.get('job_id')}.`,
          status_code: 404,
        };
        json(res, 404, { detail }, id);
        return;
      }
      const files = job.files.map((f) => ({
        filename: f.filename,
        size: f.bytes.length,
        hash: f.hash ?? `sha256:${createHash('sha256').update(f.bytes).digest('hex')}`,
        urls: {
          https: `${this.#base}/v0/batch/download/${job.id}/${f.filename}`,
          ftp: `ftp://ftp.example.invalid/${job.id}/${f.filename}`,
        },
      }));
      json(res, 200, files, id);
      return;
    }
    json(res, 404, { detail: `Not found: ${s.path}` }, id);
  }

  #download(s: Seen, res: ServerResponse, id: string): void {
    const [jobId, filename] = s.path.slice('/v0/batch/download/'.length).split('/');
    const file = this.jobs.get(jobId)?.files.find((f) => f.filename === filename);
    if (file === undefined) {
      json(res, 404, { detail: `Not found: ${s.path}` }, id);
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(String(s.headers.range ?? ''));
    if (range === null) {
      this.#stream(res, file.bytes, 200, { 'content-type': 'application/octet-stream', 'request-id': id });
      return;
    }
    const from = Number(range[1]);
    if (from >= file.bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${file.bytes.length}`, 'request-id': id }).end();
      return;
    }
    this.#stream(res, file.bytes.subarray(from), 206, {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${from}-${file.bytes.length - 1}/${file.bytes.length}`,
      'request-id': id,
    });
  }
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
  res.end(JSON.stringify(body));
}
