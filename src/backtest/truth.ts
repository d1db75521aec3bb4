/**
 * The simulator's ground truth in a backtest: its toxic-flow episodes (`truth-YYYYMMDD.json`,
 * `episodes`: start, end, symbol), so that a report can say which round trips overlapped one and
 * what they lost there.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatDate, parseTimestamp, tradingDateOf } from '../core/index.js';
import type { RoundTrip } from './trades.js';

/** A toxic episode: [startNs, endNs] of `symbol`. */
export interface ToxicEpisode {
  readonly symbol: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** The episodes of a truth file, or of every `truth-YYYYMMDD.json` in a folder. */
export function readToxicEpisodes(path: string): ToxicEpisode[] {
  return readTruth(path).episodes;
}

/**
 * What a backtest reads of the ground truth: the toxic episodes, and the market scenario each
 * truth file was simulated under (`scenario.name`; `unrecorded` for a file from before scenarios),
 * each name once, in file order.
 */
export function readTruth(path: string): { readonly episodes: ToxicEpisode[]; readonly scenarios: string[] } {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) throw new ConfigError(`${path}: no such truth file or folder`);
  const files = st.isDirectory()
    ? readdirSync(path)
        .filter((n) => /^truth-\d{8}\.json$/.test(n))
        .sort()
        .map((n) => join(path, n))
    : [path];
  if (files.length === 0) throw new ConfigError(`${path}: no truth-YYYYMMDD.json in the folder`);
  const episodes: ToxicEpisode[] = [];
  const scenarios = new Set<string>();
  for (const f of files) {
    let doc: { episodes?: unknown; scenario?: { name?: unknown } };
    try {
      doc = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new ConfigError(`${f}: cannot read the truth file (${(e as Error).message})`);
    }
    if (!Array.isArray(doc?.episodes))
      throw new ConfigError(`${f}: episodes: expected a list of toxic episodes`);
    doc.episodes.forEach((e: { start?: unknown; end?: unknown; symbol?: unknown }, i) => {
      if (typeof e?.start !== 'string' || typeof e.end !== 'string' || typeof e.symbol !== 'string')
        throw new ConfigError(`${f}: episodes[${i}]: expected start, end and symbol`);
      episodes.push({ symbol: e.symbol, startNs: parseTimestamp(e.start), endNs: parseTimestamp(e.end) });
    });
    const name = doc.scenario?.name;
    scenarios.add(typeof name === 'string' && name !== '' ? name : 'unrecorded');
  }
  return { episodes, scenarios: [...scenarios] };
}

/** Whether a round trip was open during an episode of its symbol (any overlap). */
export function isToxic(t: RoundTrip, episodes: readonly ToxicEpisode[]): boolean {
  return episodes.some((e) => e.symbol === t.symbol && t.entryNs <= e.endNs && t.exitNs >= e.startNs);
}

/** The round trips that overlapped a toxic episode: how many, their P&L, and their losses alone. */
export function toxicTrades(
  trips: readonly RoundTrip[],
  episodes: readonly ToxicEpisode[],
): { readonly trades: number; readonly pnl: number; readonly losses: number } {
  let trades = 0;
  let pnl = 0;
  let losses = 0;
  for (const t of trips) {
    if (!isToxic(t, episodes)) continue;
    trades++;
    pnl += t.pnl;
    if (t.pnl < 0) losses -= t.pnl;
  }
  return { trades, pnl, losses };
}

/**
 * The losses of the round trips that overlapped a toxic episode, by the trading date on which each
 * closed (dates without one are absent).
 */
export function toxicLossesByDay(
  trips: readonly RoundTrip[],
  episodes: readonly ToxicEpisode[],
): { readonly date: string; readonly losses: number }[] {
  const byDay = new Map<string, number>();
  for (const t of trips) {
    if (t.pnl >= 0 || !isToxic(t, episodes)) continue;
    const ms = Number(t.exitNs / 1_000_000n);
    const date = tradingDateOf(ms) ?? formatDate(ms);
    byDay.set(date, (byDay.get(date) ?? 0) - t.pnl);
  }
  return [...byDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, losses]) => ({ date, losses }));
}
