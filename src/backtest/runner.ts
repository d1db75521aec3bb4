/**
 * A backtest: DBN files (days, instruments, futures and spot merged by `ts_recv`) replayed through
 * the same feature engine, techniques, regime filter, decision pipeline, risk engine and paper
 * broker as paper trading, on the simulated clock of the records. Without a model it is a pure
 * function of (files, configuration): the same inputs give the same decisions, orders and fills.
 */
import type { Logger } from '../core/index.js';
import { type ExecutionConfig, paperTrader, type Trader } from '../execution/index.js';
import type { LlmProvider } from '../llm/index.js';
import {
  type Decision,
  DecisionLoop,
  type DecisionLoopOptions,
  DecisionPipeline,
  decisionPortfolio,
  type PipelineConfig,
  type Tier1,
} from '../pipeline/index.js';

/** Everything a backtest runs with. */
export interface BacktestSetup {
  /** The analysts (tier 1). */
  readonly tier1: Tier1;
  readonly pipeline: PipelineConfig;
  readonly execution: ExecutionConfig;
  /** The loop's settings: regime model, techniques, triggers, feature engine, decision latency. */
  readonly loop?: Omit<DecisionLoopOptions, 'pipeline' | 'trader' | 'clock'>;
  /** A model for the debate and the full route's approval; none (default): quant only. */
  readonly llm?: LlmProvider | null;
  readonly logger?: Logger;
  /** Client order ids are `<runId>-<n>` (default `bt`). */
  readonly runId?: string;
  /** Called with each decision as it is taken. */
  readonly onDecision?: (d: Decision) => void;
  /**
   * Warm the pipeline up before the first decision (`pipeline.warmUp`). Off by default in a
   * backtest: it only makes the first decisions' wall-clock times look like later ones, and costs
   * up to `warmUp.maxMs` of every run; `decide`, which reports those times, keeps it.
   */
  readonly warmUp?: boolean;
}

/** What a backtest produced: the decisions, and the trader with its orders, fills and equity. */
export interface BacktestRun {
  readonly decisions: readonly Decision[];
  readonly trader: Trader;
  /** Records read. */
  readonly records: number;
}

/** A backtest's trader and loop, before they run: the paper trader, the pipeline and the loop. */
export interface BacktestParts {
  readonly trader: Trader;
  readonly loop: DecisionLoop;
}

/**
 * The parts a backtest runs with (`runBacktest`); `watch` is shown every record as the loop's own
 * option says (a watched backtest's feed health and counts, server/paced-backtest.ts).
 */
export function backtestParts(setup: BacktestSetup, watch?: DecisionLoopOptions['watch']): BacktestParts {
  const trader = paperTrader({ instruments: [], config: setup.execution, runId: setup.runId ?? 'bt' });
  const cfg = setup.pipeline;
  const tradeOn = setup.execution.tradeOn;
  let loop: DecisionLoop | null = null;
  const pipeline = new DecisionPipeline({
    tier1: setup.tier1,
    config: setup.warmUp === true ? cfg : { ...cfg, warmUp: { ...cfg.warmUp, enabled: false } },
    portfolio: decisionPortfolio(trader, tradeOn, (pair) => loop?.midRaw(pair) ?? Number.NaN),
    llm: setup.llm ?? null,
    logger: setup.logger,
    onDecision: setup.onDecision,
  });
  loop = new DecisionLoop({
    ...setup.loop,
    pipeline,
    trader,
    tradeOn,
    ...(watch === undefined ? {} : { watch }),
  });
  return { trader, loop };
}

/** Runs a backtest of `files` (from `range.fromNs` to `range.toNs` when given). */
export async function runBacktest(
  files: readonly string[],
  setup: BacktestSetup,
  range: { readonly fromNs?: bigint; readonly toNs?: bigint } = {},
  onProgress?: (bytesRead: number) => void,
): Promise<BacktestRun> {
  const { trader, loop } = backtestParts(setup);
  const { records } = await loop.run(files, onProgress, range);
  trader.sampleEquity();
  return { decisions: loop.decisions, trader, records };
}
