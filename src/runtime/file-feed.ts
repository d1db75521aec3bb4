/**
 * A feed from DBN files for paper trading: simulated days or a recorded session, merged by
 * `ts_recv` (as a backtest reads them) and delivered as they would have arrived, at `speed` times
 * real time; speed 0 delivers them as fast as they are read.
 *
 * The session's clock is the feed's (`clock`): the records' own time, running `speed` times faster
 * than the wall clock from the first record delivered, so that orders, stale-data checks and the
 * status line all speak of market time. A session resumed after a restart starts the replay at
 * `resumeNs`: earlier records still go through the feature engine (the books and windows warm up)
 * but trigger nothing and reach no trader.
 */
import type { Clock } from '../core/index.js';
import { openInputs, type RecordBatch, type ReplaySink } from '../data/index.js';

/** Where a feed delivers. The decision loop's live mode (`push`, `tick`) and its engine are one. */
export interface FeedSink {
  /** Names instruments and their ticks before the first record (the feature engine). */
  readonly engine: ReplaySink;
  /** One record as it arrives. */
  push(batch: RecordBatch, index: number): void;
  /** A record before the resume point: books and windows only. */
  warm(batch: RecordBatch, index: number): void;
  /**
   * Decisions the records set off that are still running (null when none). A replay as fast as it
   * reads waits for them, as a backtest does, rather than leaving them behind the market.
   */
  pending?(): Promise<void> | null;
}

export interface FileFeedOptions {
  /** Multiple of real time (default 1); 0: as fast as the files are read. */
  readonly speed?: number;
  /** Records with an earlier `ts_recv` only warm the engine up (a resumed session). */
  readonly resumeNs?: bigint;
  /** Stops the feed between records. */
  readonly signal?: AbortSignal;
  /** The wall clock the pacing follows (default `Date.now`). */
  readonly wall?: () => number;
  /** Called after each batch of records with the ts_recv of the last one delivered (ns). */
  readonly onProgress?: (lastNs: bigint, records: number) => void;
}

/** What a feed run delivered. */
export interface FeedSummary {
  readonly records: number;
  /** Records that only warmed the engine up (before `resumeNs`). */
  readonly warmed: number;
  /** The ts_recv of the last record delivered (ns), or null when none was. */
  readonly lastNs: bigint | null;
  /** True when the signal stopped it before the end of the files. */
  readonly stopped: boolean;
}

/** Pauses shorter than this are not taken: the records go out together with the next ones. */
const MIN_PAUSE_MS = 4;

/** A market clock over a paced replay: the data's time, moving `speed` times real time. */
export class ReplayClock implements Clock {
  #dataMs = Number.NaN;
  #wallMs = 0;

  constructor(
    readonly speed: number,
    readonly wall: () => number = Date.now,
  ) {}

  /** Anchors the clock: market time `dataMs` is now. */
  anchor(dataMs: number): void {
    this.#dataMs = dataMs;
    this.#wallMs = this.wall();
  }

  /** Whether `anchor` was called (before it `now` is NaN). */
  get anchored(): boolean {
    return !Number.isNaN(this.#dataMs);
  }

  /** Whole ms, as every clock gives them. */
  now(): number {
    if (this.speed === 0) return Math.floor(this.#dataMs);
    return Math.floor(this.#dataMs + (this.wall() - this.#wallMs) * this.speed);
  }

  /** At speed 0 the clock is the last record's time: the feed moves it. */
  follow(dataMs: number): void {
    if (this.speed === 0 && !(dataMs <= this.#dataMs)) this.#dataMs = dataMs;
  }
}

/** A paced replay of DBN files into a `FeedSink`. */
export class FileFeed {
  readonly clock: ReplayClock;
  readonly #files: readonly string[];
  readonly #opts: FileFeedOptions;

  constructor(files: readonly string[], opts: FileFeedOptions = {}) {
    const speed = opts.speed ?? 1;
    if (!(speed >= 0) || !Number.isFinite(speed))
      throw new RangeError(`replay speed must be a number >= 0 (0: as fast as possible), got ${speed}`);
    this.#files = files;
    this.#opts = opts;
    this.clock = new ReplayClock(speed, opts.wall);
  }

  /** Multiple of real time (0: as fast as the files are read). */
  get speed(): number {
    return this.clock.speed;
  }

  /** Delivers the files' records to `sink` until they end or the signal stops the feed. */
  async run(sink: FeedSink): Promise<FeedSummary> {
    const { merged, decoders } = await openInputs(this.#files, sink.engine);
    const { signal, onProgress } = this.#opts;
    const resume = this.#opts.resumeNs ?? -1n;
    const clock = this.clock;
    let records = 0;
    let warmed = 0;
    let lastNs: bigint | null = null;
    let stopped = false;
    while (!merged.done) {
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      const batch = merged.batch;
      const index = merged.index;
      // The merge key: ts_recv (ts_event for records without one), as unsigned halves.
      const tNs = (BigInt(merged.keyHi) << 32n) | BigInt(merged.keyLo);
      if (tNs < resume) {
        sink.warm(batch, index);
        warmed++;
      } else {
        const tMs = Number(tNs) / 1e6;
        if (!clock.anchored) clock.anchor(tMs);
        clock.follow(tMs);
        const wait = clock.speed === 0 ? 0 : (tMs - clock.now()) / clock.speed;
        if (wait >= MIN_PAUSE_MS) {
          await pause(wait, signal);
          if (signal?.aborted) {
            stopped = true;
            break;
          }
        }
        sink.push(batch, index);
        records++;
        lastNs = tNs;
        if (clock.speed === 0) {
          const running = sink.pending?.();
          if (running != null) await running;
        }
      }
      const loading = merged.next();
      if (loading !== null) {
        await loading;
        if (lastNs !== null) onProgress?.(lastNs, records);
      }
    }
    if (!merged.done) await Promise.all(decoders.map((d) => d.close()));
    return { records, warmed, lastNs, stopped };
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
