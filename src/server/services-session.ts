/**
 * The services of `scalper run` seen as one session for the dashboard: the market's side (features,
 * books, bars, levels) from the featurize stage's loop, the decisions and the account from the
 * execute stage, the records each instrument got and their feed health from what execute applied,
 * and the clock the replay is paced by. The controls act on execute's trader, as they would on a
 * session's: pause new entries, the kill switch and its reset.
 */
import { EngineError } from '../core/index.js';
import type { Trader } from '../execution/index.js';
import type { ExecuteService, FeaturizeService } from '../runtime/index.js';
import type { DashboardSession } from './session-model.js';
import { TraderSession } from './trader-session.js';

export class ServicesSession extends TraderSession implements DashboardSession {
  #featurize: FeaturizeService | null = null;
  #execute: ExecuteService | null = null;

  /** The stages, once made (they take `watch` when they are). */
  attach(featurize: FeaturizeService, execute: ExecuteService): void {
    this.#featurize = featurize;
    this.#execute = execute;
  }

  get loop(): DashboardSession['loop'] {
    const f = this.#stage(this.#featurize).loop;
    const e = this.#stage(this.#execute);
    return {
      decisions: e.decisions,
      engine: f.engine,
      onBar: (listener) => f.onBar(listener),
      sessions: (id) => f.sessions(id),
      regime: (id) => f.regime(id),
    };
  }

  get trader(): Trader {
    return this.#stage(this.#execute).trader;
  }

  #stage<T>(stage: T | null): T {
    if (stage === null)
      throw new EngineError(
        'DASHBOARD_NOT_ATTACHED',
        'the dashboard reads the services before they are attached',
      );
    return stage;
  }
}
