/** Test helpers of the decision pipeline. */
import type { AgentSignal } from '../src/agents/index.js';
import type { Tier1Result } from '../src/pipeline/pipeline.js';

/** A tier 1 that answers `signals` at once, every analyst 'ok' in 0 ms. */
export function tier1Of(signals: readonly AgentSignal[]): () => Promise<Tier1Result> {
  return async () => ({
    signals,
    outcomes: signals.map((s) => ({
      agent: s.agent,
      status: 'ok' as const,
      ms: 0,
      startedAt: 0,
      finishedAt: 0,
    })),
    sumAgentMs: 0,
  });
}
