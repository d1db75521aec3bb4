/**
 * A replay under the dashboard's controls: DBN files paced into a paper trading session, or a
 * finished backtest run again at a pace (paced-backtest.ts), which the viewer can speed up, hold,
 * play and move about in. Forward is a run ahead (the replay reads as fast as it can up to the time
 * sought, deciding and trading on the way, as at speed 0); back is the replay started again from
 * its first record with a new session (a fresh paper account) and run ahead to the time sought.
 * Each new start comes with a new model, which the server sends to every browser as a snapshot.
 * When the files end, the run ends and the page says why; a seek back starts it again.
 */
import { componentLogger, type Logger, UNDEF_TIMESTAMP } from '../core/index.js';
import { DbnDecoder } from '../data/index.js';
import { FileFeed, type ReplayClock, type TradingSession } from '../runtime/index.js';
import type { ControlAnswer, ControlRequest, SessionView } from './protocol.js';
import { type DashboardSession, SessionModel, sessionControls } from './session-model.js';
import { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';

/** What a model asks of its source about the session itself (protocol.ts `SessionView`). */
export type SessionViewOf = () => SessionView;

/** One start of a replay, as its opener made it. */
export interface ReplayStart {
  /** The clock the run is paced by (the viewer's pace, hold and seek act on it). */
  readonly clock: ReplayClock;
  readonly session: DashboardSession;
  /** Resolves with the words that say how the run ended (read to its end, stopped …). */
  readonly done: Promise<string>;
}

export interface ReplayOptions {
  /** `replay` (files traded on paper) or `backtest` (a finished backtest run again). */
  readonly mode: 'replay' | 'backtest';
  /** The span the replay covers, for seeking (`replayRange`). */
  readonly range: { readonly fromMs: number; readonly toMs: number } | null;
  /** The starting pace (times real time; 0: as fast as the files are read). */
  readonly speed: number;
  /** Shown in the page's header. */
  readonly name: string;
  /** Whether the server takes controls (a token is configured). */
  readonly controls: boolean;
  /**
   * Starts the run afresh on a clock at `speed` (held, or running ahead to `seekMs`, when asked),
   * stopped by `signal`.
   */
  readonly open: (o: {
    readonly speed: number;
    readonly held: boolean;
    readonly seekMs: number | null;
    readonly signal: AbortSignal;
  }) => ReplayStart;
  readonly logger?: Logger;
}

/** One start of the replay: its clock, session, model and how to stop it. */
interface Run {
  readonly clock: ReplayClock;
  readonly session: DashboardSession;
  readonly model: DashboardModel;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  readonly ended: string | null;
}

/**
 * DBN files replayed into a paper trading session made by `session` (`ReplayOptions.open` of a
 * replay of files): the feed's clock, the session, and how it ended.
 */
export function fileReplay(
  files: readonly string[],
  session: (feed: FileFeed) => TradingSession,
): ReplayOptions['open'] {
  return ({ speed, held, seekMs, signal }) => {
    const feed = new FileFeed(files, { speed, signal });
    if (seekMs !== null) feed.clock.seek(seekMs);
    if (held) feed.clock.hold();
    const s = session(feed);
    const done = s
      .run(signal)
      .then((summary) =>
        signal.aborted ? 'replay stopped' : `replay ended: ${summary.feed.records} records`,
      );
    return { clock: feed.clock, session: s, done };
  };
}

/**
 * Sends `clock` ahead to `toMs` when that is ahead of it (true), else leaves it (false): whether it
 * is ahead is the clock's own exact judgement, not a rounded reading of it.
 */
export function seekAhead(clock: ReplayClock, toMs: number): boolean {
  try {
    clock.seek(toMs);
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

/** The span the files cover by their metadata, ms (null when they do not say). */
export async function replayRange(
  files: readonly string[],
): Promise<{ readonly fromMs: number; readonly toMs: number } | null> {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const file of files) {
    const dec = DbnDecoder.fromFile(file);
    try {
      const md = await dec.readMetadata();
      if (md === null) continue;
      from = Math.min(from, Number(md.start / 1_000_000n));
      if (md.end !== UNDEF_TIMESTAMP) to = Math.max(to, Number(md.end / 1_000_000n));
    } finally {
      await dec.close();
    }
  }
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? { fromMs: from, toMs: to } : null;
}

export class ReplayBackend implements DashboardBackend {
  readonly #o: ReplayOptions;
  readonly #log: Logger;
  readonly #range: { readonly fromMs: number; readonly toMs: number } | null;
  #speed: number;
  #held = false;
  #run: Run;
  #closed = false;
  /** The controls under way, one after another. */
  #queue: Promise<void> = Promise.resolve();

  private constructor(o: ReplayOptions) {
    this.#o = o;
    this.#log = componentLogger('replay', o.logger);
    this.#range = o.range;
    this.#speed = o.speed;
    this.#run = this.#start(null);
  }

  /** Starts the replay at `o.speed`. */
  static start(o: ReplayOptions): ReplayBackend {
    return new ReplayBackend(o);
  }

  /** The session of the current start of the replay. */
  get session(): DashboardSession {
    return this.#run.session;
  }

  /** Resolves when the current start of the replay has ended (its files read, or stopped). */
  get ended(): Promise<void> {
    return this.#run.done;
  }

  model(): DashboardModel {
    return this.#run.model;
  }

  /**
   * Carries out one control after those before it: a seek back that is starting the replay again
   * is done before the next control looks at the run.
   */
  control(req: ControlRequest): Promise<ControlAnswer> {
    const next = this.#queue.then(() => this.#control(req));
    this.#queue = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  async #control(req: ControlRequest): Promise<ControlAnswer> {
    if (this.#closed) throw new ControlRefused(`the ${this.#o.mode} is closed`);
    const run = this.#run;
    const clock = run.clock;
    switch (req.action) {
      case 'speed': {
        const x = req.value as number;
        this.#speed = x;
        clock.setSpeed(x);
        return { ok: true, message: x === 0 ? 'replay as fast as it reads' : `replay at ${x}x real time` };
      }
      case 'hold':
        this.#held = true;
        clock.hold();
        return { ok: true, message: 'replay held' };
      case 'play':
        this.#held = false;
        clock.play();
        return { ok: true, message: `replay playing at ${this.#speed}x` };
      case 'seek':
        return this.#seek(req.value as number);
      default:
        return sessionControls(run.session)(req);
    }
  }

  /** Stops the replay and its session, once the controls under way are done. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    this.#run.stop.abort();
    await this.#run.done;
  }

  async #seek(toMs: number): Promise<ControlAnswer> {
    const r = this.#range;
    if (r !== null && (toMs < r.fromMs || toMs > r.toMs))
      throw new ControlRefused(
        `${new Date(toMs).toISOString()} is outside the replay (${new Date(r.fromMs).toISOString()} to ${new Date(r.toMs).toISOString()})`,
      );
    const run = this.#run;
    const at = new Date(toMs).toISOString();
    if (run.ended === null && seekAhead(run.clock, toMs))
      return { ok: true, message: `running ahead to ${at}` };
    // Back: a new session from the first record, with the pause and the kill switch the old one had.
    const risk = run.session.trader.risk;
    const paused = risk.paused;
    const killed = risk.killed;
    run.stop.abort();
    await run.done;
    const next = this.#start(toMs);
    if (paused !== null) next.session.pause(paused);
    if (killed) next.session.kill('kill switch kept from before the seek');
    this.#run = next;
    const kept = [paused !== null ? 'trading still paused' : '', killed ? 'the kill switch still on' : '']
      .filter((x) => x !== '')
      .join(', ');
    return {
      ok: true,
      message: `replay started again from its first record, running ahead to ${at}${kept === '' ? '' : `; ${kept}`}`,
    };
  }

  #start(seekMs: number | null): Run {
    const stop = new AbortController();
    const start = this.#o.open({ speed: this.#speed, held: this.#held, seekMs, signal: stop.signal });
    const state = { ended: null as string | null };
    const model = new SessionModel({
      session: start.session,
      view: () => this.#view(start.clock, state.ended),
    });
    const done = start.done.then(
      (why) => {
        state.ended = stop.signal.aborted ? `${this.#o.mode} stopped` : why;
      },
      (err: unknown) => {
        state.ended = stop.signal.aborted
          ? `${this.#o.mode} stopped`
          : `${this.#o.mode} failed: ${err instanceof Error ? err.message : String(err)}`;
        if (!this.#closed && !stop.signal.aborted) this.#log.error({ err }, `${this.#o.mode} failed`);
      },
    );
    return {
      clock: start.clock,
      session: start.session,
      model,
      stop,
      done,
      get ended() {
        return state.ended;
      },
    };
  }

  #view(clock: ReplayClock, ended: string | null): SessionView {
    const now = clock.now();
    return {
      mode: this.#o.mode,
      name: this.#o.name,
      nowMs: Number.isFinite(now) ? now : null,
      speed: clock.speed,
      held: clock.held,
      range: this.#range,
      controls: this.#o.controls,
      ended,
    };
  }
}
