/**
 * `featurize`: market data from the bus → books, features, techniques and the regime (the decision
 * loop without a pipeline, pipeline/loop.ts) → one `grid` message per product per grid second on
 * `features.<product>`, with the triggers queued in it, and the latest snapshot of each instrument
 * in the feature store.
 *
 * Its state (books, windows, bars, the regime filter) is rebuilt from the stream: a featurize that
 * starts reads its products' market data again from the first message, and publishes only the
 * grid seconds after the last one its products have on the bus (message ids `grid.<P>.<t>` keep a
 * republish from being stored twice). A featurize killed mid-replay and started again so publishes
 * exactly the messages one that ran through would have.
 */
import { CME_FX_FUTURES, fxFutureRoot, type Logger, rootLogger } from '../../core/index.js';
import { indexTsNs } from '../../data/dbn/index.js';
import type { FeatureStore } from '../../infra/features/index.js';
import { busSubject, type EventBus, type Subscription } from '../../infra/index.js';
import { DecisionLoop, type DecisionLoopOptions, type PendingDecision } from '../../pipeline/index.js';
import { productOf, RecordReader } from './market.js';
import { decodeMessage, encodeMessage } from './wire.js';

export interface FeaturizeOptions {
  readonly bus: EventBus;
  /** The loop's settings: regime model, techniques, triggers, the feature engine's options. */
  readonly loop?: Omit<DecisionLoopOptions, 'pipeline' | 'trader' | 'clock' | 'onGrid' | 'tradeOn'>;
  /** Products to featurize (default every one, in one consumer of `md.>`). */
  readonly products?: readonly string[];
  /** Name of the durable consumers (default `featurize`; one per product: `featurize-6E`). */
  readonly name?: string;
  /** Where each grid second's latest snapshots go (default none). */
  readonly store?: FeatureStore | null;
  readonly logger?: Logger;
}

interface ProductState {
  /** ts_recv of its first record (ns; −1 before one). */
  firstNs: bigint;
  /** The last grid second it has on the bus (−1: none). */
  publishedNs: bigint;
  /** Its end is on the bus already. */
  endPublished: boolean;
  ended: boolean;
}

export class FeaturizeService {
  readonly loop: DecisionLoop;
  readonly #bus: EventBus;
  readonly #o: FeaturizeOptions;
  readonly #log: Logger;
  readonly #reader = new RecordReader();
  readonly #products = new Map<string, ProductState>();
  readonly #subs: Subscription[] = [];
  /** Grid messages waiting to be published, in order. */
  readonly #out: { subject: string; data: Uint8Array; msgId: string }[] = [];
  #endNs = -1n;
  /** Feature-store writes under way (awaited with the next publication). */
  readonly #stored: Promise<unknown>[] = [];
  #endsExpected = 0;
  #records = 0;
  /** When the record being applied was stored on the bus (ms since the epoch). */
  #tickMs = Number.NaN;
  /** Stream sequence of the last record applied. */
  #appliedSeq = 0;
  #published = 0;
  #resolveEnded: () => void = () => {};
  /** Resolves once every product this service reads has ended (a replay's end). */
  readonly ended: Promise<void>;

  constructor(o: FeaturizeOptions) {
    this.#bus = o.bus;
    this.#o = o;
    this.#log = (o.logger ?? rootLogger()).child({ component: 'featurize' });
    this.loop = new DecisionLoop({ ...o.loop, onGrid: (t, pending) => this.#grid(t, pending) });
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** Records read and grid messages published so far. */
  get counts(): { readonly records: number; readonly published: number } {
    return { records: this.#records, published: this.#published };
  }

  /** The consumers it reads through. */
  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  /** Starts reading from the first message of its products (see the module comment). */
  async start(): Promise<void> {
    const name = this.#o.name ?? 'featurize';
    const filters =
      this.#o.products === undefined
        ? [{ durable: name, filter: 'md.>' }]
        : this.#o.products.map((p) => ({ durable: `${name}-${p}`, filter: `md.${p}.>` }));
    this.#endsExpected = this.#o.products?.length ?? 0;
    for (const f of filters) {
      await this.#bus.deleteConsumer(f.durable);
      this.#subs.push(
        await this.#bus.subscribe({ ...f, startAt: 'all', ackWaitMs: 300_000 }, (m) =>
          this.#handle(m.subject, m.data, m.seq, m.storedMs),
        ),
      );
    }
    this.#log.info({ filters: filters.map((f) => f.filter) }, 'featurize started');
  }

  async stop(): Promise<void> {
    for (const s of this.#subs.splice(0)) await s.stop();
  }

  async #handle(subject: string, data: Uint8Array, seq: number, storedMs: number): Promise<void> {
    const m = this.#reader.message(subject, data, `${subject} #${seq}`);
    const product = m.product;
    if (m.kind === 'symbols') {
      const n = m.notice;
      const engine = this.loop.engine;
      engine.setSymbol(n.instrumentId, n.symbol);
      const root = fxFutureRoot(n.symbol);
      if (root !== undefined) engine.setTickSize(n.instrumentId, CME_FX_FUTURES[root].tickRaw);
      await this.#product(product);
      return;
    }
    if (m.kind === 'end') {
      const end = m.endNs;
      const p = await this.#product(product);
      if (end > this.#endNs) this.#endNs = end;
      p.ended = true;
      const ended = [...this.#products.values()].filter((x) => x.ended).length;
      if (ended >= Math.max(this.#endsExpected, this.#products.size)) {
        // Every grid second up to the input's last record, as a replay ends.
        this.#tickMs = Number.NaN;
        this.loop.tick(this.#endNs + 1n);
        await this.loop.settled();
        await this.#flush();
        for (const [name, s] of this.#products) {
          if (s.endPublished) continue;
          await this.#publish(
            name,
            s,
            { kind: 'end', product: name, tNs: this.#endNs },
            `features-end.${name}`,
          );
          s.endPublished = true;
        }
        this.#log.info({ records: this.#records, published: this.#published }, 'featurize reached the end');
        this.#resolveEnded();
      }
      return;
    }
    // A message handled before (its grid messages then failed to go out) is not applied twice.
    if (seq > this.#appliedSeq) {
      const batch = m.batch;
      const c = batch.at(0);
      const p = this.#products.get(product) ?? (await this.#product(product));
      if (p.firstNs < 0n) p.firstNs = indexTsNs(c);
      this.#tickMs = storedMs;
      this.loop.push(batch, 0);
      this.#appliedSeq = seq;
      this.#records++;
    }
    if (this.#out.length > 0) await this.#flush();
  }

  /** A product's state; on first sight, where its output on the bus stopped. */
  async #product(name: string): Promise<ProductState> {
    let s = this.#products.get(name);
    if (s !== undefined) return s;
    s = { firstNs: -1n, publishedNs: -1n, endPublished: false, ended: false };
    this.#products.set(name, s);
    const last = await this.#bus.lastMessage(busSubject('features', name));
    if (last !== null) {
      const m = decodeMessage(last.data, `features.${name} #${last.seq}`);
      s.publishedNs = m.tNs;
      s.endPublished = m.kind === 'end';
    }
    return s;
  }

  /** A grid second of the loop: one message per product that has begun, with its triggers. */
  #grid(tNs: bigint, pending: readonly PendingDecision[]): void {
    for (const [name, s] of this.#products) {
      if (s.firstNs < 0n || tNs < s.firstNs) continue;
      const triggers = pending.filter((x) => productOf(x.input.snapshot.symbol) === name);
      if (tNs <= s.publishedNs) continue;
      this.#out.push({
        subject: busSubject('features', name),
        data: encodeMessage({
          kind: 'grid',
          product: name,
          tNs,
          triggers,
          tickMs: this.#tickMs,
        }),
        msgId: `grid.${name}.${tNs}`,
      });
      s.publishedNs = tNs;
    }
    // The snapshots the triggers froze: taking others here would settle calculators mid-stream.
    const store = this.#o.store;
    if (store != null) for (const x of pending) this.#stored.push(store.put(x.input.snapshot));
  }

  async #flush(): Promise<void> {
    // The feature store is a view for readers: a write it refuses is logged, the stream goes on.
    if (this.#stored.length > 0) {
      const refused = (await Promise.allSettled(this.#stored.splice(0))).filter(
        (r) => r.status === 'rejected',
      );
      if (refused.length > 0)
        this.#log.error(
          { err: (refused[0] as PromiseRejectedResult).reason, writes: refused.length },
          'feature store refused snapshots',
        );
    }
    while (this.#out.length > 0) {
      const m = this.#out[0];
      await this.#bus.publish(m.subject, m.data, { msgId: m.msgId });
      this.#out.shift();
      this.#published++;
    }
  }

  async #publish(name: string, s: ProductState, m: Parameters<typeof encodeMessage>[0], msgId: string) {
    await this.#bus.publish(busSubject('features', name), encodeMessage(m), { msgId });
    s.publishedNs = m.tNs;
    this.#published++;
  }
}
