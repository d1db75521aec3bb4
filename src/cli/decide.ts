/**
 * `scalper decide FILES... --out decisions.jsonl`: replays DBN files through the decision loop
 * (features, techniques, regime, triggers, the five tiers) and writes every decision's audit record
 * as a JSON line, then prints the summary (routes, debate skip rate, outcomes, vetoes, per-tier
 * latency). A model is used when one is configured in the environment (SCALPER_LLM_PROVIDER …);
 * by default the decisions come from the quant evidence alone and are reproducible.
 */

import { createWriteStream, existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { createAnalysts, DEFAULT_AGENTS_CONFIG, WorkerPool } from '../agents/index.js';
import { DbnError } from '../data/dbn/index.js';
import { CachedProvider, llmFromEnv } from '../llm/index.js';
import {
  analystsTier,
  type Decision,
  DecisionLoop,
  DecisionPipeline,
  type DecisionSummary,
  isModelFallback,
  summarizeDecisions,
} from '../pipeline/index.js';
import { positiveInt } from './args.js';
import { n } from './output.js';
import { progress } from './progress.js';
import { readRegimeModel } from './regime-files.js';

/** A decision as one JSON line (bigints as strings, NaN as null). */
export function decisionJson(d: Decision): string {
  return JSON.stringify(d, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/** Lines of a summary for people. */
export function summaryLines(s: DecisionSummary): string[] {
  const list = (r: Readonly<Record<string, number>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ');
  const lines = [
    `triggers: ${list(s.byTrigger)}`,
    `routes: ${list(s.byRoute)}; debate skipped in ${(100 * s.debateSkipRate).toFixed(1)}% of non-fast decisions (${list(s.debateEnds)})`,
    `outcome: ${list(s.byOutcome)}; vetoes: ${list(s.vetoes) || 'none'}`,
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

export interface DecideOptions {
  out?: string;
  /** Worker threads for the analysts' CPU-heavy steps (0 = inline). */
  workers?: number;
  regime?: string;
  vpinBucket?: number;
  vpinWindow?: number;
}

/** What `runDecide` reports. */
export interface DecideResult {
  readonly summary: DecisionSummary;
  /** Lines about the model's response cache, when a model is configured. */
  readonly cache: string[];
  /** Model steps asked and answered (null without a model). */
  readonly modelCalls: { asked: number; answered: number } | null;
  /** The approved intents' book at the end: position per instrument and the last day's P&L. */
  readonly book: { positions: Record<string, number>; dailyPnl: number };
  /** Every decision, in order. */
  readonly decisions: readonly Decision[];
  /** `provider/model` of the configured model, null without one. */
  readonly model: string | null;
}

/** Runs the loop over `files`; returns the decisions' summary. */
export async function runDecide(files: readonly string[], o: DecideOptions): Promise<DecideResult> {
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const regime = o.regime !== undefined ? readRegimeModel(o.regime) : null;
  const llm = llmFromEnv();
  const out = o.out !== undefined ? createWriteStream(o.out) : null;
  const pool = o.workers ? new WorkerPool({ size: o.workers }) : undefined;
  const pipeline = new DecisionPipeline({
    tier1: analystsTier(createAnalysts(DEFAULT_AGENTS_CONFIG, { pool })),
    llm,
    onDecision: out === null ? undefined : (d) => out.write(`${decisionJson(d)}\n`),
  });
  const loop = new DecisionLoop({
    pipeline,
    regime,
    engine: { vpinBucketVolume: o.vpinBucket, vpinWindowBuckets: o.vpinWindow },
  });
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const bar = progress('decide', total);
  try {
    await loop.run(files, (d) => bar.update(d));
  } finally {
    bar.stop();
    await pool?.close();
    if (out !== null)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
  }
  const cache: string[] = [];
  if (llm instanceof CachedProvider) {
    const st = llm.stats();
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    cache.push(
      `model cache: ${st.requests} requests; exact layer ${st.exact.hits}/${st.exact.lookups} (${pct(st.exact.hitRate)}), ` +
        `state layer ${st.state.hits}/${st.state.lookups} (${pct(st.state.hitRate)}), ${st.modelCalls} model calls, ` +
        `provider prompt cache ${pct(st.prompt.hitRate)} of input tokens`,
    );
  }
  const summary = summarizeDecisions(loop.decisions);
  let modelCalls: DecideResult['modelCalls'] = null;
  if (llm !== null) {
    let answered = 0;
    let failed = 0;
    for (const d of loop.decisions) {
      answered += d.debate.turns.filter((t) => t.source === 'model').length;
      answered += d.debate.checks.filter((c) => c.source === 'model').length;
      if (d.approval.source === 'model') answered++;
      failed += d.fallbacks.filter(isModelFallback).length;
    }
    modelCalls = { asked: answered + failed, answered };
  }
  const positions: Record<string, number> = {};
  for (const d of loop.decisions) positions[d.instrument] = pipeline.portfolio.position(d.instrument);
  return {
    summary,
    cache,
    modelCalls,
    book: { positions, dailyPnl: pipeline.portfolio.dailyPnl() },
    decisions: loop.decisions,
    model: llm === null ? null : `${llm.name}/${llm.model}`,
  };
}

/** Registers `decide`. */
export function registerDecide(program: Command): void {
  program
    .command('decide')
    .description(
      'replay DBN files through the decision pipeline (triggers, seven analysts, consensus, debate, validators, approval) and record every decision',
    )
    .argument('<files...>', 'DBN files (MBP-10 and trades of a day, .dbn or .dbn.zst), merged by ts_recv')
    .option('-o, --out <file>', 'write each decision as a JSON line (the audit record)')
    .option('--regime <model.json>', 'a regime model from `scalper regime fit` (default: regime unknown)')
    .option('--vpin-bucket <lots>', 'VPIN bucket volume (default ADV/50 = 4,000 lots)', positiveInt)
    .option('--vpin-window <buckets>', 'VPIN window in buckets (default 50)', positiveInt)
    .option(
      '--workers <n>',
      "worker threads for the analysts' CPU-heavy steps (default: inline)",
      positiveInt,
    )
    .action(async (files: string[], o: DecideOptions) => {
      const { summary: s, cache, modelCalls, book } = await runDecide(files, o);
      for (const line of cache) process.stdout.write(`${line}\n`);
      if (modelCalls !== null && modelCalls.answered === 0 && modelCalls.asked > 0) {
        process.stderr.write(
          `warning: the model answered none of ${n(modelCalls.asked)} calls (${Object.entries(s.fallbackKinds)
            .map(([k, v]) => `${k}: ${v.example}`)
            .join('; ')}); every decision is the quant one\n`,
        );
      }
      process.stdout.write(`${n(s.decisions)} decisions\n`);
      for (const line of summaryLines(s)) process.stdout.write(`  ${line}\n`);
      const pos = Object.entries(book.positions).map(([k, v]) => `${k} ${v}`);
      process.stdout.write(
        `  approved intents as positions (filled at the mid, no costs, until the execution layer): ${pos.join(', ') || 'none'}; last day's P&L ${book.dailyPnl.toFixed(2)} USD\n`,
      );
      if (o.out) process.stdout.write(`wrote ${o.out}\n`);
    });
}
