/**
 * The batch endpoints of Databento's historical API: a job submitted (`batch.submit_job`), the
 * jobs listed with their state (`batch.list_jobs`), a job's files (`batch.list_files`), and each
 * file downloaded over HTTPS. A download resumes where it stopped with `Range: bytes=<held>-`
 * (within a run after a cut, and across runs from the `.partial` file left behind) and is checked
 * against the SHA-256 the API lists before it takes its final name.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { writeAll } from '../../core/index.js';
import { DatabentoError } from './errors.js';
import type { Download, Params, RangeQuery, SendInit } from './historical.js';
import { rangeParams } from './schemas.js';

/** What the batch endpoints need of the client: its requests and its limits. */
export interface BatchTransport {
  json<T>(endpoint: string, method: 'GET' | 'POST', params: Params, schema: z.ZodMiniType<T>): Promise<T>;
  send(endpoint: string, method: 'GET' | 'POST', params: Params, init?: SendInit): Promise<Response>;
  maxResumes(): number;
  backoffMs(): number;
  idleTimeoutMs(): number;
}

/** The states of a batch job, in the order a job goes through them. */
export const JOB_STATES = ['received', 'queued', 'processing', 'done', 'expired'] as const;

/** A batch job: `id`, `state` and `ts_received` always; the rest when the API sends it. */
export const BatchJobSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  ts_received: z.optional(z.nullable(z.string())),
  cost_usd: z.optional(z.nullable(z.number())),
  dataset: z.optional(z.nullable(z.string())),
  schema: z.optional(z.nullable(z.string())),
  start: z.optional(z.nullable(z.string())),
  end: z.optional(z.nullable(z.string())),
  ts_expiration: z.optional(z.nullable(z.string())),
});
export type BatchJob = z.infer<typeof BatchJobSchema>;

/** One file of a job: its name, size in bytes, `sha256:<hex>` hash and where to fetch it. */
export const BatchFileSchema = z.looseObject({
  filename: z.string().check(z.minLength(1)),
  size: z.int().check(z.nonnegative()),
  hash: z.string(),
  urls: z.looseObject({ https: z.optional(z.string()), ftp: z.optional(z.string()) }),
});
export type BatchFile = z.infer<typeof BatchFileSchema>;

/** What a job asks for: a range query and how its files are split. */
export interface BatchQuery extends RangeQuery {
  /** `day` (the API's default), `week`, `month` or `none`. */
  readonly splitDuration?: string;
  /** Split files above this many bytes. */
  readonly splitSize?: number;
  /** One file per symbol. */
  readonly splitSymbols?: boolean;
}

/** How far a file download is. */
export interface FileProgress {
  readonly filename: string;
  /** Bytes held (on disk) so far. */
  readonly bytes: number;
  /** The file's size. */
  readonly total: number;
}

/** A downloaded batch file: where it is, its size, and the SHA-256 it was checked against. */
export interface BatchDownload extends Download {
  readonly filename: string;
  /** The hex SHA-256 checked, or undefined when the API gave a hash of another kind. */
  readonly sha256: string | undefined;
  /** Whether the file was already there, whole and checked, and not downloaded again. */
  readonly kept: boolean;
}

/** Aborts a request whose body has been silent for `ms`; restarted at each chunk. */
export class IdleAbort {
  readonly #ctl = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  /** Whether the silence went on too long and the request was aborted. */
  fired = false;

  constructor(readonly ms: number) {}

  get signal(): AbortSignal {
    return this.#ctl.signal;
  }

  restart(): void {
    this.pause();
    this.#timer = setTimeout(() => {
      this.fired = true;
      this.#ctl.abort(new Error(`no data for ${this.ms} ms`));
    }, this.ms);
  }

  pause(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/**
 * Reads a response body chunk by chunk into `take`, restarting `idle` before each read. Only the
 * network's failures are cuts: one (or a silence that fired `idle`) is returned as the error to
 * resume after, null when the body ended; a throw from `take` (a full disk, bytes that are not
 * DBN) ends the body and fails for good.
 */
export async function readBody(
  res: Response,
  idle: IdleAbort,
  take: (chunk: Uint8Array) => void,
): Promise<Error | null> {
  const body = ((res.body ?? []) as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      idle.restart();
      try {
        next = await body.next();
      } catch (err) {
        ended = true;
        return idle.fired ? new Error(`no data for ${idle.ms} ms`) : (err as Error);
      }
      if (next.done === true) break;
      take(next.value);
    }
    ended = true;
    return null;
  } finally {
    idle.pause();
    if (!ended) await body.return?.();
  }
}

/** The SHA-256 of a file on disk, read in chunks. */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const JobListSchema = z.array(BatchJobSchema);
const FileListSchema = z.array(BatchFileSchema);

/** The batch endpoints; reached as `historical.batch`. */
export class Batch {
  readonly #t: BatchTransport;

  constructor(transport: BatchTransport) {
    this.#t = transport;
  }

  /** `batch.submit_job`: asks for `q` as DBN files compressed with zstd. Costs money: price it first. */
  submitJob(q: BatchQuery): Promise<BatchJob> {
    return this.#t.json(
      'batch.submit_job',
      'POST',
      {
        ...rangeParams(q),
        stype_out: 'instrument_id',
        encoding: 'dbn',
        compression: 'zstd',
        split_duration: q.splitDuration ?? 'day',
        split_size: q.splitSize === undefined ? undefined : String(q.splitSize),
        split_symbols: q.splitSymbols === true ? 'true' : undefined,
        delivery: 'download',
      },
      BatchJobSchema,
    );
  }

  /** `batch.list_jobs`: the account's jobs in these states (all but expired by default), submitted since `since`. */
  listJobs(filter: { states?: readonly string[]; since?: string } = {}): Promise<BatchJob[]> {
    return this.#t.json(
      'batch.list_jobs',
      'GET',
      { states: filter.states?.join(','), since: filter.since },
      JobListSchema,
    );
  }

  /** `batch.list_files`: a job's files. */
  listFiles(jobId: string): Promise<BatchFile[]> {
    return this.#t.json('batch.list_files', 'GET', { job_id: jobId }, FileListSchema);
  }

  /**
   * Downloads a job's files (or those named in `only`) to `dir/<job id>/`, one after another.
   * A file already there with the listed size and hash is kept as it is.
   */
  async download(
    jobId: string,
    dir: string,
    opts: { only?: readonly string[]; onProgress?: (p: FileProgress) => void } = {},
  ): Promise<BatchDownload[]> {
    const files = await this.listFiles(jobId);
    const wanted = opts.only === undefined ? files : files.filter((f) => opts.only?.includes(f.filename));
    const missing = (opts.only ?? []).filter((n) => !files.some((f) => f.filename === n));
    if (missing.length > 0) {
      throw new DatabentoError(
        'DATABENTO_NOT_FOUND',
        `Databento batch job ${jobId} has no file ${missing.map((m) => JSON.stringify(m)).join(', ')} (it has ${files.length}: ${files.map((f) => f.filename).join(', ')})`,
        { endpoint: 'batch.list_files', status: 404 },
      );
    }
    if (wanted.length === 0) {
      throw new DatabentoError('DATABENTO_NOT_FOUND', `Databento batch job ${jobId} has no files yet`, {
        endpoint: 'batch.list_files',
      });
    }
    const folder = join(dir, jobId);
    mkdirSync(folder, { recursive: true });
    const out: BatchDownload[] = [];
    for (const f of wanted) out.push(await this.downloadFile(f, join(folder, f.filename), opts.onProgress));
    return out;
  }

  /**
   * Downloads one listed file to `path` through `${path}.partial`, resuming with `Range` what a
   * cut (or an earlier run) left there, then checks its SHA-256. A mismatch removes the partial
   * file and fails: nothing unchecked takes the final name.
   */
  async downloadFile(
    file: BatchFile,
    path: string,
    onProgress?: (p: FileProgress) => void,
  ): Promise<BatchDownload> {
    const expected = /^sha256:([0-9a-f]{64})$/i.exec(file.hash)?.[1]?.toLowerCase();
    const done = (kept: boolean): BatchDownload => ({
      path,
      bytes: file.size,
      filename: file.filename,
      sha256: expected,
      kept,
    });
    if (existsSync(path) && statSync(path).size === file.size) {
      if (expected === undefined || (await fileSha256(path)) === expected) return done(true);
    }
    const url = file.urls.https;
    if (url === undefined) {
      throw new DatabentoError(
        'DATABENTO_BODY',
        `Databento batch file ${file.filename} has no https URL (its job was not made for download)`,
        { endpoint: 'batch.list_files' },
      );
    }
    const tmp = `${path}.partial`;
    let held = existsSync(tmp) ? statSync(tmp).size : 0;
    if (held > file.size) {
      rmSync(tmp);
      held = 0;
    }
    for (let attempt = 0; held < file.size; attempt++) {
      const cut = await this.#fetchRest(file, url, tmp, held, onProgress);
      held = existsSync(tmp) ? statSync(tmp).size : 0;
      if (cut === null) break;
      if (attempt >= this.#t.maxResumes()) {
        throw new DatabentoError(
          'DATABENTO_INTERRUPTED',
          `Databento batch download of ${file.filename}: cut ${attempt + 1} times (last: ${cut.message}); ` +
            `gave up after ${this.#t.maxResumes()} resumptions with ${held} of ${file.size} bytes in ${tmp} (running it again resumes from there)`,
          { endpoint: 'batch.download', cause: cut },
        );
      }
      // The first restart at once (a reset connection is often a passing fault), later ones after growing pauses.
      if (attempt > 0) await sleep(Math.min(this.#t.backoffMs() * 2 ** (attempt - 1), 30_000));
    }
    if (expected !== undefined) {
      const actual = await fileSha256(tmp);
      if (actual !== expected) {
        rmSync(tmp, { force: true });
        throw new DatabentoError(
          'DATABENTO_CHECKSUM',
          `Databento batch file ${file.filename}: SHA-256 ${actual} is not the listed ${expected}; the download was removed`,
          { endpoint: 'batch.download' },
        );
      }
    }
    rmSync(path, { force: true });
    renameSync(tmp, path);
    return done(false);
  }

  /**
   * One request for the bytes of `file` after the `held` already in `tmp`. Resolves with null
   * when the answer ended, or with the error that cut it short.
   */
  async #fetchRest(
    file: BatchFile,
    url: string,
    tmp: string,
    held: number,
    onProgress?: (p: FileProgress) => void,
  ): Promise<Error | null> {
    const idle = new IdleAbort(this.#t.idleTimeoutMs());
    const res = await this.#t.send(
      'batch.download',
      'GET',
      {},
      {
        url,
        headers: held > 0 ? { range: `bytes=${held}-` } : {},
        signal: idle.signal,
      },
    );
    // A server that ignores the range sends the whole file: start it over.
    const from =
      res.status === 206 ? Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]) : 0;
    if (from !== held && from !== 0) {
      await res.body?.cancel();
      throw new DatabentoError(
        'DATABENTO_BODY',
        `Databento batch download of ${file.filename}: asked for the bytes from ${held}, got a range from ${from}`,
        {
          endpoint: 'batch.download',
          status: res.status,
          requestId: res.headers.get('request-id') ?? undefined,
        },
      );
    }
    let bytes = from;
    const fd = openSync(tmp, from === 0 ? 'w' : 'a');
    let cut: Error | null;
    try {
      cut = await readBody(res, idle, (c) => {
        writeAll(fd, c);
        bytes += c.length;
        onProgress?.({ filename: file.filename, bytes, total: file.size });
      });
    } finally {
      closeSync(fd);
    }
    if (cut !== null) return cut;
    return bytes < file.size ? new Error(`the answer ended after ${bytes} of ${file.size} bytes`) : null;
  }
}
