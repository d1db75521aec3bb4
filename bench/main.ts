/**
 * `npm run bench [-- --json] [-- --records N]`: prints throughput and ratios to baselines measured
 * in the same run. See dbn.bench.ts for what each row measures.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { busBench } from './bus.bench.js';
import { dashboardBench } from './dashboard.bench.js';
import { dbnBench } from './dbn.bench.js';
import { backtestBench, executionBench } from './execution.bench.js';
import { featuresBench } from './features.bench.js';
import { Report } from './harness.js';
import { hostBench } from './host.js';
import { pipelineBench } from './pipeline.bench.js';
import { redisBench } from './redis.bench.js';
import { regimeBench } from './regime.bench.js';
import { SERVICES_MINUTES, servicesBench } from './services.bench.js';
import { simBench } from './sim.bench.js';
import { startupBench } from './startup.bench.js';
import { storeBench } from './store.bench.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run -s bench -- [--json] [--records N] [--services-minutes N|day] [--only dbn|sim|features|regime|pipeline|execution|backtest|startup|redis|postgres|bus|services|dashboard]\n' +
      '  DBN decode, book and zstd throughput, the simulator, the feature engine, regime fitting, the decision\n' +
      '  pipeline, the paper broker, the start-up of the scalper command, the Redis feature store, PostgreSQL\n' +
      '  bulk writes (COPY against INSERT), event bus latency (each skipped with the reason when its server\n' +
      '  does not answer), the services, and what the dashboard costs a session, with ratios to baselines\n' +
      '  measured in the same run\n' +
      '  --only NAME    run one section\n' +
      '  --one-process  run every section in this process (by default each runs in a process of its own)\n' +
      '  --json         one JSON object per line (name, value, unit, ratio, ratio_to); first line: env\n' +
      '  --records N    MBP-10 records to generate (default 1,000,000)\n' +
      '  --services-minutes N|day\n' +
      '                 the services replay: N minutes from 14:00 UTC (default 30, at most 480), or the whole simulated\n' +
      '                 day (about 48 minutes at 30x real time)\n',
  );
  process.exit(0);
}
const json = args.includes('--json');
const oi = args.indexOf('--only');
const SECTIONS = [
  'dbn',
  'sim',
  'features',
  'regime',
  'pipeline',
  'execution',
  'backtest',
  'startup',
  'redis',
  'postgres',
  'bus',
  'services',
  'dashboard',
] as const;
const only = oi >= 0 ? args[oi + 1] : undefined;
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
  process.stderr.write(`--only must be one of ${SECTIONS.join(', ')}, got "${only}"\n`);
  process.exit(2);
}
const want = (s: (typeof SECTIONS)[number]) => only === undefined || only === s;
const ri = args.indexOf('--records');
const records = ri >= 0 ? Number(args[ri + 1]) : 1_000_000;
if (!Number.isInteger(records) || records <= 0) {
  process.stderr.write(`--records must be a positive integer, got "${args[ri + 1]}"\n`);
  process.exit(2);
}
const si = args.indexOf('--services-minutes');
const servicesMinutes = si < 0 ? SERVICES_MINUTES : args[si + 1] === 'day' ? 'day' : Number(args[si + 1]);
if (
  servicesMinutes !== 'day' &&
  !(Number.isInteger(servicesMinutes) && servicesMinutes > 0 && servicesMinutes <= 480)
) {
  process.stderr.write(
    `--services-minutes must be day or a whole number of minutes from 1 to 480 (14:00 to the close at 22:00 UTC), got "${args[si + 1]}"\n`,
  );
  process.exit(2);
}
// A full run measures each section in a process of its own, as a user's command would run: in one
// process the sections before a workload leave the compiler's knowledge of the shared code (the
// cursor, the books, the feature engine) shaped by their own use of it, and the backtest measured
// after the others ran about 5% slower than alone. `--one-process` runs them all in this one.
if (only === undefined && !args.includes('--one-process')) {
  const host = new Report(json, `npm run bench -- ${args.join(' ')}`.trim());
  // What the host gives two threads, before and after the sections (it can change within a run).
  await hostBench(host, 'at the start');
  const script = fileURLToPath(import.meta.url);
  const pass = args.filter((a) => a !== '--one-process');
  let failed = 0;
  for (const s of SECTIONS) {
    const r = spawnSync(process.execPath, [...process.execArgv, script, ...pass, '--only', s, '--section'], {
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      failed++;
      process.stderr.write(`bench: section ${s} failed (${r.signal ?? `exit ${r.status}`})\n`);
    }
  }
  await hostBench(host, 'at the end');
  process.exit(failed === 0 ? 0 : 1);
}
const section = args.includes('--section');
const report = new Report(json, `npm run bench -- ${args.join(' ')}`.trim(), !section);
if (!section) await hostBench(report, 'at the start');
if (want('dbn')) await dbnBench(report, records);
if (want('sim')) await simBench(report);
if (want('features')) await featuresBench(report);
if (want('regime')) await regimeBench(report);
if (want('pipeline')) await pipelineBench(report);
if (want('execution')) await executionBench(report);
if (want('backtest')) await backtestBench(report);
if (want('startup')) await startupBench(report);
if (want('redis')) await redisBench(report);
if (want('postgres')) await storeBench(report);
if (want('bus')) await busBench(report);
if (want('services')) await servicesBench(report, servicesMinutes);
if (want('dashboard')) await dashboardBench(report);
