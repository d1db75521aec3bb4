/**
 * One decision session in a fresh process, for the pipeline bench's first-run rows:
 * `node dist/bench/pipeline-session.js [--no-warm-up] [--passes N] FILES...` builds a pipeline and a
 * decision loop, warms the pipeline up (unless `--no-warm-up`), replays FILES through the loop, then
 * replays them `N - 1` more times with fresh pipelines and loops (the steady state), and prints one
 * JSON line: `{ "warmUp": { decisions, ms }, "passes": [summary per pass] }`. Each pass's latencies are
 * the decisions' own (`Decision.timings`): the warm-up runs before the first and is reported apart.
 */
import { pathToFileURL } from 'node:url';
import { createAnalysts } from '../src/agents/index.js';
import {
  analystsTier,
  DecisionLoop,
  DecisionPipeline,
  type DecisionSummary,
  pipelineConfig,
  summarizeDecisions,
} from '../src/pipeline/index.js';

/** What one pass reports. */
export interface SessionPass {
  readonly decisions: number;
  /** Σ of the decisions' total times, ms. */
  readonly busyMs: number;
  readonly latency: DecisionSummary['latency'];
  /** Median total time of the pass's first `FIRST` decisions, ms. */
  readonly firstP50: number;
}

/** Decisions counted as a session's first. */
export const FIRST = 50;

/** What the session prints. */
export interface SessionResult {
  readonly warmUp: { readonly decisions: number; readonly ms: number };
  readonly passes: readonly SessionPass[];
}

async function pass(
  files: readonly string[],
  warm: boolean,
): Promise<{ pass: SessionPass; warmUp: SessionResult['warmUp'] }> {
  const pipeline = new DecisionPipeline({
    tier1: analystsTier(createAnalysts()),
    config: pipelineConfig({ warmUp: { enabled: warm } }),
  });
  const warmUp = await pipeline.warmUp();
  const loop = new DecisionLoop({ pipeline, engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 } });
  await loop.run(files);
  const s = summarizeDecisions(loop.decisions);
  const busyMs = loop.decisions.reduce((a, d) => a + d.timings.total, 0);
  const first = loop.decisions
    .slice(0, FIRST)
    .map((d) => d.timings.total)
    .sort((a, b) => a - b);
  const firstP50 = (first[(first.length - 1) >> 1] + first[first.length >> 1]) / 2;
  return { pass: { decisions: s.decisions, busyMs, latency: s.latency, firstP50 }, warmUp };
}

/** Runs the session `args` describe and prints its result. */
async function main(args: readonly string[]): Promise<void> {
  const warm = !args.includes('--no-warm-up');
  const pi = args.indexOf('--passes');
  const passes = pi >= 0 ? Number(args[pi + 1]) : 1;
  const files = args.filter((a, i) => !a.startsWith('--') && (pi < 0 || i !== pi + 1));
  const first = await pass(files, warm);
  const result: { warmUp: SessionResult['warmUp']; passes: SessionPass[] } = {
    warmUp: first.warmUp,
    passes: [first.pass],
  };
  // Later passes only measure the steady state: their own warm-up would change nothing.
  for (let i = 1; i < passes; i++) result.passes.push((await pass(files, false)).pass);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Run as a program (the bench imports this module for its types and `FIRST` only).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
