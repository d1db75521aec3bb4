/**
 * The decision pipeline: (1) tier 1's concurrency, seven test analysts that each wait 300 ms, as
 * the ratio of tier-1 time to the sum of the analysts' times (1/7 ≈ 0.143 when fully concurrent,
 * 1 when sequential); (2) a simulated 6E day through the decision loop with no model: decisions per
 * second of pipeline time and the per-tier p99 against the quant path's goal of 1 ms per decision,
 * measured on a second pass over the day (the first warms the JIT up; its p99 is shown beside).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NAMES, type Agent, createAnalysts, realTimer, runAgents } from '../src/agents/index.js';
import { analystsTier, DecisionLoop, DecisionPipeline, summarizeDecisions } from '../src/pipeline/index.js';
import { simulateDay } from '../src/sim/index.js';
import type { Report } from './harness.js';

function waitingAgents(ms: number): Agent[] {
  return AGENT_NAMES.map((name) => ({
    name,
    budgetMs: 10 * ms,
    async analyze(_input, signal) {
      await realTimer(ms, signal);
      return {
        agent: name,
        direction: 'flat' as const,
        confidence: 0,
        horizonSec: 60,
        evidence: {},
        flags: [],
        sizeScale: 1,
        rationale: 'waited',
        passivePrice: null,
      };
    },
  }));
}

export async function pipelineBench(report: Report): Promise<void> {
  const clock = { now: () => performance.now() };
  const run = await runAgents(
    waitingAgents(300),
    { snapshot: {} as never, setups: [], regime: null, nowMs: 0, lastEventMs: 0 },
    { clock },
  );
  report.add('tier 1: sum of 7 analysts waiting 300 ms', run.sumAgentMs, 'ms');
  report.add('tier 1: wall time of the same', run.tier1Ms, 'ms', 'tier 1: sum of 7 analysts waiting 300 ms');

  const dir = mkdtempSync(join(tmpdir(), 'scalper-pipeline-bench-'));
  try {
    report.say('Simulating a 6E day for the decision pipeline…');
    const day = await simulateDay({ date: '2026-11-24', seed: 5, out: dir, spot: false });
    // Twice over the same day with fresh pipelines: the first run warms the JIT up (its p99 is
    // printed too), the second measures the steady state.
    const runDay = async () => {
      const loop = new DecisionLoop({
        pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
        engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
      });
      await loop.run([day.files.mbp10, day.files.trades]);
      return loop.decisions;
    };
    const cold = summarizeDecisions(await runDay());
    const decisions = await runDay();
    const s = summarizeDecisions(decisions);
    const busyMs = decisions.reduce((a, d) => a + d.timings.total, 0);
    report.add(
      'decisions, no model (pipeline time only)',
      (1000 * s.decisions) / busyMs,
      'decisions/s',
      undefined,
      `${s.decisions} decisions`,
    );
    report.add(
      'decision p99, quant path (goal 1 ms)',
      s.latency.total.p99,
      'ms',
      undefined,
      `p50 ${s.latency.total.p50.toFixed(3)} ms`,
    );
    report.add(
      'decision p99, first run (JIT warming up)',
      cold.latency.total.p99,
      'ms',
      'decision p99, quant path (goal 1 ms)',
    );
    for (const t of ['tier1', 'tier2', 'tier3', 'tier4', 'tier5'] as const) {
      report.add(`decision ${t} p99`, s.latency[t].p99, 'ms', 'decision p99, quant path (goal 1 ms)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
