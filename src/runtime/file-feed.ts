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

/**
 * A market clock over a paced replay: the data's time, moving `speed` times real time. A viewer
 * may change the pace (`setSpeed`), stop and start the clock (`hold`, `play`), or send it ahead to
 * a market time (`seek`): until a record reaches that time the replay runs as fast as it reads, as
 * at speed 0, and the clock is the last record's time.
 */
export class ReplayClock implements Clock {
  #speed: number;
  #dataMs = Number.NaN;
  #wallMs = 0;
  #held = false;
  #seekMs = Number.NaN;
  #wake: (() => void) | null = null;

  constructor(
    speed: number,
    readonly wall: () => number = Date.now,
  ) {
    this.#speed = checkSpeed(speed);
  }

  /** Multiple of real time (0: as fast as the records are read). */
  get speed(): number {
    return this.#speed;
  }

  /** Whether the clock is stopped (`hold`). */
  get held(): boolean {
    return this.#held;
  }

  /** The market time a `seek` runs to (NaN when none is under way). */
  get seekingMs(): number {
    return this.#seekMs;
  }

  /** Records go out without pacing: at speed 0, or while a seek runs. */
  get fast(): boolean {
    return this.#speed === 0 || !Number.isNaN(this.#seekMs);
  }

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
    return Math.floor(this.#exact());
  }

  #exact(): number {
    if (this.#held || this.fast) return this.#dataMs;
    return this.#dataMs + (this.wall() - this.#wallMs) * this.#speed;
  }

  /** Without pacing (speed 0, a seek) the clock is the last record's time: the feed moves it. */
  follow(dataMs: number): void {
    if (!Number.isNaN(this.#seekMs) && dataMs >= this.#seekMs) {
      // The seek is over: the clock runs again from the time sought.
      this.#dataMs = this.#seekMs;
      this.#wallMs = this.wall();
      this.#seekMs = Number.NaN;
      return;
    }
    if (this.fast && !(dataMs <= this.#dataMs)) this.#dataMs = dataMs;
  }

  /** A new pace from now on: `speed` times real time (0: as fast as the records are read). */
  setSpeed(speed: number): void {
    const s = checkSpeed(speed);
    if (this.anchored) this.anchor(this.#exact());
    this.#speed = s;
    this.#changed();
  }

  /** Stops the clock: no record goes out until `play`. */
  hold(): void {
    if (this.#held) return;
    if (this.anchored) this.#dataMs = this.#exact();
    this.#held = true;
    this.#changed();
  }

  /** Starts a held clock again from where it stopped. */
  play(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#wallMs = this.wall();
    this.#changed();
  }

  /**
   * Runs ahead to market time `toMs`, as fast as the records are read. Only forward: a time at or
   * before the clock's is refused with a RangeError (a replay goes back by starting again).
   */
  seek(toMs: number): void {
    if (!Number.isFinite(toMs)) throw new RangeError(`seek needs a time in ms, got ${toMs}`);
    if (this.anchored && toMs <= this.#exact())
      throw new RangeError(
        `seek goes forward only: ${new Date(toMs).toISOString()} is not after the clock's ${new Date(this.now()).toISOString()}`,
      );
    if (this.anchored) this.#dataMs = this.#exact();
    this.#seekMs = toMs;
    this.#changed();
  }

  /**
   * A record of market time `tMs` has come: the first anchors the clock, unpaced ones move it, and
   * the answer is what to wait for before letting the record out (null: nothing, as without
   * pacing, while a seek runs, or when it is due within `MIN_PAUSE_MS`).
   */
  reach(tMs: number, signal: AbortSignal | undefined): Promise<void> | null {
    if (!this.anchored) this.anchor(tMs);
    this.follow(tMs);
    if (signal?.aborted || !Number.isNaN(this.#seekMs) || (!this.#held && this.fast)) return null;
    if (!this.#held && (tMs - this.#exact()) / this.#speed < MIN_PAUSE_MS) return null;
    return this.until(tMs, signal);
  }

  /**
   * Resolves once market time `tMs` is due on this clock (at once without pacing, and while a seek
   * runs, held or not), waiting out a hold, and waking to a new pace, a hold or a seek; or at once
   * when `signal` aborts.
   */
  async until(tMs: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      // A seek runs held or not: a held clock stops again at the time sought.
      if (signal?.aborted || !Number.isNaN(this.#seekMs) || (!this.#held && this.fast)) return;
      const wait = this.#held ? Number.POSITIVE_INFINITY : (tMs - this.#exact()) / this.#speed;
      if (wait < MIN_PAUSE_MS) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          if (timer !== null) clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#wake = null;
          resolve();
        };
        const timer = Number.isFinite(wait) ? setTimeout(done, wait) : null;
        this.#wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  #changed(): void {
    this.#wake?.();
  }
}

function checkSpeed(speed: number): number {
  if (!(speed >= 0) || !Number.isFinite(speed))
    throw new RangeError(`replay speed must be a number >= 0 (0: as fast as possible), got ${speed}`);
  return speed;
}

/** A paced replay of DBN files into a `FeedSink`. */
export class FileFeed {
  readonly clock: ReplayClock;
  readonly #files: readonly string[];
  readonly #opts: FileFeedOptions;

  constructor(files: readonly string[], opts: FileFeedOptions = {}) {
    this.#files = files;
    this.#opts = opts;
    this.clock = new ReplayClock(opts.speed ?? 1, opts.wall);
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
        const due = clock.reach(tMs, signal);
        if (due !== null) await due;
        if (signal?.aborted) {
          stopped = true;
          break;
        }
        sink.push(batch, index);
        records++;
        lastNs = tNs;
        if (clock.fast) {
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
