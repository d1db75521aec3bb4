/**
 * Fixed-point prices. DBN stores prices as int64 counts of 1e-9 (a "nano-unit"). Exact values
 * travel as `bigint` at the edges (dump, JSON, tests). The hot path reads the two 32-bit halves
 * and forms a `number`: exact while |raw| < 2^53 (9,007,199 in price units, far above any FX or
 * index future), so precision is only lost for prices above ~9 million, which we flag by range.
 */

import { ConfigError } from './errors.js';

/** Sentinel for "no price" (i64::MAX). */
export const UNDEF_PRICE = 9223372036854775807n;
/** Sentinel for "no timestamp" (u64::MAX). */
export const UNDEF_TIMESTAMP = 18446744073709551615n;
/** Price units per whole unit. */
export const PRICE_SCALE = 1_000_000_000;
/** Largest raw price magnitude that a `number` holds exactly. */
export const MAX_EXACT_RAW = Number.MAX_SAFE_INTEGER;

/**
 * Raw price from its two halves as a `number`, NaN for UNDEF_PRICE. Exact when -2^53 <= raw < 2^53;
 * beyond that it is the nearest double (see `isExactRaw`).
 */
export function rawPriceFromHalves(lo: number, hi: number): number {
  if (hi === 0x7fffffff && lo === -1) return Number.NaN;
  return hi * 4294967296 + (lo >>> 0);
}

/** True when a raw price built from these halves is exactly representable as a `number`. */
export function isExactRaw(lo: number, hi: number): boolean {
  return hi >= -2097152 && hi < 2097152 && !(hi === 0x7fffffff && lo === -1);
}

/** Formats a raw 1e-9 price as an exact decimal string with 9 fractional digits, or null for UNDEF. */
export function formatPrice(raw: bigint): string | null {
  if (raw === UNDEF_PRICE) return null;
  const neg = raw < 0n;
  const abs = neg ? -raw : raw;
  const whole = abs / 1_000_000_000n;
  const frac = abs % 1_000_000_000n;
  return `${neg ? '-' : ''}${whole}.${frac.toString().padStart(9, '0')}`;
}

/** Parses a decimal string ("1.08125", "-3.5") into raw 1e-9 units exactly; throws on more than 9 decimals. */
export function parsePrice(text: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) throw new ConfigError(`Price "${text}" is not a decimal number with at most 9 fractional digits`);
  const frac = (m[3] ?? '').padEnd(9, '0');
  const v = BigInt(m[2]) * 1_000_000_000n + BigInt(frac);
  return m[1] ? -v : v;
}

/** Raw units to a floating price (for arithmetic only; never for identity or output). */
export function rawToFloat(raw: number): number {
  return raw / PRICE_SCALE;
}

/** Decimals of a tick in raw 1e-9 units (50,000 → 5 for 0.00005; 500 → 7 for 6J's 0.0000005). */
export function tickDecimals(tickRaw: number): number {
  let d = 9;
  let t = Math.round(tickRaw);
  while (d > 0 && t % 10 === 0) {
    t /= 10;
    d--;
  }
  return d;
}
