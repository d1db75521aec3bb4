/**
 * Risk limits and a market for risk tests: small limits that a test reaches by hand, and a quiet
 * 6E market (1.08495 / 1.08500, one tick of 50,000 raw apart) with fresh data and no position, at
 * which every check passes.
 */
import type { RiskContext, RiskLimits } from '../src/execution/index.js';

/** One second in ns. */
export const S = 1_000_000_000n;

export const LIMITS: RiskLimits = {
  maxOrderSize: 5,
  maxPosition: 8,
  maxGrossPosition: 12,
  maxOrdersPerMinute: 3,
  dailyLossLimit: 500,
  maxDrawdown: 300,
  staleAfterNs: 2n * S,
  maxSpreadTicks: 2,
};

export const CTX: RiskContext = {
  nowNs: 100n * S,
  position: 0,
  grossPosition: 0,
  dayPnl: 0,
  lastDataNs: 100n * S,
  bidPx: 1_084_950_000,
  askPx: 1_085_000_000,
  tickRaw: 50_000,
};
