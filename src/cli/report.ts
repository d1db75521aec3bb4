/**
 * `scalper report DIR|RESULT.json [--out FILE]`: renders a backtest's `report.html` again from its
 * folder (backtest/report), for instance after an upgrade, or into another file. It reads the
 * folder's files only: no market data, model or configuration.
 */
import type { Command } from 'commander';
import { writeReport } from '../backtest/report/index.js';
import { summary } from './commands.js';
import { bytes } from './output.js';

/** Registers `report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(summary('report'))
    .argument('<path>', 'the folder `scalper backtest --out` wrote, or its result.json')
    .option('-o, --out <file>', 'where to write the page (default: report.html in the folder)')
    .action((path: string, o: { out?: string }) => {
      const r = writeReport(path, { out: o.out });
      process.stdout.write(
        `report: ${r.path} (${bytes(r.bytes)}, rendered in ${(r.ms / 1000).toFixed(2)} s)\n`,
      );
    });
}
