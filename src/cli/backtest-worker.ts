/**
 * A worker thread's backtest, for the sweeps' pool (sweep.ts): a job is files, a configuration
 * (plain data, as `scalper` resolved it) and a time range; the worker builds the analysts, the
 * pipeline and the paper broker from the configuration exactly as `scalper backtest` does, runs
 * without a model (a sweep replays the quant pipeline; model answers are not bought per grid point)
 * and returns the metrics.
 */

import type { BacktestMetrics } from '../backtest/index.js';
import { backtestMetrics, runBacktest } from '../backtest/index.js';
import type { ScalperConfig } from './config.js';
import { backtestSetup } from './decide.js';
import { readRegimeModel } from './regime-files.js';

/** One backtest of a sweep. */
export interface BacktestJob {
  readonly files: readonly string[];
  readonly config: ScalperConfig;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
}

/** What a job returns. */
export interface BacktestJobResult {
  readonly records: number;
  readonly metrics: BacktestMetrics;
}

/** Runs `job` (piscina calls this in a worker thread; tests may call it directly). */
export default async function runJob(job: BacktestJob): Promise<BacktestJobResult> {
  const cfg = job.config;
  const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
  const setup = backtestSetup(cfg, {
    llm: null,
    regime,
    runId: 'sw',
    decisionLatencyMs: cfg.backtest.decisionLatencyMs,
  });
  const run = await runBacktest(job.files, setup, { fromNs: job.fromNs, toNs: job.toNs });
  return { records: run.records, metrics: backtestMetrics(run.trader, run.decisions) };
}
