/**
 * The history rows both stores keep (bars, feature snapshots, the fills of runs): their tables as
 * a writer sees them, the checks a batch passes before anything is written, and rows read back.
 * The checks are the same for both stores so that a batch one store takes the other takes too.
 */
import { StateStoreError } from './errors.js';
import { ns, num, type SqlRow } from './rows.js';
import type { StoredBar, StoredFeatureSnapshot, StoredFill } from './types.js';

/** One history table as the writer sees it. */
export interface HistoryTable<T> {
  readonly table: string;
  readonly columns: readonly string[];
  /** Its primary key (the conflict target of the upsert). */
  readonly key: readonly string[];
  /** A row's values, in `columns` order. */
  readonly values: (row: T) => readonly unknown[];
  /** A row's time in ns (for its partition). */
  readonly time: (row: T) => bigint;
}

export const BARS: HistoryTable<StoredBar> = {
  table: 'bars',
  columns: ['instrument_id', 'interval_s', 'ts_ns', 'open', 'high', 'low', 'close', 'volume'],
  key: ['instrument_id', 'interval_s', 'ts_ns'],
  values: (b) => [b.instrumentId, b.intervalS, b.tsNs, b.open, b.high, b.low, b.close, b.volume],
  time: (b) => b.tsNs,
};

export const FEATURE_SNAPSHOTS: HistoryTable<StoredFeatureSnapshot> = {
  table: 'feature_snapshots',
  columns: ['instrument_id', 'ts_ns', 'features'],
  key: ['instrument_id', 'ts_ns'],
  values: (s) => [s.instrumentId, s.tsNs, JSON.stringify(s.features)],
  time: (s) => s.tsNs,
};

/** A fill of a run, as the run-fills table keeps it. */
export interface RunFill {
  readonly runId: string;
  readonly fill: StoredFill;
}

export const RUN_FILLS: HistoryTable<RunFill> = {
  table: 'run_fills',
  columns: [
    'run_id',
    'fill_id',
    'client_id',
    'instrument_id',
    'side',
    'quantity',
    'price',
    'fee',
    'liquidity',
    'ts_ns',
  ],
  key: ['run_id', 'fill_id', 'ts_ns'],
  values: ({ runId, fill: f }) => [
    runId,
    f.fillId,
    f.clientId,
    f.instrumentId,
    f.side,
    f.quantity,
    f.price,
    f.fee,
    f.liquidity ?? null,
    f.tsNs,
  ],
  time: (r) => r.fill.tsNs,
};

/** `INSERT INTO <table> (columns) <source> ON CONFLICT (key) DO UPDATE SET <the other columns>`. */
export function upsertSql<T>(t: HistoryTable<T>, source: string): string {
  const cols = t.columns.join(', ');
  const set = t.columns
    .filter((c) => !t.key.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO ${t.table} (${cols}) ${source} ON CONFLICT (${t.key.join(', ')}) DO UPDATE SET ${set}`;
}

function invalid(location: string, detail: string): never {
  throw new StateStoreError('STORE_INVALID', location, detail);
}

function whole(location: string, what: string, v: number): void {
  if (!Number.isSafeInteger(v)) invalid(location, `${what} must be a whole number, got ${v}`);
}

function time(location: string, where: string, tsNs: bigint): void {
  if (typeof tsNs !== 'bigint' || tsNs < 0n)
    invalid(location, `${where}: time must be ns >= 0 as a bigint, got ${String(tsNs)}`);
}

/** Refuses a batch holding two rows under one key: which of them should stand is not said. */
function unique<T>(location: string, what: string, t: HistoryTable<T>, rows: readonly T[]): void {
  const keys = new Set<string>();
  const at = t.columns.map((_, i) => i).filter((i) => t.key.includes(t.columns[i]));
  for (const row of rows) {
    const vs = t.values(row);
    const k = at.map((i) => String(vs[i])).join('\u0000');
    if (keys.has(k))
      invalid(
        location,
        `${what}: the batch holds two rows with the same key (${t.key.join(', ')} = ${at.map((i) => String(vs[i])).join(', ')})`,
      );
    keys.add(k);
  }
}

/** `bars`, checked: whole prices, volume and interval, times in ns >= 0, each key once. */
export function checkedBars(location: string, bars: readonly StoredBar[]): readonly StoredBar[] {
  for (const b of bars) {
    const where = `bar of instrument ${b.instrumentId} at ${b.tsNs}`;
    for (const [what, v] of [
      ['instrument id', b.instrumentId],
      ['interval', b.intervalS],
      ['open', b.open],
      ['high', b.high],
      ['low', b.low],
      ['close', b.close],
      ['volume', b.volume],
    ] as const)
      whole(location, `${where}: ${what}`, v);
    if (b.intervalS <= 0) invalid(location, `${where}: interval must be above 0 s, got ${b.intervalS}`);
    if (b.volume < 0) invalid(location, `${where}: volume must be >= 0, got ${b.volume}`);
    time(location, where, b.tsNs);
  }
  unique(location, 'bars', BARS, bars);
  return bars;
}

/**
 * `snapshots`, checked, their values as JSON keeps them: NaN (a feature not ready) becomes null; an
 * infinity or a value that is not a number is refused.
 */
export function checkedSnapshots(
  location: string,
  snapshots: readonly StoredFeatureSnapshot[],
): StoredFeatureSnapshot[] {
  const rows = snapshots.map((s) => {
    const where = `feature snapshot of instrument ${s.instrumentId} at ${s.tsNs}`;
    whole(location, `${where}: instrument id`, s.instrumentId);
    time(location, where, s.tsNs);
    const features: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(s.features)) {
      if (v !== null && typeof v !== 'number')
        invalid(location, `${where}: ${k} is not a number (${String(v)})`);
      if (v !== null && !Number.isNaN(v) && !Number.isFinite(v)) invalid(location, `${where}: ${k} is ${v}`);
      features[k] = v === null || Number.isNaN(v) ? null : v;
    }
    return { instrumentId: s.instrumentId, tsNs: s.tsNs, features };
  });
  unique(location, 'feature snapshots', FEATURE_SNAPSHOTS, rows);
  return rows;
}

/** The fills of run `runId`, checked (whole quantities and prices, fee >= 0, each key once). */
export function checkedRunFills(location: string, runId: string, fills: readonly StoredFill[]): RunFill[] {
  if (runId === '') invalid(location, "run fills need the run's id");
  const rows = fills.map((fill) => {
    const where = `fill ${JSON.stringify(fill.fillId)} of run ${runId}`;
    whole(location, `${where}: instrument id`, fill.instrumentId);
    whole(location, `${where}: quantity`, fill.quantity);
    whole(location, `${where}: price`, fill.price);
    if (!(fill.quantity > 0)) invalid(location, `${where}: quantity must be above 0, got ${fill.quantity}`);
    if (!(fill.fee >= 0)) invalid(location, `${where}: fee must be >= 0, got ${fill.fee}`);
    time(location, where, fill.tsNs);
    return { runId, fill };
  });
  unique(location, `fills of run ${runId}`, RUN_FILLS, rows);
  return rows;
}

export function barOf(r: SqlRow): StoredBar {
  return {
    instrumentId: num(r.instrument_id),
    intervalS: num(r.interval_s),
    tsNs: ns(r.ts_ns),
    open: num(r.open),
    high: num(r.high),
    low: num(r.low),
    close: num(r.close),
    volume: num(r.volume),
  };
}

export function snapshotOf(r: SqlRow): StoredFeatureSnapshot {
  return {
    instrumentId: num(r.instrument_id),
    tsNs: ns(r.ts_ns),
    // PostgreSQL's JSONB arrives parsed, SQLite's JSON text does not.
    features: (typeof r.features === 'string' ? JSON.parse(r.features) : r.features) as Record<
      string,
      number | null
    >,
  };
}
