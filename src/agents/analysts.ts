/** The seven tier-1 analysts built from one `AgentsConfig`. */
import { type AgentsConfig, DEFAULT_AGENTS_CONFIG } from './config.js';
import { MarketMakingAnalyst } from './market-making.js';
import { MicrostructureAnalyst } from './microstructure.js';
import { MomentumAnalyst } from './momentum.js';
import { RegimeAnalyst } from './regime.js';
import { SessionAnalyst } from './session.js';
import { TechnicalAnalyst } from './technical.js';
import { ToxicityAnalyst } from './toxicity.js';
import type { Agent } from './types.js';
import { WorkerAnalyst, type WorkerPool } from './worker.js';

/** Options of `createAnalysts`. */
export interface CreateAnalystsOptions {
  /**
   * When given, the momentum analyst (whose block bootstrap over the recent bars is the CPU-heavy
   * step) runs on this pool's threads; otherwise inline. Both give the same signal.
   */
  readonly pool?: WorkerPool;
}

/** The seven analysts in `AGENT_NAMES` order. */
export function createAnalysts(
  config: AgentsConfig = DEFAULT_AGENTS_CONFIG,
  opts: CreateAnalystsOptions = {},
): Agent[] {
  const momentum: Agent =
    opts.pool === undefined
      ? new MomentumAnalyst(config.momentum)
      : new WorkerAnalyst({
          name: 'momentum',
          budgetMs: config.momentum.budgetMs,
          module: new URL('./momentum.js', import.meta.url),
          fn: 'analyzeMomentum',
          params: config.momentum,
          pool: opts.pool,
        });
  return [
    momentum,
    new TechnicalAnalyst(config.technical),
    new MicrostructureAnalyst(config.microstructure),
    new ToxicityAnalyst(config.toxicity),
    new RegimeAnalyst(config.regime),
    new MarketMakingAnalyst(config.marketMaking),
    new SessionAnalyst(config.session),
  ];
}
