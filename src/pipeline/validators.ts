/**
 * Tier 4, validation: independent risk checks run in parallel, each passing or vetoing with a
 * reason. Positions and P&L come through a `Portfolio`; until the execution layer exists it is
 * `IntentPortfolio`, fed by the pipeline's own approved intents and marked at the snapshot's mid
 * (CONVENTIONS.md "Pipeline routes").
 */

import type { AgentInput, AgentSignal, Direction } from '../agents/index.js';
import { CME_FX_FUTURES, fxFutureRoot } from '../core/index.js';
import type { PipelineConfig } from './config.js';

/** What validators read about the book of trades. */
export interface Portfolio {
  /** Signed position of `instrument`, contracts (long > 0). */
  position(instrument: string): number;
  /** Σ |position| over instruments. */
  grossExposure(): number;
  /** Realized + open P&L of the current trading day, account currency. */
  dailyPnl(): number;
}

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
  readonly portfolio: Portfolio;
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

/** Runs every validator concurrently; a validator that throws is a veto naming the error. */
export async function validate(c: ValidationContext): Promise<Verdict[]> {
  return Promise.all(
    VALIDATOR_NAMES.map(async (name) => {
      try {
        return await VALIDATORS[name](c);
      } catch (e) {
        return veto(name, `check failed: ${(e as Error).message}`);
      }
    }),
  );
}

/**
 * Contract multiplier of an instrument by its symbol (P&L in USD per contract per 1.0 of price):
 * 6E 125,000 EUR, 6B 62,500 GBP, 6J 12,500,000 JPY (quoted in USD per unit, so the product is
 * USD); a spot pair such as EUR/USD one standard lot of 100,000; anything else 1.
 */
export function contractMultiplier(symbol: string): number {
  const root = fxFutureRoot(symbol);
  if (root !== undefined) return CME_FX_FUTURES[root].contractSize;
  if (/^[A-Z]{3}\/[A-Z]{3}$/.test(symbol)) return 100_000;
  return 1;
}

/**
 * A portfolio fed by the pipeline's approved intents (each moves the position to its target, filled
 * at the snapshot's mid, no costs), marked to the latest mid per instrument. P&L is in USD through
 * `contractMultiplier`. The day's P&L starts at each new trading date from the positions marked at
 * their last price: realized P&L restarts at 0 and open P&L is measured from that mark.
 */
export class IntentPortfolio implements Portfolio {
  readonly #pos = new Map<string, number>();
  /** Reference price of the open position: its average entry, or the mark at the day's start. */
  readonly #ref = new Map<string, number>();
  readonly #mark = new Map<string, number>();
  readonly #multiplier: (symbol: string) => number;
  #realized = 0;
  #day = '';

  constructor(multiplier: (symbol: string) => number = contractMultiplier) {
    this.#multiplier = multiplier;
  }

  position(instrument: string): number {
    return this.#pos.get(instrument) ?? 0;
  }

  grossExposure(): number {
    let g = 0;
    for (const p of this.#pos.values()) g += Math.abs(p);
    return g;
  }

  dailyPnl(): number {
    let open = 0;
    for (const [k, p] of this.#pos) {
      const m = this.#mark.get(k);
      const a = this.#ref.get(k);
      if (p !== 0 && m !== undefined && a !== undefined) open += p * (m - a) * this.#multiplier(k);
    }
    return this.#realized + open;
  }

  /** Marks `instrument` at `mid`; a new trading date starts the day's P&L from the last marks. */
  mark(instrument: string, mid: number, tradingDate: string): void {
    if (tradingDate !== this.#day && tradingDate !== '') {
      if (this.#day !== '') {
        for (const [k, m] of this.#mark) if (this.position(k) !== 0) this.#ref.set(k, m);
      }
      this.#day = tradingDate;
      this.#realized = 0;
    }
    if (mid > 0) this.#mark.set(instrument, mid);
  }

  /** Moves to the approved target position `target` (signed), filled at `price`. */
  moveTo(instrument: string, target: number, price: number): void {
    const delta = target - this.position(instrument);
    if (delta !== 0) this.apply(instrument, delta, price);
  }

  /** Applies a fill of `signedSize` at `price`. */
  apply(instrument: string, signedSize: number, price: number): void {
    const pos = this.position(instrument);
    const ref = this.#ref.get(instrument) ?? price;
    const next = pos + signedSize;
    if (pos !== 0 && Math.sign(signedSize) !== Math.sign(pos)) {
      // Closing (part of) the position realizes its P&L against the reference price.
      const closed = Math.min(Math.abs(signedSize), Math.abs(pos)) * Math.sign(pos);
      this.#realized += closed * (price - ref) * this.#multiplier(instrument);
      if (Math.sign(next) !== Math.sign(pos) && next !== 0) this.#ref.set(instrument, price);
    } else if (next !== 0) {
      this.#ref.set(instrument, (ref * pos + price * signedSize) / next);
    }
    this.#pos.set(instrument, next);
  }
}
