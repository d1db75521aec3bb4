/**
 * What the dashboard's sessions that are not a `TradingSession` share (a paced backtest, the
 * services of `scalper run`): records counted per instrument with their feed health, the clock
 * they are paced by, and the controls, which act on the trader as a session's do.
 */
import { type BookView, FeedHealth } from '../book/index.js';
import type { RecordCursor } from '../data/index.js';
import { type ExecutionConfig, feedHealthOptions, type Trader } from '../execution/index.js';
import { type FeedCount, FeedCounter, type ReplayClock } from '../runtime/index.js';
import type { DashboardSession } from './session-model.js';

export abstract class TraderSession implements Omit<DashboardSession, 'loop'> {
  readonly health: FeedHealth;
  readonly #clock: ReplayClock;
  readonly #counter = new FeedCounter();

  constructor(execution: ExecutionConfig, clock: ReplayClock) {
    this.health = new FeedHealth(feedHealthOptions(execution));
    this.#clock = clock;
  }

  abstract get trader(): Trader;

  /** Shown every record once applied, with the book it updated (null for other records). */
  readonly watch = (c: RecordCursor, book: BookView | null): void => {
    this.health.update(c, book);
    this.#counter.count(c);
  };

  /** The clock's time (0 before its first record). */
  get nowNs(): bigint {
    const ms = this.#clock.now();
    return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : 0n;
  }

  feeds(): FeedCount[] {
    return this.#counter.feeds();
  }

  kill(why: string): void {
    this.trader.kill(this.nowNs, why);
  }

  resetKill(_why?: string): void {
    this.trader.risk.reset();
  }

  pause(why?: string): void {
    this.trader.pause(why);
  }

  resume(): void {
    this.trader.unpause();
  }
}
