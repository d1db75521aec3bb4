/**
 * A trading session's setup for tests: one analyst, long when the 10-s order-flow imbalance is
 * positive and short when it is negative, with full confidence, so that a simulated half hour
 * trades; the default pipeline and execution, a VPIN bucket small enough for the span.
 */
import type { Agent, AgentSignal } from '../src/agents/index.js';
import { executionConfig } from '../src/execution/index.js';
import { analystsTier, DEFAULT_PIPELINE_CONFIG } from '../src/pipeline/index.js';
import type { SessionSetup } from '../src/runtime/index.js';

/** Long on positive 10-s OFI, short on negative, flat before OFI is known. */
export const ofiAnalyst: Agent = {
  name: 'momentum',
  budgetMs: 1_000,
  async analyze(input) {
    const ofi = input.snapshot.ofi_10s;
    const signal: AgentSignal = {
      agent: 'momentum',
      direction: ofi > 0 ? 'long' : ofi < 0 ? 'short' : 'flat',
      confidence: Number.isFinite(ofi) ? 0.9 : 0,
      horizonSec: 60,
      evidence: {},
      flags: [],
      sizeScale: 1,
      rationale: 'order flow',
      passivePrice: null,
    };
    return signal;
  },
};

/** The session setup that trades on `ofiAnalyst`. */
export const ofiSetup: SessionSetup = {
  tier1: analystsTier([ofiAnalyst]),
  pipeline: DEFAULT_PIPELINE_CONFIG,
  execution: executionConfig(),
  loop: { engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 } },
};
