/**
 * Worker thread of the fuzz engine (fuzz.ts): decodes its share of the inputs and keeps its
 * counters in shared memory, so that the main thread's watchdog sees which input is running and
 * since when, and still has exact totals after terminating a worker stuck in a loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  ERROR_CODES,
  FAULTS,
  fuzzOne,
  fuzzOneGuarded,
  loadCorpus,
  makeInput,
  type WorkerParams,
} from './fuzzer.js';

const p = workerData as WorkerParams;
const ints = new Int32Array(p.counters);
const clock = new Float64Array(p.clock);
const corpus = loadCorpus();
const faults = new Map(p.inject.map((f) => [f.index, FAULTS[f.kind]]));

for (let i = p.start; i < p.end; i += p.stride) {
  clock[0] = Date.now();
  ints[0] = i;
  const outcome = await fuzzOneGuarded(makeInput(p.seed, i, corpus), p.limits, faults.get(i) ?? fuzzOne);
  if (outcome.kind === 'ok') ints[2]++;
  else if (outcome.kind === 'dbn-error') ints[4 + ERROR_CODES.indexOf(outcome.code)]++;
  else {
    ints[3]++;
    parentPort!.postMessage({ type: 'failure', index: i, reason: outcome.reason });
  }
  ints[1]++;
  ints[0] = -1;
}
