/**
 * Latency models: how long after we send something it acts at the venue, and how long the venue's
 * answer takes to reach us. An order meets the book as it is when it arrives, never as it was
 * when it was sent, so the paper broker applies an order only once the replay has reached
 * `sentNs + entry latency`.
 *
 * - `ConstantLatency`: fixed delays per action (entry, modify, cancel) and for the acknowledgement.
 * - `FeedLatency`: the feed's own recorded delay of the record the decision was made on
 *   (`ts_recv − ts_event`, what the venue-to-us path took then), used both ways, with a floor.
 */
import { InvalidOptionError } from '../core/index.js';

/** What we send. */
export type OrderAction = 'entry' | 'modify' | 'cancel';

export interface LatencyModel {
  readonly name: string;
  /** Delay in ns from sending `action` now to its arrival at the venue. */
  toVenue(action: OrderAction): bigint;
  /** Delay in ns from the venue acting now to our hearing of it (acknowledgement, fill report). */
  fromVenue(): bigint;
  /** Told of each market data record's delay (`ts_recv − ts_event`, ns) by a broker that replays them. */
  observe?(delayNs: number): void;
}

function nonNegativeNs(name: string, v: bigint): bigint {
  if (typeof v !== 'bigint' || v < 0n) throw new InvalidOptionError(name, v, 'a duration in ns >= 0n');
  return v;
}

/** Fixed delays, ns. */
export class ConstantLatency implements LatencyModel {
  readonly name = 'constant';
  readonly #to: Record<OrderAction, bigint>;
  readonly #ack: bigint;

  constructor(ns: { entry: bigint; modify?: bigint; cancel?: bigint; ack: bigint }) {
    const entry = nonNegativeNs('entry latency', ns.entry);
    this.#to = {
      entry,
      modify: nonNegativeNs('modify latency', ns.modify ?? entry),
      cancel: nonNegativeNs('cancel latency', ns.cancel ?? entry),
    };
    this.#ack = nonNegativeNs('acknowledgement latency', ns.ack);
  }

  toVenue(action: OrderAction): bigint {
    return this.#to[action];
  }

  fromVenue(): bigint {
    return this.#ack;
  }
}

/**
 * The feed's recorded delay (`ts_recv − ts_event` of the latest record, as `observe` is told),
 * at least `floorNs`: a feed that was slow makes our orders slow too.
 */
export class FeedLatency implements LatencyModel {
  readonly name = 'feed';
  readonly #floor: number;
  #last: number;

  constructor(floorNs = 0n) {
    this.#floor = Number(nonNegativeNs('latency floor', floorNs));
    this.#last = this.#floor;
  }

  /** Records the delay of a market data record, ns; negative delays (clock skew) count as 0. */
  observe(delayNs: number): void {
    this.#last = Math.max(delayNs, this.#floor);
  }

  toVenue(): bigint {
    return BigInt(this.#last);
  }

  fromVenue(): bigint {
    return BigInt(this.#last);
  }
}
