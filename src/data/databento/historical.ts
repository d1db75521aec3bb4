/**
 * A client of Databento's historical HTTP API (`https://hist.databento.com/v0`): the metadata
 * endpoints that price and size a request, symbology resolution, `timeseries.get_range` streamed
 * to a `.dbn.zst` file and resumed when the stream is cut (INTEGRATIONS.md §2, "Resuming"), and
 * the batch endpoints (batch.ts). Requests use HTTP basic authentication with the API key as the
 * user name and an empty password. A 429 is retried after its `Retry-After`, a 5xx with growing
 * pauses, each a bounded number of times; every other failure is a `DatabentoError` that names the
 * endpoint and quotes the API's own message.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { writeAll } from '../../core/index.js';
import {
  DbnEncoder,
  decodeMetadata,
  layoutFor,
  type Metadata,
  type StepResult,
  ZstdStreamDecoder,
} from '../dbn/index.js';
import { Batch, IdleAbort, readBody } from './batch.js';
import { DatabentoError } from './errors.js';
import {
  CostSchema,
  CountSchema,
  type DatasetRange,
  DatasetRangeSchema,
  ErrorBodySchema,
  NamesSchema,
  type Resolution,
  ResolutionSchema,
  rangeParams,
} from './schemas.js';

/** The API's address when none is given. */
export const DEFAULT_BASE_URL = 'https://hist.databento.com';

/** The environment variable the API key is read from. */
export const API_KEY_VARIABLE = 'DATABENTO_API_KEY';

/** How the client reaches the API. */
export interface HistoricalOptions {
  /** The API key; `DATABENTO_API_KEY` when not given. */
  readonly key?: string;
  /** The API's address, without `/v0` (a local server in tests). */
  readonly baseUrl?: string;
  /** Retries of a request answered 429 or 5xx (or not answered at all) before it fails; 3 by default. */
  readonly maxRetries?: number;
  /** The first pause before retrying a 5xx, doubled each time; 1000 ms by default. */
  readonly backoffMs?: number;
  /** The longest `Retry-After` waited for; a longer one fails at once. 60 s by default. */
  readonly maxRetryAfterMs?: number;
  /**
   * Restarts of a download whose stream was cut (a reset connection, a body ended early, a
   * silence longer than `idleTimeoutMs`) before it fails; 5 by default.
   */
  readonly maxResumes?: number;
  /** The longest silence of a body being downloaded before it counts as cut; 60 s by default. */
  readonly idleTimeoutMs?: number;
}

/** What a request selects: the selectors that `timeseries.get_range` and the metadata pricing share. */
export interface RangeQuery {
  /** `GLBX.MDP3`, … */
  readonly dataset: string;
  /** The symbols, or `ALL_SYMBOLS`. */
  readonly symbols: readonly string[] | 'ALL_SYMBOLS';
  /** `mbp-10`, `mbo`, `trades`, `definition`, … */
  readonly schema: string;
  /** ISO 8601 or nanoseconds since the epoch, inclusive. */
  readonly start: string;
  /** ISO 8601 or nanoseconds since the epoch, exclusive; the dataset's end when not given. */
  readonly end?: string;
  /** How `symbols` are given: `raw_symbol` (default), `parent`, `continuous`, `instrument_id`. */
  readonly stypeIn?: string;
  /** At most this many records. */
  readonly limit?: number;
}

/** What `symbology.resolve` is asked. */
export interface ResolveQuery {
  readonly dataset: string;
  readonly symbols: readonly string[] | 'ALL_SYMBOLS';
  readonly stypeIn: string;
  readonly stypeOut: string;
  /** ISO 8601 date, inclusive. */
  readonly startDate: string;
  /** ISO 8601 date, exclusive. */
  readonly endDate?: string;
}

/** What a finished download wrote: its path, its size, and (for get_range) its records. */
export interface Download {
  readonly path: string;
  readonly bytes: number;
  readonly records?: number;
}

/** How far a get_range download is, told after each batch of records written. */
export interface RangeProgress {
  /** Compressed bytes received, over every request of the download. */
  bytes: number;
  /** Compressed bytes written to the file. */
  written: number;
  /** Records written. */
  records: number;
  /** The index time (ts_recv, or ts_event for records without it) of the last record written. */
  ts: bigint | null;
  /** Restarts after a cut so far. */
  resumes: number;
}

/** The parameters of a request, left out when undefined. */
export type Params = Record<string, string | undefined>;

/** What a request may add: an abort signal, headers, or an absolute URL in place of the endpoint's. */
export interface SendInit {
  readonly signal?: AbortSignal;
  readonly headers?: Record<string, string>;
  readonly url?: string;
}

function defined(params: Params): [string, string][] {
  return Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
}

/** The pause a `Retry-After` header asks for (seconds or an HTTP date), in ms; undefined if unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The API's message for a failed answer, from its JSON body (or the body's start when not JSON). */
function describeFailure(text: string): { detail?: string; case?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const t = text.trim();
    return t === '' ? {} : { detail: t.length > 300 ? `${t.slice(0, 300)}…` : t };
  }
  const parsed = z.safeParse(ErrorBodySchema, body);
  if (!parsed.success) return { detail: text.slice(0, 300) };
  const d = parsed.data.detail;
  if (typeof d === 'string') return { detail: d };
  return { detail: d.message, case: d.case };
}

/** The historical API: `metadata`, `symbology` and `timeseries` as the API groups its endpoints. */
export class Historical {
  readonly #auth: string;
  readonly #base: string;
  readonly #maxRetries: number;
  readonly #backoffMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #maxResumes: number;
  readonly #idleTimeoutMs: number;

  constructor(opts: HistoricalOptions = {}) {
    const key = opts.key ?? process.env[API_KEY_VARIABLE];
    if (key === undefined || key.trim() === '') {
      throw new DatabentoError(
        'DATABENTO_NO_KEY',
        `No Databento API key: set ${API_KEY_VARIABLE} (the key from databento.com's portal, "db-…")`,
        { endpoint: '-' },
      );
    }
    this.#auth = `Basic ${Buffer.from(`${key.trim()}:`).toString('base64')}`;
    this.#base = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#maxRetries = opts.maxRetries ?? 3;
    this.#backoffMs = opts.backoffMs ?? 1000;
    this.#maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    this.#maxResumes = opts.maxResumes ?? 5;
    this.#idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  }

  /** The metadata endpoints: what a request costs and holds, what the API offers. */
  readonly metadata = {
    /** `metadata.get_cost`: the price in US dollars of the records `q` selects. */
    getCost: (q: RangeQuery): Promise<number> =>
      this.#json('metadata.get_cost', 'POST', { ...rangeParams(q), stype_out: 'instrument_id' }, CostSchema),
    /** `metadata.get_record_count`: how many records `q` selects. */
    getRecordCount: (q: RangeQuery): Promise<number> =>
      this.#json('metadata.get_record_count', 'POST', rangeParams(q), CountSchema),
    /** `metadata.get_billable_size`: the uncompressed size in bytes billed for `q`. */
    getBillableSize: (q: RangeQuery): Promise<number> =>
      this.#json(
        'metadata.get_billable_size',
        'POST',
        { ...rangeParams(q), stype_out: 'instrument_id' },
        CountSchema,
      ),
    /** `metadata.list_datasets`: the datasets the key can reach, optionally those with data in a date range. */
    listDatasets: (range: { startDate?: string; endDate?: string } = {}): Promise<string[]> =>
      this.#json(
        'metadata.list_datasets',
        'GET',
        { start_date: range.startDate, end_date: range.endDate },
        NamesSchema,
      ),
    /** `metadata.list_schemas`: the schemas of `dataset`. */
    listSchemas: (dataset: string): Promise<string[]> =>
      this.#json('metadata.list_schemas', 'GET', { dataset }, NamesSchema),
    /** `metadata.get_dataset_range`: the times `dataset` holds. */
    getDatasetRange: (dataset: string): Promise<DatasetRange> =>
      this.#json('metadata.get_dataset_range', 'GET', { dataset }, DatasetRangeSchema),
  };

  /** Symbology: what symbols stand for over a range of dates. */
  readonly symbology = {
    /** `symbology.resolve`: each symbol of `q` as `stypeOut` symbols over its intervals. */
    resolve: (q: ResolveQuery): Promise<Resolution> =>
      this.#json(
        'symbology.resolve',
        'POST',
        {
          dataset: q.dataset,
          symbols: q.symbols === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : q.symbols.join(','),
          stype_in: q.stypeIn,
          stype_out: q.stypeOut,
          start_date: q.startDate,
          end_date: q.endDate,
        },
        ResolutionSchema,
      ),
  };

  /** Time series: the records themselves. */
  readonly timeseries = {
    /**
     * `timeseries.get_range` as DBN compressed with zstd, streamed to `path` (never held in
     * memory). The body is decompressed as it comes and its records written to a fresh
     * `.dbn.zst` under `${path}.partial`, renamed to `path` once the stream is complete. A stream
     * cut short is asked again from the index time (ts_recv) of the last record written, and the
     * records at that time already written are dropped from the new stream (they must match those
     * written, checked by their SHA-256), so the file holds every record once and one metadata
     * header. After `maxResumes` such restarts the download fails and leaves no file behind.
     */
    getRangeToFile: (
      q: RangeQuery,
      path: string,
      onProgress?: (p: RangeProgress) => void,
    ): Promise<Download> => this.#download(q, path, onProgress),
  };

  /** The batch endpoints: jobs submitted, listed, and their files downloaded (batch.ts). */
  readonly batch: Batch = new Batch({
    json: (endpoint, method, params, schema) => this.#json(endpoint, method, params, schema),
    send: (endpoint, method, params, init) => this.#send(endpoint, method, params, init),
    maxResumes: () => this.#maxResumes,
    backoffMs: () => this.#backoffMs,
    idleTimeoutMs: () => this.#idleTimeoutMs,
  });

  async #download(q: RangeQuery, path: string, onProgress?: (p: RangeProgress) => void): Promise<Download> {
    const endpoint = 'timeseries.get_range';
    const tmp = `${path}.partial`;
    rmSync(tmp, { force: true });
    const w = new RangeWriter(tmp, endpoint);
    const progress: RangeProgress = { bytes: 0, written: 0, records: 0, ts: null, resumes: 0 };
    try {
      for (let resume = 0; ; resume++) {
        progress.resumes = resume;
        const params: Params = {
          ...rangeParams(q),
          stype_out: 'instrument_id',
          encoding: 'dbn',
          compression: 'zstd',
        };
        if (w.lastTs !== null) {
          params.start = String(w.lastTs);
          if (q.limit !== undefined) params.limit = String(q.limit - (w.records - w.groupCount));
        }
        const cut = await this.#receiveRange(endpoint, params, w, progress, onProgress);
        if (cut === null) break;
        if (resume >= this.#maxResumes) {
          throw new DatabentoError(
            'DATABENTO_INTERRUPTED',
            `Databento ${endpoint}: the stream was cut ${resume + 1} times (last: ${cut.message}); ` +
              `gave up after ${this.#maxResumes} resumptions, ${w.records} records received, nothing kept`,
            { endpoint, cause: cut },
          );
        }
        // The first restart at once (a reset connection is often a passing fault), later ones after growing pauses.
        if (resume > 0) await sleep(Math.min(this.#backoffMs * 2 ** (resume - 1), 30_000));
      }
      await w.finish();
    } catch (err) {
      await w.abandon();
      throw err;
    }
    rmSync(path, { force: true });
    renameSync(tmp, path);
    return { path, bytes: w.bytes, records: w.records };
  }

  /**
   * One request of a download: its records go to `w`. Resolves with null once the stream ended
   * whole, or with the error that cut it short (to resume); throws what cannot be resumed.
   */
  async #receiveRange(
    endpoint: string,
    params: Params,
    w: RangeWriter,
    progress: RangeProgress,
    onProgress?: (p: RangeProgress) => void,
  ): Promise<Error | null> {
    const idle = new IdleAbort(this.#idleTimeoutMs);
    const res = await this.#send(endpoint, 'POST', params, { signal: idle.signal });
    const requestId = res.headers.get('request-id') ?? undefined;
    const reader = new RangeReader(endpoint, w, requestId);
    w.beginResponse(requestId);
    const cut = await readBody(res, idle, (chunk) => {
      progress.bytes += chunk.length;
      reader.push(chunk);
      progress.records = w.records;
      progress.ts = w.lastTs;
      progress.written = w.bytes;
      onProgress?.(progress);
    });
    if (cut !== null) return cut;
    const short = reader.shortBy();
    if (short !== null) return new Error(`the answer ended early: ${short}`);
    w.endResponse(requestId);
    return null;
  }

  /** Sends a request and checks its JSON answer against `schema`. */
  async #json<T>(
    endpoint: string,
    method: 'GET' | 'POST',
    params: Params,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    const res = await this.#send(endpoint, method, params);
    const text = await res.text();
    const requestId = res.headers.get('request-id') ?? undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DatabentoError(
        'DATABENTO_BODY',
        `Databento ${endpoint} answered with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`,
        { endpoint, status: res.status, requestId },
      );
    }
    const parsed = z.safeParse(schema, body);
    if (!parsed.success) {
      throw new DatabentoError(
        'DATABENTO_BODY',
        `Databento ${endpoint} answered with JSON of an unexpected shape:\n${z.prettifyError(parsed.error)}`,
        { endpoint, status: res.status, requestId },
      );
    }
    return parsed.data;
  }

  /** Sends a request, retrying 429s, 5xx and failed connections; resolves with a 2xx answer. */
  async #send(
    endpoint: string,
    method: 'GET' | 'POST',
    params: Params,
    init: SendInit = {},
  ): Promise<Response> {
    const form = new URLSearchParams(defined(params));
    const url =
      init.url ?? `${this.#base}/v0/${endpoint}${method === 'GET' && form.size > 0 ? `?${form}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: this.#auth,
            accept: 'application/json, application/octet-stream',
            ...init.headers,
          },
          body: method === 'POST' ? form : undefined,
          signal: init.signal,
        });
      } catch (err) {
        if (attempt < this.#maxRetries) {
          await sleep(this.#backoffMs * 2 ** attempt);
          continue;
        }
        throw new DatabentoError(
          'DATABENTO_NETWORK',
          `Databento ${endpoint}: cannot reach ${this.#base} (${(err as Error).message}) after ${attempt + 1} attempts`,
          { endpoint, cause: err },
        );
      }
      if (res.ok) return res;
      const wait = await this.#retryWait(endpoint, res, attempt);
      await sleep(wait);
    }
  }

  /** How long to wait before retrying the failed answer `res`; throws when it is not to be retried. */
  async #retryWait(endpoint: string, res: Response, attempt: number): Promise<number> {
    const text = await res.text();
    const { detail, case: kase } = describeFailure(text);
    const requestId = res.headers.get('request-id') ?? undefined;
    const facts = { endpoint, status: res.status, detail, case: kase, requestId };
    const said = `${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}${
      kase === undefined ? '' : ` (${kase})`
    }${requestId === undefined ? '' : ` [request-id ${requestId}]`}`;
    const left = attempt < this.#maxRetries;
    if (res.status === 429) {
      const after = retryAfterMs(res.headers.get('retry-after')) ?? this.#backoffMs * 2 ** attempt;
      if (left && after <= this.#maxRetryAfterMs) return after;
      throw new DatabentoError(
        'DATABENTO_RATE_LIMIT',
        `Databento ${endpoint}: rate limited (429) ${left ? `and asked to wait ${after} ms, longer than ${this.#maxRetryAfterMs} ms` : `after ${attempt + 1} attempts`}${said}`,
        facts,
      );
    }
    if (res.status >= 500) {
      if (left) return this.#backoffMs * 2 ** attempt;
      throw new DatabentoError(
        'DATABENTO_SERVER',
        `Databento ${endpoint}: server error ${res.status} after ${attempt + 1} attempts${said}`,
        facts,
      );
    }
    if (res.status === 401 || res.status === 403) {
      throw new DatabentoError(
        'DATABENTO_AUTH',
        `Databento ${endpoint}: the API key was refused (${res.status})${said}; check ${API_KEY_VARIABLE}`,
        facts,
      );
    }
    if (res.status === 404) {
      throw new DatabentoError('DATABENTO_NOT_FOUND', `Databento ${endpoint}: not found (404)${said}`, facts);
    }
    throw new DatabentoError(
      'DATABENTO_REQUEST',
      `Databento ${endpoint}: request refused (${res.status})${said}`,
      facts,
    );
  }
}

/** Where ts_recv sits in a record of each rtype (DBN v3 layouts; -1: none, ts_event serves). */
const TS_RECV_AT = new Int16Array(256).fill(-1);
for (let rt = 0; rt < 256; rt++) {
  const f = layoutFor(rt, 3)?.fields.find((x) => x.name === 'ts_recv');
  if (f !== undefined) TS_RECV_AT[rt] = f.offset;
}

const EMPTY = new Uint8Array(0);

/** The zstd frame magic number, little-endian at a frame's start. */
const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Reads one get_range answer as it arrives: decompresses it, splits off the metadata and then
 * each complete record, and hands them to the writer with the record's index time. Bytes of a
 * record not yet complete wait for the next chunk.
 */
class RangeReader {
  readonly #endpoint: string;
  readonly #w: RangeWriter;
  readonly #requestId: string | undefined;
  /** null: the body is plain DBN; undefined: not known until 4 bytes have come. */
  #zstd: ZstdStreamDecoder | null | undefined;
  #head: Uint8Array = EMPTY;
  #frameOpen = false;
  readonly #out = new Uint8Array(1 << 16);
  #buf = new Uint8Array(1 << 16);
  #fill = 0;
  #pos = 0;
  /** Decompressed bytes read before `#buf[0]`, for error offsets. */
  #base = 0;
  #metadata: Metadata | null = null;
  #tsOut = 0;

  constructor(endpoint: string, w: RangeWriter, requestId: string | undefined) {
    this.#endpoint = endpoint;
    this.#w = w;
    this.#requestId = requestId;
  }

  /** Takes the next chunk of the body. */
  push(piece: Uint8Array): void {
    let chunk = piece;
    if (this.#zstd === undefined) {
      // Whether the body is zstd is told by its first 4 bytes, which may come in several pieces.
      chunk = this.#head.length === 0 ? piece : Buffer.concat([this.#head, piece]);
      if (chunk.length < 4) {
        this.#head = chunk.slice();
        return;
      }
      this.#head = EMPTY;
      const magic = new DataView(chunk.buffer, chunk.byteOffset, 4).getUint32(0, true);
      this.#zstd = magic === ZSTD_MAGIC ? new ZstdStreamDecoder() : null;
    }
    const z = this.#zstd;
    if (z === null) this.#append(chunk);
    else {
      let src = chunk;
      for (;;) {
        let r: StepResult;
        try {
          r = z.step(this.#out, src);
        } catch (cause) {
          throw this.#bad(`the zstd stream is corrupt (${(cause as Error).message})`, cause);
        }
        src = src.subarray(r.consumed);
        this.#frameOpen = r.pending !== 0;
        if (r.produced > 0) this.#append(this.#out.subarray(0, r.produced));
        if (src.length === 0 && r.produced < this.#out.length) break;
        if (r.produced === 0 && r.consumed === 0) throw this.#bad('the zstd stream makes no progress');
      }
    }
    this.#parse();
  }

  /** Why the answer, now ended, is not whole (null when it is). */
  shortBy(): string | null {
    if (this.#zstd === undefined)
      return this.#head.length === 0 ? 'nothing came' : 'it ends after 3 bytes or fewer';
    if (this.#frameOpen) return 'it ends inside a zstd frame';
    if (this.#metadata === null) return 'it ends inside the DBN metadata';
    const left = this.#fill - this.#pos;
    return left > 0 ? `it ends inside a record (${left} bytes of it came)` : null;
  }

  #append(bytes: Uint8Array): void {
    if (this.#fill + bytes.length > this.#buf.length) {
      const live = this.#fill - this.#pos;
      const need = live + bytes.length;
      const next = need > this.#buf.length ? new Uint8Array(Math.max(need, this.#buf.length * 2)) : this.#buf;
      if (next === this.#buf) next.copyWithin(0, this.#pos, this.#fill);
      else next.set(this.#buf.subarray(this.#pos, this.#fill), 0);
      this.#buf = next;
      this.#base += this.#pos;
      this.#fill = live;
      this.#pos = 0;
    }
    this.#buf.set(bytes, this.#fill);
    this.#fill += bytes.length;
  }

  #parse(): void {
    const b = this.#buf;
    if (this.#metadata === null) {
      if (this.#fill - this.#pos < 8) return;
      if (b[0] !== 0x44 || b[1] !== 0x42 || b[2] !== 0x4e)
        throw this.#bad('the answer is not DBN (no "DBN" at its start)');
      const length = 8 + new DataView(b.buffer, 4, 4).getUint32(0, true);
      if (this.#fill < length) return;
      const raw = b.slice(0, length);
      try {
        this.#metadata = decodeMetadata(raw, this.#endpoint);
      } catch (cause) {
        throw this.#bad(`its metadata cannot be read (${(cause as Error).message})`, cause);
      }
      this.#tsOut = this.#metadata.ts_out ? 8 : 0;
      this.#w.metadata(raw);
      this.#pos = length;
    }
    const version = this.#metadata.version;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let p = this.#pos;
    while (this.#fill - p >= 16) {
      const len = b[p] << 2;
      const rtype = b[p + 1];
      const layout = layoutFor(rtype, version);
      if (len < 16 || (layout !== undefined && layout.size + this.#tsOut !== len)) {
        throw this.#bad(
          `a record of rtype 0x${rtype.toString(16).padStart(2, '0')} claims ${len} bytes at byte ${this.#base + p} of the DBN stream`,
        );
      }
      if (this.#fill - p < len) break;
      const at = TS_RECV_AT[rtype];
      const ts = dv.getBigUint64(p + (at >= 0 ? at : 8), true);
      this.#w.record(b.subarray(p, p + len), ts, this.#requestId);
      p += len;
    }
    this.#pos = p;
  }

  #bad(what: string, cause?: unknown): DatabentoError {
    return new DatabentoError('DATABENTO_BODY', `Databento ${this.#endpoint}: ${what}`, {
      endpoint: this.#endpoint,
      requestId: this.#requestId,
      cause,
    });
  }
}

/**
 * The file a get_range download writes: the first answer's metadata, then every record once,
 * compressed afresh with zstd. Across restarts it knows the last record's index time, how many
 * records at that time were written and their SHA-256, to drop them from the resumed stream.
 */
class RangeWriter {
  readonly #path: string;
  readonly #endpoint: string;
  #fd: number | null = null;
  #enc: DbnEncoder | null = null;
  /** Compressed bytes written. */
  bytes = 0;
  /** Records written. */
  records = 0;
  /** Index time of the last record written. */
  lastTs: bigint | null = null;
  /** Records written at `lastTs`, and their hash. */
  groupCount = 0;
  #group: Hash = createHash('sha256');
  /** Whether a record came earlier in time than the one before it (the stream cannot be resumed). */
  #unordered = false;
  #drop = 0;
  #dropped: Hash = createHash('sha256');

  constructor(path: string, endpoint: string) {
    this.#path = path;
    this.#endpoint = endpoint;
  }

  /** A new answer begins: the records already written at `lastTs` are to come again first. */
  beginResponse(requestId?: string): void {
    if (this.#unordered) {
      throw this.#mismatch('the records written before the cut were not in time order', requestId);
    }
    this.#drop = this.groupCount;
    this.#dropped = createHash('sha256');
  }

  /** Writes the metadata of the first answer (a resumed answer's, for a later start, is not kept). */
  metadata(raw: Uint8Array): void {
    if (this.#enc !== null) return;
    const fd = openSync(this.#path, 'w');
    this.#fd = fd;
    this.#enc = new DbnEncoder(
      (b) => {
        writeAll(fd, b);
        this.bytes += b.length;
      },
      { zstd: true },
    );
    this.#enc.writeEncoded(raw, 0);
  }

  /** Writes a record at index time `ts`, or checks and drops it when it was written before the cut. */
  record(rec: Uint8Array, ts: bigint, requestId?: string): void {
    if (this.#drop > 0) {
      this.#skip(rec, ts, requestId);
      return;
    }
    if (ts === this.lastTs) {
      this.groupCount++;
      this.#group.update(rec);
    } else {
      if (this.lastTs !== null && ts < this.lastTs) this.#unordered = true;
      this.lastTs = ts;
      this.groupCount = 1;
      this.#group = createHash('sha256').update(rec);
    }
    (this.#enc as DbnEncoder).writeEncoded(rec);
    this.records++;
  }

  #skip(rec: Uint8Array, ts: bigint, requestId?: string): void {
    const at = this.lastTs as bigint;
    if (ts !== at) {
      throw this.#mismatch(
        `the resumed stream has a record at ${ts} where the ${this.groupCount} records at ${at} written before the cut were expected`,
        requestId,
      );
    }
    this.#dropped.update(rec);
    if (--this.#drop === 0 && this.#dropped.digest('hex') !== this.#group.copy().digest('hex')) {
      throw this.#mismatch(
        `the ${this.groupCount} records at ${at} in the resumed stream differ from those written before the cut`,
        requestId,
      );
    }
  }

  /** An answer ended whole: it must have repeated every record at `lastTs` written before. */
  endResponse(requestId?: string): void {
    if (this.#drop > 0) {
      throw this.#mismatch(
        `the resumed stream ended with ${this.#drop} of the ${this.groupCount} records at ${this.lastTs} written before the cut still to come`,
        requestId,
      );
    }
  }

  #mismatch(what: string, requestId?: string): DatabentoError {
    return new DatabentoError(
      'DATABENTO_RESUME',
      `Databento ${this.#endpoint}: cannot resume: ${what}; nothing kept${requestId === undefined ? '' : ` [request-id ${requestId}]`}`,
      { endpoint: this.#endpoint, requestId },
    );
  }

  async finish(): Promise<void> {
    await this.#enc?.end();
    this.#close();
  }

  async abandon(): Promise<void> {
    this.#close();
    rmSync(this.#path, { force: true });
  }

  #close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
