/**
 * The services of `scalper run` seen as one session for the dashboard: the market's side (features,
 * books, bars, levels) from the featurize stage's loop, the decisions and the account from the
 * execute stage, the records each instrument got and their feed health from what execute applied,
 * and the clock the replay is paced by. The controls act on execute's trader, as they would on a
 * session's: pause new entries, the kill switch and its reset.
 */
import { type BookView, FeedHealth } from '../book/index.js';
import { EngineError } from '../core/index.js';
import { hasTsRecv, type RecordCursor } from '../data/index.js';
import { type ExecutionConfig, feedHealthOptions, type Trader } from '../execution/index.js';
import type { ExecuteService, FeaturizeService, FeedCount, ReplayClock } from '../runtime/index.js';
import type { DashboardSession } from './session-model.js';

/** Counts of one instrument (a plain mutable object, bumped per record). */
class Counted implements FeedCount {
  records = 0;
  lastRecordMs = Number.NaN;
  constructor(readonly instrumentId: number) {}
}

export class ServicesSession implements DashboardSession {
  readonly health: FeedHealth;
  readonly #clock: ReplayClock;
  readonly #counts = new Map<number, Counted>();
  #last: Counted | null = null;
  #featurize: FeaturizeService | null = null;
  #execute: ExecuteService | null = null;

  constructor(execution: ExecutionConfig, clock: ReplayClock) {
    this.health = new FeedHealth(feedHealthOptions(execution));
    this.#clock = clock;
  }

  /** What the execute stage shows every record (`ExecuteOptions.watch`). */
  readonly watch = (c: RecordCursor, book: BookView | null): void => {
    this.health.update(c, book);
    const id = c.instrumentId;
    let k = this.#last;
    if (k === null || k.instrumentId !== id) {
      k = this.#counts.get(id) ?? new Counted(id);
      if (k.records === 0) this.#counts.set(id, k);
      this.#last = k;
    }
    k.records++;
    k.lastRecordMs = hasTsRecv(c.rtype) ? c.tsRecvMs : c.tsEventMs;
  };

  /** The stages, once made (they take `watch` when they are). */
  attach(featurize: FeaturizeService, execute: ExecuteService): void {
    this.#featurize = featurize;
    this.#execute = execute;
  }

  get loop(): DashboardSession['loop'] {
    const f = this.#stage(this.#featurize).loop;
    const e = this.#stage(this.#execute);
    return {
      decisions: e.decisions,
      engine: f.engine,
      onBar: (listener) => f.onBar(listener),
      sessions: (id) => f.sessions(id),
      regime: (id) => f.regime(id),
    };
  }

  get trader(): Trader {
    return this.#stage(this.#execute).trader;
  }

  get nowNs(): bigint {
    const ms = this.#clock.now();
    return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : 0n;
  }

  feeds(): FeedCount[] {
    return [...this.#counts.values()].map((c) => ({
      instrumentId: c.instrumentId,
      records: c.records,
      lastRecordMs: c.lastRecordMs,
    }));
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

  #stage<T>(stage: T | null): T {
    if (stage === null)
      throw new EngineError(
        'DASHBOARD_NOT_ATTACHED',
        'the dashboard reads the services before they are attached',
      );
    return stage;
  }
}
