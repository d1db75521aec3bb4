/**
 * `decide`: each grid second's triggers (`features.<product>`) → the decision pipeline → one
 * `signals` message per product per grid second on `signals.<product>`, with the decisions and the
 * inputs they read.
 *
 * The pipeline's validators read positions and P&L as execute had them at that grid second
 * (`portfolio`, published by execute for every grid second): a second with triggers waits for it,
 * so the decisions are those one process takes. A second without triggers is passed on at once.
 *
 * A decide that starts reads the triggers again from the first message; seconds whose signals are
 * on the bus already are only counted (decision ids go on from where they stopped), not decided
 * again, so a restarted decide neither calls a model twice nor publishes a decision twice.
 */
import type { Logger } from '../../core/index.js';
import { rootLogger } from '../../core/index.js';
import { busSubject, type EventBus, type Subscription } from '../../infra/index.js';
import type { LlmProvider } from '../../llm/index.js';
import {
  DecisionPipeline,
  type PipelineConfig,
  type PortfolioView,
  type Tier1,
} from '../../pipeline/index.js';
import {
  decodeMessage,
  type EndMessage,
  encodeMessage,
  type GridMessage,
  type PortfolioMessage,
  type ServiceMessage,
} from './wire.js';

export interface DecideOptions {
  readonly bus: EventBus;
  readonly tier1: Tier1;
  readonly pipeline: PipelineConfig;
  readonly llm?: LlmProvider | null;
  /** Products to decide on (default every one, in one consumer of `features.>`). */
  readonly products?: readonly string[];
  /** Name of the durable consumers (default `decide`). */
  readonly name?: string;
  /**
   * Live budgets (`PipelineOptions.live`): tiers are cut at their budgets even without a model.
   * Off for a replay, whose decisions are then those of a backtest.
   */
  readonly live?: boolean;
  readonly logger?: Logger;
}

/** The portfolio execute published for the grid second being decided. */
class ReceivedPortfolio implements PortfolioView {
  m: PortfolioMessage | null = null;
  position(instrument: string): number {
    return this.m?.positions[instrument] ?? 0;
  }
  grossExposure(): number {
    return this.m?.grossExposure ?? 0;
  }
  dailyPnl(): number {
    return this.m?.dailyPnl ?? 0;
  }
}

export class DecideService {
  readonly #o: DecideOptions;
  readonly #log: Logger;
  readonly #view = new ReceivedPortfolio();
  #pipeline: DecisionPipeline | null = null;
  /** Decisions counted in seconds already on the bus, before the pipeline was made. */
  #skipped = 0;
  readonly #published = new Map<string, { tNs: bigint; ended: boolean }>();
  readonly #portfolios = new Map<bigint, PortfolioMessage>();
  /** Features messages per product, in the order they came, until decided. */
  readonly #queues = new Map<string, (GridMessage | EndMessage)[]>();
  /** When each queued grid message was stored on the bus. */
  readonly #gridMs = new WeakMap<GridMessage, number>();
  #pumping: Promise<void> | null = null;
  #again = false;
  readonly #subs: Subscription[] = [];
  readonly #ends = new Set<string>();
  /** Per product, the signals decided and not yet published. */
  readonly #unsent = new Map<string, { tNs: bigint; data: Uint8Array }>();
  #resolveEnded: () => void = () => {};
  #decisions = 0;
  /** Resolves once every product read has ended. */
  readonly ended: Promise<void>;

  constructor(o: DecideOptions) {
    this.#o = o;
    this.#log = (o.logger ?? rootLogger()).child({ component: 'decide' });
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** Decisions taken (not counting those of seconds already on the bus). */
  get decisions(): number {
    return this.#decisions;
  }

  /** The consumers it reads through. */
  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  async start(): Promise<void> {
    const bus = this.#o.bus;
    const name = this.#o.name ?? 'decide';
    await bus.deleteConsumer(`${name}-portfolio`);
    this.#subs.push(
      await bus.subscribe(
        { durable: `${name}-portfolio`, filter: busSubject('portfolio'), startAt: 'all' },
        (m) => this.#portfolio(decodeMessage(m.data, `${m.subject} #${m.seq}`) as PortfolioMessage),
      ),
    );
    const filters =
      this.#o.products === undefined
        ? [{ durable: name, filter: 'features.>' }]
        : this.#o.products.map((p) => ({ durable: `${name}-${p}`, filter: busSubject('features', p) }));
    for (const f of filters) {
      await bus.deleteConsumer(f.durable);
      this.#subs.push(
        await bus.subscribe({ ...f, startAt: 'all', ackWaitMs: 300_000 }, (m) =>
          this.#enqueue(decodeMessage(m.data, `${m.subject} #${m.seq}`), m.storedMs),
        ),
      );
    }
    this.#log.info({ filters: filters.map((f) => f.filter) }, 'decide started');
  }

  async stop(): Promise<void> {
    for (const s of this.#subs.splice(0)) await s.stop();
  }

  #portfolio(m: PortfolioMessage): void {
    this.#portfolios.set(m.tNs, m);
    this.#pump();
  }

  /**
   * A features message joins its product's queue and is acknowledged: a decide that stops reads
   * its stream again from the start, so nothing acknowledged here is lost.
   */
  #enqueue(m: ServiceMessage, storedMs: number): void {
    if (m.kind !== 'grid' && m.kind !== 'end')
      throw new Error(`features.* carries grid and end messages, got ${m.kind}`);
    let q = this.#queues.get(m.product);
    if (q === undefined) {
      q = [];
      this.#queues.set(m.product, q);
    }
    q.push(m);
    if (m.kind === 'grid') this.#gridMs.set(m, storedMs);
    this.#pump();
  }

  /**
   * Takes the queued messages one at a time, earliest grid second first (ties in the order they
   * came): a second with triggers waits for execute's portfolio of that second without holding
   * up another product's earlier seconds, which execute needs before it can get there.
   */
  #pump(): void {
    if (this.#pumping !== null) {
      this.#again = true;
      return;
    }
    this.#pumping = this.#drain()
      .catch((err) => {
        this.#log.error({ err }, 'decide could not publish; trying again in 1 s');
        return new Promise<void>((r) => setTimeout(r, 1_000)).then(() => {
          this.#again = true;
        });
      })
      .finally(() => {
        this.#pumping = null;
        if (this.#again) {
          this.#again = false;
          this.#pump();
        }
      });
  }

  async #drain(): Promise<void> {
    for (;;) {
      this.#again = false;
      let head: GridMessage | EndMessage | undefined;
      for (const q of this.#queues.values())
        if (q.length > 0 && (head === undefined || q[0].tNs < head.tNs)) head = q[0];
      if (head === undefined) return;
      const needs = head.kind === 'grid' && head.triggers.length > 0 && !(await this.#done(head));
      if (needs && !this.#portfolios.has(head.tNs)) return; // #portfolio pumps again
      await this.#features(head);
      (this.#queues.get(head.product) as (GridMessage | EndMessage)[]).shift();
    }
  }

  /** Whether `m`'s second is on the bus already (only counted then). */
  async #done(m: GridMessage): Promise<boolean> {
    return m.tNs <= (await this.#lastPublished(m.product)).tNs;
  }

  async #lastPublished(product: string): Promise<{ tNs: bigint; ended: boolean }> {
    let p = this.#published.get(product);
    if (p === undefined) {
      const last = await this.#o.bus.lastMessage(busSubject('signals', product));
      const m = last === null ? null : decodeMessage(last.data, `signals.${product} #${last.seq}`);
      p = { tNs: m === null ? -1n : m.tNs, ended: m?.kind === 'end' };
      this.#published.set(product, p);
    }
    return p;
  }

  async #features(m: GridMessage | EndMessage): Promise<void> {
    if (m.kind === 'end') return this.#end(m.product, m.tNs);
    const published = await this.#lastPublished(m.product);
    // A portfolio no product can still ask for: every product's signals are out past it.
    let floor: bigint | null = null;
    for (const p of this.#published.values()) if (floor === null || p.tNs < floor) floor = p.tNs;
    if (floor !== null) for (const t of this.#portfolios.keys()) if (t <= floor) this.#portfolios.delete(t);
    if (m.tNs <= published.tNs) {
      this.#skipped += m.triggers.length;
      return;
    }
    // Decided before and not yet out (its publication failed): the same decisions go, not new ones.
    let out = this.#unsent.get(m.product);
    if (out === undefined || out.tNs !== m.tNs) {
      const decisions = m.triggers.length === 0 ? [] : await this.#decide(m);
      const data = encodeMessage({
        kind: 'signals',
        product: m.product,
        tNs: m.tNs,
        decisions,
        tickMs: m.tickMs,
        gridMs: this.#gridMs.get(m) ?? Number.NaN,
      });
      out = { tNs: m.tNs, data };
      this.#unsent.set(m.product, out);
    }
    await this.#o.bus.publish(busSubject('signals', m.product), out.data, {
      msgId: `signals.${m.product}.${m.tNs}`,
    });
    this.#unsent.delete(m.product);
    published.tNs = m.tNs;
  }

  async #decide(m: GridMessage) {
    this.#view.m = this.#portfolios.get(m.tNs) as PortfolioMessage;
    this.#pipeline ??= new DecisionPipeline({
      tier1: this.#o.tier1,
      config: { ...this.#o.pipeline, warmUp: { ...this.#o.pipeline.warmUp, enabled: false } },
      portfolio: this.#view,
      llm: this.#o.llm ?? null,
      logger: this.#o.logger,
      live: this.#o.live ?? false,
      lastDecision: this.#skipped,
    });
    const out = [];
    for (const p of m.triggers) {
      const decision = await this.#pipeline.decide(p.trigger, p.input);
      out.push({ decision, input: p.input });
      this.#decisions++;
    }
    return out;
  }

  async #end(product: string, tNs: bigint): Promise<void> {
    const published = await this.#lastPublished(product);
    if (!published.ended) {
      await this.#o.bus.publish(
        busSubject('signals', product),
        encodeMessage({ kind: 'end', product, tNs }),
        { msgId: `signals-end.${product}` },
      );
      published.ended = true;
    }
    this.#ends.add(product);
    const expected = this.#o.products ?? [...this.#published.keys()];
    if (expected.every((p) => this.#ends.has(p))) {
      this.#log.info({ decisions: this.#decisions }, 'decide reached the end');
      this.#resolveEnded();
    }
  }
}
