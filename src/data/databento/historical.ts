/**
 * A client of Databento's historical HTTP API (`https://hist.databento.com/v0`): the metadata
 * endpoints that price and size a request, symbology resolution, and `timeseries.get_range`
 * streamed to a `.dbn.zst` file. Requests use HTTP basic authentication with the API key as the
 * user name and an empty password. A 429 is retried after its `Retry-After`, a 5xx with growing
 * pauses, each a bounded number of times; every other failure is a `DatabentoError` that names the
 * endpoint and quotes the API's own message.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
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

/** What a finished download wrote. */
export interface Download {
  readonly path: string;
  readonly bytes: number;
}

type Params = Record<string, string | undefined>;

function rangeParams(q: RangeQuery): Params {
  return {
    dataset: q.dataset,
    symbols: q.symbols === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : q.symbols.join(','),
    schema: q.schema,
    start: q.start,
    end: q.end,
    stype_in: q.stypeIn ?? 'raw_symbol',
    limit: q.limit === undefined ? undefined : String(q.limit),
  };
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
     * memory): written to `${path}.partial` and renamed to `path` once the whole body has come. A
     * download cut off leaves only the `.partial` file, which the next download of `path` starts
     * over. `onProgress` is told the bytes written so far after each chunk.
     */
    getRangeToFile: (q: RangeQuery, path: string, onProgress?: (bytes: number) => void): Promise<Download> =>
      this.#download(q, path, onProgress),
  };

  async #download(q: RangeQuery, path: string, onProgress?: (bytes: number) => void): Promise<Download> {
    const endpoint = 'timeseries.get_range';
    const params = { ...rangeParams(q), stype_out: 'instrument_id', encoding: 'dbn', compression: 'zstd' };
    const res = await this.#send(endpoint, 'POST', params);
    if (res.body === null) {
      throw new DatabentoError('DATABENTO_BODY', `Databento ${endpoint} answered with no body`, {
        endpoint,
        status: res.status,
      });
    }
    const tmp = `${path}.partial`;
    rmSync(path, { force: true });
    let written = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        onProgress?.(written);
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        count,
        createWriteStream(tmp),
      );
    } catch (err) {
      throw new DatabentoError(
        'DATABENTO_NETWORK',
        `Databento ${endpoint}: the download stopped after ${written} bytes (${(err as Error).message}); ` +
          `the part received is in ${tmp}, and running it again starts over`,
        { endpoint, status: res.status, requestId: res.headers.get('request-id') ?? undefined, cause: err },
      );
    }
    renameSync(tmp, path);
    return { path, bytes: written };
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
  async #send(endpoint: string, method: 'GET' | 'POST', params: Params): Promise<Response> {
    const form = new URLSearchParams(defined(params));
    const url = `${this.#base}/v0/${endpoint}${method === 'GET' && form.size > 0 ? `?${form}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: this.#auth, accept: 'application/json, application/octet-stream' },
          body: method === 'POST' ? form : undefined,
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
    throw new DatabentoError(
      'DATABENTO_REQUEST',
      `Databento ${endpoint}: request refused (${res.status})${said}`,
      facts,
    );
  }
}
