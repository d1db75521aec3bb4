/**
 * Configuration of the decision pipeline (tiers 2–5), validated with zod: every value has a
 * documented default, and a bad value is a `ConfigError` naming the field and the source.
 */

import { z } from 'zod';
import { AGENT_NAMES, type AgentName } from '../agents/index.js';
import { ConfigError, parseConfig } from '../core/index.js';

const weights = z.strictObject(
  Object.fromEntries(AGENT_NAMES.map((a) => [a, z.number().min(0)])) as Record<AgentName, z.ZodNumber>,
);

export const PipelineConfigSchema = z.strictObject({
  /**
   * Vote weight of each analyst per regime (tier 2). Defaults: momentum and technical count more
   * in a medium (trending) regime, microstructure and market making more in a low (ranging) one,
   * toxicity and regime more in a high one; session is a filter more than a view.
   */
  weights: z.strictObject({ low: weights, medium: weights, high: weights, unknown: weights }),
  consensus: z.strictObject({
    /** |score| below this is no direction (flat). */
    minScore: z.number().min(0).max(1),
  }),
  debate: z.strictObject({
    /** Agreement at or above which the debate is skipped (issue 7: 0.9). */
    skipAgreement: z.number().min(0).max(1),
    /** The debate stops once the judge's agreement reaches this (issue 7: 75 %). */
    stopAgreement: z.number().min(0).max(1),
    /** Convergence is checked every this many rounds (issue 7: 2). */
    checkEvery: z.number().int().positive(),
    /** Most rounds. */
    maxRounds: z.number().int().positive(),
  }),
  routing: z.strictObject({
    /** Fast path: agreement at least this and intended size at most `smallSize`. */
    fastAgreement: z.number().min(0).max(1),
    /** Contracts (or lots) counted as a small order. */
    smallSize: z.number().positive(),
    /** Full path: intended size at least this. */
    largeSize: z.number().positive(),
  }),
  sizing: z.strictObject({
    /** Size at confidence 1 and size scale 1, contracts. */
    baseSize: z.number().positive(),
    /** Below this final confidence nothing is traded. */
    minConfidence: z.number().min(0).max(1),
  }),
  limits: z.strictObject({
    /** Largest absolute position per instrument, contracts. */
    maxPosition: z.number().positive(),
    /** Largest gross exposure over all instruments, contracts. */
    maxExposure: z.number().positive(),
    /** The day's realized + open P&L below −this (account currency) stops new trades. */
    dailyLossLimit: z.number().positive(),
    /** Widest spread traded, ticks. */
    maxSpreadTicks: z.number().positive(),
    /** Market data older than this at decision time is stale, ms. */
    staleMs: z.number().positive(),
    /** VPIN CDF at or above this vetoes new risk. */
    toxicityVeto: z.number().min(0).max(1),
  }),
  budgets: z.strictObject({
    /** Whole decision, ms (issue 7: 10 s). */
    totalMs: z.number().positive(),
    tier1Ms: z.number().positive(),
    tier3Ms: z.number().positive(),
    tier4Ms: z.number().positive(),
    tier5Ms: z.number().positive(),
  }),
});

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

const w = (v: Partial<Record<AgentName, number>>): Record<AgentName, number> => ({
  momentum: 1,
  technical: 1,
  microstructure: 1,
  toxicity: 1,
  regime: 1,
  market_making: 0.5,
  session: 0.5,
  ...v,
});

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = Object.freeze({
  weights: {
    low: w({ microstructure: 1.5, market_making: 1, momentum: 0.75 }),
    medium: w({ momentum: 1.5, technical: 1.25 }),
    high: w({ toxicity: 1.5, regime: 1.5, momentum: 0.75, market_making: 0.25 }),
    unknown: w({}),
  },
  consensus: { minScore: 0.1 },
  debate: { skipAgreement: 0.9, stopAgreement: 0.75, checkEvery: 2, maxRounds: 6 },
  routing: { fastAgreement: 0.9, smallSize: 1, largeSize: 5 },
  sizing: { baseSize: 4, minConfidence: 0.2 },
  limits: {
    maxPosition: 10,
    maxExposure: 20,
    dailyLossLimit: 2_000,
    maxSpreadTicks: 2,
    staleMs: 5_000,
    toxicityVeto: 0.95,
  },
  budgets: { totalMs: 10_000, tier1Ms: 2_000, tier3Ms: 5_000, tier4Ms: 1_000, tier5Ms: 2_000 },
}) as PipelineConfig;

/** Validates a (partial) configuration over the defaults; errors name the field and `source`. */
export function parsePipelineConfig(input: unknown, source = '<config>'): PipelineConfig {
  let over = input;
  if (typeof input === 'string') over = parseConfig(z.unknown(), input, source);
  const c = parseConfig(PipelineConfigSchema, deepMerge(DEFAULT_PIPELINE_CONFIG, over), source);
  if (c.debate.stopAgreement > c.debate.skipAgreement) {
    throw new ConfigError(`${source}: debate.stopAgreement must not exceed debate.skipAgreement`);
  }
  return c;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return over;
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    out[k] = deepMerge((base as Record<string, unknown>)[k], v);
  }
  return out;
}
