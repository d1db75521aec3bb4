/**
 * A replay under the dashboard's controls: DBN files paced into a paper trading session, which
 * the viewer can speed up, hold, play and move about in. Forward is a run ahead (the replay reads
 * as fast as it can up to the time sought, deciding and trading on the way, as at speed 0); back
 * is the replay started again from its first record with a new session (a fresh paper account) and
 * run ahead to the time sought. Each new session comes with a new model, which the server sends to
 * every browser as a snapshot. When the files end, the session ends and the page says so; a seek
 * back starts it again.
 */
import { componentLogger, type Logger, UNDEF_TIMESTAMP } from '../core/index.js';
import { DbnDecoder } from '../data/index.js';
import { FileFeed, type TradingSession } from '../runtime/index.js';
import type { ControlAnswer, ControlRequest, SessionView } from './protocol.js';
import { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';

/** What a model asks of its source about the session itself (protocol.ts `SessionView`). */
export type SessionViewOf = () => SessionView;

export interface ReplayOptions {
  readonly files: readonly string[];
  /** The starting pace (times real time; 0: as fast as the files are read). */
  readonly speed: number;
  /** Shown in the page's header. */
  readonly name: string;
  /** Whether the server takes controls (a token is configured). */
  readonly controls: boolean;
  /** A new session reading `feed` (each start of the replay gets its own). */
  readonly session: (feed: FileFeed) => TradingSession;
  /** The model of a session, given what the replay says of it. */
  readonly model: (session: TradingSession, view: SessionViewOf) => DashboardModel;
  /** Carries out the session's controls (pause, resume, kill, reset); throws `ControlRefused` for others. */
  readonly sessionControl: (session: TradingSession, req: ControlRequest) => Promise<ControlAnswer>;
  readonly logger?: Logger;
}

/** One start of the replay: its feed, session, model and how to stop it. */
interface Run {
  readonly feed: FileFeed;
  readonly session: TradingSession;
  readonly model: DashboardModel;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  readonly ended: string | null;
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

  private constructor(o: ReplayOptions, range: { readonly fromMs: number; readonly toMs: number } | null) {
    this.#o = o;
    this.#log = componentLogger('replay', o.logger);
    this.#range = range;
    this.#speed = o.speed;
    this.#run = this.#start(null);
  }

  /** Starts the replay of `o.files` at `o.speed`. */
  static async start(o: ReplayOptions): Promise<ReplayBackend> {
    return new ReplayBackend(o, await replayRange(o.files));
  }

  /** The session of the current start of the replay. */
  get session(): TradingSession {
    return this.#run.session;
  }

  /** Resolves when the current start of the replay has ended (its files read, or stopped). */
  get ended(): Promise<void> {
    return this.#run.done;
  }

  model(): DashboardModel {
    return this.#run.model;
  }

  async control(req: ControlRequest): Promise<ControlAnswer> {
    const run = this.#run;
    const clock = run.feed.clock;
    switch (req.action) {
      case 'speed': {
        const x = req.value as number;
        this.#speed = x;
        clock.setSpeed(x);
        return { ok: true, message: `replay at ${x}x real time` };
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
        return this.#o.sessionControl(run.session, req);
    }
  }

  /** Stops the replay and its session. */
  async close(): Promise<void> {
    this.#closed = true;
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
    const now = run.feed.clock.now();
    const at = new Date(toMs).toISOString();
    if (run.ended === null && !(toMs <= now)) {
      run.feed.clock.seek(toMs);
      return { ok: true, message: `running ahead to ${at}` };
    }
    run.stop.abort();
    await run.done;
    this.#run = this.#start(toMs);
    return { ok: true, message: `replay started again from its first record, running ahead to ${at}` };
  }

  #start(seekMs: number | null): Run {
    const stop = new AbortController();
    const feed = new FileFeed(this.#o.files, { speed: this.#speed, signal: stop.signal });
    if (seekMs !== null) feed.clock.seek(seekMs);
    if (this.#held) feed.clock.hold();
    const session = this.#o.session(feed);
    const state = { ended: null as string | null };
    const model = this.#o.model(session, () => this.#view(feed, state.ended));
    const done = session.run(stop.signal).then(
      (summary) => {
        state.ended = stop.signal.aborted
          ? 'replay stopped'
          : `replay ended: ${summary.feed.records} records`;
      },
      (err: unknown) => {
        state.ended = `replay failed: ${err instanceof Error ? err.message : String(err)}`;
        if (!this.#closed) this.#log.error({ err }, 'replay failed');
      },
    );
    return {
      feed,
      session,
      model,
      stop,
      done,
      get ended() {
        return state.ended;
      },
    };
  }

  #view(feed: FileFeed, ended: string | null): SessionView {
    const clock = feed.clock;
    const now = clock.now();
    return {
      mode: 'replay',
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
