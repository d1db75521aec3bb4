/**
 * The dashboard of a paper or live session (`scalper paper --dashboard`, `scalper live
 * --dashboard`) or of the services of `scalper run --dashboard`: its model, and its controls. Pause, resume, kill and reset go to the session; a
 * replayed feed also takes a new pace, a hold and a run ahead. Going back in time is refused: the
 * session keeps its orders, fills and state store, which a replay from the start would contradict
 * (`scalper serve` replays files with seeking both ways).
 */
import type { ReplayClock } from '../runtime/index.js';
import type { ControlAnswer, ControlRequest } from './protocol.js';
import { seekAhead } from './replay.js';
import { type DashboardSession, type SessionInfo, SessionModel } from './session-model.js';
import { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';

export interface SessionBackendOptions {
  readonly session: DashboardSession;
  /** The clock of a replayed feed (files), or null for a live feed. */
  readonly replay: ReplayClock | null;
  /** Shown in the page's header (`paper`, `live ig` …). */
  readonly name: string;
  /** Whether the server takes controls (a token is configured). */
  readonly controls: boolean;
  /** Carries out pause, resume, kill and reset (session-model.ts `sessionControls`, or one that checks more first). */
  readonly sessionControl: (req: ControlRequest) => Promise<ControlAnswer>;
  /** Why the session ended, or null while it runs. */
  readonly ended: () => string | null;
}

export class SessionBackend implements DashboardBackend {
  readonly #o: SessionBackendOptions;
  readonly #model: SessionModel;

  constructor(o: SessionBackendOptions) {
    this.#o = o;
    const info: SessionInfo = () => {
      const clock = o.replay;
      return {
        mode: clock === null ? 'live' : 'replay',
        name: o.name,
        speed: clock?.speed ?? 1,
        held: clock?.held ?? false,
        range: null,
        controls: o.controls,
        ended: o.ended(),
      };
    };
    this.#model = new SessionModel({ session: o.session, view: info });
  }

  model(): DashboardModel {
    return this.#model;
  }

  async control(req: ControlRequest): Promise<ControlAnswer> {
    const clock = this.#o.replay;
    const paced =
      req.action === 'speed' || req.action === 'hold' || req.action === 'play' || req.action === 'seek';
    if (!paced) return this.#o.sessionControl(req);
    if (clock === null)
      throw new ControlRefused(`a live feed has no ${req.action}: it runs on the wall clock`);
    switch (req.action) {
      case 'speed':
        clock.setSpeed(req.value as number);
        return { ok: true, message: `replay at ${req.value}x real time` };
      case 'hold':
        clock.hold();
        return { ok: true, message: 'replay held' };
      case 'play':
        clock.play();
        return { ok: true, message: `replay playing at ${clock.speed}x` };
      default: {
        const to = req.value as number;
        if (!seekAhead(clock, to))
          throw new ControlRefused(
            'a running session goes forward only: its orders, fills and state stay as they were (scalper serve replays files with seeking both ways)',
          );
        return { ok: true, message: `running ahead to ${new Date(to).toISOString()}` };
      }
    }
  }
}
