/**
 * The rows of `scalper features` as CSV text (CONVENTIONS.md, "Command-line output"), and
 * `FeatureCsvWriter`, which turns them into text and writes them on a thread of its own: numbers
 * into text is most of a row's cost (some 8 to 20 µs a row, about a second a day on the default
 * 1-s grid), and the replay's thread has the feature engine to run meanwhile.
 */

import { Worker } from 'node:worker_threads';
import {
  csvField,
  formatTimestamp,
  fxSession,
  tickDecimals,
  u64FromHalves,
  writeAll,
} from '../core/index.js';
import {
  FEATURE_COLUMNS,
  type FeatureColumn,
  type FeatureEngine,
  type FeatureSnapshot,
  SNAPSHOT_WORDS,
} from '../features/index.js';

/** The CSV header: `ts`, `ts_ns`, `symbol`, the numeric feature columns, then `session`. */
export const FEATURES_CSV_HEADER = ['ts', 'ts_ns', 'symbol', ...FEATURE_COLUMNS, 'session'].join(',');

/**
 * Columns in decimal price units (prices, averages and spreads of prices): printed with the
 * instrument's price decimals plus one, so a mid half a tick between two prices is exact and an
 * average does not trail binary noise (`1.1600000000000001` is written `1.160000`).
 */
const PRICE_COLUMNS: ReadonlySet<FeatureColumn> = new Set<FeatureColumn>([
  'mid',
  'microprice',
  'microprice_stoikov',
  'basis',
  'basis_dev',
  'bid_wall_px',
  'ask_wall_px',
  'bid_gap_px',
  'ask_gap_px',
  'ema_3',
  'ema_6',
  'ema_12',
  'atr_7',
  'vwap',
  'vwap_sd',
]);

/**
 * Columns that need the book's sizes. A spot pair quoted by IG (`EUR/USD`) carries prices without
 * depth, so these are left empty for it rather than computed from sizes it does not have.
 */
const SIZE_COLUMNS: ReadonlySet<FeatureColumn> = new Set<FeatureColumn>([
  'microprice',
  'microprice_stoikov',
  'qi_l1',
  'qi_l5',
  'qi_l10',
  'ofi_1s',
  'ofi_10s',
  'ofi_60s',
  'mlofi_10s',
  'cancel_add_ratio',
  'depth_bid_5',
  'depth_ask_5',
  'depth_bid_10',
  'depth_ask_10',
  'book_skew_5',
  'bid_wall_px',
  'bid_wall_sz',
  'ask_wall_px',
  'ask_wall_sz',
]);

/** A spot FX pair as IG and the DBN metadata name it (`EUR/USD`): quotes without depth. */
function isSpotPair(symbol: string): boolean {
  return /^[A-Z]{3}\/[A-Z]{3}$/.test(symbol);
}

/**
 * A snapshot as a CSV row in `FEATURES_CSV_HEADER` order: price columns rounded to the instrument's
 * precision (`tickRaw`), size-based columns empty for spot pairs, NaN (not ready) empty.
 */
export function snapshotCsvRow(s: FeatureSnapshot, tickRaw: number): string {
  return new CsvRows().row(s, tickRaw);
}

/** A snapshot's values into `out` from `at` on, laid out as `FeatureEngine.snapshotInto` writes them. */
function snapshotValues(s: FeatureSnapshot, out: Float64Array, at: number): void {
  out[at] = Number(s.ts_ns & 0xffffffffn);
  out[at + 1] = Number(s.ts_ns >> 32n);
  for (let i = 0; i < FEATURE_COLUMNS.length; i++) out[at + 2 + i] = s[FEATURE_COLUMNS[i]];
}

/**
 * Writes snapshots as CSV rows (`snapshotCsvRow`), remembering each instrument's last row: a value
 * the same as in that row is not formatted again. Turning numbers into text is most of a row's
 * cost, and on a 1-s grid about a quarter of the cells (bar indicators, VPIN, walls, the session's
 * centres) hold from one row to the next.
 */
export class CsvRows {
  readonly #last = new Map<string, { decimals: number; values: Float64Array; texts: string[] }>();
  readonly #values = new Float64Array(SNAPSHOT_WORDS);

  row(s: FeatureSnapshot, tickRaw: number): string {
    const v = this.#values;
    snapshotValues(s, v, 0);
    return this.#row(s.symbol, s.ts, s.ts_ns, s.session, v, 2, tickRaw);
  }

  /**
   * The row of `symbol` at `tsNs` from the feature values at `values[at]` on, in `FEATURE_COLUMNS`
   * order; its `ts` and `session` are worked out from `tsNs` as a snapshot's are.
   */
  rowOf(symbol: string, tsNs: bigint, values: Float64Array, at: number, tickRaw: number): string {
    const ts = formatTimestamp(tsNs) ?? '';
    return this.#row(symbol, ts, tsNs, fxSession(Number(tsNs / 1_000_000n)), values, at, tickRaw);
  }

  #row(
    symbol: string,
    ts: string,
    tsNs: bigint,
    session: string,
    values: Float64Array,
    at: number,
    tickRaw: number,
  ): string {
    const decimals = tickDecimals(tickRaw) + 1;
    const spot = isSpotPair(symbol);
    let last = this.#last.get(symbol);
    // A new tick size (a definition record) prints prices with other decimals: nothing is kept.
    if (last === undefined || last.decimals !== decimals) {
      last = { decimals, values: new Float64Array(FEATURE_COLUMNS.length).fill(Number.NaN), texts: [] };
      this.#last.set(symbol, last);
    }
    const kept = last.values;
    const texts = last.texts;
    let row = `${ts},${tsNs},${csvField(symbol)}`;
    for (let i = 0; i < FEATURE_COLUMNS.length; i++) {
      const v = values[at + i];
      const kind = COLUMN_KINDS[i];
      row += ',';
      if (Number.isNaN(v) || (spot && (kind & SIZE) !== 0)) continue;
      // Equal numbers print alike (0 and -0 too: both as 0); NaN never equals the value kept.
      if (v !== kept[i]) {
        kept[i] = v;
        texts[i] = (kind & PRICE) !== 0 ? v.toFixed(decimals) : String(v);
      }
      row += texts[i];
    }
    return `${row},${session}`;
  }
}

const PRICE = 1;
const SIZE = 2;
/** Each feature column's kind (`PRICE`, `SIZE` bits), in `FEATURE_COLUMNS` order. */
const COLUMN_KINDS = FEATURE_COLUMNS.map(
  (col) => (PRICE_COLUMNS.has(col) ? PRICE : 0) | (SIZE_COLUMNS.has(col) ? SIZE : 0),
);

/**
 * Words of a row handed to the writer's thread: the tick, the symbol's index, then what
 * `FeatureEngine.snapshotInto` writes (the time's halves and the feature values).
 */
export const ROW_WORDS = 2 + SNAPSHOT_WORDS;
/** Rows in a block handed over at once, and the blocks the writer may hold before the replay waits. */
const BLOCK_ROWS = 512;
const BLOCKS = 4;

/** A message of the writer's thread. */
export type CsvWriterReply =
  | { type: 'free'; block: number }
  | { type: 'failed'; name: string; message: string; code?: string }
  | { type: 'closed' };

/** Rows formatted on the caller's thread before the writer starts a thread of its own. */
export const THREAD_AFTER_ROWS = 8192;
/** Bytes of rows formatted on the caller's thread that are held before they are written. */
const FLUSH_BYTES = 1 << 16;

/** Options of `FeatureCsvWriter`. */
export interface FeatureCsvWriterOptions {
  /**
   * Rows formatted on the caller's thread before a thread of the writer's own takes over (default
   * `THREAD_AFTER_ROWS`): starting one costs some 70 ms of CPU time, more than a day of rows a
   * minute costs to format, and far less than a day of rows a second (about a second).
   */
  readonly threadAfterRows?: number;
}

/**
 * Rows of snapshots written, in order, to an open file (`fd`, after whatever it holds): the first
 * `threadAfterRows` formatted here (`CsvRows`) and written in 64-KiB pieces, the rest handed to a
 * thread of their own (`CsvThread`), which formats them the same way while the caller goes on. A
 * failed write is kept and thrown by the next `row` or by `close`; `fd` stays the caller's to close.
 */
export class FeatureCsvWriter {
  readonly #fd: number;
  readonly #threadAfter: number;
  readonly #csv = new CsvRows();
  readonly #values = new Float64Array(SNAPSHOT_WORDS);
  #lines: string[] = [];
  #size = 0;
  #rows = 0;
  #thread: CsvThread | null = null;
  #failed: Error | null = null;
  #closed: Promise<void> | null = null;

  constructor(fd: number, opts: FeatureCsvWriterOptions = {}) {
    this.#fd = fd;
    this.#threadAfter = opts.threadAfterRows ?? THREAD_AFTER_ROWS;
  }

  /**
   * Adds a snapshot's row (`tickRaw` sets its price decimals); a promise only when the writer's
   * thread holds every block of rows it may hold, which must settle before the next row is added.
   */
  row(s: FeatureSnapshot, tickRaw: number): Promise<void> | undefined {
    const thread = this.#next();
    if (thread !== null) return thread.row(s, tickRaw);
    return this.#add(this.#csv.row(s, tickRaw));
  }

  /**
   * Before a row: the thread that takes it, started once `threadAfterRows` rows were formatted here
   * (and written), or null while they still are.
   */
  #next(): CsvThread | null {
    if (this.#failed !== null) throw this.#failed;
    if (this.#closed !== null) throw new Error('a row came after the CSV writer was closed');
    if (this.#thread === null && this.#rows === this.#threadAfter) {
      this.#flush();
      this.#thread = new CsvThread(this.#fd);
    }
    return this.#thread;
  }

  #add(line: string): undefined {
    this.#rows++;
    this.#lines.push(line);
    this.#size += line.length + 1;
    if (this.#size > FLUSH_BYTES) this.#flush();
    return undefined;
  }

  /**
   * Adds the row of `engine`'s instrument `id` as it is now (named `symbol`, its prices to the
   * decimals of `tickRaw`), the row of its snapshot, read with no snapshot object made.
   */
  engineRow(engine: FeatureEngine, id: number, symbol: string, tickRaw: number): Promise<void> | undefined {
    const thread = this.#next();
    if (thread !== null) return thread.engineRow(engine, id, symbol, tickRaw);
    const v = this.#values;
    if (!engine.snapshotInto(id, v, 0)) return undefined;
    const tsNs = u64FromHalves(v[0], v[1]);
    return this.#add(this.#csv.rowOf(symbol, tsNs, v, 2, tickRaw));
  }

  /** Writes every row still held (waiting for the writer's thread, which then stops); once. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    if (this.#failed !== null) throw this.#failed;
    this.#flush();
    if (this.#thread !== null) await this.#thread.close();
  }

  #flush(): void {
    if (this.#lines.length === 0) return;
    const text = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    this.#size = 0;
    try {
      writeAll(this.#fd, text);
    } catch (err) {
      this.#failed = err as Error;
      throw err;
    }
  }
}

/**
 * The rows of a `FeatureCsvWriter` written by a thread of their own: each row's values are copied
 * into a block, and full blocks go to the thread, which formats them (`CsvRows`) and writes them in
 * order. A failed write is kept and thrown by the next `row` or by `close`.
 */
class CsvThread {
  readonly #worker: Worker;
  /**
   * Blocks of rows over shared memory, lent to the thread and handed back by index: moving an
   * ArrayBuffer to another thread detaches it here, and once a buffer has been detached V8 checks
   * for it at every typed-array access of the process (the book's among them: some 10 % slower).
   */
  readonly #blocks: Float64Array[] = [];
  readonly #free: number[] = [];
  #at = -1;
  #rows = 0;
  /** The symbols of the block being filled, by index (a row holds its symbol's index). */
  #symbols: string[] = [];
  #symbolAt = new Map<string, number>();
  #failed: Error | null = null;
  #waiting: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #closing: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Every row was written, or the thread is being stopped: its exit is expected. */
  #done = false;
  #closed: Promise<void> | null = null;

  constructor(fd: number) {
    this.#worker = new Worker(new URL('./feature-csv-worker.js', import.meta.url), { workerData: { fd } });
    for (let k = 0; k < BLOCKS; k++) {
      this.#blocks.push(new Float64Array(new SharedArrayBuffer(BLOCK_ROWS * ROW_WORDS * 8)));
      this.#free.push(k);
    }
    this.#at = this.#free.pop() as number;
    this.#worker.on('message', (m: CsvWriterReply) => this.#reply(m));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (!this.#done)
        this.#fail(
          new Error(`the CSV writer's thread stopped (exit code ${code}) before the rows were written`),
        );
    });
  }

  /** Adds a row; a promise, to await before the next row, when every block is with the thread. */
  row(s: FeatureSnapshot, tickRaw: number): Promise<void> | undefined {
    this.#ready();
    snapshotValues(s, this.#blocks[this.#at], this.#rows * ROW_WORDS + 2);
    return this.#added(s.symbol, tickRaw);
  }

  /** Adds the row of `engine`'s instrument `id` now, its values written straight into the block. */
  engineRow(engine: FeatureEngine, id: number, symbol: string, tickRaw: number): Promise<void> | undefined {
    this.#ready();
    if (!engine.snapshotInto(id, this.#blocks[this.#at], this.#rows * ROW_WORDS + 2)) return undefined;
    return this.#added(symbol, tickRaw);
  }

  /** The row whose values were just written: its tick and symbol, and the block sent when full. */
  #added(symbol: string, tickRaw: number): Promise<void> | undefined {
    const block = this.#blocks[this.#at];
    const at = this.#rows * ROW_WORDS;
    block[at] = tickRaw;
    block[at + 1] = this.#symbol(symbol);
    return ++this.#rows === BLOCK_ROWS ? this.#send() : undefined;
  }

  /** Writes the rows still held, waits for the thread to have written every row, and stops it. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  /** A row may be added: not closed, no failure, and a block to write it in. */
  #ready(): void {
    this.#check();
    if (this.#closed !== null) throw new Error('a row came after the CSV writer was closed');
    if (this.#waiting !== null) {
      throw new Error(
        "a row came before the last row's promise settled (the writer's thread held every block)",
      );
    }
  }

  async #close(): Promise<void> {
    try {
      this.#check();
      if (this.#rows > 0) await this.#send();
      this.#check();
      await new Promise<void>((resolve, reject) => {
        this.#closing = { resolve, reject };
        this.#worker.postMessage({ type: 'close' });
      });
      this.#check();
    } finally {
      this.#closing = null;
      this.#done = true;
      await this.#worker.terminate();
    }
  }

  #symbol(symbol: string): number {
    let k = this.#symbolAt.get(symbol);
    if (k === undefined) {
      k = this.#symbols.length;
      this.#symbols.push(symbol);
      this.#symbolAt.set(symbol, k);
    }
    return k;
  }

  /** Hands the block to the thread; a promise when no other block is free. */
  #send(): Promise<void> | undefined {
    const rows = {
      type: 'rows',
      block: this.#blocks[this.#at],
      index: this.#at,
      rows: this.#rows,
      symbols: this.#symbols,
    };
    this.#worker.postMessage(rows);
    this.#rows = 0;
    this.#symbols = [];
    this.#symbolAt = new Map();
    const next = this.#free.pop();
    if (next !== undefined) {
      this.#at = next;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  #reply(m: CsvWriterReply): void {
    if (m.type === 'free') {
      const waiting = this.#waiting;
      if (waiting === null) this.#free.push(m.block);
      else {
        this.#at = m.block;
        this.#waiting = null;
        waiting.resolve();
      }
    } else if (m.type === 'failed') {
      this.#fail(Object.assign(new Error(m.message), { name: m.name, code: m.code }));
    } else {
      this.#done = true;
      this.#closing?.resolve();
    }
  }

  #fail(err: Error): void {
    this.#failed ??= err;
    this.#waiting?.reject(this.#failed);
    this.#waiting = null;
    this.#closing?.reject(this.#failed);
  }

  #check(): void {
    if (this.#failed !== null) throw this.#failed;
  }
}
