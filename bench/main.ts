/**
 * `npm run bench [-- --json] [-- --records N]`: prints throughput and ratios to baselines measured
 * in the same run. See dbn.bench.ts for what each row measures.
 */
import { dbnBench } from './dbn.bench.js';
import { featuresBench } from './features.bench.js';
import { Report } from './harness.js';
import { regimeBench } from './regime.bench.js';
import { simBench } from './sim.bench.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run -s bench -- [--json] [--records N]\n' +
      '  DBN decode, book and zstd throughput, and the simulator, with ratios to baselines measured in the same run\n' +
      '  --json         one JSON object per line (name, value, unit, ratio, ratio_to); first line: env\n' +
      '  --records N    MBP-10 records to generate (default 1,000,000)\n',
  );
  process.exit(0);
}
const json = args.includes('--json');
const ri = args.indexOf('--records');
const records = ri >= 0 ? Number(args[ri + 1]) : 1_000_000;
if (!Number.isInteger(records) || records <= 0) {
  process.stderr.write(`--records must be a positive integer, got "${args[ri + 1]}"\n`);
  process.exit(2);
}
const report = new Report(json, `npm run bench -- ${args.join(' ')}`.trim());
await dbnBench(report, records);
await simBench(report);
await featuresBench(report);
await regimeBench(report);
