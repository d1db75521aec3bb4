/**
 * Tier 4, validation: independent risk checks run in parallel, each passing or vetoing with a
 * reason. Positions and P&L are read through a `PortfolioView` (portfolio.ts).
 */

import type { AgentInput, AgentSignal, Direction } from '../agents/index.js';
import { isThenable } from '../core/index.js';
import type { PipelineConfig } from './config.js';
import type { PortfolioView } from './portfolio.js';

/** A validator's answer. */
export interface Verdict {
  readonly check: ValidatorName;
  readonly pass: boolean;
  readonly reason: string;
}

export const VALIDATOR_NAMES = [
  'exposure',
  'daily_loss',
  'spread',
  'session',
  'stale_data',
  'toxicity',
] as const;
export type ValidatorName = (typeof VALIDATOR_NAMES)[number];

/**
 * What the validators judge: the position a decision wants on one instrument (a scalper's
 * decision "long 3" means "be long 3 contracts"), not an amount to add to the current one.
 */
export interface Intent {
  readonly instrument: string;
  readonly direction: Direction;
  /** Contracts of the target position (>= 0; its sign is the direction's). */
  readonly size: number;
}

export interface ValidationContext {
  readonly input: AgentInput;
  readonly signals: readonly AgentSignal[];
  readonly intent: Intent;
  readonly portfolio: PortfolioView;
  readonly limits: PipelineConfig['limits'];
}

type Validator = (c: ValidationContext) => Verdict | Promise<Verdict>;

const pass = (check: ValidatorName, reason: string): Verdict => ({ check, pass: true, reason });
const veto = (check: ValidatorName, reason: string): Verdict => ({ check, pass: false, reason });

function hasFlag(signals: readonly AgentSignal[], flag: AgentSignal['flags'][number]): string | null {
  for (const s of signals) if (s.flags.includes(flag)) return s.agent;
  return null;
}

/** The six checks of issue 7. */
export const VALIDATORS: Readonly<Record<ValidatorName, Validator>> = {
  exposure: ({ intent, portfolio, limits }) => {
    const sign = intent.direction === 'long' ? 1 : intent.direction === 'short' ? -1 : 0;
    const pos = portfolio.position(intent.instrument);
    const next = sign * intent.size;
    if (Math.abs(next) > limits.maxPosition)
      return veto('exposure', `position would be ${next}, limit ±${limits.maxPosition}`);
    const gross = portfolio.grossExposure() - Math.abs(pos) + Math.abs(next);
    if (gross > limits.maxExposure)
      return veto('exposure', `gross exposure would be ${gross}, limit ${limits.maxExposure}`);
    return pass('exposure', `position ${pos} → ${next}, gross ${gross}`);
  },
  daily_loss: ({ intent, portfolio, limits }) => {
    const pnl = portfolio.dailyPnl();
    if (pnl > -limits.dailyLossLimit) return pass('daily_loss', `day P&L ${pnl.toFixed(2)}`);
    // Past the limit only trades that shrink the position pass: the book must be able to get out.
    const sign = intent.direction === 'long' ? 1 : intent.direction === 'short' ? -1 : 0;
    const pos = portfolio.position(intent.instrument);
    if (Math.abs(sign * intent.size) < Math.abs(pos) && sign * pos >= 0) {
      return pass(
        'daily_loss',
        `day P&L ${pnl.toFixed(2)} past the limit, but the trade reduces the position`,
      );
    }
    return veto('daily_loss', `day P&L ${pnl.toFixed(2)} at or below −${limits.dailyLossLimit}`);
  },
  spread: ({ input, limits }) => {
    const s = input.snapshot.spread_ticks;
    if (!(s >= 1)) return veto('spread', 'no two-sided quote');
    if (s > limits.maxSpreadTicks) return veto('spread', `spread ${s} ticks above ${limits.maxSpreadTicks}`);
    return pass('spread', `spread ${s} ticks`);
  },
  session: ({ input, signals }) => {
    if (input.snapshot.session === 'closed') return veto('session', 'FX market closed');
    const closed = hasFlag(signals, 'session_closed');
    if (closed !== null) return veto('session', `session closed (${closed})`);
    const window = hasFlag(signals, 'no_trade_window');
    if (window !== null) return veto('session', `no-trade window (${window})`);
    return pass('session', `session ${input.snapshot.session}`);
  },
  stale_data: ({ input, signals, limits }) => {
    const age = input.nowMs - input.lastEventMs;
    if (!(age <= limits.staleMs))
      return veto('stale_data', `last market event ${age} ms old, limit ${limits.staleMs}`);
    const stale = hasFlag(signals, 'stale_data');
    if (stale !== null) return veto('stale_data', `stale data (${stale})`);
    return pass('stale_data', `last event ${age} ms old`);
  },
  toxicity: ({ input, signals, limits }) => {
    const off = hasFlag(signals, 'risk_off');
    if (off !== null) return veto('toxicity', `risk-off raised by ${off}`);
    const cdf = input.snapshot.vpin_cdf;
    if (cdf >= limits.toxicityVeto)
      return veto('toxicity', `VPIN CDF ${cdf.toFixed(3)} ≥ ${limits.toxicityVeto}`);
    return pass('toxicity', Number.isNaN(cdf) ? 'VPIN not ready' : `VPIN CDF ${cdf.toFixed(3)}`);
  },
};

function failedCheck(name: ValidatorName, e: unknown): Verdict {
  return veto(name, `check failed: ${(e as Error).message}`);
}

/**
 * Runs every validator concurrently; a validator that throws (or whose promise rejects) is a veto
 * naming the error. Verdicts given at once are taken as they are: only a validator that answers
 * with a promise is waited for (the six checks here answer at once, a decision at a time).
 */
export function validate(c: ValidationContext): Promise<Verdict[]> {
  const verdicts: (Verdict | Promise<Verdict>)[] = [];
  let later = false;
  for (const name of VALIDATOR_NAMES) {
    try {
      const v = VALIDATORS[name](c);
      if (isThenable(v)) {
        later = true;
        verdicts.push(Promise.resolve(v).catch((e) => failedCheck(name, e)));
      } else verdicts.push(v);
    } catch (e) {
      verdicts.push(failedCheck(name, e));
    }
  }
  return later ? Promise.all(verdicts) : Promise.resolve(verdicts as Verdict[]);
}
