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
import { decodeMessage, encodeMessage, type GridMessage, type PortfolioMessage } from './wire.js';

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
  readonly #waiting = new Map<bigint, () => void>();
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
          this.#features(decodeMessage(m.data, `${m.subject} #${m.seq}`)),
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
    this.#waiting.get(m.tNs)?.();
  }

  /** Execute's portfolio at `tNs`, once it has been published. */
  #portfolioAt(tNs: bigint): Promise<PortfolioMessage> {
    const m = this.#portfolios.get(tNs);
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => {
      this.#waiting.set(tNs, () => {
        this.#waiting.delete(tNs);
        resolve(this.#portfolios.get(tNs) as PortfolioMessage);
      });
    });
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

  async #features(m: ReturnType<typeof decodeMessage>): Promise<void> {
    if (m.kind === 'end') return this.#end(m.product, m.tNs);
    if (m.kind !== 'grid') throw new Error(`features.* carries grid and end messages, got ${m.kind}`);
    const published = await this.#lastPublished(m.product);
    // Older portfolios are not read again.
    for (const t of this.#portfolios.keys()) if (t < m.tNs) this.#portfolios.delete(t);
    if (m.tNs <= published.tNs) {
      this.#skipped += m.triggers.length;
      return;
    }
    // Decided before and not yet out (its publication failed): the same decisions go, not new ones.
    let out = this.#unsent.get(m.product);
    if (out === undefined || out.tNs !== m.tNs) {
      const decisions = m.triggers.length === 0 ? [] : await this.#decide(m);
      out = {
        tNs: m.tNs,
        data: encodeMessage({ kind: 'signals', product: m.product, tNs: m.tNs, decisions }),
      };
      this.#unsent.set(m.product, out);
    }
    await this.#o.bus.publish(busSubject('signals', m.product), out.data, {
      msgId: `signals.${m.product}.${m.tNs}`,
    });
    this.#unsent.delete(m.product);
    published.tNs = m.tNs;
  }

  async #decide(m: GridMessage) {
    this.#view.m = await this.#portfolioAt(m.tNs);
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
