/**
 * `scalper decide FILES... --out decisions.jsonl`: replays DBN files through the decision loop
 * (features, techniques, regime, triggers, the five tiers) and writes every decision's audit record
 * as a JSON line, then prints the summary (routes, debate skip rate, outcomes, vetoes, per-tier
 * latency). A model is used when one is configured in the environment (SCALPER_LLM_PROVIDER …);
 * by default the decisions come from the quant evidence alone and are reproducible.
 */

import { createWriteStream, existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { createAnalysts, WorkerPool } from '../agents/index.js';
import { type BacktestRun, type BacktestSetup, runBacktest } from '../backtest/index.js';
import { ConfigError, componentLogger, type Logger } from '../core/index.js';
import { DbnError } from '../data/dbn/index.js';
import type { Fill, PaperBroker, Trader } from '../execution/index.js';
import { CachedProvider, type LlmProvider } from '../llm/index.js';
import {
  analystsTier,
  type Decision,
  type DecisionSummary,
  decisionJson,
  isModelFallback,
  summarizeDecisions,
} from '../pipeline/index.js';
import type { RegimeModelFile } from '../strategy/index.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, loadConfig, runOf, type ScalperConfig } from './config.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { openModel } from './model.js';
import { finishOutput, keptPartial, n, startOutput } from './output.js';
import { progress } from './progress.js';
import { readRegimeModel } from './regime-files.js';
import { readStoikovModel } from './stoikov.js';

/** Lines of a summary for people. */
export function summaryLines(s: DecisionSummary): string[] {
  const list = (r: Readonly<Record<string, number>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ');
  const lines = [
    `triggers: ${list(s.byTrigger)}`,
    `routes: ${list(s.byRoute)}; debate skipped in ${(100 * s.debateSkipRate).toFixed(1)}% of non-fast decisions (${list(s.debateEnds)})`,
    `decisions by outcome: ${list(s.byOutcome)}; vetoes: ${list(s.vetoes) || 'none'}`,
    'latency per tier, ms (p50 / p95 / p99):',
  ];
  for (const [tier, p] of Object.entries(s.latency)) {
    lines.push(`  ${tier.padEnd(6)} ${p.p50.toFixed(3)} / ${p.p95.toFixed(3)} / ${p.p99.toFixed(3)}`);
  }
  const kinds = Object.entries(s.fallbackKinds);
  if (kinds.length > 0) {
    lines.push(
      `model steps that fell back to the quant answer: ${kinds.map(([k, v]) => `${k} ${n(v.count)} (e.g. ${v.example})`).join('; ')}`,
    );
  }
  const left = Object.entries(s.leftOut);
  if (left.length > 0) lines.push(`analysts left out of a vote: ${list(s.leftOut)}`);
  return lines;
}

/** A signed position in contracts as a trader reads it: `short 1 contract`, `long 3 contracts`, `flat`. */
export function positionText(contracts: number): string {
  if (contracts === 0) return 'flat';
  const size = Math.abs(contracts);
  return `${contracts > 0 ? 'long' : 'short'} ${size} contract${size === 1 ? '' : 's'}`;
}

/** Options of `runDecide`; those given here win over the same settings of `config`. */
export interface DecideOptions {
  out?: string;
  /** Decisions from this time on (ns); earlier records only warm the engine up. */
  fromNs?: bigint;
  /** Decisions up to this time (ns); later records are not read. */
  toNs?: bigint;
  /** Worker threads for the analysts' CPU-heavy steps (0 = inline). */
  workers?: number;
  regime?: string;
  vpinBucket?: number;
  vpinWindow?: number;
  /**
   * Techniques, analysts, pipeline, model, feature engine and loop settings. Default every default,
   * with the model from the environment (`SCALPER_LLM_*`).
   */
  config?: ScalperConfig;
  /** Parent of the loop's loggers (pipeline, worker pool, model breaker). Default the root logger. */
  log?: Logger;
}

/** What `runDecide` reports. */
export interface DecideResult {
  readonly summary: DecisionSummary;
  /** Lines about the model's response cache, when a model is configured. */
  readonly cache: string[];
  /** Model steps asked and answered (null without a model). */
  readonly modelCalls: { asked: number; answered: number } | null;
  /**
   * What the paper broker made of the approved decisions: position per instrument at the end, the
   * last day's P&L, realized P&L and costs (USD), orders, fills and refusals.
   */
  readonly book: ExecutionSummary;
  /** Every decision, in order. */
  readonly decisions: readonly Decision[];
  /** `provider/model` of the configured model, null without one. */
  readonly model: string | null;
}

/** Runs the loop over `files`; returns the decisions' summary. */
export async function runDecide(files: readonly string[], o: DecideOptions): Promise<DecideResult> {
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const cfg = o.config ?? loadConfig();
  const log = componentLogger('decide', o.log);
  const regimeFile = o.regime ?? cfg.decide.regimeModel;
  const regime = regimeFile !== undefined ? readRegimeModel(regimeFile) : null;
  const model = await openModel(cfg.llm, o.log);
  const llm = model.llm;
  // Decisions go to `--out` under a .partial name until the replay is done (output.ts).
  const out = o.out !== undefined ? createWriteStream(startOutput(o.out)) : null;
  const workers = o.workers ?? cfg.decide.workers;
  const pool = workers > 0 ? new WorkerPool({ size: workers, logger: o.log }) : undefined;
  // Approved decisions become brackets on the paper broker, fed the same records.
  const setup = backtestSetup(cfg, {
    pool,
    llm,
    log: o.log,
    regime,
    runId: 'decide',
    warmUp: true,
    vpinBucket: o.vpinBucket,
    vpinWindow: o.vpinWindow,
    onDecision: out === null ? undefined : (d) => out.write(`${decisionJson(d)}\n`),
  });
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const bar = progress('decide', total);
  let run: BacktestRun;
  try {
    run = await runBacktest(files, setup, { fromNs: o.fromNs, toNs: o.toNs }, (d) => bar.update(d));
  } catch (err) {
    if (o.out !== undefined) keptPartial(o.out);
    throw err;
  } finally {
    bar.stop();
    await pool?.close();
    await model.close();
    if (out !== null)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
  }
  if (o.out !== undefined) finishOutput(o.out);
  const cache: string[] = [];
  if (llm instanceof CachedProvider) {
    const st = llm.stats();
    log.info({ cache: st }, 'model cache statistics');
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    cache.push(
      `model cache: ${st.requests} requests; exact layer ${st.exact.hits}/${st.exact.lookups} (${pct(st.exact.hitRate)}), ` +
        `state layer ${st.state.hits}/${st.state.lookups} (${pct(st.state.hitRate)}), ${st.modelCalls} model calls, ` +
        `provider prompt cache ${pct(st.prompt.hitRate)} of input tokens`,
    );
  }
  const summary = summarizeDecisions(run.decisions);
  log.info(
    {
      files: files.length,
      decisions: summary.decisions,
      routes: summary.byRoute,
      outcomes: summary.byOutcome,
    },
    'decisions taken',
  );
  let modelCalls: DecideResult['modelCalls'] = null;
  if (llm !== null) {
    let answered = 0;
    let failed = 0;
    for (const d of run.decisions) {
      answered += d.debate.turns.filter((t) => t.source === 'model').length;
      answered += d.debate.checks.filter((c) => c.source === 'model').length;
      if (d.approval.source === 'model') answered++;
      failed += d.fallbacks.filter(isModelFallback).length;
    }
    modelCalls = { asked: answered + failed, answered };
    if (answered === 0 && modelCalls.asked > 0) {
      log.warn(
        {
          asked: modelCalls.asked,
          fallbacks: Object.fromEntries(
            Object.entries(summary.fallbackKinds).map(([k, v]) => [k, v.example]),
          ),
        },
        'the model answered no call: every decision is the quant one',
      );
    }
  }
  return {
    summary,
    cache,
    modelCalls,
    book: executionSummary(run.trader, run.decisions),
    decisions: run.decisions,
    model: llm === null ? null : `${llm.name}/${llm.model}`,
  };
}

interface DecideFlags {
  readonly out?: string;
  readonly from?: string;
  readonly to?: string;
  readonly bus?: string;
  readonly stream?: string;
  readonly products?: string[];
  readonly port?: number;
}

/** Registers `decide`. */
export function registerDecide(program: Command): void {
  const E = defaultConfig().engine;
  const cmd = program
    .command('decide')
    .description(summary('decide'))
    .argument(
      '[files...]',
      'DBN files (MBP-10 and trades of a day, .dbn or .dbn.zst) or folders of them, merged by ts_recv',
    )
    .option('--bus <url>', 'be the decide service on NATS JetStream at this URL (no files then)')
    .option('--stream <name>', 'with --bus: the JetStream stream (default SCALPER)')
    .option('--port <n>', 'with --bus: serve /metrics and /health on 127.0.0.1:<n>', nonNegativeInt)
    .option('--products <list>', 'with --bus: products to decide on, e.g. 6E,6B (default every one)', (v) =>
      v.split(',').map((x) => x.trim()),
    )
    .option('-o, --out <file>', 'write each decision as a JSON line (the audit record)')
    .option('--regime <model.json>', 'a regime model from `scalper regime fit` (default: regime unknown)')
    .option(
      '--vpin-bucket <lots>',
      `intraday VPIN bucket volume (default ${E.vpinBucketVolume.toLocaleString('en-US')} lots; vpin_daily keeps the paper's ADV/50 = ${E.dailyVpinBucketVolume.toLocaleString('en-US')})`,
      positiveNumber,
    )
    .option(
      '--vpin-window <buckets>',
      `intraday VPIN window in buckets (default ${E.vpinWindowBuckets})`,
      positiveInt,
    )
    .option(
      '--workers <n>',
      "worker threads for the analysts' CPU-heavy steps (default: 0, inline)",
      nonNegativeInt,
    )
    .action(async (paths: string[], o: DecideFlags, self: Command) => {
      const run = runOf(self);
      if (o.bus !== undefined) {
        if (paths.length > 0)
          throw new ConfigError('decide: give files, or --bus to decide as a service, not both');
        const { runDecideService } = await import('./services.js');
        return runDecideService(run.config, o);
      }
      if (paths.length === 0)
        throw new ConfigError('decide: give DBN files, or --bus to decide as a service');
      const { files, fromNs, toNs } = await commandInputs(paths, o);
      const {
        summary: s,
        cache,
        book,
      } = await runDecide(files, { out: o.out, fromNs, toNs, config: run.config });
      for (const line of cache) process.stdout.write(`${line}\n`);
      process.stdout.write(`${n(s.decisions)} decisions\n`);
      for (const line of summaryLines(s)) process.stdout.write(`  ${line}\n`);
      for (const line of executionLines(book)) process.stdout.write(`  ${line}\n`);
      if (o.out) {
        const { decide, engine } = run.config;
        await recordRun(run, { file: o.out, inputs: [...files, decide.regimeModel, engine.stoikovModel] });
        process.stdout.write(`wrote ${o.out}\n`);
      }
    });
  timeRangeOptions(cmd);
  configFlags(cmd, {
    regime: 'decide.regimeModel',
    vpinBucket: 'engine.vpinBucketVolume',
    vpinWindow: 'engine.vpinWindowBuckets',
    workers: 'decide.workers',
    stream: 'runtime.services.stream',
  });
}

/** What the paper broker made of a run's approved decisions. */
export interface ExecutionSummary {
  /** Position per instrument traded, at the end. */
  readonly positions: Record<string, number>;
  /** Realized + open P&L of the last trading day, after costs, USD. */
  readonly dailyPnl: number;
  /** Realized P&L less fees over the run, USD. */
  readonly realized: number;
  /** Fees and financing paid, USD. */
  readonly fees: number;
  readonly orders: number;
  /** Every fill, in order (raw prices, USD fees). */
  readonly fills: readonly Fill[];
  /** Approved decisions the trader refused, by reason code. */
  readonly refused: Record<string, number>;
  /** Times one of our resting orders was a large share of its level (the fills may flatter). */
  readonly largeShareWarnings: number;
}

/** The trader's book and journal as a summary. */
export function executionSummary(trader: Trader, decisions: readonly Decision[]): ExecutionSummary {
  const positions: Record<string, number> = {};
  for (const d of decisions) positions[d.instrument] ??= trader.position(d.instrument);
  const refused: Record<string, number> = {};
  for (const e of trader.journal) {
    if (e.kind !== 'refused') continue;
    const code = e.detail.split(':')[0];
    refused[code] = (refused[code] ?? 0) + 1;
  }
  const broker = trader.broker as Partial<PaperBroker>;
  return {
    positions,
    dailyPnl: trader.dailyPnl(),
    realized: trader.portfolio.realized(),
    fees: Number(trader.portfolio.feesNano()) / 1e9,
    orders: trader.orderCount,
    fills: trader.fills,
    refused,
    largeShareWarnings: broker.warnings?.largeShare ?? 0,
  };
}

/** A trader's reading of an execution summary. */
export function executionLines(b: ExecutionSummary): string[] {
  const pos = Object.entries(b.positions).map(([k, v]) => `${k} ${positionText(v)}`);
  const refused = Object.entries(b.refused).map(([k, v]) => `${k} ${v}`);
  const lines = [
    `paper broker: ${n(b.orders)} orders, ${n(b.fills.length)} fills; realized P&L ${b.realized.toFixed(2)} USD after ${b.fees.toFixed(2)} USD of fees; last day's P&L ${b.dailyPnl.toFixed(2)} USD`,
    `positions at the end: ${pos.join(', ') || 'none'}`,
  ];
  if (refused.length > 0) lines.push(`approved but not traded: ${refused.join(', ')}`);
  if (b.largeShareWarnings > 0)
    lines.push(
      `warning: ${n(b.largeShareWarnings)} resting orders were over half of their price level (no market impact is modelled)`,
    );
  return lines;
}

/** What `backtestSetup` takes besides the configuration. */
export interface SetupParts {
  readonly pool?: WorkerPool;
  readonly llm: LlmProvider | null;
  readonly log?: Logger;
  readonly regime: RegimeModelFile | null;
  readonly runId: string;
  readonly vpinBucket?: number;
  readonly vpinWindow?: number;
  readonly decisionLatencyMs?: number;
  readonly onDecision?: (d: Decision) => void;
  /** Warm the pipeline up first (`decide` does: it reports the decisions' latencies). */
  readonly warmUp?: boolean;
}

/** The backtest (or `decide`) the configuration describes. */
export function backtestSetup(cfg: ScalperConfig, p: SetupParts): BacktestSetup {
  const e = cfg.engine;
  return {
    tier1: analystsTier(createAnalysts(cfg.agents, { pool: p.pool })),
    pipeline: cfg.pipeline,
    execution: cfg.execution,
    llm: p.llm,
    logger: p.log,
    runId: p.runId,
    onDecision: p.onDecision,
    warmUp: p.warmUp,
    loop: {
      regime: p.regime,
      techniques: cfg.techniques,
      vpinThreshold: cfg.decide.vpinThreshold,
      sweepCooldownMs: cfg.decide.sweepCooldownMs,
      sweepTriggerLevels: cfg.decide.sweepTriggerLevels,
      decisionLatencyMs: p.decisionLatencyMs,
      engine: {
        vpinBucketVolume: p.vpinBucket ?? e.vpinBucketVolume,
        vpinWindowBuckets: p.vpinWindow ?? e.vpinWindowBuckets,
        dailyVpinBucketVolume: e.dailyVpinBucketVolume,
        dailyVpinAdvDays: e.dailyVpinAdvDays,
        defaultTickSize: e.defaultTickSize,
        barPeriodMs: e.barPeriodMs,
        stoikovModel: e.stoikovModel !== undefined ? readStoikovModel(e.stoikovModel) : undefined,
      },
    },
  };
}
