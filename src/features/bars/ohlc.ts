/**
 * Folding prices into open/high/low/close, the one rule behind trade bars, bid/ask quote bars
 * (IG-style spot bars rolled up), opening ranges and session and day levels: the first span sets
 * open, high and low; every span widens high and low; the last sets close. A span is one price
 * (o = h = l = c) or a shorter bar rolled into a longer one.
 */

/** High and low of a span. */
export interface HighLow {
  high: number;
  low: number;
}

/** Open, high, low and close of a span. */
export interface Ohlc extends HighLow {
  open: number;
  close: number;
}

/** Open/high/low/close prices, NaN until the first fold. */
export class OhlcPrices implements Ohlc {
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
}

/** Widens `x` to take in [low, high]; `first` (x holds nothing yet) sets both. */
export function foldHighLow(x: HighLow, first: boolean, high: number, low: number): void {
  if (first || high > x.high) x.high = high;
  if (first || low < x.low) x.low = low;
}

/** Folds a later span into `x`; `first` says `x` holds nothing yet (it then takes the span's open). */
export function foldOhlc(
  x: Ohlc,
  first: boolean,
  open: number,
  high: number,
  low: number,
  close: number,
): void {
  if (first) x.open = open;
  foldHighLow(x, first, high, low);
  x.close = close;
}

/** Folds a quote span into `x` unless its open is NaN (an empty side); `x` is empty while its open is NaN. */
export function foldQuotes(x: Ohlc, open: number, high: number, low: number, close: number): void {
  if (!Number.isNaN(open)) foldOhlc(x, Number.isNaN(x.open), open, high, low, close);
}

/** Sets all four prices to NaN. */
export function clearOhlc(x: Ohlc): void {
  x.open = Number.NaN;
  x.high = Number.NaN;
  x.low = Number.NaN;
  x.close = Number.NaN;
}

/** Copies the four prices of `src` into `x`. */
export function copyOhlc(x: Ohlc, src: Ohlc): void {
  x.open = src.open;
  x.high = src.high;
  x.low = src.low;
  x.close = src.close;
}
