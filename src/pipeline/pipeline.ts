/**
 * The five-tier decision pipeline (issue 7; DESIGN.md "The decision pipeline"; CONVENTIONS.md
 * "Pipeline routes"):
 * 1. analysts in parallel (`Tier1`, `runAgents` of the agents module), each within its budget;
 * 2. quick consensus (`consensus`), with the weights of the current regime;
 *    the route is chosen here, from agreement, confidence and the intended size:
 *    fast (agreement ≥ 0.9, small size, no conflicting risk flags: tiers 1, 2, 4, 5, no debate),
 *    standard (the debate only when agreement < 0.9), full (large size or conflicting risk flags:
 *    the debate always runs, and the model is consulted at tier 5 when one is configured);
 * 3. the conditional debate (`debate`);
 * 4. validation in parallel (`validate`): any veto stops the trade;
 * 5. final approval: the size from confidence, the regime analyst's size scale and the limits.
 *
 * Every decision is recorded whole: the trigger, the snapshot's time, each analyst's signal or why
 * it was left out, the vote, the route, the debate's turns and checks, the verdicts, the approval,
 * the time spent in each tier and each analyst, token usage, and every fallback from a model answer
 * to the quant one. With no model the decision is a pure function of the input and configuration.
 * Latency is measured on `stopwatch` (performance.now by default); budgets cut a tier short with an
 * AbortSignal (the debate ends with what it has, a late model call is abandoned) and are recorded.
 */

import * as z from 'zod/mini';
import {
  type Agent,
  type AgentInput,
  type AgentName,
  type AgentOutcome,
  type AgentSignal,
  type Direction,
  NEVER_ABORTED,
  type RiskFlag,
  runAgents,
} from '../agents/index.js';
import { type Clock, componentLogger, EngineError, type Logger, silentLogger } from '../core/index.js';
import { UNIT } from '../core/schema/index.js';
import { type LlmProvider, stateKey, type Usage } from '../llm/index.js';
import type { PipelineConfig } from './config.js';
import { DEFAULT_PIPELINE_CONFIG } from './config.js';
import { type Consensus, consensus } from './consensus.js';
import { type DebateResult, debate, timeLeft } from './debate.js';
import { analystFallback, type Fallback, modelFallback } from './fallback.js';
import { FLAT_PORTFOLIO, type PortfolioView } from './portfolio.js';
import { type Verdict, validate } from './validators.js';
import { runWarmUp, type WarmUpReport, warmUpPortfolio } from './warmup.js';

/** What started a decision. */
export type TriggerKind = 'bar' | 'setup' | 'sweep' | 'toxicity' | 'fill';

export interface Trigger {
  readonly kind: TriggerKind;
  /** Time of the trigger, ms. */
  readonly tMs: number;
  readonly detail?: string;
}

export type Route = 'fast' | 'standard' | 'full';

/** Tier 1's result. */
export interface Tier1Result {
  readonly signals: readonly AgentSignal[];
  readonly outcomes: readonly AgentOutcome[];
  /** Σ of the analysts' own times, ms (for the concurrency ratio). */
  readonly sumAgentMs: number;
}

/** Runs the analysts on one input (tier 1). */
export type Tier1 = (input: AgentInput, signal: AbortSignal) => Promise<Tier1Result>;

export interface Approval {
  readonly approved: boolean;
  readonly direction: Direction;
  readonly size: number;
  readonly confidence: number;
  readonly reason: string;
  readonly source: 'quant' | 'model';
}

export interface TierTimes {
  tier1: number;
  tier2: number;
  tier3: number;
  tier4: number;
  tier5: number;
  total: number;
}

/** The audit record of one decision. */
export interface Decision {
  readonly id: string;
  readonly trigger: Trigger;
  readonly instrument: string;
  /** The snapshot's time (ISO-8601, ns). */
  readonly snapshotTs: string;
  readonly signals: readonly AgentSignal[];
  readonly outcomes: readonly AgentOutcome[];
  readonly consensus: Consensus;
  readonly route: Route;
  readonly intendedSize: number;
  readonly debate: DebateResult;
  readonly verdicts: readonly Verdict[];
  readonly approval: Approval;
  readonly timings: TierTimes;
  readonly sumAgentMs: number;
  readonly usage: Usage;
  /** Steps that went on without the answer they asked for (analysts left out, model steps). */
  readonly fallbacks: readonly Fallback[];
  /** Tiers that ran out of budget. */
  readonly overBudget: readonly string[];
}

export interface PipelineOptions {
  readonly tier1: Tier1;
  readonly config?: PipelineConfig;
  /** A model for the debate and the full route's approval; none (the default) = quant only. */
  readonly llm?: LlmProvider | null;
  /**
   * Positions and P&L the validators read: the execution layer's trader, which acts on the approved
   * decisions (default `FLAT_PORTFOLIO`: nothing trades them).
   */
  readonly portfolio?: PortfolioView;
  /** Latency clock, ms (default performance.now). */
  readonly stopwatch?: () => number;
  /** Called with each decision. */
  readonly onDecision?: (d: Decision) => void;
  /**
   * Paper or live trading: every budget is enforced on the wall clock. Otherwise (backtests, the
   * demo) only the budgets around model calls are, so that a replay without a model is a pure
   * function of its input. Default false.
   */
  readonly live?: boolean;
  /**
   * Parent of the pipeline's logger (`component: "pipeline"`); every line about a decision carries
   * its `decisionId`. Default the root logger.
   */
  readonly logger?: Logger;
  /**
   * Decisions already numbered by an earlier process of the same session (a restart): ids go on
   * from the next one, so that none is used twice. Default 0.
   */
  readonly lastDecision?: number;
}

/** Risk flags that conflict with taking a position (the full route looks twice). */
const CONFLICT_FLAGS: readonly RiskFlag[] = ['toxicity', 'sweep', 'wide_spread', 'regime_change', 'risk_off'];

/** The regime analyst's size scale (1 when it has not answered). */
function sizeScale(signals: readonly AgentSignal[]): number {
  const r = signals.find((s) => s.agent === 'regime');
  return r === undefined ? 1 : r.sizeScale;
}

/** Size from confidence and scale, in whole contracts, at most the position limit. */
export function sizeFor(confidence: number, scale: number, cfg: PipelineConfig): number {
  if (!(confidence >= cfg.sizing.minConfidence) || !(scale > 0)) return 0;
  return Math.min(cfg.limits.maxPosition, Math.round(cfg.sizing.baseSize * confidence * scale));
}

/** The route after tier 2 (CONVENTIONS.md "Pipeline routes"). */
export function chooseRoute(
  c: Consensus,
  size: number,
  signals: readonly AgentSignal[],
  cfg: PipelineConfig,
): Route {
  const conflict =
    c.direction !== 'flat' && signals.some((s) => s.flags.some((f) => CONFLICT_FLAGS.includes(f)));
  if (size >= cfg.routing.largeSize || conflict) return 'full';
  if (c.agreement >= cfg.routing.fastAgreement && size <= cfg.routing.smallSize) return 'fast';
  return 'standard';
}

function addUsage(list: readonly Usage[]): Usage {
  let inputTokens = 0;
  let outputTokens = 0;
  let cachedInputTokens = 0;
  let costUsd = 0;
  for (const u of list) {
    inputTokens += u.inputTokens;
    outputTokens += u.outputTokens;
    cachedInputTokens += u.cachedInputTokens;
    costUsd += u.costUsd;
  }
  return { inputTokens, outputTokens, cachedInputTokens, costUsd };
}

/** A tier ran out of its time budget (the reason its AbortSignal carries). */
export class BudgetExceededError extends EngineError {
  readonly budgetMs: number;
  constructor(budgetMs: number) {
    super('BUDGET_EXCEEDED', `Budget of ${budgetMs} ms exceeded`);
    this.budgetMs = budgetMs;
  }
}

/** A tier's budget: its signal, the wall-clock deadline (performance.now ms) and `clear()`. */
interface Budget {
  readonly signal: AbortSignal;
  readonly deadline: number;
  clear(): void;
}

/** The budget of a tier that is not enforced: a signal nothing aborts, shared by every decision. */
const UNLIMITED: Budget = Object.freeze({
  signal: NEVER_ABORTED,
  deadline: Number.POSITIVE_INFINITY,
  clear: () => {},
});

/**
 * Aborts after `ms` of wall time, or when `parent` aborts (at once if it already has); with
 * `enforce` false it never aborts (backtests without a model: a replay must not depend on the
 * machine's speed, CONVENTIONS.md "Time, clocks and determinism").
 */
function budget(ms: number, enforce: boolean, parent?: Budget): Budget {
  if (!enforce) return UNLIMITED;
  const ctl = new AbortController();
  const deadline = Math.min(performance.now() + ms, parent?.deadline ?? Number.POSITIVE_INFINITY);
  const p = parent?.signal;
  if (p?.aborted) {
    ctl.abort(p.reason);
    return { signal: ctl.signal, deadline, clear: () => {} };
  }
  const timer = setTimeout(() => ctl.abort(new BudgetExceededError(ms)), ms);
  const onParent = () => ctl.abort(p?.reason);
  p?.addEventListener('abort', onParent, { once: true });
  return {
    signal: ctl.signal,
    deadline,
    clear: () => {
      clearTimeout(timer);
      p?.removeEventListener('abort', onParent);
    },
  };
}

/** Runs `f` under a budget of `ms` (a child of `parent`), clearing it however `f` ends. */
async function within<T>(
  ms: number,
  enforce: boolean,
  parent: Budget,
  f: (b: Budget) => Promise<T>,
): Promise<{ value: T; aborted: boolean }> {
  const b = budget(ms, enforce, parent);
  try {
    const value = await f(b);
    return { value, aborted: b.signal.aborted };
  } finally {
    b.clear();
  }
}

/** Tier 2's outcome: the vote and the route it sets. */
interface Vote {
  readonly consensus: Consensus;
  /** The regime analyst's size scale. */
  readonly scale: number;
  readonly intendedSize: number;
  readonly route: Route;
}

/** The approval of tier 5 before any model is asked (the quant step). */
function quantApproval(
  direction: Direction,
  size: number,
  confidence: number,
  verdicts: readonly Verdict[],
  vote: Vote,
): Approval {
  const no = (reason: string): Approval => ({
    approved: false,
    direction,
    size: 0,
    confidence,
    reason,
    source: 'quant',
  });
  if (direction === 'flat') return no('no direction');
  if (size === 0) return no(`confidence ${confidence.toFixed(3)} below the minimum`);
  const vetoes = verdicts.filter((v) => !v.pass);
  if (vetoes.length > 0) return no(`vetoed: ${vetoes.map((v) => `${v.check} (${v.reason})`).join('; ')}`);
  return {
    approved: true,
    direction,
    size,
    confidence,
    reason: `${vote.route} route, agreement ${vote.consensus.agreement.toFixed(3)}, size scale ${vote.scale}`,
    source: 'quant',
  };
}

/** The default stopwatch: one function for every pipeline, so that compiled calls to it stay valid. */
const performanceNow = (): number => performance.now();

export class DecisionPipeline {
  readonly config: PipelineConfig;
  readonly portfolio: PortfolioView;
  readonly #tier1: Tier1;
  readonly #llm: LlmProvider | null;
  readonly #now: () => number;
  readonly #onDecision: ((d: Decision) => void) | undefined;
  readonly #live: boolean;
  readonly #log: Logger;
  #seq = 0;
  #warmUp: Promise<WarmUpReport> | null = null;

  constructor(opts: PipelineOptions) {
    this.config = opts.config ?? DEFAULT_PIPELINE_CONFIG;
    this.portfolio = opts.portfolio ?? FLAT_PORTFOLIO;
    this.#seq = opts.lastDecision ?? 0;
    this.#tier1 = opts.tier1;
    this.#llm = opts.llm ?? null;
    this.#now = opts.stopwatch ?? performanceNow;
    this.#onDecision = opts.onDecision;
    this.#live = opts.live ?? false;
    this.#log = componentLogger('pipeline', opts.logger);
  }

  /**
   * One debug line per decision (what STYLE.md asks a decision to log: its snapshot, the tiers it
   * went through, the outcome) and an info line for each fallback or budget overrun, all carrying
   * `decisionId`. Nothing is built when the level is off.
   */
  #logDecision(d: Decision): void {
    const debug = this.#log.isLevelEnabled('debug');
    const notable = d.fallbacks.length > 0 || d.overBudget.length > 0;
    if (!debug && !(notable && this.#log.isLevelEnabled('info'))) return;
    const log = this.#log.child({ decisionId: d.id });
    if (d.fallbacks.length > 0)
      log.info({ fallbacks: d.fallbacks }, 'decision fell back to the quant answer');
    if (d.overBudget.length > 0) log.info({ tiers: d.overBudget }, 'decision over budget');
    if (debug) {
      log.debug(
        {
          trigger: d.trigger.kind,
          instrument: d.instrument,
          snapshotTs: d.snapshotTs,
          route: d.route,
          debate: d.debate.end,
          approved: d.approval.approved,
          direction: d.approval.direction,
          size: d.approval.size,
          vetoes: d.verdicts.filter((v) => !v.pass).map((v) => v.check),
          totalMs: d.timings.total,
        },
        'decision',
      );
    }
  }

  /**
   * Warms the pipeline up once, before its first decision (`warmup.ts`): synthetic decisions on
   * separate pipelines that share only the analysts, with a silent logger, no model and no
   * `onDecision`, so nothing here sees them; they read the warm-up's own book, and every fourth
   * this pipeline's portfolio (only read). Bounded by `config.warmUp` (at most
   * `decisions`, stopping past `maxMs` of wall time); `enabled: false` makes it a no-op. Later calls
   * return the first call's report. `DecisionLoop.run` calls it when a session starts.
   */
  warmUp(): Promise<WarmUpReport> {
    if (this.#warmUp === null) {
      const w = this.config.warmUp;
      if (!w.enabled) this.#warmUp = Promise.resolve({ decisions: 0, ms: 0 });
      else {
        const book = warmUpPortfolio(this.config.limits);
        const shadowOn = (portfolio: PortfolioView) =>
          new DecisionPipeline({
            tier1: this.#tier1,
            config: this.config,
            live: this.#live,
            portfolio,
            logger: silentLogger(),
          });
        const shadow = shadowOn(book);
        // Every fourth synthetic decision reads the session's own portfolio (reads only), so that
        // the risk checks are compiled for its kind of book as well as the warm-up's.
        const own = shadowOn(this.portfolio);
        this.#warmUp = runWarmUp(
          (trigger, input, k) => (k % 4 === 1 ? own : shadow).decide(trigger, input),
          w,
          book,
        );
      }
    }
    return this.#warmUp;
  }

  /** Takes one decision on `input` (a frozen snapshot and what the analysts read). */
  async decide(trigger: Trigger, input: AgentInput): Promise<Decision> {
    const cfg = this.config;
    const now = this.#now;
    const t0 = now();
    const withModel = this.#live || this.#llm !== null;
    const total = budget(cfg.budgets.totalMs, withModel);
    const overBudget: string[] = [];
    const fallbacks: Fallback[] = [];
    const usage: Usage[] = [];
    const instrument = input.snapshot.symbol;
    // Numbered when it starts, so that anything logged while it runs can carry its id.
    const id = `${instrument}-${++this.#seq}`;
    try {
      // Tier 1.
      const r1 = await within(cfg.budgets.tier1Ms, this.#live, total, (b) => this.#tier1(input, b.signal));
      const t1 = r1.value;
      if (r1.aborted) overBudget.push('tier1');
      for (const o of t1.outcomes) {
        const f = analystFallback(o);
        if (f !== null) fallbacks.push(f);
      }
      const ta = now();

      // Tier 2 and the route.
      const vote = this.#vote(input, t1.signals);
      const tb = now();

      // Tier 3.
      const d = await this.#debate(input, t1.signals, vote, total);
      if (d.end === 'budget') overBudget.push('tier3');
      fallbacks.push(...d.fallbacks);
      usage.push(...d.usage);
      const tc = now();

      // Tier 4.
      const direction = d.direction;
      const confidence = d.ran ? d.confidence : vote.consensus.confidence;
      const size = direction === 'flat' ? 0 : sizeFor(confidence, vote.scale, cfg);
      const verdicts = await validate({
        input,
        signals: t1.signals,
        intent: { instrument, direction, size },
        portfolio: this.portfolio,
        limits: cfg.limits,
      });
      const td = now();
      if (td - tc > cfg.budgets.tier4Ms) overBudget.push('tier4');

      // Tier 5.
      let approval = quantApproval(direction, size, confidence, verdicts, vote);
      if (approval.approved && vote.route === 'full' && this.#llm !== null) {
        const m = await within(cfg.budgets.tier5Ms, withModel, total, (b) =>
          this.#modelApproval(this.#llm as LlmProvider, input, t1.signals, vote, d, approval, b),
        );
        usage.push(m.value.usage);
        if (m.value.ok) approval = m.value.approval;
        else fallbacks.push(m.value.fallback);
      }
      if (total.signal.aborted) overBudget.push('total');
      const te = now();
      const decision: Decision = {
        id,
        trigger,
        instrument,
        snapshotTs: input.snapshot.ts,
        signals: t1.signals,
        outcomes: t1.outcomes,
        consensus: vote.consensus,
        route: vote.route,
        intendedSize: vote.intendedSize,
        debate: d,
        verdicts,
        approval,
        timings: {
          tier1: ta - t0,
          tier2: tb - ta,
          tier3: tc - tb,
          tier4: td - tc,
          tier5: te - td,
          total: te - t0,
        },
        sumAgentMs: t1.sumAgentMs,
        usage: addUsage(usage),
        fallbacks,
        overBudget,
      };
      this.#logDecision(decision);
      this.#onDecision?.(decision);
      return decision;
    } finally {
      total.clear();
    }
  }

  /** Tier 2: the weighted vote of the regime's weights, the size it implies and the route. */
  #vote(input: AgentInput, signals: readonly AgentSignal[]): Vote {
    const cfg = this.config;
    const regime = input.regime?.state ?? 'unknown';
    const weights = (cfg.weights as Record<string, Record<AgentName, number>>)[regime] ?? cfg.weights.unknown;
    const c = consensus(signals, weights, cfg.consensus.minScore);
    const scale = sizeScale(signals);
    const intendedSize = c.direction === 'flat' ? 0 : sizeFor(c.confidence, scale, cfg);
    return { consensus: c, scale, intendedSize, route: chooseRoute(c, intendedSize, signals, cfg) };
  }

  /** Tier 3: no debate on the fast route; otherwise the conditional debate within its budget. */
  async #debate(
    input: AgentInput,
    signals: readonly AgentSignal[],
    vote: Vote,
    total: Budget,
  ): Promise<DebateResult> {
    const cfg = this.config;
    const c = vote.consensus;
    if (vote.route === 'fast') return debate(signals, { ...c, agreement: 1 }, { config: cfg.debate });
    const withModel = this.#live || this.#llm !== null;
    const r = await within(cfg.budgets.tier3Ms, withModel, total, (b) =>
      debate(signals, c, {
        config: cfg.debate,
        llm: this.#llm,
        signal: b.signal,
        deadline: b.deadline,
        force: vote.route === 'full',
        stateKey: stateKeyOf(input, c),
      }),
    );
    return r.value;
  }

  /** Tier 5 on the full route with a model: the model approves, resizes or rejects the quant approval. */
  async #modelApproval(
    llm: LlmProvider,
    input: AgentInput,
    signals: readonly AgentSignal[],
    vote: Vote,
    d: DebateResult,
    quant: Approval,
    b: Budget,
  ): Promise<
    { ok: true; approval: Approval; usage: Usage } | { ok: false; fallback: Fallback; usage: Usage }
  > {
    const res = await llm.complete({
      system:
        'You approve or reject scalping trades for CME FX futures from the evidence given. Answer with the JSON requested.',
      messages: [{ role: 'user', content: approvalPrompt(input, signals, vote.consensus, d, quant) }],
      schema: ApprovalSchema,
      schemaName: 'final_approval',
      maxTokens: 200,
      temperature: 0,
      signal: b.signal,
      timeoutMs: timeLeft(b.deadline),
    });
    if (!res.ok)
      return { ok: false, fallback: modelFallback('tier5', 'approval', res.failure), usage: res.usage };
    const a = res.value;
    const sized = a.approve ? Math.round(quant.size * a.sizeFactor) : 0;
    const approval: Approval = {
      approved: a.approve && sized > 0,
      direction: quant.direction,
      size: a.approve ? sized : 0,
      confidence: quant.confidence,
      reason: `model: ${a.rationale}`,
      source: 'model',
    };
    return { ok: true, approval, usage: res.usage };
  }
}

const ApprovalSchema = z.object({
  approve: z.boolean(),
  sizeFactor: UNIT,
  rationale: z.string(),
});

function approvalPrompt(
  input: AgentInput,
  signals: readonly AgentSignal[],
  c: Consensus,
  d: DebateResult,
  a: Approval,
): string {
  const s = input.snapshot;
  const lines = [
    `${s.symbol} at ${s.ts}: mid ${s.mid}, spread ${s.spread_ticks} ticks, VPIN CDF ${s.vpin_cdf}, session ${s.session}, regime ${input.regime?.state ?? 'unknown'}`,
    `Consensus ${c.direction} (score ${c.score.toFixed(3)}, agreement ${c.agreement.toFixed(3)}); debate ${d.end}, verdict ${d.direction} (agreement ${d.agreement.toFixed(3)})`,
    ...signals.map(
      (x) => `${x.agent}: ${x.direction} ${x.confidence.toFixed(2)} [${x.flags.join(',')}] ${x.rationale}`,
    ),
    `Proposed: ${a.direction} ${a.size} contracts. Approve? sizeFactor scales the size (0-1).`,
  ];
  return lines.join('\n');
}

/**
 * The quantised market state for the model's state cache (`stateKey` of the llm module: regime, OFI
 * direction, VPIN decile, the set of setups), with the instrument and the vote's direction.
 */
export function stateKeyOf(input: AgentInput, c: Consensus): string {
  const s = input.snapshot;
  const key = stateKey({
    regime: input.regime?.state ?? 'unknown',
    ofi: s.ofi_10s,
    vpin: s.vpin,
    setups: input.setups.map((x) => `${x.technique}:${x.side}`),
  });
  return `${s.symbol}|${c.direction}|${key}`;
}

/**
 * Tier 1 over the given analysts with `runAgents`. `live` enforces each analyst's budget on the
 * wall clock (paper and live trading); otherwise (backtests, the demo) analysts run to completion,
 * as CONVENTIONS.md asks, so a replay is a pure function of its input.
 */
export function analystsTier(agents: readonly Agent[], opts: { live?: boolean } = {}): Tier1 {
  const clock: Clock = { now: () => performance.now() };
  const budgetMs = opts.live ? undefined : Number.POSITIVE_INFINITY;
  return async (input, signal) => {
    const run = await runAgents(agents, input, { clock, signal, budgetMs });
    return { signals: run.signals, outcomes: run.outcomes, sumAgentMs: run.sumAgentMs };
  };
}
