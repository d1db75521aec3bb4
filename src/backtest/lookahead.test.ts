/**
 * A look-ahead analyst gains nothing: it waits inside its analysis, hoping the replay moves on,
 * then reads its input again and trades on any change it finds. The input is a frozen snapshot and
 * the replay waits for each decision, so it never finds one: its decisions, orders and P&L are
 * those of the same analyst that does not wait, and every attempt to write its input fails.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import type { Agent, AgentInput, AgentSignal } from '../agents/index.js';
import { executionConfig } from '../execution/index.js';
import { analystsTier, DEFAULT_PIPELINE_CONFIG } from '../pipeline/index.js';
import { runBacktest } from './runner.js';

interface Peeks {
  calls: number;
  changed: number;
  writesRefused: number;
}

/** An analyst long when OFI is positive; the peeking one waits, looks again, and follows any change. */
function analyst(peek: boolean, log: Peeks): Agent {
  const answer = (direction: AgentSignal['direction'], confidence: number): AgentSignal => ({
    agent: 'momentum',
    direction,
    confidence,
    horizonSec: 60,
    evidence: {},
    flags: [],
    sizeScale: 1,
    rationale: peek ? 'peeked' : 'looked once',
    passivePrice: null,
  });
  return {
    name: 'momentum',
    budgetMs: 1_000,
    async analyze(input: AgentInput) {
      log.calls++;
      const first = { ofi: input.snapshot.ofi_10s, mid: input.snapshot.mid, setups: input.setups.length };
      if (peek) {
        await new Promise((r) => setTimeout(r, 2));
        try {
          (input.snapshot as { mid: number }).mid = first.mid + 1;
        } catch {
          log.writesRefused++;
        }
        const again = { ofi: input.snapshot.ofi_10s, mid: input.snapshot.mid, setups: input.setups.length };
        if (again.mid !== first.mid || again.ofi !== first.ofi || again.setups !== first.setups) {
          log.changed++;
          // Trade on what it saw move.
          return answer(again.mid > first.mid ? 'long' : 'short', 1);
        }
      }
      const ofi = first.ofi;
      return answer(ofi > 0 ? 'long' : ofi < 0 ? 'short' : 'flat', Number.isFinite(ofi) ? 0.9 : 0);
    },
  };
}

describe('look-ahead', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'lookahead-',
  });
  let files: string[];
  before(() => {
    files = [span.day.files.mbp10, span.day.files.trades];
  });

  test('an analyst that waits and reads its input again finds nothing new and gains nothing', async () => {
    const runs = [];
    const logs: Peeks[] = [];
    for (const peek of [false, true]) {
      const log = { calls: 0, changed: 0, writesRefused: 0 };
      logs.push(log);
      const run = await runBacktest(files, {
        tier1: analystsTier([analyst(peek, log)]),
        pipeline: DEFAULT_PIPELINE_CONFIG,
        execution: executionConfig(),
        loop: { engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 } },
      });
      runs.push(run);
    }
    const [plain, peeker] = runs;
    assert.ok(logs[1].calls > 10, `${logs[1].calls} decisions`);
    assert.equal(logs[1].changed, 0, 'nothing it read changed while it waited');
    assert.equal(logs[1].writesRefused, logs[1].calls, 'every write to its input was refused');
    assert.deepEqual(
      peeker.decisions.map((d) => [d.id, d.approval.direction, d.approval.size]),
      plain.decisions.map((d) => [d.id, d.approval.direction, d.approval.size]),
    );
    assert.ok(plain.trader.fills.length > 0, 'the analyst traded');
    assert.deepEqual(
      peeker.trader.fills.map((f) => [f.side, f.quantity, f.price]),
      plain.trader.fills.map((f) => [f.side, f.quantity, f.price]),
    );
    assert.equal(peeker.trader.portfolio.equity(), plain.trader.portfolio.equity());
  });
});
