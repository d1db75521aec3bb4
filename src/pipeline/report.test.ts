import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentStatus } from '../agents/index.js';
import type { Fallback } from './fallback.js';
import type { Decision } from './pipeline.js';
import { percentile, summarizeDecisions } from './report.js';

test('nearest-rank percentiles worked by hand', () => {
  const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  // Sorted 1..10: p50 → rank ceil(5) = 5 → 5; p95 → rank ceil(9.5) = 10 → 10; p10 → rank 1 → 1.
  assert.equal(percentile(v, 0.5), 5);
  assert.equal(percentile(v, 0.95), 10);
  assert.equal(percentile(v, 0.1), 1);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('model fallbacks are counted by their kind field; analysts left out are not model steps', () => {
  const decision = (fallbacks: Fallback[], status: AgentStatus = 'ok'): Decision =>
    ({
      trigger: { kind: 'bar', tMs: 0 },
      route: 'standard',
      verdicts: [],
      approval: { approved: false, direction: 'flat' },
      debate: { ran: true, end: 'exhausted' },
      outcomes: [{ agent: 'regime', status }],
      timings: { tier1: 1, tier2: 1, tier3: 1, tier4: 1, tier5: 1, total: 5 },
      fallbacks,
    }) as unknown as Decision;
  // A message that reads like the old text format ("…: kind (message)") must not change the count.
  const tricky = 'proxy said: rate_limited (retry later)';
  const s = summarizeDecisions([
    decision([{ tier: 'tier1', kind: 'timeout', message: 'over 50 ms', step: 'regime' }], 'timeout'),
    decision([
      { tier: 'tier3', kind: 'timeout', message: 'No answer within 300 ms', step: 'round 1 bull' },
      { tier: 'tier5', kind: 'malformed', message: tricky, step: 'approval' },
    ]),
    decision([{ tier: 'tier3', kind: 'timeout', message: 'second', step: 'judge round 2' }]),
  ]);
  assert.equal(s.fallbacks, 4);
  assert.deepEqual(s.fallbackKinds, {
    timeout: { count: 2, example: 'No answer within 300 ms' },
    malformed: { count: 1, example: tricky },
  });
  assert.deepEqual(s.leftOut, { regime: 1 });
});
