/**
 * A worker thread's backtest, for the pool of sweeps and ablations (sweep.ts): a job is files, a
 * configuration (plain data, as `scalper` resolved it), a time range and, for an ablation, the
 * variant's name; the worker builds the analysts, the pipeline and the paper broker from the
 * configuration exactly as `scalper backtest` does, runs without a model (a sweep or an ablation
 * replays the quant pipeline; model answers are not bought per run) and returns the metrics.
 */

import { createAnalysts } from '../agents/index.js';
import {
  type AblationBase,
  type BacktestMetrics,
  backtestMetrics,
  type DayParts,
  dayParts,
  type RoundTrip,
  runBacktest,
  runVariant,
} from '../backtest/index.js';
import type { RegimeModelFile } from '../strategy/index.js';
import type { ScalperConfig } from './config.js';
import { backtestSetup } from './decide.js';
import { readRegimeModel } from './regime-files.js';

/** One backtest of a sweep. */
export interface BacktestJob {
  readonly files: readonly string[];
  readonly config: ScalperConfig;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  /** An ablation variant (backtest/ablations.ts) of the configuration rather than the configuration itself. */
  readonly variant?: string;
  /** Return the run's `DayParts` too (a job of one trading day, to be combined with others). */
  readonly parts?: boolean;
}

/** What a job returns (the round trips of a variant, for its intervals over trades). */
export interface BacktestJobResult {
  readonly records: number;
  readonly metrics: BacktestMetrics;
  readonly trips?: readonly RoundTrip[];
  readonly parts?: DayParts;
}

/** What every ablation starts from: the configuration's analysts, pipeline, execution and loop, without a model. */
export function ablationBase(cfg: ScalperConfig, regime: RegimeModelFile | null): AblationBase {
  const s = backtestSetup(cfg, {
    llm: null,
    regime,
    runId: 'ab',
    decisionLatencyMs: cfg.backtest.decisionLatencyMs,
  });
  return {
    agents: createAnalysts(cfg.agents),
    pipeline: s.pipeline,
    execution: s.execution,
    loop: s.loop ?? {},
  };
}

/** Runs `job` (piscina calls this in a worker thread; tests may call it directly). */
export default async function runJob(job: BacktestJob): Promise<BacktestJobResult> {
  const cfg = job.config;
  const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
  const range = { fromNs: job.fromNs, toNs: job.toNs };
  if (job.variant !== undefined) return runVariant(job.files, job.variant, ablationBase(cfg, regime), range);
  const setup = backtestSetup(cfg, {
    llm: null,
    regime,
    runId: 'sw',
    decisionLatencyMs: cfg.backtest.decisionLatencyMs,
  });
  const run = await runBacktest(job.files, setup, range);
  if (job.parts === true) {
    const parts = dayParts(run.trader, run.decisions);
    return { records: run.records, metrics: parts.metrics, parts };
  }
  return { records: run.records, metrics: backtestMetrics(run.trader, run.decisions) };
}
