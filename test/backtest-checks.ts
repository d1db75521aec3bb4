/**
 * Checks of a backtest folder against itself and its market data, worked out again from the files
 * (`scalper backtest` and the demo write the same folder): the round trips add up to the realized
 * P&L, the equity curve ends at the total, and every market order filled at a price the book
 * showed when it arrived.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { L2Book } from '../src/book/index.js';
import { DbnDecoder, RType } from '../src/data/index.js';

export const near = (a: number, b: number, what: string, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

/** A CSV file as objects by header (no quoted commas in these files). */
export function csv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

/**
 * result.json against trades.csv, fills.csv and equity.csv: realized P&L = Σ round trips (when flat
 * at the end), fees = 2.47 USD a contract a side (the CME defaults), equity ends at the total,
 * total = realized + open, every round trip has an exit reason. Returns the number of round trips.
 */
export function assertTotals(folder: string): number {
  const result = JSON.parse(readFileSync(join(folder, 'result.json'), 'utf8'));
  const m = result.metrics;
  const trades = csv(join(folder, 'trades.csv'));
  const fills = csv(join(folder, 'fills.csv'));
  assert.equal(m.trades, trades.length);
  // Flat at the end (or not): the open position's fees are in the realized P&L but in no trip.
  const open = Object.values(result.execution.positions as Record<string, number>).some((p) => p !== 0);
  const tripPnl = trades.reduce((s, t) => s + Number(t.pnl), 0);
  if (!open) near(m.realized, tripPnl, 'realized = Σ trips');
  const contracts = fills.reduce((s, f) => s + Number(f.qty), 0);
  near(m.fees, contracts * 2.47, 'fees');
  near(Number(csv(join(folder, 'equity.csv')).at(-1)?.equity), m.pnl, 'equity ends at the total');
  near(m.pnl, m.realized + m.unrealized, 'total = realized + open');
  assert.equal(
    Object.values(m.exits as Record<string, number>).reduce((s, v) => s + v, 0),
    trades.length,
  );
  return trades.length;
}

/**
 * Every market order of the folder filled at a price among the levels of its side of the book
 * (MBP-10 files, in time order) after every record with ts_event ≤ its arrival. Returns the number
 * of fills checked.
 */
export async function assertMarketFillsInBook(folder: string, mbp10: readonly string[]): Promise<number> {
  const orders = new Map(csv(join(folder, 'orders.csv')).map((o) => [o.client_order_id, o]));
  const fills = csv(join(folder, 'fills.csv'))
    .filter((f) => orders.get(f.client_order_id)?.type === 'market')
    .map((f) => ({ side: f.side, price: f.price, id: f.client_order_id, at: BigInt(f.arrived_ns) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const book = new L2Book();
  let k = 0;
  const check = () => {
    const f = fills[k];
    const n = f.side === 'buy' ? book.askLevels : book.bidLevels;
    const shown = [];
    for (let i = 0; i < n; i++) shown.push((f.side === 'buy' ? book.askPx(i) : book.bidPx(i)) / 1e9);
    assert.ok(
      shown.some((p) => Math.abs(p - Number(f.price)) < 1e-12),
      `${f.id} ${f.side} at ${f.price}: not among ${shown.join(' ')}`,
    );
  };
  for (const file of mbp10) {
    for await (const batch of DbnDecoder.fromFile(file)) {
      for (let i = 0; i < batch.count && k < fills.length; i++) {
        const c = batch.at(i);
        // An order arriving at t meets the book after every record with ts_event <= t.
        while (k < fills.length && c.tsEvent > fills[k].at) {
          check();
          k++;
        }
        if (c.rtype === RType.MBP_10) book.applyMbp(c);
      }
    }
  }
  assert.equal(k, fills.length, 'every fill was checked');
  return k;
}
