/**
 * Brackets each simulated event: stamps it (exchange time, capture time, in-delta), lets the
 * record emitter publish what the engine did in between, and keeps the per-event bookkeeping
 * (the inspection hook, the one-tick-spread count, the top-of-book path the spot quotes follow).
 */
import type { Random } from '../core/index.js';
import type { MatchingEngine } from './engine.js';
import type { InstrumentMarket } from './market.js';
import type { SimParams } from './params.js';
import type { RecordEmitter } from './records.js';

/** Called after every published event with its engine and sequence number. */
export type InspectHook = (engine: MatchingEngine, sequence: number) => void;

/** Opens and closes the events of a day on one record emitter. */
export class EventPublisher {
  readonly #emitter: RecordEmitter;
  readonly #rnd: Random;
  readonly #p: SimParams;
  readonly #inspect: InspectHook | undefined;
  readonly #withPath: boolean;
  #recvLast = 0;
  #t = 0;
  #events = 0;
  #oneTick = 0;

  /**
   * @param withPath whether to record each market's top of book after every event (for the spot
   *   quotes; it draws nothing, so the futures output is the same without it).
   */
  constructor(
    emitter: RecordEmitter,
    rnd: Random,
    p: SimParams,
    inspect: InspectHook | undefined,
    withPath: boolean,
  ) {
    this.#emitter = emitter;
    this.#rnd = rnd;
    this.#p = p;
    this.#inspect = inspect;
    this.#withPath = withPath;
  }

  /**
   * Starts an event of `market` at `t` (ns offset). Capture times follow exchange times by a
   * random latency but never go backwards (one capture feed).
   */
  begin(market: InstrumentMarket, t: number): void {
    const p = this.#p;
    const rnd = this.#rnd;
    const recv = Math.max(this.#recvLast, t + p.recvLatencyMinNs + rnd.floorExponential(p.recvLatencyMeanNs));
    this.#recvLast = recv;
    this.#t = t;
    this.#emitter.begin(market, t, recv, 10_000 + rnd.int(20_000));
  }

  /** Publishes the event's records; an event that changed nothing publishes nothing. */
  finish(market: InstrumentMarket): void {
    const emitter = this.#emitter;
    const before = emitter.nextSequence;
    emitter.end();
    if (emitter.nextSequence === before) return; // nothing published (a no-op modify, say)
    this.#inspect?.(market.engine, before);
    this.#events++;
    const bid = market.engine.bestBid;
    const ask = market.engine.bestAsk;
    if (ask - bid === 1) this.#oneTick++;
    if (this.#withPath && !Number.isNaN(bid) && !Number.isNaN(ask))
      market.path.push(this.#t, bid * market.tickRaw, ask * market.tickRaw);
  }

  /** Starts a snapshot inside the current event (see `RecordEmitter.beginSnapshot`). */
  beginSnapshot(): void {
    this.#emitter.beginSnapshot();
  }

  /** Ends the snapshot with the engine's rebuilt top ten. */
  endSnapshot(engine: MatchingEngine): void {
    this.#emitter.endSnapshot(engine);
  }

  /** Events published so far. */
  get events(): number {
    return this.#events;
  }

  /** Share of published events after which the spread was exactly one tick. */
  get oneTickShare(): number {
    return this.#events > 0 ? this.#oneTick / this.#events : 0;
  }
}
