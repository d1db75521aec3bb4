/**
 * How the dashboard writes numbers and times: prices with their instrument's decimals, times as
 * UTC clock times, P&L with its sign. A missing value is a dash. Pure functions, used by the page
 * in the browser and tested in Node.
 */

/** What the page shows for a missing value. */
export const NONE = '–';

/** `px` with `decimals` decimals, or a dash. */
export function fmtPx(px: number | null | undefined, decimals: number): string {
  return px === null || px === undefined || !Number.isFinite(px) ? NONE : px.toFixed(decimals);
}

/** A number with `digits` decimals, or a dash. */
export function fmtNum(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NONE : v.toFixed(digits);
}

/** P&L with its sign and two decimals (`+12.50`, `-3.00`, `0.00`), or a dash. */
export function fmtPnl(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NONE;
  const s = Math.abs(v).toFixed(2);
  if (Number(s) === 0) return '0.00';
  return (v > 0 ? '+' : '-') + s;
}

/** A signed quantity (`+3`, `-2`, `0`). */
export function fmtQty(q: number): string {
  return q > 0 ? `+${q}` : String(q);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC `HH:MM:SS` of a time in ms since the epoch, or a dash. */
export function fmtClockMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  const d = new Date(ms);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** UTC `HH:MM:SS` of a time in seconds since the epoch (the charts' time), or a dash. */
export function fmtClock(t: number | null | undefined): string {
  return t === null || t === undefined ? NONE : fmtClockMs(t * 1000);
}

/** UTC `YYYY-MM-DD HH:MM:SS` of a time in ms, or a dash. */
export function fmtDateTimeMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return `${new Date(ms).toISOString().slice(0, 10)} ${fmtClockMs(ms)}`;
}

/** Milliseconds: `0.42 ms`, `12.3 ms`, `1.25 s`, or a dash. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

/** A value of an agent's evidence: numbers to at most five significant decimals, or a dash. */
export function fmtEvidence(v: number | string | boolean | null): string {
  if (v === null) return NONE;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return NONE;
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  }
  return String(v);
}

/** A fraction as a percentage with no decimals (`0.734` → `73%`), or a dash. */
export function fmtPct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NONE : `${Math.round(v * 100)}%`;
}
