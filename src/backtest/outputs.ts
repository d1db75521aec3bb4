/**
 * A backtest's files, all from its trader and decisions (nothing is measured twice):
 *
 * - `orders.csv`: every order sent, with what it was for, its times (sent, arrived at the venue,
 *   acknowledged, finished) and why it was rejected when it was;
 * - `fills.csv`: `ts` (ISO-8601 ns), `ts_ns`, `order_id`, `client_order_id`, `symbol`, `side`,
 *   `price` (decimal), `qty`, `liquidity` (maker|taker), `fee`, `sent_ns`, `arrived_ns`; the paper
 *   venue names an order by its client id;
 * - `trades.csv`: the round trips (entry and exit times and prices, `pnl_ticks`, `pnl` after fees,
 *   `fees`, `exit_reason`, `decision_id`, `regime`, and `toxic`: whether it overlapped a toxic episode
 *   of the simulator's ground truth, when a truth file was given);
 * - `equity.csv`: the equity curve (`ts`, `ts_ns`, `equity`);
 * - `decisions.jsonl`: every decision's audit record, without the tier times the wall clock measured
 *   (those are in `timings.jsonl`, one line per decision), so that every other file is the same
 *   bytes for the same inputs and configuration.
 *
 * Prices are written as decimals with the 9 digits of the raw units trimmed of trailing zeros;
 * times in ns since the epoch beside their ISO-8601 form.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField, formatTimestamp } from '../core/index.js';
import type { Order, Trader } from '../execution/index.js';
import { type Decision, decisionJson } from '../pipeline/index.js';
import type { RoundTrip } from './trades.js';
import { isToxic, type ToxicEpisode } from './truth.js';

/** A raw 1e-9 price as a decimal string (`1085050000` → `1.08505`). */
export function decimal(raw: number): string {
  if (!Number.isFinite(raw)) return '';
  const neg = raw < 0;
  const digits = BigInt(Math.round(Math.abs(raw)))
    .toString()
    .padStart(10, '0');
  const frac = digits.slice(-9).replace(/0+$/, '');
  return `${neg ? '-' : ''}${digits.slice(0, -9)}${frac === '' ? '' : `.${frac}`}`;
}

const iso = (ns: bigint | null | undefined) =>
  ns === null || ns === undefined ? '' : (formatTimestamp(ns) ?? '');
const row = (fields: readonly (string | number | bigint | null | undefined)[]) =>
  fields.map((f) => (f === null || f === undefined ? '' : csvField(String(f)))).join(',');

/** The time of an order's first transition of `event`, or null. */
function timeOf(o: Order | undefined, event: string): bigint | null {
  return o?.history.find((t) => t.event === event)?.atNs ?? null;
}

/** `orders.csv` text. */
export function ordersCsv(trader: Trader): string {
  const lines = [
    'client_order_id,symbol,side,type,qty,limit_px,stop_px,tif,status,filled_qty,avg_px,role,exit_reason,decision_id,sent_ns,arrived_ns,acked_ns,done_ns,reject_reason',
  ];
  for (const [id, role] of trader.roles) {
    const o = trader.broker.order(id);
    if (o === undefined) continue;
    const s = o.spec;
    const last = o.history[o.history.length - 1];
    const done = last !== undefined && last.to === o.status && isFinished(o) ? last.atNs : null;
    lines.push(
      row([
        id,
        trader.portfolio.terms(s.instrumentId)?.symbol ?? s.instrumentId,
        s.side,
        s.type,
        s.quantity,
        s.limitPx === undefined ? '' : decimal(s.limitPx),
        s.stopPx === undefined ? '' : decimal(s.stopPx),
        s.tif,
        o.status,
        o.filledQuantity,
        o.filledQuantity > 0 ? decimal(o.averagePx) : '',
        role.role,
        role.reason ?? '',
        role.decisionId ?? '',
        o.sentNs,
        timeOf(o, 'arrive'),
        timeOf(o, 'ack'),
        done,
        o.history.find((t) => t.event === 'reject')?.reason ?? '',
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

function isFinished(o: Order): boolean {
  return (
    o.status === 'filled' || o.status === 'cancelled' || o.status === 'rejected' || o.status === 'expired'
  );
}

/** `fills.csv` text. */
export function fillsCsv(trader: Trader): string {
  const lines = ['ts,ts_ns,order_id,client_order_id,symbol,side,price,qty,liquidity,fee,sent_ns,arrived_ns'];
  for (const f of trader.fills) {
    const o = trader.broker.order(f.clientId);
    lines.push(
      row([
        iso(f.tsNs),
        f.tsNs,
        f.clientId,
        f.clientId,
        trader.portfolio.terms(f.instrumentId)?.symbol ?? f.instrumentId,
        f.side,
        decimal(f.price),
        f.quantity,
        f.liquidity,
        f.fee.toFixed(6),
        o?.sentNs,
        timeOf(o, 'arrive'),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `trades.csv` text; `regimeOf` names the regime of a trade's decision, `toxic` (with a truth file)
 * says whether it overlapped a toxic episode (empty without one).
 */
export function tradesCsv(
  trips: readonly RoundTrip[],
  regimeOf: (decisionId: string) => string,
  toxic: ((t: RoundTrip) => boolean) | null = null,
): string {
  const lines = [
    'entry_ts,entry_ns,exit_ts,exit_ns,symbol,side,qty,entry_px,exit_px,pnl_ticks,pnl,fees,exit_reason,decision_id,regime,toxic',
  ];
  for (const t of trips) {
    lines.push(
      row([
        iso(t.entryNs),
        t.entryNs,
        iso(t.exitNs),
        t.exitNs,
        t.symbol,
        t.side,
        t.quantity,
        decimal(t.entryPx),
        decimal(t.exitPx),
        Number(t.pnlTicks.toFixed(6)),
        t.pnl.toFixed(6),
        t.fees.toFixed(6),
        t.exitReason,
        t.decisionId,
        regimeOf(t.decisionId),
        toxic === null ? '' : String(toxic(t)),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `equity.csv` text. */
export function equityCsv(trader: Trader): string {
  const lines = ['ts,ts_ns,equity'];
  for (const p of trader.portfolio.equityCurve) lines.push(row([iso(p.tsNs), p.tsNs, p.equity.toFixed(6)]));
  return `${lines.join('\n')}\n`;
}

/** Writes the CSV files and `decisions.jsonl` of a run into `dir` (which exists). */
export function writeRunFiles(
  dir: string,
  trader: Trader,
  decisions: readonly Decision[],
  trips: readonly RoundTrip[],
  episodes: readonly ToxicEpisode[] | null = null,
): void {
  const regimes = new Map<string, string>();
  for (const d of decisions) {
    const r = d.signals.find((s) => s.agent === 'regime')?.evidence.state;
    regimes.set(d.id, typeof r === 'string' ? r : 'unknown');
  }
  writeFileSync(join(dir, 'orders.csv'), ordersCsv(trader));
  writeFileSync(join(dir, 'fills.csv'), fillsCsv(trader));
  const toxic = episodes === null ? null : (t: RoundTrip) => isToxic(t, episodes);
  writeFileSync(
    join(dir, 'trades.csv'),
    tradesCsv(trips, (id) => regimes.get(id) ?? '', toxic),
  );
  writeFileSync(join(dir, 'equity.csv'), equityCsv(trader));
  // The audit records without what the wall clock measured (reproducible); the timings apart.
  writeFileSync(
    join(dir, 'decisions.jsonl'),
    decisions.map((d) => `${decisionJson(withoutTimes(d))}\n`).join(''),
  );
  writeFileSync(join(dir, 'timings.jsonl'), decisions.map((d) => `${JSON.stringify(timesOf(d))}\n`).join(''));
}

/** A decision without its wall-clock measurements (tier times, analysts' run times). */
function withoutTimes(d: Decision): Decision {
  const outcomes = d.outcomes.map(({ ms: _, startedAt: _s, finishedAt: _f, ...o }) => o);
  return { ...d, outcomes, timings: undefined, sumAgentMs: undefined } as unknown as Decision;
}

/** What the wall clock measured of a decision. */
function timesOf(d: Decision): unknown {
  return {
    id: d.id,
    timings: d.timings,
    sumAgentMs: d.sumAgentMs,
    analysts: Object.fromEntries(d.outcomes.map((o) => [o.agent, o.ms])),
  };
}
