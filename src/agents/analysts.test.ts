/** The analyst contract (test/analyst-contract.ts) over all seven analysts, and momentum on a worker thread. */
import { after, describe } from 'node:test';
import { runAnalystContract } from '../../test/analyst-contract.js';
import { defineAnalyst } from './analyst.js';
import { ANALYSTS, createAnalysts } from './analysts.js';
import { AGENT_NAMES } from './types.js';
import { WorkerPool } from './worker.js';

for (const name of AGENT_NAMES) {
  const spec = ANALYSTS[name];
  describe(`analyst contract: ${name}`, () => {
    runAnalystContract({ label: name, name, reads: spec.reads, create: () => defineAnalyst(spec) });
  });
}

describe('analyst contract: momentum on a worker thread', () => {
  const pool = new WorkerPool({ size: 1 });
  after(() => pool.close());
  runAnalystContract({
    label: 'momentum (worker)',
    name: 'momentum',
    reads: ANALYSTS.momentum.reads,
    // Each call is a structured clone to a thread and back: fewer generated inputs.
    runs: 25,
    create: () => createAnalysts(undefined, { pool })[0],
  });
});
