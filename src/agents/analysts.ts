/** The seven tier-1 analysts: their specs by name, and the agents built from one `AgentsConfig`. */
import { type AnalystSpec, defineAnalyst } from './analyst.js';
import { type AgentsConfig, DEFAULT_AGENTS_CONFIG } from './config.js';
import { MARKET_MAKING_ANALYST } from './market-making.js';
import { MICROSTRUCTURE_ANALYST } from './microstructure.js';
import { MOMENTUM_ANALYST } from './momentum.js';
import { REGIME_ANALYST } from './regime.js';
import { SESSION_ANALYST } from './session.js';
import { TECHNICAL_ANALYST } from './technical.js';
import { TOXICITY_ANALYST } from './toxicity.js';
import { AGENT_NAMES, type Agent, type AgentName } from './types.js';
import { WorkerAnalyst, type WorkerPool } from './worker.js';

/** Every analyst's spec by its name (the order of `AGENT_NAMES`). */
export const ANALYSTS: Readonly<Record<AgentName, AnalystSpec>> = Object.freeze({
  momentum: MOMENTUM_ANALYST,
  technical: TECHNICAL_ANALYST,
  microstructure: MICROSTRUCTURE_ANALYST,
  toxicity: TOXICITY_ANALYST,
  regime: REGIME_ANALYST,
  market_making: MARKET_MAKING_ANALYST,
  session: SESSION_ANALYST,
});

/** Options of `createAnalysts`. */
export interface CreateAnalystsOptions {
  /**
   * When given, the analysts named in `onPool` run on this pool's threads; the others inline. Both
   * give the same signal.
   */
  readonly pool?: WorkerPool;
  /**
   * Analysts moved to the pool (default: momentum, whose block bootstrap over the recent bars is the
   * CPU-heavy step).
   */
  readonly onPool?: readonly AgentName[];
}

/** The seven analysts in `AGENT_NAMES` order, each with its section of `config`. */
export function createAnalysts(
  config: AgentsConfig = DEFAULT_AGENTS_CONFIG,
  opts: CreateAnalystsOptions = {},
): Agent[] {
  const onPool = opts.onPool ?? ['momentum'];
  return AGENT_NAMES.map((name): Agent => {
    const spec = ANALYSTS[name];
    const params = config[spec.configKey];
    if (opts.pool === undefined || !onPool.includes(spec.name)) return defineAnalyst(spec, params);
    return new WorkerAnalyst({
      name: spec.name,
      budgetMs: params.budgetMs,
      module: spec.module,
      fn: spec.exportName,
      params,
      pool: opts.pool,
    });
  });
}
