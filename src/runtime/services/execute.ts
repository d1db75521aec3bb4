/**
 * `execute`: market data and decisions from the bus → risk → broker → orders and fills. The paper
 * broker fills against books built here from the same records the decisions were taken on.
 *
 * Market time moves in grid seconds, as in one process (pipeline/loop.ts): at each grid second `t`
 * execute has applied every record up to `t`; it publishes its portfolio as of `t` (what decide's
 * validators read), waits for the decisions of `t` of every product that has begun, and acts on
 * them at `t` (after `decisionLatencyMs`, when set) before it applies a later record. So the orders
 * and fills of four processes are those of one.
 *
 * Its state (books, orders, positions) is rebuilt from the stream: an execute that starts reads
 * market data and decisions again from the first message and publishes only the portfolio seconds,
 * orders and fills after the last ones on the bus. That is exact for the paper broker, whose venue
 * is this process; a venue's broker resumes from the state store instead (runtime/venue-start.ts).
 *
 * With a history store (PostgreSQL) orders, their states, fills and decisions are written behind,
 * in order, what the store has already skipped (runtime/journal.ts); while the store cannot be
 * reached the trader takes no new position (`DATA_UNTRUSTED`) and the writes wait.
 */

import type { AgentInput } from '../../agents/index.js';
import { BookSet, type BookView } from '../../book/index.js';
import { type Logger, rootLogger } from '../../core/index.js';
import { indexTsNs, type RecordCursor, RType } from '../../data/dbn/index.js';
import {
  type ExecutionConfig,
  encodeFill,
  encodeOrder,
  type OrderSpec,
  paperTrader,
  type Trader,
} from '../../execution/index.js';
import { busSubject, type EventBus, type StateStore, type Subscription } from '../../infra/index.js';
import { actOnDecision, type Decision, percentiles } from '../../pipeline/index.js';
import { SessionJournal } from '../journal.js';
import { RecordReader } from './market.js';
import { decodeMessage, encodeMessage, type PortfolioMessage, type SignalsMessage } from './wire.js';

export interface ExecuteOptions {
  readonly bus: EventBus;
  readonly execution: ExecutionConfig;
  /** Client order ids are `<runId>-<n>` (default `svc`). */
  readonly runId?: string;
  /** Time from a decision's trigger to its orders, ms (default 0: its grid second). */
  readonly decisionLatencyMs?: number;
  /** Name of the durable consumers (default `execute`). */
  readonly name?: string;
  /**
   * Where orders, their states, fills and decisions are kept (PostgreSQL for a shared history):
   * written behind, in order. While it cannot be reached no new position is taken.
   */
  readonly history?: StateStore | null;
  /**
   * Shown every market record once applied, with the book it updated (null for trades and other
   * records): what watches the stage from outside (the dashboard of `scalper run`).
   */
  readonly watch?: (c: RecordCursor, book: BookView | null) => void;
  readonly logger?: Logger;
}

const SECOND_NS = 1_000_000_000n;

/** A decision waiting for its latency to pass. */
interface Late {
  readonly dueNs: bigint;
  readonly decision: Decision;
  readonly input: AgentInput;
}

interface Product {
  /** ts_recv of its first record, ns (−1 before one). */
  firstNs: bigint;
  ended: boolean;
  /** Decisions received, by grid second, until acted on, with when they were stored on the bus. */
  readonly signals: Map<bigint, { readonly m: SignalsMessage; readonly storedMs: number }>;
  /** The last grid second received (−1: none). */
  lastNs: bigint;
}

export class ExecuteService {
  readonly trader: Trader;
  /** Stage latencies of the decisions that sent orders (the quant path). */
  readonly latency = new StageLatency();
  /** Stage latencies of every grid second of every product, decisions or none, to when it was acted on. */
  readonly secondLatency = new StageLatency();
  readonly decisions: Decision[] = [];
  readonly #o: ExecuteOptions;
  readonly #log: Logger;
  readonly #books = new BookSet();
  readonly #reader = new RecordReader();
  readonly #symbols = new Map<number, string>();
  readonly #added = new Set<number>();
  readonly #products = new Map<string, Product>();
  readonly #subs: Subscription[] = [];
  readonly #latencyNs: bigint;
  readonly #journal: SessionJournal | null;
  readonly #late: Late[] = [];
  #nextGridNs = -1n;
  #endNs = -1n;
  #portfolioNs = -1n;
  #records = 0;
  /** Orders sent, in order; how many of them and of the trader's fills are on the bus. */
  readonly #sent: OrderSpec[] = [];
  #ordersOut = 0;
  #fillsOut = 0;
  /** Stream sequence of the last record applied. */
  #appliedSeq = 0;
  #wake: (() => void) | null = null;
  #resolveEnded: () => void = () => {};
  /** Resolves once every product has ended and its last grid second was acted on. */
  readonly ended: Promise<void>;

  constructor(o: ExecuteOptions) {
    this.#o = o;
    this.#log = (o.logger ?? rootLogger()).child({ component: 'execute' });
    const history = o.history ?? null;
    const journal = history === null ? null : new SessionJournal(history, this.#log);
    this.#journal = journal;
    this.trader = paperTrader({
      instruments: [],
      config: o.execution,
      runId: o.runId ?? 'svc',
      beforeSend: (spec, role, nowNs) => {
        journal?.beforeSend(spec, role, nowNs);
        this.#sent.push(spec);
      },
      // The risk path is blind without its store: what is open is managed, nothing new is taken.
      dataTrust:
        history === null || !('reachable' in history)
          ? undefined
          : () =>
              (history as { reachable: boolean }).reachable ? null : 'the history store cannot be reached',
    });
    journal?.follow(this.trader);
    this.#latencyNs = BigInt(Math.round((o.decisionLatencyMs ?? 0) * 1e6));
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** Records applied so far. */
  get records(): number {
    return this.#records;
  }

  /** The consumers it reads through. */
  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  async start(): Promise<void> {
    const bus = this.#o.bus;
    const name = this.#o.name ?? 'execute';
    const last = await bus.lastMessage(busSubject('portfolio'));
    if (last !== null) {
      const m = decodeMessage(last.data, `portfolio #${last.seq}`) as PortfolioMessage;
      this.#portfolioNs = m.tNs;
      // What went out up to that second is not published again as the state is rebuilt.
      this.#ordersOut = m.orders;
      this.#fillsOut = m.fills;
    }
    for (const durable of [`${name}-signals`, `${name}-md`]) await bus.deleteConsumer(durable);
    this.#subs.push(
      await bus.subscribe(
        { durable: `${name}-signals`, filter: 'signals.>', startAt: 'all', maxAckPending: 4096 },
        (m) => this.#signals(decodeMessage(m.data, `${m.subject} #${m.seq}`), m.storedMs),
      ),
    );
    this.#subs.push(
      await bus.subscribe(
        { durable: `${name}-md`, filter: 'md.>', startAt: 'all', ackWaitMs: 300_000 },
        (m) => this.#md(m.subject, m.data, m.seq),
      ),
    );
    this.#log.info({ resumeAfterNs: String(this.#portfolioNs) }, 'execute started');
  }

  async stop(): Promise<void> {
    for (const s of this.#subs.splice(0)) await s.stop();
  }

  #product(name: string): Product {
    let p = this.#products.get(name);
    if (p === undefined) {
      p = { firstNs: -1n, ended: false, signals: new Map(), lastNs: -1n };
      this.#products.set(name, p);
    }
    return p;
  }

  #signals(m: ReturnType<typeof decodeMessage>, storedMs: number): void {
    if (m.kind !== 'signals' && m.kind !== 'end')
      throw new Error(`signals.* carries signals and end messages, got ${m.kind}`);
    const p = this.#product(m.product);
    if (m.kind === 'signals') p.signals.set(m.tNs, { m, storedMs });
    if (m.tNs > p.lastNs) p.lastNs = m.tNs;
    this.#wake?.();
  }

  async #md(subject: string, data: Uint8Array, seq: number): Promise<void> {
    const m = this.#reader.message(subject, data, `${subject} #${seq}`);
    const product = m.product;
    if (m.kind === 'symbols') {
      this.#symbols.set(m.notice.instrumentId, m.notice.symbol);
      this.#product(product);
      return;
    }
    if (m.kind === 'end') {
      const end = m.endNs;
      if (end > this.#endNs) this.#endNs = end;
      this.#product(product).ended = true;
      if ([...this.#products.values()].every((p) => p.ended)) {
        while (this.#nextGridNs >= 0n && this.#nextGridNs <= this.#endNs) await this.#gridSecond();
        this.trader.sampleEquity();
        await this.#journal?.settled();
        this.#log.info(
          { records: this.#records, decisions: this.decisions.length, orders: this.trader.orderCount },
          'execute reached the end',
        );
        this.#resolveEnded();
      }
      return;
    }
    // A message applied before (a later step then failed) is not applied twice.
    if (seq <= this.#appliedSeq) {
      await this.#publishOrders();
      return;
    }
    const batch = m.batch;
    let c = batch.at(0);
    const t = indexTsNs(c);
    if (this.#nextGridNs < 0n) this.#nextGridNs = ((t + SECOND_NS - 1n) / SECOND_NS) * SECOND_NS;
    while (this.#nextGridNs < t) {
      await this.#gridSecond();
      c = batch.at(0);
    }
    this.#appliedSeq = seq;
    const p = this.#product(product);
    if (p.firstNs < 0n) p.firstNs = t;
    const rt = c.rtype;
    const trader = this.trader;
    if (rt !== RType.MBO && rt !== RType.MBP_10 && rt !== RType.MBP_1) {
      this.#o.watch?.(c, null);
      this.#records++;
      return;
    }
    trader.before(c);
    const book = this.#books.apply(c);
    this.#o.watch?.(c, book);
    if (book !== null) trader.after(c, book);
    if (this.#sent.length > this.#ordersOut || trader.fills.length > this.#fillsOut)
      await this.#publishOrders();
    const id = c.instrumentId;
    if (!this.#added.has(id)) {
      this.#added.add(id);
      const symbol = this.#symbols.get(id);
      if (symbol !== undefined) trader.addInstrument({ instrumentId: id, symbol });
    }
    this.#records++;
  }

  /** The next grid second: late decisions, the portfolio, then this second's decisions. */
  async #gridSecond(): Promise<void> {
    const t = this.#nextGridNs;
    const trader = this.trader;
    const journal = this.#journal;
    while (this.#late.length > 0 && this.#late[0].dueNs <= t) {
      const l = this.#late.shift() as Late;
      actOnDecision(trader, l.decision, l.input, t, null);
    }
    if (t > this.#portfolioNs) {
      const positions: Record<string, number> = {};
      for (const x of trader.positions()) if (x.quantity !== 0) positions[x.symbol] = x.quantity;
      await this.#o.bus.publish(
        busSubject('portfolio'),
        encodeMessage({
          kind: 'portfolio',
          tNs: t,
          positions,
          grossExposure: trader.grossExposure(),
          dailyPnl: trader.dailyPnl(),
          orders: this.#sent.length,
          fills: trader.fills.length,
        }),
        { msgId: `portfolio.${t}` },
      );
      this.#portfolioNs = t;
    }
    const seconds: { m: SignalsMessage; storedMs: number }[] = [];
    const due: { decision: Decision; input: AgentInput; from: { m: SignalsMessage; storedMs: number } }[] =
      [];
    for (const p of this.#products.values()) {
      if (p.firstNs < 0n || p.firstNs > t) continue;
      while (p.lastNs < t) await new Promise<void>((resolve) => (this.#wake = resolve));
      const got = p.signals.get(t);
      if (got !== undefined) {
        for (const d of got.m.decisions) due.push({ ...d, from: got });
        seconds.push(got);
      }
      for (const k of p.signals.keys()) if (k <= t) p.signals.delete(k);
    }
    // In the order the pipeline took them (one decide numbers them as their triggers came).
    due.sort((a, b) => seqOf(a.decision.id) - seqOf(b.decision.id));
    for (const { decision, input, from } of due) {
      this.decisions.push(decision);
      journal?.decision(decision);
      if (this.#latencyNs !== 0n) {
        this.#late.push({
          dueNs: BigInt(decision.trigger.tMs) * 1_000_000n + this.#latencyNs,
          decision,
          input,
        });
        continue;
      }
      const sent = this.#sent.length;
      actOnDecision(trader, decision, input, t, null);
      if (this.#sent.length > sent) this.latency.add(from.m.tickMs, from.m.gridMs, from.storedMs);
    }
    for (const x of seconds) this.secondLatency.add(x.m.tickMs, x.m.gridMs, x.storedMs);
    if (this.#sent.length > this.#ordersOut || trader.fills.length > this.#fillsOut)
      await this.#publishOrders();
    this.#nextGridNs = t + SECOND_NS;
  }

  /** Orders sent and fills since the last call, on `orders` and `fills` (execution/codec.ts). */
  async #publishOrders(): Promise<void> {
    const bus = this.#o.bus;
    while (this.#ordersOut < this.#sent.length) {
      const spec = this.#sent[this.#ordersOut];
      await bus.publish(busSubject('orders'), encodeOrder(spec), { msgId: `order.${spec.clientId}` });
      this.#ordersOut++;
    }
    const fills = this.trader.fills;
    while (this.#fillsOut < fills.length) {
      const f = fills[this.#fillsOut];
      await bus.publish(busSubject('fills'), encodeFill(f), {
        msgId: `fill.${this.#fillsOut}.${f.clientId}`,
      });
      this.#fillsOut++;
    }
  }
}

/**
 * Where the time of a decision that sent orders went, on the bus's clock (ms): `featurize` from the
 * record that closed its second being stored to its triggers being stored, `decide` from there to
 * its decisions being stored, `execute` from there to the order, and `tickToOrder` the whole.
 */
export class StageLatency {
  readonly #rows: [number, number, number, number][] = [];

  add(tickMs: number, gridMs: number, signalsMs: number): void {
    const now = performance.timeOrigin + performance.now();
    if (Number.isFinite(tickMs) && Number.isFinite(gridMs))
      this.#rows.push([gridMs - tickMs, signalsMs - gridMs, now - signalsMs, now - tickMs]);
  }

  get count(): number {
    return this.#rows.length;
  }

  summary() {
    const col = (i: number) => percentiles(this.#rows.map((r) => r[i]));
    return {
      count: this.#rows.length,
      featurize: col(0),
      decide: col(1),
      execute: col(2),
      tickToOrder: col(3),
    };
  }
}

/** The pipeline's number of a decision (`6EZ6-12` → 12). */
function seqOf(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}
