/**
 * Timestamps are uint64 nanoseconds since the UNIX epoch. They do not fit a double exactly
 * (~1.7e18 > 2^53), so identity, ordering and output use `bigint` or a (hi, lo) pair; a float
 * in milliseconds or seconds is derived only for arithmetic such as window lengths.
 */
import { ConfigError } from './errors.js';
import { UNDEF_TIMESTAMP } from './price.js';

/** Formats ns since epoch as ISO-8601 UTC with 9 fractional digits, e.g. 2020-12-28T13:00:00.000429831Z; null for UNDEF. */
export function formatTimestamp(ns: bigint): string | null {
  if (ns === UNDEF_TIMESTAMP) return null;
  let sec = ns / 1_000_000_000n;
  let sub = ns - sec * 1_000_000_000n;
  if (sub < 0n) {
    sub += 1_000_000_000n;
    sec -= 1n;
  }
  const s = Number(sec);
  if (s !== lastSecond) {
    lastSecond = s;
    // The date's text is kept for the day and the time of day is written digit by digit: one
    // `Date` and `toISOString` a second cost more than the rest of a feature row on a 1-s grid.
    const day = Math.floor(s / 86_400);
    if (day !== lastDay) {
      lastDay = day;
      lastDayText = new Date(day * 86_400_000).toISOString().slice(0, 11); // YYYY-MM-DDT
    }
    const t = s - day * 86_400;
    const h = Math.floor(t / 3600);
    const m = Math.floor(t / 60) - h * 60;
    lastSecondText = `${lastDayText}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[t - h * 3600 - m * 60]}`;
  }
  return `${lastSecondText}.${String(Number(sub)).padStart(9, '0')}Z`;
}

/** The second `formatTimestamp` wrote last, and its text: timestamps come in runs of one second. */
let lastSecond = Number.NaN;
let lastSecondText = '';
/** The day (since the epoch) `formatTimestamp` wrote last, and its text `YYYY-MM-DDT`. */
let lastDay = Number.NaN;
let lastDayText = '';
/** `00` … `59`. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Parses an ISO-8601 UTC timestamp with up to 9 fractional digits into ns since epoch. */
export function parseTimestamp(text: string): bigint {
  // A fraction belongs to the seconds: in ISO 8601 "13:00.5" would be half a minute, not 0.5 s.
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]00:?00)?$/.exec(
    text.trim(),
  );
  if (!m)
    throw new ConfigError(`Timestamp "${text}" is not ISO-8601 UTC (YYYY-MM-DD[THH:MM[:SS[.fffffffff]]][Z])`);
  const base = Date.parse(`${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}Z`);
  // Date.parse rolls an impossible day over (2021-02-30 becomes 2021-03-02) instead of failing.
  const day = Date.parse(`${m[1]}T00:00:00Z`);
  if (Number.isNaN(base) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== m[1])
    throw new ConfigError(`Timestamp "${text}" is not a valid date`);
  return BigInt(base) * 1_000_000n + BigInt((m[4] ?? '').padEnd(9, '0'));
}

/** A u64 from its unsigned halves as a bigint. */
export function u64FromHalves(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Milliseconds since epoch as a float from u64 halves (approximate: for arithmetic only). */
export function msFromHalves(lo: number, hi: number): number {
  return ((hi >>> 0) * 4294967296 + (lo >>> 0)) / 1e6;
}

/** YYYYMMDD integer for the UTC date of a ns timestamp. */
export function yyyymmddOf(ns: bigint): number {
  // Floor, not truncate: -1 ns is 1969-12-31T23:59:59.999999999Z, as formatTimestamp shows it.
  let ms = ns / 1_000_000n;
  if (ms * 1_000_000n > ns) ms -= 1n;
  const d = new Date(Number(ms));
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** 1 − 2^−40: see `bucketEndBefore`. */
const BELOW = 1 - 2 ** -40;

/**
 * A time before which `Math.floor(t / bucketMs)` is still at most `bucket`, so a caller can skip
 * the division for the many events inside one bucket (a window's bucket, a sampling grid's cell)
 * and land on the same bucket as the division would: the next bucket's start less 2^−40 of it.
 * Rounding of the product and of t / bucketMs is within 2^−52 relative, far inside that margin, so
 * for any t below the returned time the quotient rounds to less than bucket + 1. Times within the
 * margin (about 1.6 ms today) take the division.
 * −∞ when the next bucket does not start at a positive time (the margin would point the wrong way).
 */
export function bucketEndBefore(bucket: number, bucketMs: number): number {
  const start = (bucket + 1) * bucketMs;
  return start > 0 ? start * BELOW : Number.NEGATIVE_INFINITY;
}
