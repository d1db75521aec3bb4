/**
 * `scalper compare SESSION_DIR BACKTEST_DIR [--json] [--all]`: where a paper or live session and a
 * backtest of its recording (`scalper backtest SESSION_DIR/feed`) diverged: decisions taken or
 * approved in one only, and for the decisions both traded, the entry price in ticks, the fill time,
 * the venue latency, maker or taker, fees, rejections and exits; then the P&L gap split by cause
 * (backtest/compare.ts). It reads the two folders' files only.
 */
import type { Command } from 'commander';
import { compareRuns, comparisonJson, comparisonTable, readRunFolder } from '../backtest/index.js';
import { summary } from './commands.js';

/** Registers `compare`. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(summary('compare'))
    .argument('<session>', "a session's folder (decisions.jsonl, orders.csv, fills.csv, trades.csv)")
    .argument('<backtest>', 'the folder `scalper backtest <session>/feed --out` wrote')
    .option('--json', 'print the comparison as JSON')
    .option('--all', 'list every decision, not only those where the runs differ')
    .addHelpText(
      'after',
      `
The P&L gap (session − backtest, USD after fees) is split into:
  price       decisions both traded: the P&L difference before fees (entry and exit prices,
              which the latency of the orders moves)
  fees        decisions both traded: the difference of their fees
  queue       traded in one only: the other's passive entry order was never filled
  rejections  traded in one only: the other's entry order was rejected
  decisions   a decision taken, or approved, in one run only
  other       traded in one only for another reason, or a round trip of no decision
Decisions are paired by instrument, trigger kind and trigger time (not by id: one decision taken
in one run only shifts every later id).

Example:
  scalper backtest scalper-data/sessions/2026-11-24T14-00-00/feed --out bt
  scalper compare scalper-data/sessions/2026-11-24T14-00-00 bt`,
    )
    .action((sessionDir: string, backtestDir: string, o: { json?: boolean; all?: boolean }) => {
      const c = compareRuns(readRunFolder(sessionDir), readRunFolder(backtestDir));
      process.stdout.write(o.json === true ? `${comparisonJson(c)}\n` : comparisonTable(c, o.all === true));
    });
}
