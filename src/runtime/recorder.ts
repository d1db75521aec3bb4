/**
 * The recording of a session's feed: every record the session's engine was given, written as it
 * arrives into DBN files under `<sessionDir>/feed/`, one file per (dataset, schema) and trading
 * date, named as the simulator names its output (`glbx-mdp3-YYYYMMDD.mbp-10.dbn`). `scalper
 * backtest <sessionDir>/feed` reads the folder back: each file's metadata maps the instrument ids to
 * the symbols the session knew (and so to the ticks of CME FX futures), and each record is the same
 * bytes as received (copied, not re-encoded; records of DBN v1/v2 inputs are upgraded to v3).
 *
 * Warm-up records (before a resumed session's resume point) are recorded too: the session's books,
 * windows and indicators saw them, so a backtest must see them as well to take the same decisions.
 * The backtest then starts its decisions where the session did (`--from`, the `resumeNs` of
 * `recording.json`), so the warm-up records only warm it up, as they did the session. A session
 * resumed into a folder that already holds a recording records only what comes after the earlier
 * run's last record (the earlier run has the rest, warm-up included), into new parts; a tail cut
 * by a crash is first trimmed to its last whole record.
 *
 * Files are plain DBN, not zstd: a killed process leaves an unfinished zstd frame, while a plain
 * file stays readable up to its last whole record. Writes are buffered and flushed every
 * `flushMs` (1 s) and at close, so a crash loses at most that much. Metadata is written when a file
 * opens (its `end` is filled in at close); a symbol learned after that opens a new part
 * (`glbx-mdp3-YYYYMMDD-2.mbp-10.dbn`) whose metadata names it.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  EngineError,
  formatTimestamp,
  tradingDateOf,
  tradingDates,
  tradingDayBoundsNs,
  UNDEF_TIMESTAMP,
  writeAll,
} from '../core/index.js';
import {
  DbnDecoder,
  DbnError,
  encodeMetadata,
  encodeRecord,
  hasTsRecv,
  indexTsNs,
  layoutFor,
  type MetadataInit,
  type RecordBatch,
  type ReplaySink,
  RType,
  SCHEMA_RTYPE,
  type SchemaName,
  SymbolMap,
  upgradeRecord,
} from '../data/index.js';
import type { FeedSink } from './file-feed.js';
import type { Feed } from './session.js';

/** One stream of the feed: a dataset and schema (from a file's metadata or a live subscription). */
export interface RecordedStream {
  readonly dataset: string;
  readonly schema: SchemaName;
  /** The instruments whose records of the schema's record type are this stream's (default: all). */
  readonly instrumentIds?: readonly number[];
}

export interface RecorderOptions {
  /** The folder of the recording (`<sessionDir>/feed`); created when missing. */
  readonly dir: string;
  /**
   * Which stream each record belongs to, matched by record type and instrument. A record of no
   * stream goes to one named by its record type (`mbp-1` for MBP-1 records) and `dataset`.
   */
  readonly streams?: readonly RecordedStream[];
  /** Dataset of records outside every stream (default `UNKNOWN`). */
  readonly dataset?: string;
  /** How often buffered records are written out, ms (default 1,000). */
  readonly flushMs?: number;
  /** Told once when writing fails: recording stops, the session goes on. */
  readonly onError?: (e: RecordingError) => void;
}

/** What a recording holds; written to `recording.json` at close. */
export interface RecordingSummary {
  /** The files written (paths), in the order they were opened. */
  readonly files: readonly string[];
  /** Records written, of which warm-up records (before the resume point). */
  readonly records: number;
  readonly warmed: number;
  /** Records not written: already in an earlier run's files, or after a write failed. */
  readonly skipped: number;
  /** ts_recv of the first and last record written, ns (null when none was). */
  readonly firstNs: bigint | null;
  readonly lastNs: bigint | null;
  /** ts_recv of the first record the session traded on, ns: a backtest's `--from`. */
  readonly resumeNs: bigint | null;
  /** Tails of an earlier run's files trimmed to their last whole record when the recorder opened. */
  readonly repaired: readonly { readonly file: string; readonly bytes: number }[];
  /** Why recording stopped early, or null. */
  readonly error: string | null;
}

/** Writing the recording failed (the disk is full, say); the message names the file. */
export class RecordingError extends EngineError {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super('RECORDING', `${file}: recording failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.file = file;
  }
}

/** The description of a recording, beside its DBN files. */
export const RECORDING_FILE = 'recording.json';

const DBN_NAME = /\.(dbn|dbn\.zst|dbz)$/;
const BUFFER_BYTES = 1 << 20;
/** Offset of the metadata's `end` field in a DBN v3 file (prelude 8 + dataset 16 + schema 2 + start 8). */
const END_OFFSET = 34;

/** The streams of DBN files (a file feed's inputs): each file's dataset, schema and instruments. */
export async function streamsOf(files: readonly string[]): Promise<RecordedStream[]> {
  const out: RecordedStream[] = [];
  for (const file of files) {
    const dec = DbnDecoder.fromFile(file);
    try {
      const md = await dec.readMetadata();
      if (md?.schema == null) continue;
      const ids = SymbolMap.fromMetadata(md).ids();
      out.push({ dataset: md.dataset, schema: md.schema, ...(ids.length > 0 ? { instrumentIds: ids } : {}) });
    } finally {
      await dec.close();
    }
  }
  return out;
}

/** What an earlier run left in a recording folder. */
export interface EarlierRecording {
  /** Files cut inside a record (a process killed mid-write), trimmed to their last whole record. */
  readonly repaired: { readonly file: string; readonly bytes: number }[];
  /** The latest record time in the folder's files, ns (null when they hold none). */
  readonly lastNs: bigint | null;
}

/**
 * Reads every DBN file of `dir` to its end: trims one cut inside a record back to its last whole
 * record, and finds the latest record time. Other decoding errors are left for a reader to report.
 */
export async function repairRecording(dir: string): Promise<EarlierRecording> {
  const repaired: { file: string; bytes: number }[] = [];
  let last: bigint | null = null;
  if (!existsSync(dir)) return { repaired, lastNs: null };
  for (const name of readdirSync(dir).filter((n) => /\.dbn$/.test(n))) {
    const file = join(dir, name);
    const dec = DbnDecoder.fromFile(file, { readAhead: false });
    try {
      for await (const batch of dec) {
        const t = latest(batch);
        if (last === null || t > last) last = t;
      }
    } catch (e) {
      if (!(e instanceof DbnError) || e.code !== 'TRUNCATED_RECORD') continue;
      const size = statSync(file).size;
      truncateSync(file, e.offset);
      repaired.push({ file, bytes: size - e.offset });
    }
  }
  return { repaired, lastNs: last };
}

/** The latest index time (ts_recv, or ts_event without one) of a batch's records. */
function latest(batch: RecordBatch): bigint {
  let t = 0n;
  for (let i = 0; i < batch.count; i++) {
    const c = batch.at(i);
    const v = indexTsNs(c);
    if (v > t) t = v;
  }
  return t;
}

/** The file-name prefix of a dataset (`GLBX.MDP3` → `glbx-mdp3`). */
export function datasetPrefix(dataset: string): string {
  return dataset.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** The schema a record type is recorded under when no stream names it. */
function schemaOf(rtype: number): SchemaName | null {
  for (const [schema, rt] of Object.entries(SCHEMA_RTYPE)) if (rt === rtype) return schema as SchemaName;
  return null;
}

/** One open file of a stream: its descriptor, a write buffer and the trading day it covers. */
class RecordingFile {
  readonly fd: number;
  readonly #buf = new Uint8Array(BUFFER_BYTES);
  #fill = 0;
  /** Symbols were learned after its metadata was written. */
  stale = false;
  /** The trading day's bounds and the last record's time, as unsigned 32-bit halves of ns. */
  readonly #startHi: number;
  readonly #startLo: number;
  readonly #endHi: number;
  readonly #endLo: number;
  lastHi = -1;
  lastLo = 0;

  constructor(
    readonly path: string,
    readonly date: string,
    bounds: { readonly startNs: bigint; readonly endNs: bigint },
    metadata: Uint8Array,
    readonly tsOut: boolean,
  ) {
    this.#startHi = hiOf(bounds.startNs);
    this.#startLo = loOf(bounds.startNs);
    this.#endHi = hiOf(bounds.endNs);
    this.#endLo = loOf(bounds.endNs);
    this.fd = openSync(path, 'wx');
    this.#write(metadata);
  }

  /** Whether a record at (hi, lo) belongs to this file's trading day. */
  holds(hi: number, lo: number): boolean {
    const afterStart = hi > this.#startHi || (hi === this.#startHi && lo >= this.#startLo);
    return afterStart && (hi < this.#endHi || (hi === this.#endHi && lo < this.#endLo));
  }

  /** Room for `n` more bytes in the buffer (written out first when full). */
  reserve(n: number): Uint8Array {
    if (this.#fill + n > this.#buf.length) this.flush();
    return this.#buf;
  }
  get fill(): number {
    return this.#fill;
  }
  advance(n: number): void {
    this.#fill += n;
  }

  append(bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n > BUFFER_BYTES) {
      this.flush();
      this.#write(bytes.subarray(from, to));
      return;
    }
    this.reserve(n).set(bytes.subarray(from, to), this.#fill);
    this.#fill += n;
  }

  flush(): void {
    if (this.#fill === 0) return;
    this.#write(this.#buf.subarray(0, this.#fill));
    this.#fill = 0;
  }

  /** Writes what is buffered, fills in the metadata's `end` (after the last record) and closes. */
  close(): void {
    this.flush();
    if (this.lastHi >= 0) {
      const end = new Uint8Array(8);
      new DataView(end.buffer).setBigUint64(0, nsOf(this.lastHi, this.lastLo) + 1n, true);
      writeSync(this.fd, end, 0, 8, END_OFFSET);
    }
    closeSync(this.fd);
  }

  #write(bytes: Uint8Array): void {
    writeAll(this.fd, bytes);
  }
}

/** A stream's state: where it is recorded and its file of the current trading day. */
interface Stream {
  readonly dataset: string;
  readonly schema: SchemaName;
  file: RecordingFile | null;
}

/** Records a session's feed (see the module comment). */
export class FeedRecorder {
  readonly dir: string;
  readonly #opts: RecorderOptions;
  readonly #streams: Stream[] = [];
  /** (rtype, instrument id) → stream, and rtype → stream for instruments no stream names. */
  readonly #byKey = new Map<number, Stream>();
  readonly #byType = new Map<number, Stream>();
  readonly #symbols = new Map<number, string>();
  readonly #files: string[] = [];
  readonly #timer: NodeJS.Timeout;
  #repaired: { file: string; bytes: number }[] = [];
  /** An earlier run's last record (halves; hi -1: none): records up to it are in its files. */
  #doneHi = -1;
  #doneLo = 0;
  #records = 0;
  #warmed = 0;
  #skipped = 0;
  /** First and last record written, and the first after the warm-up, as halves (hi -1: none). */
  #firstHi = -1;
  #firstLo = 0;
  #lastHi = -1;
  #lastLo = 0;
  #resumeNs: bigint | null = null;
  #error: RecordingError | null = null;
  #closed = false;

  /**
   * Opens a recording in `opts.dir`. When an earlier run recorded there (a resumed session), its
   * files are first trimmed of a record cut by a crash, and records up to its last one are not
   * recorded again.
   */
  static async open(opts: RecorderOptions): Promise<FeedRecorder> {
    const earlier = existsSync(opts.dir) && readdirSync(opts.dir).some((n) => DBN_NAME.test(n));
    const found = earlier ? await repairRecording(opts.dir) : { repaired: [], lastNs: null };
    const rec = new FeedRecorder(opts);
    rec.#repaired = found.repaired;
    if (found.lastNs !== null) {
      rec.#doneHi = hiOf(found.lastNs);
      rec.#doneLo = loOf(found.lastNs);
    }
    return rec;
  }

  /** Prefer `open`, which also repairs an earlier run's files; this one does not look at them. */
  constructor(opts: RecorderOptions) {
    this.dir = opts.dir;
    this.#opts = opts;
    mkdirSync(opts.dir, { recursive: true });
    for (const s of opts.streams ?? []) this.#addStream(s);
    this.#timer = setInterval(() => this.flush(), opts.flushMs ?? 1_000);
    this.#timer.unref();
  }

  /** Names instrument `id` in the metadata of the files opened from now on. */
  learnSymbol(id: number, symbol: string): void {
    if (this.#symbols.get(id) === symbol) return;
    this.#symbols.set(id, symbol);
    for (const s of this.#streams) if (s.file !== null) s.file.stale = true;
  }

  /**
   * `sink`, recording each record before it passes it on; its engine's symbols are learned as the
   * feed names them.
   */
  wrap(sink: FeedSink): FeedSink {
    const engine = sink.engine;
    const recorded: ReplaySink = {
      setSymbol: (id, symbol) => {
        this.learnSymbol(id, symbol);
        engine.setSymbol(id, symbol);
      },
      setTickSize: (id, tick) => engine.setTickSize(id, tick),
      symbolsKnown: (symbols) => {
        for (const [id, s] of symbols) this.learnSymbol(id, s);
        engine.symbolsKnown?.(symbols);
      },
      applyDefinition: (rec) => engine.applyDefinition(rec),
      apply: (c) => engine.apply(c),
      advance: (t, lo, hi) => engine.advance(t, lo, hi),
    };
    return {
      engine: recorded,
      push: (batch, index) => {
        this.record(batch, index, false);
        sink.push(batch, index);
      },
      warm: (batch, index) => {
        this.record(batch, index, true);
        sink.warm(batch, index);
      },
      pending: () => sink.pending?.() ?? null,
    };
  }

  /** Records `batch`'s record `index`; `warm` for a record before the resume point. */
  record(batch: RecordBatch, index: number, warm: boolean): void {
    const c = batch.at(index);
    const rtype = c.rtype;
    // The time as unsigned halves: a bigint per record costs more than the copy.
    const recv = hasTsRecv(rtype);
    const hi = recv ? c.tsRecvHi : c.tsEventHi;
    const lo = recv ? c.tsRecvLo : c.tsEventLo;
    const done = hi < this.#doneHi || (hi === this.#doneHi && lo <= this.#doneLo);
    if (this.#error !== null || this.#closed || done) {
      this.#skipped++;
      return;
    }
    const stream = this.#streamOf(rtype, c.instrumentId);
    if (stream === null) {
      this.#skipped++;
      return;
    }
    try {
      let file = stream.file;
      if (file === null || file.stale || file.tsOut !== batch.tsOut || !file.holds(hi, lo))
        file = this.#fileFor(stream, nsOf(hi, lo), batch.tsOut);
      this.#append(file, batch, index);
      file.lastHi = hi;
      file.lastLo = lo;
    } catch (e) {
      this.#fail(stream.file?.path ?? this.dir, e);
      return;
    }
    this.#count(hi, lo, warm);
  }

  /** Writes out what every file has buffered. */
  flush(): void {
    for (const s of this.#streams) {
      if (s.file === null) continue;
      try {
        s.file.flush();
      } catch (e) {
        this.#fail(s.file.path, e);
      }
    }
  }

  /** Flushes and closes every file, writes `recording.json`, and says what was recorded. */
  async close(): Promise<RecordingSummary> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#timer);
      for (const s of this.#streams) this.#closeFile(s);
      const path = join(this.dir, RECORDING_FILE);
      try {
        writeFileSync(path, `${summaryJson(this.summary())}\n`);
      } catch (e) {
        this.#fail(path, e);
      }
    }
    return this.summary();
  }

  /** What has been recorded so far. */
  summary(): RecordingSummary {
    return {
      files: [...this.#files],
      records: this.#records,
      warmed: this.#warmed,
      skipped: this.#skipped,
      firstNs: this.#firstHi < 0 ? null : nsOf(this.#firstHi, this.#firstLo),
      lastNs: this.#lastHi < 0 ? null : nsOf(this.#lastHi, this.#lastLo),
      resumeNs: this.#resumeNs,
      repaired: this.#repaired,
      error: this.#error?.message ?? null,
    };
  }

  #addStream(s: RecordedStream): Stream {
    const stream: Stream = { dataset: s.dataset, schema: s.schema, file: null };
    this.#streams.push(stream);
    const rtype = SCHEMA_RTYPE[s.schema];
    if (s.instrumentIds === undefined) this.#byType.set(rtype, stream);
    else for (const id of s.instrumentIds) this.#byKey.set(rtype * 2 ** 32 + id, stream);
    if (!this.#byType.has(rtype)) this.#byType.set(rtype, stream);
    return stream;
  }

  #streamOf(rtype: number, instrumentId: number): Stream | null {
    const s = this.#byKey.get(rtype * 2 ** 32 + instrumentId) ?? this.#byType.get(rtype);
    if (s !== undefined) return s;
    // Symbol mappings, errors and system messages of a live gateway are not market data.
    if (rtype === RType.SYMBOL_MAPPING || rtype === RType.ERROR || rtype === RType.SYSTEM) return null;
    const schema = schemaOf(rtype);
    if (schema === null) return null;
    return this.#addStream({ dataset: this.#opts.dataset ?? 'UNKNOWN', schema });
  }

  /** The stream's file for a record at `tNs`: a new one at a new trading date or with new symbols. */
  #fileFor(stream: Stream, tNs: bigint, tsOut: boolean): RecordingFile {
    const f = stream.file;
    const date = tradingDateAt(tNs) ?? f?.date ?? nextTradingDate(tNs);
    if (f !== null && !f.stale && f.tsOut === tsOut && date === f.date) return f;
    this.#closeFile(stream);
    const path = this.#freePath(stream, date);
    const metadata = encodeMetadata(this.#metadata(stream, date, tNs, tsOut));
    let file: RecordingFile;
    try {
      file = new RecordingFile(path, date, tradingDayBoundsNs(date), metadata, tsOut);
    } catch (e) {
      throw new RecordingError(path, e);
    }
    stream.file = file;
    this.#files.push(path);
    return file;
  }

  /** `glbx-mdp3-YYYYMMDD.mbp-10.dbn`, or `…-2.mbp-10.dbn` (and on) when taken. */
  #freePath(stream: Stream, date: string): string {
    const base = `${datasetPrefix(stream.dataset)}-${date.replaceAll('-', '')}`;
    let path = join(this.dir, `${base}.${stream.schema}.dbn`);
    for (let n = 2; existsSync(path); n++) path = join(this.dir, `${base}-${n}.${stream.schema}.dbn`);
    return path;
  }

  #metadata(stream: Stream, date: string, startNs: bigint, tsOut: boolean): MetadataInit {
    const from = yyyymmdd(date, -1);
    const to = yyyymmdd(date, 1);
    const ids = [...this.#symbols.keys()].sort((a, b) => a - b);
    return {
      dataset: stream.dataset,
      schema: stream.schema,
      start: startNs,
      end: UNDEF_TIMESTAMP,
      stype_in: 'raw_symbol',
      stype_out: 'instrument_id',
      ts_out: tsOut,
      symbols: ids.map((id) => this.#symbols.get(id) as string),
      mappings: ids.map((id) => ({
        raw_symbol: this.#symbols.get(id) as string,
        intervals: [{ start_date: from, end_date: to, symbol: String(id) }],
      })),
    };
  }

  /** Copies the record's bytes (a v1/v2 record is upgraded to its v3 layout first). */
  #append(file: RecordingFile, batch: RecordBatch, index: number): void {
    const off = batch.offsets[index];
    const bytes = batch.bytes;
    const len = bytes[off] * 4;
    if (batch.version === 3) {
      file.append(bytes, off, off + len);
      return;
    }
    const from = layoutFor(bytes[off + 1], batch.version);
    if (from === undefined) {
      file.append(bytes, off, off + len);
      return;
    }
    const { record, layout } = upgradeRecord(batch.toObject(index), from);
    const size = layout.size + (batch.tsOut ? 8 : 0);
    const buf = file.reserve(size);
    encodeRecord(record, layout, buf, file.fill, batch.tsOut);
    file.advance(size);
  }

  #count(hi: number, lo: number, warm: boolean): void {
    this.#records++;
    if (warm) this.#warmed++;
    else if (this.#resumeNs === null && this.#warmed > 0) this.#resumeNs = nsOf(hi, lo);
    if (this.#firstHi < 0) {
      this.#firstHi = hi;
      this.#firstLo = lo;
    }
    if (hi > this.#lastHi || (hi === this.#lastHi && lo > this.#lastLo)) {
      this.#lastHi = hi;
      this.#lastLo = lo;
    }
  }

  #closeFile(stream: Stream): void {
    const f = stream.file;
    if (f === null) return;
    stream.file = null;
    try {
      f.close();
    } catch (e) {
      this.#fail(f.path, e);
    }
  }

  #fail(file: string, e: unknown): void {
    if (this.#error !== null) return;
    this.#error = e instanceof RecordingError ? e : new RecordingError(file, e);
    this.#opts.onError?.(this.#error);
  }
}

const hiOf = (ns: bigint) => Number(ns >> 32n);
const loOf = (ns: bigint) => Number(ns & 0xffffffffn);
const nsOf = (hi: number, lo: number) => (BigInt(hi) << 32n) | BigInt(lo);

/** `feed`, with every record it delivers recorded by `recorder` (which the caller closes). */
export function recordedFeed(feed: Feed, recorder: FeedRecorder): Feed {
  return {
    clock: feed.clock,
    speed: feed.speed,
    run: (sink) => feed.run(recorder.wrap(sink)),
  };
}

/** The trading date of `tNs`, or null while Globex is closed. */
function tradingDateAt(tNs: bigint): string | null {
  return tradingDateOf(Number(tNs / 1_000_000n));
}

/** The first trading date from the UTC date of `tNs` on (a record while Globex is closed). */
function nextTradingDate(tNs: bigint): string {
  const utc = (formatTimestamp(tNs) ?? '1970-01-01').slice(0, 10);
  return tradingDates(utc, 1)[0];
}

/** `date` (YYYY-MM-DD) moved by `days`, as a YYYYMMDD number. */
function yyyymmdd(date: string, days: number): number {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return Number(new Date(ms).toISOString().slice(0, 10).replaceAll('-', ''));
}

function summaryJson(s: RecordingSummary): string {
  const ns = (v: bigint | null) => (v === null ? null : { ns: String(v), ts: formatTimestamp(v) });
  return JSON.stringify(
    {
      version: 1,
      files: s.files.map((f) => f.slice(f.lastIndexOf('/') + 1)),
      records: s.records,
      warmed: s.warmed,
      skipped: s.skipped,
      first: ns(s.firstNs),
      last: ns(s.lastNs),
      resume: ns(s.resumeNs),
      repaired: s.repaired,
      error: s.error,
    },
    null,
    2,
  );
}
