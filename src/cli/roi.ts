/**
 * `scalper roi --result RESULT.json --data-cost USD --infra-cost USD [--size X]`: what the
 * order-flow parts earned in a backtest's ablations against what their data and infrastructure
 * cost a month (backtest/roi): the cost–benefit table with its intervals and a verdict, or JSON.
 * It reads the result only: no market data, model or configuration.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { orderFlowRoi, type Roi, RoiInputError, roiInputs, roiTable } from '../backtest/roi/index.js';
import { nonNegativeNumber, positiveNumber, seedArg } from './args.js';
import { summary } from './commands.js';

/** Options of `scalper roi`, as commander parses them. */
interface RoiCliOptions {
  readonly result: string;
  readonly dataCost: number;
  readonly infraCost: number;
  readonly setupCost: number;
  readonly size: number;
  readonly variant: string;
  readonly daysPerMonth: number;
  readonly seed: number;
  readonly json?: boolean;
}

/** Reads `path` (a backtest folder or its result.json) as parsed JSON, and the file's name. */
export function readResult(path: string): { file: string; json: unknown } {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'result.json');
  } catch {
    // Not there: reported below as the file it would have been.
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RoiInputError(
      file,
      missing
        ? 'no such file: give the result.json `scalper backtest --ablations` wrote, or its folder'
        : `cannot read it (${(e as Error).message})`,
      { cause: e },
    );
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (e) {
    throw new RoiInputError(file, `not a backtest result: not JSON (${(e as Error).message})`, { cause: e });
  }
}

/** The table's cost–benefit figures as `--json` prints them: ∞ (none, never, unbounded) as null. */
export function roiJson(file: string, r: Roi): string {
  return JSON.stringify(
    { result: file, ...r },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}

/** What the table is about, in the lines above it. */
function heading(r: Roi): string[] {
  const d = r.dates;
  const span = d.length === 0 ? 'no days' : `${d.length} trading day(s), ${d[0]} to ${d[d.length - 1]}`;
  const per =
    r.baseSize === null
      ? "the backtest's order quantity (its configuration does not say)"
      : `the backtest's orders of ${r.baseSize} contracts at full confidence (pipeline.sizing.baseSize; ${String(
          Number((r.size * r.baseSize).toPrecision(3)),
        )} contracts at this size${r.maxPosition === null ? '' : `, position limit ${r.maxPosition}`})`;
  return [
    `order flow against its cost: ${r.variant} against ${r.baseline} over ${span}; ${r.tradingDaysPerMonth} trading days a month`,
    `size ${r.size} × ${per}`,
    `${Math.round(r.level * 100)} % intervals: percentile bootstrap over days, ${r.resamples.toLocaleString('en-US')} resamples, seed ${r.seed}`,
  ];
}

/** Registers `roi`. */
export function registerRoi(program: Command): void {
  program
    .command('roi')
    .description(summary('roi'))
    .requiredOption('--result <path>', 'result.json of `scalper backtest --ablations`, or its folder')
    .requiredOption('--data-cost <usd>', 'market data subscription, USD a month', nonNegativeNumber)
    .requiredOption(
      '--infra-cost <usd>',
      'infrastructure (servers, co-location, connectivity), USD a month',
      nonNegativeNumber,
    )
    .option(
      '--setup-cost <usd>',
      'one-off cost to pay back (integration, hardware), USD',
      nonNegativeNumber,
      0,
    )
    .option(
      '--size <x>',
      "your position size as a multiple of the backtest's order quantity (1: as backtested)",
      positiveNumber,
      1,
    )
    .option(
      '--variant <name>',
      'the ablation variant with order flow: full, +toxicity or +microstructure',
      'full',
    )
    .option('--days-per-month <n>', 'trading days a month', positiveNumber, 21)
    .option('--seed <n>', 'seed of the bootstrap', seedArg, 1)
    .option('--json', 'print the figures as JSON (∞ as null: no break-even, never paid back, unbounded)')
    .addHelpText(
      'after',
      `
How the figures are made (src/backtest/roi/roi.ts):
  gain        the daily P&L after fees of --variant less that of old (momentum and technical
              analysts, no order-flow data), paired by trading day; a day without P&L counts 0.
              +toxicity differs from old by the order-flow analysts and the toxicity veto alone;
              full also drops the debate on every decision and the 20 s of the sequential
              pipeline, and adds the regime model.
  monthly     the mean daily figure × --days-per-month.
  size        a multiple of the backtest's order quantity: it sized each order as
              pipeline.sizing.baseSize contracts (read from the result's configuration and
              printed) × confidence; 0.1 is a tenth of that (one E-micro for each 6E). P&L after
              costs is scaled linearly: fills, per-contract fees and the USD risk limits (daily
              loss limit) as though they scaled with the quantity (no market impact, the same
              queue positions).
  costs       --data-cost and --infra-cost are USD a month; net = gain − both.
  break-even  the size at which the monthly gain equals the monthly costs (none if no gain).
  payback     --setup-cost / net, in months (never if the net is not positive).
  intervals   a 95 % percentile bootstrap over days of each monthly figure (seeded); net,
              break-even and payback follow from the gain's bounds. An interval that holds zero
              (or rests on one day) is noise, and the verdict says so.

Example:
  scalper backtest data/ --truth data/ --ablations --out bt
  scalper roi --result bt/result.json --data-cost 1000 --infra-cost 200 --size 0.1`,
    )
    .action((o: RoiCliOptions) => {
      const { file, json } = readResult(o.result);
      const r = orderFlowRoi(roiInputs(json, file), {
        dataCost: o.dataCost,
        infraCost: o.infraCost,
        setupCost: o.setupCost,
        size: o.size,
        variant: o.variant,
        tradingDaysPerMonth: o.daysPerMonth,
        seed: o.seed,
      });
      if (o.json === true) {
        process.stdout.write(`${roiJson(file, r)}\n`);
        return;
      }
      const lines = [...heading(r), '', ...roiTable(r), '', `verdict: ${r.verdict}`];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
