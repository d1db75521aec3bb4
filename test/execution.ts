/**
 * Test support for brokers: a replay of real DBN records (built with our encoder, read back with
 * our decoder) through a `BookSet` and a broker, with actions (sending orders, …) run after given
 * records at their receive time, and a recorder of every report.
 */
import { BookSet, type BookView } from '../src/book/index.js';
import { DbnDecoder, type DbnRecord, type RecordCursor, type SchemaName } from '../src/data/dbn/index.js';
import type { ExecutionReport } from '../src/execution/broker.js';
import type { PaperBroker, PaperInstrument } from '../src/execution/paper.js';
import { encode, type LevelSpec, mbo, mbp, px, T0 } from './book.js';

export { px, T0 };

/** Nanoseconds in a millisecond. */
export const MS = 1_000_000;

/** The instrument of `mbp()` records: a 6E contract. */
export const SIX_E_MBP: PaperInstrument = {
  instrumentId: 5482,
  symbol: '6EM4',
  tickRaw: 50_000,
  multiplier: 125_000,
};

/** The instrument of `mbo()` records: a 6E contract. */
export const SIX_E_MBO: PaperInstrument = { ...SIX_E_MBP, instrumentId: 5602 };

/** A record of the replay, and what to do right after it (at its ts_recv). */
export interface Step {
  readonly record: DbnRecord;
  readonly then?: (nowNs: bigint) => void;
}

/** The book as an MBP-10 record at `ms` after T0. */
export function depth(ms: number, bids: LevelSpec, asks: LevelSpec, then?: Step['then']): Step {
  return { record: mbp(bids, asks, { t: ms * MS }), then };
}

/** A trade of `size` at `price` by a buyer ('B') or seller ('A'), the levels as they were. */
export function trade(
  ms: number,
  price: number,
  size: number,
  aggressor: 'A' | 'B',
  bids: LevelSpec,
  asks: LevelSpec,
  then?: Step['then'],
): Step {
  return { record: mbp(bids, asks, { t: ms * MS, action: 'T', side: aggressor, price, size }), then };
}

/** An MBO record at `ms` after T0. */
export function order(
  ms: number,
  action: 'A' | 'C' | 'M' | 'T' | 'F',
  id: number,
  side: 'B' | 'A',
  price: number,
  size: number,
  then?: Step['then'],
): Step {
  return { record: mbo({ action, id, side, price, size, t: ms * MS }), then };
}

/** Time `ms` after T0, ns. */
export function at(ms: number): bigint {
  return T0 + BigInt(Math.round(ms * MS));
}

/**
 * Replays `steps` through a fresh `BookSet` and `broker`, running each step's action after its
 * record, then moves the broker's clocks to `endMs` after T0 (default: an hour after the last).
 */
export async function replay(
  broker: PaperBroker,
  steps: readonly Step[],
  schema: SchemaName,
  endMs?: number,
): Promise<void> {
  await replayThrough(broker, steps, schema);
  const last = steps.length > 0 ? Number(steps[steps.length - 1].record.hd.ts_event - T0) / MS : 0;
  broker.advance(at(endMs ?? last + 3_600_000));
}

/** Every report a broker sends, in order. */
export function recorder(broker: PaperBroker): ExecutionReport[] {
  const out: ExecutionReport[] = [];
  broker.onReport((r) => out.push(r));
  return out;
}

/** The fills among `reports` as [quantity, decimal price, liquidity]. */
export function fills(reports: readonly ExecutionReport[], clientId?: string): [number, number, string][] {
  return reports
    .filter((r) => r.kind === 'fill' && (clientId === undefined || r.clientId === clientId))
    .map((r) => [r.quantity as number, (r.price as number) / 1e9, r.liquidity as string]);
}

/** A replay through anything with `before` and `after` (a broker, a `Trader`), a fresh `BookSet` between them. */
export async function replayThrough(
  target: { before(c: RecordCursor): void; after(c: RecordCursor, book: BookView): void },
  steps: readonly Step[],
  schema: SchemaName,
): Promise<void> {
  const bytes = await encode(
    steps.map((s) => s.record),
    schema,
  );
  const books = new BookSet();
  let i = 0;
  for await (const batch of DbnDecoder.fromBytes(bytes)) {
    for (let k = 0; k < batch.count; k++, i++) {
      const c = batch.at(k);
      target.before(c);
      const book = books.apply(c);
      if (book !== null) target.after(c, book);
      steps[i].then?.(c.tsRecv);
    }
  }
}
