/**
 * Start-up of the `scalper` command: the wall time from spawning `node dist/cli/scalper.js …` (the
 * package's `bin`, bundled by scripts/build-cli.mjs) to its exit, for commands that do little work,
 * against `node -e 0` (Node's own start) measured in the same run; and `config check` run from the
 * compiled tree the bundle is made of (dist/src/cli/main.js), to show what the bundle saves. The
 * commands are spawned in turn, round after round, so that a busy moment of the machine falls on
 * all of them alike; each row keeps its best round (the least disturbed) and notes the median.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, repoRoot, scalperBin } from '../test/fixtures.js';
import { median, type Report } from './harness.js';

const BIN = scalperBin();
/** The same command unbundled: the compiled entry point. */
const COMPILED = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Rounds of the interleaved runs. */
const ROUNDS = 15;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
}

/** The wall time of one run of `node args`, seconds; throws when it fails. */
function timeRun(args: readonly string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return s;
}

/**
 * `scalper --version`, `--help`, `dbn inspect` of a small file and `config check`, and `config check`
 * unbundled, as ratios to `node -e 0`.
 */
export async function startupBench(report: Report): Promise<void> {
  const small = fixture('dbn', 'test_data.mbp-10.v3.dbn.zst');
  const example = join(repoRoot(), 'config', 'example.yaml');
  const cases: Case[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'scalper --version', args: [BIN, '--version'] },
    { name: 'scalper --help', args: [BIN, '--help'] },
    { name: 'scalper dbn inspect (small .dbn.zst)', args: [BIN, 'dbn', 'inspect', small] },
    { name: 'scalper config check (example.yaml)', args: [BIN, 'config', 'check', example] },
    { name: 'scalper config check, unbundled (dist/src)', args: [COMPILED, 'config', 'check', example] },
  ];
  const times = cases.map(() => [] as number[]);
  for (const c of cases) timeRun(c.args); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) times[i].push(timeRun(cases[i].args));
  }
  report.say(`start-up: best of ${ROUNDS} interleaved rounds, wall time from spawn to exit`);
  for (let i = 0; i < cases.length; i++) {
    const note = `median ${(median(times[i]) * 1000).toFixed(1)} ms`;
    report.add(cases[i].name, Math.min(...times[i]), 's', i === 0 ? undefined : cases[0].name, note);
  }
}
