/**
 * A backtest watched as it runs: the very loop, pipeline and paper trader of `runBacktest`
 * (`backtestParts`), held back at each grid second until a replay clock reaches it, so that the
 * dashboard can show a finished backtest happening again at a pace, held, or run ahead. Pacing only
 * decides when records are read, never what is done with them: left alone, the run's orders and
 * fills are the finished backtest's, to the byte of its fills.csv. The dashboard's controls still
 * act on it (a pause, the kill switch), and then the run says it departed from the backtest.
 */

import { type BacktestSetup, backtestParts, fillsCsv } from '../backtest/index.js';
import type { Trader } from '../execution/index.js';
import type { DecisionLoop } from '../pipeline/index.js';
import { ReplayClock } from '../runtime/index.js';
import type { ReplayOptions } from './replay.js';
import { TraderSession } from './trader-session.js';

export class PacedBacktest extends TraderSession {
  readonly loop: DecisionLoop;
  readonly trader: Trader;
  readonly #files: readonly string[];
  readonly #clock: ReplayClock;
  readonly #signal: AbortSignal;
  #controlled: string | null = null;

  constructor(files: readonly string[], setup: BacktestSetup, clock: ReplayClock, signal: AbortSignal) {
    super(setup.execution, clock);
    this.#files = files;
    this.#clock = clock;
    this.#signal = signal;
    const parts = backtestParts(setup, this.watch);
    this.loop = parts.loop;
    this.trader = parts.trader;
  }

  /**
   * The control that made this run depart from the backtest (a pause, the kill switch), or null
   * while it is the backtest as it ran.
   */
  get departed(): string | null {
    return this.#controlled;
  }

  override kill(why: string): void {
    this.#controlled ??= 'the kill switch';
    super.kill(why);
  }

  override pause(why?: string): void {
    this.#controlled ??= 'a pause of new entries';
    super.pause(why);
  }

  /**
   * Runs the backtest to its end, each grid second waiting for the clock (at once while it runs
   * ahead or at speed 0); rejects with the signal's reason when it is stopped.
   */
  async run(): Promise<{ records: number }> {
    const clock = this.#clock;
    const signal = this.#signal;
    const pace = (tNs: bigint): Promise<void> | undefined => {
      signal.throwIfAborted();
      const due = clock.reach(Number(tNs / 1_000_000n), signal);
      return due === null ? undefined : due.then(() => signal.throwIfAborted());
    };
    const { records } = await this.loop.run(this.#files, undefined, {}, pace);
    this.trader.sampleEquity();
    return { records };
  }
}

/**
 * A finished backtest of `files` run again at the viewer's pace (`ReplayOptions.open`): each start
 * gets a fresh setup. At its end the run says whether its fills are the finished backtest's
 * (`fills`, its fills.csv text; null when there is none to compare with).
 */
export function backtestReplay(
  files: readonly string[],
  setup: () => BacktestSetup,
  fills: string | null,
): ReplayOptions['open'] {
  return ({ speed, held, seekMs, signal }) => {
    const clock = new ReplayClock(speed);
    if (seekMs !== null) clock.seek(seekMs);
    if (held) clock.hold();
    const run = new PacedBacktest(files, setup(), clock, signal);
    const done = run.run().then(({ records }) => {
      const n = `${records} records, ${run.trader.fills.length} fills`;
      if (run.departed !== null)
        return `backtest replayed (${n}); ${run.departed} made it depart from the finished one`;
      if (fills === null) return `backtest replayed: ${n}`;
      return fillsCsv(run.trader) === fills
        ? `backtest replayed: ${n}, the same as its fills.csv`
        : `backtest replayed: ${n}, which differ from its fills.csv (other inputs, settings or model answers)`;
    });
    return { clock, session: run, done };
  };
}
