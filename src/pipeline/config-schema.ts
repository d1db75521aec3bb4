/**
 * Configuration of the decision pipeline (tiers 2–5), validated with zod: every value has a
 * documented default in the schema, and a bad value is a `ConfigError` naming the field and the
 * source.
 */

import * as z from 'zod/mini';
import { AGENT_NAMES, type AgentName } from '../agents/schema/index.js';
import { flag, pos, posInt, unit } from '../core/schema/index.js';

const WEIGHT = z.number().check(z.gte(0));

/** Vote weights of one regime: each analyst's weight, defaulting to `d`'s. */
function weights(d: Partial<Record<AgentName, number>>) {
  const base: Record<AgentName, number> = {
    momentum: 1,
    technical: 1,
    microstructure: 1,
    toxicity: 1,
    regime: 1,
    market_making: 0.5,
    session: 0.5,
    ...d,
  };
  return z.prefault(
    z.strictObject(
      Object.fromEntries(AGENT_NAMES.map((a) => [a, z._default(WEIGHT, base[a])])) as Record<
        AgentName,
        z.ZodMiniDefault<typeof WEIGHT>
      >,
    ),
    {},
  );
}

export const PipelineConfigSchema = z
  .strictObject({
    /**
     * Vote weight of each analyst per regime (tier 2). Defaults: momentum and technical count more
     * in a medium (trending) regime, microstructure and market making more in a low (ranging) one,
     * toxicity and regime more in a high one; session is a filter more than a view.
     */
    weights: z.prefault(
      z.strictObject({
        low: weights({ microstructure: 1.5, market_making: 1, momentum: 0.75 }),
        medium: weights({ momentum: 1.5, technical: 1.25 }),
        high: weights({ toxicity: 1.5, regime: 1.5, momentum: 0.75, market_making: 0.25 }),
        unknown: weights({}),
      }),
      {},
    ),
    consensus: z.prefault(
      z.strictObject({
        /** |score| below this is no direction (flat). */
        minScore: unit(0.1),
      }),
      {},
    ),
    debate: z.prefault(
      z.strictObject({
        /** Agreement at or above which the debate is skipped (issue 7: 0.9). */
        skipAgreement: unit(0.9),
        /** The debate stops once the judge's agreement reaches this (issue 7: 75 %). */
        stopAgreement: unit(0.75),
        /** Convergence is checked every this many rounds (issue 7: 2). */
        checkEvery: posInt(2),
        /** Most rounds. */
        maxRounds: posInt(6),
      }),
      {},
    ),
    routing: z.prefault(
      z.strictObject({
        /** Fast path: agreement at least this and intended size at most `smallSize`. */
        fastAgreement: unit(0.9),
        /** Contracts (or lots) counted as a small order. */
        smallSize: pos(1),
        /** Full path: intended size at least this. */
        largeSize: pos(5),
      }),
      {},
    ),
    sizing: z.prefault(
      z.strictObject({
        /** Size at confidence 1 and size scale 1, contracts. */
        baseSize: pos(4),
        /** Below this final confidence nothing is traded. */
        minConfidence: unit(0.2),
      }),
      {},
    ),
    limits: z.prefault(
      z.strictObject({
        /** Largest absolute position per instrument, contracts. */
        maxPosition: pos(10),
        /** Largest gross exposure over all instruments, contracts. */
        maxExposure: pos(20),
        /** The day's realized + open P&L below −this (account currency) stops new trades. */
        dailyLossLimit: pos(2_000),
        /** Widest spread traded, ticks. */
        maxSpreadTicks: pos(2),
        /** Market data older than this at decision time is stale, ms. */
        staleMs: pos(5_000),
        /** VPIN CDF at or above this vetoes new risk. */
        toxicityVeto: unit(0.95),
      }),
      {},
    ),
    budgets: z.prefault(
      z.strictObject({
        /** Whole decision, ms (issue 7: 10 s). */
        totalMs: pos(10_000),
        tier1Ms: pos(2_000),
        tier3Ms: pos(5_000),
        tier4Ms: pos(1_000),
        tier5Ms: pos(2_000),
      }),
      {},
    ),
    /**
     * Synthetic decisions taken when a session starts (`warmup.ts`), so that its first real
     * decisions run compiled code: they leave no trace, and the warm-up is bounded by both limits.
     */
    warmUp: z.prefault(
      z.strictObject({
        /** Off: the first decisions of a session run while V8 still compiles the pipeline. */
        enabled: flag(true),
        /** Most synthetic decisions. */
        decisions: posInt(1_500),
        /** Wall-clock bound, ms: the warm-up stops after the first decision that ends past it. */
        maxMs: pos(1_000),
      }),
      {},
    ),
  })
  // A debate that may stop below the agreement that skips it would stop before it starts.
  .check(
    z.refine((c) => c.debate.stopAgreement <= c.debate.skipAgreement, {
      path: ['debate', 'stopAgreement'],
      message: 'must not exceed debate.skipAgreement',
    }),
  );

/** Validated pipeline parameters. */
export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
/** What a configuration file may contain (every field optional). */
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;
