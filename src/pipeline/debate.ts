/**
 * Tier 3, the conditional debate: a bull and a bear argue from the analysts' evidence and a judge
 * decides. Skipped when the consensus agreement is at or above `skipAgreement` (0.9); otherwise
 * rounds alternate bull then bear, the judge's agreement is checked every `checkEvery` (2) rounds,
 * and the debate stops once it reaches `stopAgreement` (75 %) or after `maxRounds`.
 *
 * Without a model the debate is a deterministic evidence-weighing procedure:
 * - the bull's case is the long signals, the bear's the short ones, each ordered by strength
 *   v = w·c (ties by analyst name); a risk flag raised by any analyst (toxicity, sweep, wide
 *   spread, regime change) halves the strength of every point on the side it argues against
 *   (the side of the consensus), because a scalper's case must survive its risks;
 * - in round r each side presents its r-th strongest point (if it has one left) and the judge
 *   adds it to that side's tally;
 * - the judge's agreement after a round is max(B, R) / (B + R) of the tallies (1 when only one side
 *   has spoken); the verdict is the side with the larger tally (flat on a tie), with confidence
 *   |B − R| / (B + R + F), F the flat votes;
 * - when both sides have no points left the debate ends ("exhausted").
 * The same evidence gives the same verdict: nothing here reads a clock or a random number.
 *
 * With a model, each turn and the judge's checks are model calls (structured answers validated
 * against the schemas below); a failed call falls back to the deterministic turn or verdict for
 * that step and the fallback is recorded. The model never sees an API key or anything but the
 * evidence.
 */

import * as z from 'zod/mini';
import type { AgentSignal, Direction, RiskFlag } from '../agents/index.js';
import { UNIT } from '../core/schema/index.js';
import type { LlmProvider, StructuredResult, Usage } from '../llm/index.js';
import type { PipelineConfig } from './config.js';
import type { Consensus, Vote } from './consensus.js';
import { type Fallback, modelFallback } from './fallback.js';

/** One argument in the debate. */
export interface DebateTurn {
  readonly round: number;
  readonly side: 'bull' | 'bear';
  /** Analyst whose signal is the point (deterministic turns); `model` for a model's turn. */
  readonly source: string;
  readonly strength: number;
  readonly argument: string;
}

/** A judge's check after a round. */
export interface JudgeCheck {
  readonly round: number;
  readonly bull: number;
  readonly bear: number;
  readonly agreement: number;
  readonly direction: Direction;
  /** How sure: |bull − bear| over all the strength said, flat included (the model's own when it judged). */
  readonly confidence: number;
  readonly source: 'quant' | 'model';
}

export type DebateEnd = 'skipped' | 'converged' | 'round_limit' | 'exhausted' | 'budget';

export interface DebateResult {
  readonly ran: boolean;
  readonly end: DebateEnd;
  readonly rounds: number;
  readonly turns: readonly DebateTurn[];
  readonly checks: readonly JudgeCheck[];
  readonly direction: Direction;
  readonly confidence: number;
  readonly agreement: number;
  /** Steps where a model answer was not usable and the quant step was used instead. */
  readonly fallbacks: readonly Fallback[];
  readonly usage: Usage[];
}

/** Flags that weaken the case of the side they argue against. */
const CAUTION_FLAGS: readonly RiskFlag[] = ['toxicity', 'sweep', 'wide_spread', 'regime_change', 'risk_off'];

interface Point {
  readonly agent: string;
  readonly strength: number;
  readonly text: string;
}

/** The bull's and the bear's points, strongest first. */
export function casesOf(
  signals: readonly AgentSignal[],
  votes: readonly Vote[],
  consensusDirection: Direction,
): { bull: Point[]; bear: Point[]; flat: number } {
  const cautions = new Set<RiskFlag>();
  for (const s of signals) for (const f of s.flags) if (CAUTION_FLAGS.includes(f)) cautions.add(f);
  const byAgent = new Map(signals.map((s) => [s.agent, s]));
  const bull: Point[] = [];
  const bear: Point[] = [];
  let flat = 0;
  for (const v of votes) {
    if (v.vote <= 0) continue;
    if (v.direction === 'flat') {
      flat += v.vote;
      continue;
    }
    const discounted = cautions.size > 0 && v.direction === consensusDirection;
    const strength = discounted ? v.vote / 2 : v.vote;
    const s = byAgent.get(v.agent);
    const text = `${v.agent}: ${s?.rationale ?? ''}${discounted ? ` (discounted: ${[...cautions].join(', ')})` : ''}`;
    (v.direction === 'long' ? bull : bear).push({ agent: v.agent, strength, text });
  }
  const order = (a: Point, b: Point) => b.strength - a.strength || (a.agent < b.agent ? -1 : 1);
  bull.sort(order);
  bear.sort(order);
  return { bull, bear, flat };
}

/** Where the bull and bear cases stand: the side ahead, how one-sided, and how sure. */
interface Verdict {
  readonly direction: Direction;
  readonly agreement: number;
  readonly confidence: number;
}

/**
 * A judge's check after `round`, its verdict's fields written out rather than spread (on Node 20 a
 * property a literal defines after a spread costs about a microsecond).
 */
function judgeCheck(
  round: number,
  bull: number,
  bear: number,
  v: Verdict,
  source: JudgeCheck['source'],
): JudgeCheck {
  return {
    round,
    bull,
    bear,
    direction: v.direction,
    agreement: v.agreement,
    confidence: v.confidence,
    source,
  };
}

function verdict(b: number, r: number, f: number): Verdict {
  const direction: Direction = b > r ? 'long' : r > b ? 'short' : 'flat';
  const agreement = b + r > 0 ? Math.max(b, r) / (b + r) : 1;
  const confidence = b + r + f > 0 ? Math.abs(b - r) / (b + r + f) : 0;
  return { direction, agreement, confidence };
}

/** Options of `debate`. */
export interface DebateOptions {
  readonly config: PipelineConfig['debate'];
  /** When set, turns and checks are model calls (each falls back to the quant step on failure). */
  readonly llm?: LlmProvider | null;
  /** Aborted when the tier's budget runs out: the debate ends with what it has ("budget"). */
  readonly signal?: AbortSignal;
  /** The tier's wall-clock deadline (performance.now ms): each model call's time-out is what is left. */
  readonly deadline?: number;
  /** Force the debate even above the skip threshold (the full route). */
  readonly force?: boolean;
  /** Quantised market state for the model's state cache. */
  readonly stateKey?: string;
}

const TurnSchema = z.object({
  argument: z.string(),
  strength: UNIT,
});
const JudgeSchema = z.object({
  direction: z.enum(['long', 'short', 'flat']),
  agreement: UNIT,
  confidence: UNIT,
  rationale: z.string(),
});

/** Runs tier 3 on the consensus (see the module comment). */
export async function debate(
  signals: readonly AgentSignal[],
  c: Consensus,
  opts: DebateOptions,
): Promise<DebateResult> {
  const cfg = opts.config;
  if (!opts.force && c.agreement >= cfg.skipAgreement) {
    return {
      ran: false,
      end: 'skipped',
      rounds: 0,
      turns: [],
      checks: [],
      direction: c.direction,
      confidence: c.confidence,
      agreement: c.agreement,
      fallbacks: [],
      usage: [],
    };
  }
  const { bull, bear, flat } = casesOf(signals, c.votes, c.direction);
  const turns: DebateTurn[] = [];
  const checks: JudgeCheck[] = [];
  const fallbacks: Fallback[] = [];
  const usage: Usage[] = [];
  const llm = opts.llm ?? null;
  let b = 0;
  let r = 0;
  let end: DebateEnd = 'round_limit';
  let rounds = 0;
  let last = verdict(0, 0, flat);
  for (let round = 1; round <= cfg.maxRounds; round++) {
    if (spent(opts)) {
      end = 'budget';
      break;
    }
    const bp = bull[round - 1];
    const rp = bear[round - 1];
    if (bp === undefined && rp === undefined) {
      end = 'exhausted';
      break;
    }
    rounds = round;
    for (const [side, p] of [
      ['bull', bp],
      ['bear', rp],
    ] as const) {
      if (p === undefined) continue;
      let argument = p.text;
      let strength = p.strength;
      let source = p.agent;
      // Once the tier's budget is spent the model is not asked again: the quant steps finish the round.
      if (llm !== null && !spent(opts)) {
        const res = await askTurn(llm, side, p, turns, opts);
        usage.push(res.usage);
        if (res.ok) {
          argument = res.value.argument;
          // The model may argue it better or worse, within the evidence's own weight.
          strength = p.strength * (0.5 + res.value.strength / 2);
          source = 'model';
        } else fallbacks.push(modelFallback('tier3', `round ${round} ${side}`, res.failure));
      }
      if (side === 'bull') b += strength;
      else r += strength;
      turns.push({ round, side, source, strength, argument });
    }
    if (round % cfg.checkEvery === 0 || round === cfg.maxRounds) {
      last = verdict(b, r, flat);
      let check = judgeCheck(round, b, r, last, 'quant');
      if (llm !== null && !spent(opts)) {
        const res = await askJudge(llm, turns, opts);
        usage.push(res.usage);
        if (res.ok) {
          last = {
            direction: res.value.direction,
            agreement: res.value.agreement,
            confidence: res.value.confidence,
          };
          check = judgeCheck(round, b, r, last, 'model');
        } else fallbacks.push(modelFallback('tier3', `judge round ${round}`, res.failure));
      }
      checks.push(check);
      if (last.agreement >= cfg.stopAgreement) {
        end = 'converged';
        break;
      }
    }
  }
  // A debate that ended without converging is judged on everything said, unless the last check
  // was made after the last round (then its verdict, the model's when it answered, stands).
  const lastCheck = checks.at(-1);
  if (end !== 'converged' && (lastCheck === undefined || lastCheck.round !== rounds)) {
    last = verdict(b, r, flat);
    checks.push(judgeCheck(rounds, b, r, last, 'quant'));
  }
  return {
    ran: true,
    end,
    rounds,
    turns,
    checks,
    direction: last.direction,
    confidence: last.confidence,
    agreement: last.agreement,
    fallbacks,
    usage,
  };
}

const SYSTEM =
  'You are part of a scalping desk for CME FX futures. Argue only from the evidence given (feature values, setups, analyst signals). Answer with the JSON requested.';

function askTurn(
  llm: LlmProvider,
  side: 'bull' | 'bear',
  p: Point,
  turns: readonly DebateTurn[],
  opts: DebateOptions,
): Promise<StructuredResult<z.infer<typeof TurnSchema>>> {
  const history = turns.map((t) => `${t.side} (round ${t.round}): ${t.argument}`).join('\n');
  return llm.complete({
    system: SYSTEM,
    messages: [
      {
        role: 'user',
        content: `You argue the ${side === 'bull' ? 'long' : 'short'} case. Your next point: ${p.text}\nDebate so far:\n${history || '(none)'}\nGive your argument in one or two sentences and its strength 0-1.`,
      },
    ],
    schema: TurnSchema,
    schemaName: 'debate_turn',
    maxTokens: 300,
    temperature: 0,
    signal: opts.signal,
    timeoutMs: timeLeft(opts.deadline),
    stateKey: opts.stateKey ? `${opts.stateKey}|${side}|${turns.length}` : undefined,
  });
}

function askJudge(
  llm: LlmProvider,
  turns: readonly DebateTurn[],
  opts: DebateOptions,
): Promise<StructuredResult<z.infer<typeof JudgeSchema>>> {
  const history = turns.map(
    (t) => `${t.side} (round ${t.round}, strength ${t.strength.toFixed(3)}): ${t.argument}`,
  );
  return llm.complete({
    system: SYSTEM,
    messages: [
      {
        role: 'user',
        content: `Judge this debate between a bull (long) and a bear (short):\n${history.join('\n')}\nGive the direction (long, short or flat), your agreement with it 0-1, a confidence 0-1 and a one-sentence rationale.`,
      },
    ],
    schema: JudgeSchema,
    schemaName: 'debate_judge',
    maxTokens: 300,
    temperature: 0,
    signal: opts.signal,
    timeoutMs: timeLeft(opts.deadline),
    stateKey: opts.stateKey ? `${opts.stateKey}|judge|${turns.length}` : undefined,
  });
}

/** The tier's budget is spent (aborted, or less than a few ms left: not worth a request). */
function spent(opts: DebateOptions): boolean {
  if (opts.signal?.aborted) return true;
  const left = timeLeft(opts.deadline);
  return left !== undefined && left < 5;
}

/**
 * What is left until `deadline` (performance.now ms), at least 1 ms; undefined without one. A model
 * call given this as its time-out ends as a time-out (which the circuit breaker counts) rather than
 * being aborted by its tier.
 */
export function timeLeft(deadline: number | undefined): number | undefined {
  if (deadline === undefined || !Number.isFinite(deadline)) return undefined;
  return Math.max(1, Math.floor(deadline - performance.now()));
}
