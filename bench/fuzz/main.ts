/**
 * Fuzzes the DBN decoder from the command line (engine: bench/fuzz/fuzzer.ts).
 *
 *   node dist/bench/fuzz/main.js --iterations 100000 [--seed S] [--workers N] [--time-limit MS]
 *   node dist/bench/fuzz/main.js --seed S --input I     replay one input and print its outcome
 *
 * Prints progress about once a second and a summary (inputs, decoded ok, DbnError by code,
 * failures with the seed and recipe that replay them); exits 1 when any input failed.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type FuzzSummary, formatSummary, fuzzOneGuarded, loadCorpus, makeInput, runFuzz } from './fuzzer.js';

const USAGE =
  'usage: fuzz --iterations N [--seed S] [--workers N] [--time-limit MS] | --seed S --input I\n' +
  '  feeds truncated and mutated DBN fixtures to the decoder: each must decode or end in a DbnError\n';

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

function int(name: string, text: string | undefined, dflt: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) usage(`--${name} must be a non-negative integer, got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        iterations: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        'time-limit': { type: 'string' },
        input: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  // Without --seed, a fresh one, printed so that a failing run can be replayed.
  const seed = int('seed', values.seed, randomInt(0, 2 ** 31));
  const timeLimitMs = int('time-limit', values['time-limit'], 5000);

  if (values.input !== undefined) {
    const input = makeInput(seed, int('input', values.input, 0), loadCorpus());
    process.stdout.write(`seed ${seed} input #${input.index}: ${input.description}\n`);
    const outcome = await fuzzOneGuarded(input, { timeLimitMs, maxBatches: 200_000, maxRecords: 20_000_000 });
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    process.exit(outcome.kind === 'failure' ? 1 : 0);
  }

  const iterations = int('iterations', values.iterations, 100_000);
  const workers = Math.max(1, int('workers', values.workers, availableParallelism()));
  process.stdout.write(
    `fuzz: ${iterations} inputs, seed ${seed}, ${workers} workers, ${timeLimitMs} ms per input; ` +
      `${new Date().toISOString()}, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`,
  );
  const progress = (s: FuzzSummary) => {
    const errors = Object.values(s.dbnErrors).reduce((a, b) => a + (b ?? 0), 0);
    const pct = ((100 * s.inputs) / Math.max(1, iterations)).toFixed(0).padStart(3);
    const rate = Math.round(s.inputs / Math.max(0.001, s.elapsedMs / 1000));
    process.stdout.write(
      `  ${String(s.inputs).padStart(String(iterations).length)}/${iterations} (${pct}%)  ok ${s.ok}  ` +
        `DbnError ${errors}  failures ${s.failures.length}  ${rate} inputs/s\n`,
    );
  };
  const summary = await runFuzz({
    seed,
    iterations,
    workers,
    limits: { timeLimitMs },
    onProgress: progress,
    progressEvery: 1000,
  });
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (summary.failures.length > 0) {
    process.stdout.write(`replay one with: node dist/bench/fuzz/main.js --seed ${seed} --input <index>\n`);
    process.exit(1);
  }
}

await main();
