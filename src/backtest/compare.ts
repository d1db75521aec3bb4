/**
 * Where a paper or live session and a backtest of its recording parted: both folders hold the same
 * files (`decisions.jsonl`, `orders.csv`, `fills.csv`, `trades.csv`, written by outputs.ts), and
 * the comparison pairs their decisions and says, for each pair, how the approvals, the entry fills
 * (price in ticks, time, the venue latency of the order, maker or taker), the fees, rejections and
 * exits differ; then it splits the P&L gap (session − backtest, USD after fees) by cause:
 *
 * - `price`: both traded the decision; the P&L difference before fees (entry and exit prices, which
 *   latency moves);
 * - `fees`: both traded it; the difference of their fees;
 * - `queue`: one traded it and the other's passive (limit) entry never filled;
 * - `rejections`: one traded it and the other's entry order was rejected;
 * - `decisions`: a decision taken in one run only, or approved in one only;
 * - `other`: one traded it for another reason (no entry order, a taker entry not filled), or a round
 *   trip tied to no decision.
 *
 * The causes add up to the gap. Decisions are paired by instrument, trigger kind and trigger time
 * (several with the same key in order), not by id: ids are each run's own sequence numbers, so one
 * decision taken in one run only shifts every later id.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CME_FX_FUTURES,
  csvRows,
  EngineError,
  formatTimestamp,
  fxFutureRoot,
  SPOT_PAIRS,
} from '../core/index.js';

/** A result folder or one of its files cannot be read for a comparison. */
export class CompareInputError extends EngineError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('COMPARE_INPUT', `${path}: ${message}`, options);
  }
}

/** What a comparison reads of a decision. */
export interface DecisionRow {
  readonly id: string;
  readonly instrument: string;
  readonly triggerKind: string;
  /** Trigger time, ms since the epoch. */
  readonly triggerMs: number;
  readonly approved: boolean;
  readonly direction: string;
  readonly size: number;
  readonly reason: string;
}

/** What a comparison reads of an order. */
export interface OrderRow {
  readonly clientId: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly tif: string;
  readonly status: string;
  readonly filledQty: number;
  readonly role: string;
  readonly decisionId: string;
  readonly sentNs: bigint | null;
  readonly arrivedNs: bigint | null;
  readonly rejectReason: string;
}

/** What a comparison reads of a fill. */
export interface FillRow {
  readonly tsNs: bigint;
  readonly clientId: string;
  readonly side: string;
  /** Raw 1e-9 units. */
  readonly price: number;
  readonly qty: number;
  readonly liquidity: string;
  readonly fee: number;
}

/** What a comparison reads of a round trip. */
export interface TradeRow {
  readonly symbol: string;
  readonly pnl: number;
  readonly fees: number;
  readonly exitReason: string;
  readonly decisionId: string;
}

/** A result folder's decisions, orders, fills and round trips. */
export interface RunFolder {
  readonly dir: string;
  readonly decisions: readonly DecisionRow[];
  readonly orders: readonly OrderRow[];
  readonly fills: readonly FillRow[];
  readonly trades: readonly TradeRow[];
}

/** The causes the P&L gap is split into (see the module comment). */
export const GAP_CAUSES = ['price', 'fees', 'queue', 'rejections', 'decisions', 'other'] as const;
export type GapCause = (typeof GAP_CAUSES)[number];

/** One run's side of a decision. */
export interface DecisionSide {
  readonly id: string;
  readonly approved: boolean;
  readonly direction: string;
  readonly size: number;
  readonly reason: string;
  /** The first entry order's status (null: no entry order). */
  readonly entryStatus: string | null;
  /** Whether the entry order rested on the book (a limit order, not IOC or FOK): it had a queue. */
  readonly entryPassive: boolean | null;
  readonly rejectReason: string | null;
  /** When the entry order was sent (ns), the decision's time to an order. */
  readonly entrySentNs: bigint | null;
  /** Average entry fill price (raw 1e-9), first fill time, and maker/taker (`mixed` for both). */
  readonly entryPx: number | null;
  readonly entryFillNs: bigint | null;
  readonly liquidity: string | null;
  /** The entry order's trip to the venue (arrived − sent), ms. */
  readonly latencyMs: number | null;
  readonly trades: number;
  readonly pnl: number;
  readonly fees: number;
  readonly exitReasons: readonly string[];
}

/** A decision of either run (or both), how the runs differ on it and its share of the gap. */
export interface DecisionComparison {
  readonly instrument: string;
  readonly triggerKind: string;
  readonly triggerMs: number;
  readonly session: DecisionSide | null;
  readonly backtest: DecisionSide | null;
  /** How much worse the session's entry price was, ticks (null without a fill in both or a tick). */
  readonly entryTicks: number | null;
  /** Session's entry order sent − backtest's, ms: time the decision took to an order. */
  readonly sendDelayMs: number | null;
  /** Session's first entry fill − backtest's, ms. */
  readonly fillDelayMs: number | null;
  /** Session's venue latency − backtest's, ms. */
  readonly latencyMs: number | null;
  /** Session's fees − backtest's, USD. */
  readonly feeDiff: number;
  /** Session's P&L − backtest's, USD after fees, and its split by cause. */
  readonly pnlGap: number;
  readonly causes: Readonly<Record<GapCause, number>>;
  /** The differences in words, for the table. */
  readonly notes: readonly string[];
}

/** The comparison of a session with a backtest. */
export interface Comparison {
  readonly sessionDir: string;
  readonly backtestDir: string;
  readonly decisions: readonly DecisionComparison[];
  readonly counts: {
    readonly matched: number;
    readonly sessionOnly: number;
    readonly backtestOnly: number;
    readonly approvalDiffers: number;
    readonly rejectionsSessionOnly: number;
    readonly rejectionsBacktestOnly: number;
    readonly exitDiffers: number;
  };
  readonly sessionPnl: number;
  readonly backtestPnl: number;
  readonly pnlGap: number;
  readonly causes: Readonly<Record<GapCause, number>>;
}

const FILES = ['decisions.jsonl', 'orders.csv', 'fills.csv', 'trades.csv'] as const;

/** Reads a result folder (see `RunFolder`); names the folder, file, line or column that is wrong. */
export function readRunFolder(dir: string): RunFolder {
  if (!existsSync(dir)) throw new CompareInputError(dir, 'folder not found');
  if (!statSync(dir).isDirectory()) throw new CompareInputError(dir, 'not a folder');
  const missing = FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new CompareInputError(dir, `missing ${missing.join(', ')}`);
  return {
    dir,
    decisions: readDecisions(join(dir, 'decisions.jsonl')),
    orders: csvFile(join(dir, 'orders.csv'), ORDER_COLUMNS, orderRow),
    fills: csvFile(join(dir, 'fills.csv'), FILL_COLUMNS, fillRow),
    trades: csvFile(join(dir, 'trades.csv'), TRADE_COLUMNS, tradeRow),
  };
}

function readDecisions(path: string): DecisionRow[] {
  const out: DecisionRow[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(lines[i]) as Record<string, unknown>;
    } catch (cause) {
      throw new CompareInputError(`${path}:${i + 1}`, 'not a JSON object', { cause });
    }
    const trigger = d.trigger as { kind?: unknown; tMs?: unknown } | undefined;
    const approval = d.approval as Record<string, unknown> | undefined;
    if (typeof d.id !== 'string' || typeof trigger?.tMs !== 'number' || approval === undefined)
      throw new CompareInputError(`${path}:${i + 1}`, 'a decision needs "id", "trigger.tMs" and "approval"');
    out.push({
      id: d.id,
      instrument: String(d.instrument ?? ''),
      triggerKind: String(trigger.kind ?? ''),
      triggerMs: trigger.tMs,
      approved: approval.approved === true,
      direction: String(approval.direction ?? ''),
      size: Number(approval.size ?? 0),
      reason: String(approval.reason ?? ''),
    });
  }
  return out;
}

type Cells = Readonly<Record<string, string>>;
const ORDER_COLUMNS = [
  'client_order_id',
  'symbol',
  'side',
  'type',
  'tif',
  'status',
  'filled_qty',
  'role',
  'decision_id',
  'sent_ns',
  'arrived_ns',
] as const;
const FILL_COLUMNS = ['ts_ns', 'client_order_id', 'side', 'price', 'qty', 'liquidity', 'fee'] as const;
const TRADE_COLUMNS = ['symbol', 'pnl', 'fees', 'exit_reason', 'decision_id'] as const;

/** The rows of a CSV file with a header naming at least `columns`, each made into a `T`. */
function csvFile<T>(path: string, columns: readonly string[], make: (c: Cells, where: string) => T): T[] {
  const [head, ...rows] = csvRows(readFileSync(path, 'utf8'));
  if (head === undefined) throw new CompareInputError(path, 'empty (no header line)');
  const absent = columns.filter((c) => !head.cells.includes(c));
  if (absent.length > 0) throw new CompareInputError(path, `no column ${absent.join(', ')}`);
  return rows.map((r) => {
    const cells: Record<string, string> = {};
    head.cells.forEach((k, i) => {
      cells[k] = r.cells[i] ?? '';
    });
    return make(cells, `${path}:${r.line}`);
  });
}

function num(c: Cells, k: string, where: string): number {
  const v = Number(c[k]);
  if (c[k] === '' || !Number.isFinite(v))
    throw new CompareInputError(where, `${k} "${c[k]}" is not a number`);
  return v;
}

function ns(c: Cells, k: string, where: string): bigint | null {
  if (c[k] === '') return null;
  if (!/^-?\d+$/.test(c[k])) throw new CompareInputError(where, `${k} "${c[k]}" is not a time in ns`);
  return BigInt(c[k]);
}

const orderRow = (c: Cells, where: string): OrderRow => ({
  clientId: c.client_order_id,
  symbol: c.symbol,
  side: c.side,
  type: c.type,
  tif: c.tif,
  status: c.status,
  filledQty: num(c, 'filled_qty', where),
  role: c.role,
  decisionId: c.decision_id,
  sentNs: ns(c, 'sent_ns', where),
  arrivedNs: ns(c, 'arrived_ns', where),
  rejectReason: c.reject_reason ?? '',
});

const fillRow = (c: Cells, where: string): FillRow => ({
  tsNs: ns(c, 'ts_ns', where) ?? 0n,
  clientId: c.client_order_id,
  side: c.side,
  price: Math.round(num(c, 'price', where) * 1e9),
  qty: num(c, 'qty', where),
  liquidity: c.liquidity,
  fee: num(c, 'fee', where),
});

const tradeRow = (c: Cells, where: string): TradeRow => ({
  symbol: c.symbol,
  pnl: num(c, 'pnl', where),
  fees: num(c, 'fees', where),
  exitReason: c.exit_reason,
  decisionId: c.decision_id,
});

/** The price tick of `symbol` in raw 1e-9 units (CME FX futures and their spot pairs), or null. */
export function tickOf(symbol: string): number | null {
  const root = fxFutureRoot(symbol);
  if (root !== undefined) return CME_FX_FUTURES[root].tickRaw;
  return Object.values(SPOT_PAIRS).find((p) => p.pair === symbol)?.tick ?? null;
}

/** One run's orders, fills and round trips by decision. */
class RunIndex {
  readonly #entries = new Map<string, OrderRow[]>();
  readonly #fills = new Map<string, FillRow[]>();
  readonly #trades = new Map<string, TradeRow[]>();

  constructor(readonly run: RunFolder) {
    for (const o of run.orders) if (o.role === 'entry') push(this.#entries, o.decisionId, o);
    for (const f of run.fills) push(this.#fills, f.clientId, f);
    for (const t of run.trades) push(this.#trades, t.decisionId, t);
  }

  trades(decisionId: string): readonly TradeRow[] {
    return this.#trades.get(decisionId) ?? [];
  }

  /** Round trips tied to none of `ids`. */
  orphanTrades(ids: ReadonlySet<string>): TradeRow[] {
    return this.run.trades.filter((t) => !ids.has(t.decisionId));
  }

  side(d: DecisionRow): DecisionSide {
    const entries = this.#entries.get(d.id) ?? [];
    const first = entries[0];
    const fills = entries.flatMap((o) => this.#fills.get(o.clientId) ?? []);
    const trades = this.trades(d.id);
    const qty = fills.reduce((a, f) => a + f.qty, 0);
    const kinds = new Set(fills.map((f) => f.liquidity));
    const rejected = entries.find((o) => o.status === 'rejected');
    const sentToVenue = first?.arrivedNs != null && first.sentNs !== null;
    return {
      id: d.id,
      approved: d.approved,
      direction: d.direction,
      size: d.size,
      reason: d.reason,
      entryStatus: first?.status ?? null,
      entryPassive: first === undefined ? null : isPassive(first),
      rejectReason: rejected === undefined ? null : rejected.rejectReason || 'rejected',
      entryPx: qty > 0 ? fills.reduce((a, f) => a + f.price * f.qty, 0) / qty : null,
      entrySentNs: first?.sentNs ?? null,
      entryFillNs: earliest(fills),
      liquidity: kinds.size === 0 ? null : kinds.size > 1 ? 'mixed' : [...kinds][0],
      latencyMs: sentToVenue ? nsToMs((first.arrivedNs as bigint) - (first.sentNs as bigint)) : null,
      trades: trades.length,
      pnl: sum(trades.map((t) => t.pnl)),
      fees: sum(trades.map((t) => t.fees)),
      exitReasons: trades.map((t) => t.exitReason),
    };
  }
}

/** The time of the earliest of `fills`, or null. */
function earliest(fills: readonly FillRow[]): bigint | null {
  let t: bigint | null = null;
  for (const f of fills) if (t === null || f.tsNs < t) t = f.tsNs;
  return t;
}

const isPassive = (o: OrderRow) => o.type === 'limit' && o.tif !== 'IOC' && o.tif !== 'FOK';

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const nsToMs = (v: bigint) => Number(v) / 1e6;
const keyOf = (d: DecisionRow) => `${d.instrument}|${d.triggerKind}|${d.triggerMs}`;
const zero = (): Record<GapCause, number> => ({
  price: 0,
  fees: 0,
  queue: 0,
  rejections: 0,
  decisions: 0,
  other: 0,
});

/** Pairs the decisions of two runs by instrument, trigger kind and time, in order within a key. */
export function pairDecisions(
  a: readonly DecisionRow[],
  b: readonly DecisionRow[],
): [DecisionRow | null, DecisionRow | null][] {
  const waiting = new Map<string, DecisionRow[]>();
  for (const d of b) push(waiting, keyOf(d), d);
  const pairs: [DecisionRow | null, DecisionRow | null][] = [];
  for (const d of a) pairs.push([d, waiting.get(keyOf(d))?.shift() ?? null]);
  for (const rest of waiting.values()) for (const d of rest) pairs.push([null, d]);
  return pairs.sort(([a1, b1], [a2, b2]) => {
    const x = (a1 ?? b1) as DecisionRow;
    const y = (a2 ?? b2) as DecisionRow;
    return x.triggerMs - y.triggerMs || x.instrument.localeCompare(y.instrument);
  });
}

/** Compares a session's folder with a backtest's (see the module comment). */
export function compareRuns(session: RunFolder, backtest: RunFolder): Comparison {
  const s = new RunIndex(session);
  const b = new RunIndex(backtest);
  const decisions = pairDecisions(session.decisions, backtest.decisions).map(([ds, db]) =>
    compareDecision(ds, db, s, b),
  );
  const causes = zero();
  for (const d of decisions) for (const c of GAP_CAUSES) causes[c] += d.causes[c];
  // Round trips of no decision (a flattening at the end, say) are outside every pair.
  const orphans = (run: RunIndex, list: readonly DecisionRow[]) =>
    sum(run.orphanTrades(new Set(list.map((d) => d.id))).map((t) => t.pnl));
  causes.other += orphans(s, session.decisions) - orphans(b, backtest.decisions);
  const sessionPnl = sum(session.trades.map((t) => t.pnl));
  const backtestPnl = sum(backtest.trades.map((t) => t.pnl));
  return {
    sessionDir: session.dir,
    backtestDir: backtest.dir,
    decisions,
    counts: countsOf(decisions),
    sessionPnl,
    backtestPnl,
    pnlGap: sessionPnl - backtestPnl,
    causes,
  };
}

function countsOf(decisions: readonly DecisionComparison[]): Comparison['counts'] {
  const both = decisions.filter((d) => d.session !== null && d.backtest !== null);
  const rejected = (x: DecisionSide | null) => x?.rejectReason != null;
  const exits = (x: DecisionSide | null) => (x?.exitReasons ?? []).join(',');
  return {
    matched: both.length,
    sessionOnly: decisions.filter((d) => d.backtest === null).length,
    backtestOnly: decisions.filter((d) => d.session === null).length,
    approvalDiffers: both.filter((d) => d.session?.approved !== d.backtest?.approved).length,
    rejectionsSessionOnly: both.filter((d) => rejected(d.session) && !rejected(d.backtest)).length,
    rejectionsBacktestOnly: both.filter((d) => rejected(d.backtest) && !rejected(d.session)).length,
    exitDiffers: both.filter(
      (d) =>
        (d.session?.trades ?? 0) > 0 &&
        (d.backtest?.trades ?? 0) > 0 &&
        exits(d.session) !== exits(d.backtest),
    ).length,
  };
}

function compareDecision(
  ds: DecisionRow | null,
  db: DecisionRow | null,
  s: RunIndex,
  b: RunIndex,
): DecisionComparison {
  const d = (ds ?? db) as DecisionRow;
  const session = ds === null ? null : s.side(ds);
  const backtest = db === null ? null : b.side(db);
  const pnlGap = (session?.pnl ?? 0) - (backtest?.pnl ?? 0);
  const tick = tickOf(d.instrument);
  const both = session !== null && backtest !== null;
  const entryTicks =
    both && session.entryPx !== null && backtest.entryPx !== null && tick !== null
      ? ((session.entryPx - backtest.entryPx) / tick) * (d.direction === 'short' ? -1 : 1)
      : null;
  return {
    instrument: d.instrument,
    triggerKind: d.triggerKind,
    triggerMs: d.triggerMs,
    session,
    backtest,
    entryTicks: entryTicks === null ? null : round(entryTicks),
    sendDelayMs:
      both && session.entrySentNs !== null && backtest.entrySentNs !== null
        ? nsToMs(session.entrySentNs - backtest.entrySentNs)
        : null,
    fillDelayMs:
      both && session.entryFillNs !== null && backtest.entryFillNs !== null
        ? nsToMs(session.entryFillNs - backtest.entryFillNs)
        : null,
    latencyMs:
      both && session.latencyMs !== null && backtest.latencyMs !== null
        ? round(session.latencyMs - backtest.latencyMs)
        : null,
    feeDiff: round((session?.fees ?? 0) - (backtest?.fees ?? 0)),
    pnlGap: round(pnlGap),
    causes: attribute(session, backtest, pnlGap),
    notes: notesOf(session, backtest, entryTicks),
  };
}

/** The decision's share of the gap by cause (see the module comment). */
function attribute(s: DecisionSide | null, b: DecisionSide | null, gap: number): Record<GapCause, number> {
  const out = zero();
  if (gap === 0 && (s?.trades ?? 0) === 0 && (b?.trades ?? 0) === 0) return out;
  if (s === null || b === null || s.approved !== b.approved || s.direction !== b.direction) {
    out.decisions = round(gap);
    return out;
  }
  if (s.trades > 0 && b.trades > 0) {
    out.fees = round(-(s.fees - b.fees));
    out.price = round(gap - out.fees);
    return out;
  }
  // One traded it: why did the other not?
  const idle = s.trades > 0 ? b : s;
  const cause: GapCause =
    idle.rejectReason !== null
      ? 'rejections'
      : idle.entryPassive === true && idle.entryPx === null
        ? 'queue'
        : 'other';
  out[cause] = round(gap);
  return out;
}

function notesOf(s: DecisionSide | null, b: DecisionSide | null, entryTicks: number | null): string[] {
  if (s === null) return ['backtest only'];
  if (b === null) return ['session only'];
  // What follows from a different approval (an order in one run only) is not a difference of its own.
  if (s.approved !== b.approved)
    return [
      `approved in ${s.approved ? 'session' : 'backtest'} only (other: ${(s.approved ? b : s).reason})`,
    ];
  if (s.direction !== b.direction) return [`direction ${s.direction} vs ${b.direction}`];
  const notes: string[] = [];
  if (s.rejectReason !== null && b.rejectReason === null)
    notes.push(`rejected in session: ${s.rejectReason}`);
  if (b.rejectReason !== null && s.rejectReason === null)
    notes.push(`rejected in backtest: ${b.rejectReason}`);
  const filled = (x: DecisionSide) => x.entryPx !== null;
  if (filled(s) !== filled(b) && (s.rejectReason ?? b.rejectReason) === null) {
    const idle = filled(s) ? b : s;
    const why =
      idle.entryStatus === null
        ? ' (no entry order in the other)'
        : idle.entryPassive === true
          ? ' (queue: passive order not reached)'
          : ` (the other's ${idle.entryStatus})`;
    notes.push(`entry filled in ${filled(s) ? 'session' : 'backtest'} only${why}`);
  }
  if (filled(s) && filled(b) && s.liquidity !== b.liquidity) notes.push(`${s.liquidity} vs ${b.liquidity}`);
  if (entryTicks !== null && entryTicks !== 0) notes.push(`entry ${signed(round(entryTicks))} ticks`);
  if (s.trades > 0 && b.trades > 0 && s.fees !== b.fees) notes.push(`fees ${signed(round(s.fees - b.fees))}`);
  const exits = (x: DecisionSide) => x.exitReasons.join(',');
  if (s.trades > 0 && b.trades > 0 && exits(s) !== exits(b)) notes.push(`exit ${exits(s)} vs ${exits(b)}`);
  return notes;
}

/** To 1e-6 (USD, ticks, ms), never -0. */
const round = (v: number) => Math.round(v * 1e6) / 1e6 + 0;
const signed = (v: number) => (v > 0 ? `+${v}` : String(v));

/** The comparison as a table, one line per decision where the runs differ, and a summary line. */
export function comparisonTable(c: Comparison, all = false): string {
  const cell = (v: number | null, digits = 2) => (v === null ? '' : signed(Number(v.toFixed(digits))));
  const rows = c.decisions.filter(
    (d) => all || d.notes.length > 0 || d.pnlGap !== 0 || d.latencyMs || d.sendDelayMs,
  );
  const head = [
    'trigger',
    'instrument',
    'session',
    'backtest',
    'ticks',
    'sent ms',
    'fill ms',
    'latency ms',
    'fees',
    'P&L gap',
    'cause',
    'what differs',
  ];
  const body = rows.map((d) => [
    `${formatTimestamp(BigInt(d.triggerMs) * 1_000_000n)?.slice(0, 23) ?? ''} ${d.triggerKind}`,
    d.instrument,
    d.session?.id ?? '-',
    d.backtest?.id ?? '-',
    cell(d.entryTicks),
    cell(d.sendDelayMs, 3),
    cell(d.fillDelayMs, 3),
    cell(d.latencyMs, 3),
    cell(d.feeDiff),
    cell(d.pnlGap),
    GAP_CAUSES.filter((k) => d.causes[k] !== 0).join(','),
    d.notes.join('; '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const parts = GAP_CAUSES.filter((k) => c.causes[k] !== 0).map((k) => `${k} ${cell(c.causes[k])}`);
  const n = c.counts;
  return [
    `session ${c.sessionDir} against backtest ${c.backtestDir}`,
    ...(rows.length > 0 ? [line(head), ...body.map(line)] : ['no decision differs']),
    '',
    `${n.matched} decisions in both, ${n.sessionOnly} in the session only, ${n.backtestOnly} in the backtest only, ${n.approvalDiffers} approved differently; rejections ${n.rejectionsSessionOnly} in the session only, ${n.rejectionsBacktestOnly} in the backtest only; ${n.exitDiffers} exits differ`,
    `P&L session ${c.sessionPnl.toFixed(2)} − backtest ${c.backtestPnl.toFixed(2)} = ${cell(c.pnlGap)} USD${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`,
    '',
  ].join('\n');
}

/** The comparison as JSON (times in ns as strings beside ISO-8601). */
export function comparisonJson(c: Comparison): string {
  return JSON.stringify(
    {
      ...c,
      causes: Object.fromEntries(GAP_CAUSES.map((k) => [k, round(c.causes[k])])),
      pnlGap: round(c.pnlGap),
      decisions: c.decisions.map((d) => ({
        ...d,
        trigger: formatTimestamp(BigInt(d.triggerMs) * 1_000_000n),
        session: sideJson(d.session),
        backtest: sideJson(d.backtest),
      })),
    },
    null,
    2,
  );
}

function sideJson(x: DecisionSide | null): unknown {
  if (x === null) return null;
  return {
    ...x,
    entrySentNs: x.entrySentNs?.toString() ?? null,
    entryFillNs: x.entryFillNs?.toString() ?? null,
  };
}
