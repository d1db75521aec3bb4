/**
 * The comparison of a session with a backtest on two result folders written by hand, each
 * difference known and each number worked out below, through the library and the command.
 *
 * 6EZ6: a tick is 0.00005 USD per EUR, a contract 125,000 EUR, so one tick is 6.25 USD a contract.
 * Decisions (trigger times on 2026-11-24, UTC), one contract each:
 * - D0 14:00:30 bar: session only, approved, no order sent.
 * - D1 14:01:00 bar, long: backtest buys at 1.16000 (order at the venue 10 ms after sending),
 *   the session at 1.16010 (50 ms): 2 ticks worse, 40 ms later. Both sell at 1.16100 (the
 *   backtest's exit is its target, the session's a time exit). Fees 0.5 a fill.
 *   Backtest P&L (1.16100 − 1.16000) × 125,000 − 1 = 124; session (1.16100 − 1.16010) × 125,000 − 1
 *   = 111.5. Gap −12.5, all price.
 * - D2 14:03:00 setup, short with a resting limit sell at 1.16050: the backtest's is filled (maker),
 *   stopped out at 1.16080: (1.16050 − 1.16080) × 125,000 − 1 = −38.5; the session's expires
 *   unfilled (queue). Gap 0 − (−38.5) = +38.5, queue.
 * - D3 14:05:00 bar, long: the backtest buys at 1.16020 and sells at 1.16060: 50 − 1 = 49; the
 *   session's order is rejected ("insufficient margin"). Gap −49, rejections.
 * - D4 14:07:00 bar, long: both buy at 1.16000 and sell at 1.16040 (50 before fees); the session's
 *   entry fee is 1.0 against 0.5: P&L 48.5 against 49. Gap −0.5, fees.
 * - D5 14:09:00 bar: the session refuses it ("spread too wide"); the backtest sells at 1.16000 and
 *   is stopped at 1.16010: −12.5 − 1 = −13.5. Gap +13.5, decisions.
 * - D6 14:11:00 bar: backtest only, long, 1.16000 to 1.16020: 25 − 1 = 24. Gap −24, decisions.
 * Session ids are one ahead of the backtest's from D1 on (D0 took 6EZ6-1), so pairing by id
 * would pair them wrongly.
 * Totals: session 111.5 + 48.5 = 160; backtest 124 − 38.5 + 49 + 49 − 13.5 + 24 = 194; gap −34 =
 * price −12.5 + fees −0.5 + queue 38.5 + rejections −49 + decisions (13.5 − 24 = −10.5).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import {
  CompareInputError,
  type Comparison,
  compareRuns,
  comparisonTable,
  readRunFolder,
} from './compare.js';

const tmp = mkdtempSync(join(tmpdir(), 'compare-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const BASE_MS = Date.parse('2026-11-24T14:00:00Z');
/** ns since the epoch of 14:00:00 + `s` seconds. */
const at = (s: number) => String(BigInt(Math.round((BASE_MS + s * 1000) * 1000)) * 1000n);

interface Decided {
  id: string;
  s: number;
  kind?: string;
  approved?: boolean;
  direction?: string;
  reason?: string;
}

/** One entry order with its fill (when filled), its exit fill and its round trip. */
interface Traded {
  decision: string;
  side: 'buy' | 'sell';
  type?: string;
  tif?: string;
  /** Seconds of sending; ms from sending to the venue. */
  sent: number;
  venueMs: number;
  status?: string;
  reject?: string;
  entry?: { px: string; liq: string; fee: number };
  exit?: { px: string; s: number; liq: string; fee: number; reason: string; pnl: number };
}

const ORDERS =
  'client_order_id,symbol,side,type,qty,limit_px,stop_px,tif,status,filled_qty,avg_px,role,exit_reason,decision_id,sent_ns,arrived_ns,acked_ns,done_ns,reject_reason';
const FILLS = 'ts,ts_ns,order_id,client_order_id,symbol,side,price,qty,liquidity,fee,sent_ns,arrived_ns';
const TRADES =
  'entry_ts,entry_ns,exit_ts,exit_ns,symbol,side,qty,entry_px,exit_px,pnl_ticks,pnl,fees,exit_reason,decision_id,regime,toxic';

/** Writes a result folder of `decisions` and `traded` orders (the columns of outputs.ts). */
function folder(name: string, decisions: Decided[], traded: Traded[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const lines = decisions.map((d) =>
    JSON.stringify({
      id: d.id,
      trigger: { kind: d.kind ?? 'bar', tMs: BASE_MS + d.s * 1000 },
      instrument: '6EZ6',
      approval: {
        approved: d.approved ?? true,
        direction: d.direction ?? 'long',
        size: 1,
        reason: d.reason ?? 'ok',
        source: 'quant',
      },
    }),
  );
  writeFileSync(join(dir, 'decisions.jsonl'), `${lines.join('\n')}\n`);
  const orders = [ORDERS];
  const fills = [FILLS];
  const trades = [TRADES];
  traded.forEach((t, n) => {
    const id = `${name}-${2 * n + 1}`;
    const exitId = `${name}-${2 * n + 2}`;
    const sent = at(t.sent);
    const arrived = String(BigInt(sent) + BigInt(t.venueMs * 1_000_000));
    const status = t.status ?? 'filled';
    const back = t.side === 'buy' ? 'sell' : 'buy';
    const filled = t.entry === undefined ? 0 : 1;
    orders.push(
      `${id},6EZ6,${t.side},${t.type ?? 'market'},1,${t.type === 'limit' ? (t.entry?.px ?? '1.1605') : ''},,${t.tif ?? 'IOC'},${status},${filled},${t.entry?.px ?? ''},entry,,${t.decision},${sent},${arrived},${arrived},${arrived},${t.reject ?? ''}`,
    );
    if (t.entry === undefined || t.exit === undefined) return;
    const e = t.entry;
    const x = t.exit;
    orders.push(
      `${exitId},6EZ6,${back},limit,1,${x.px},,GTC,filled,1,${x.px},exit,${x.reason},${t.decision},${arrived},${arrived},${arrived},${at(x.s)},`,
    );
    fills.push(`,${arrived},${id},${id},6EZ6,${t.side},${e.px},1,${e.liq},${e.fee},${sent},${arrived}`);
    fills.push(
      `,${at(x.s)},${exitId},${exitId},6EZ6,${back},${x.px},1,${x.liq},${x.fee},${arrived},${arrived}`,
    );
    trades.push(
      `,${arrived},,${at(x.s)},6EZ6,${t.side === 'buy' ? 'long' : 'short'},1,${e.px},${x.px},0,${x.pnl},${e.fee + x.fee},${x.reason},${t.decision},unknown,`,
    );
  });
  writeFileSync(join(dir, 'orders.csv'), `${orders.join('\n')}\n`);
  writeFileSync(join(dir, 'fills.csv'), `${fills.join('\n')}\n`);
  writeFileSync(join(dir, 'trades.csv'), `${trades.join('\n')}\n`);
  return dir;
}

const fee = 0.5;
const sessionDir = folder(
  'session',
  [
    { id: '6EZ6-1', s: 30 },
    { id: '6EZ6-2', s: 60 },
    { id: '6EZ6-3', s: 180, kind: 'setup', direction: 'short' },
    { id: '6EZ6-4', s: 300 },
    { id: '6EZ6-5', s: 420 },
    { id: '6EZ6-6', s: 540, approved: false, direction: 'short', reason: 'spread too wide' },
  ],
  [
    {
      decision: '6EZ6-2',
      side: 'buy',
      sent: 61,
      venueMs: 50,
      entry: { px: '1.1601', liq: 'taker', fee },
      exit: { px: '1.161', s: 120, liq: 'maker', fee, reason: 'time', pnl: 111.5 },
    },
    {
      decision: '6EZ6-3',
      side: 'sell',
      type: 'limit',
      tif: 'GTT',
      sent: 181,
      venueMs: 50,
      status: 'expired',
    },
    {
      decision: '6EZ6-4',
      side: 'buy',
      sent: 301,
      venueMs: 50,
      status: 'rejected',
      reject: 'insufficient margin',
    },
    {
      decision: '6EZ6-5',
      side: 'buy',
      sent: 421,
      venueMs: 10,
      entry: { px: '1.16', liq: 'taker', fee: 1 },
      exit: { px: '1.1604', s: 450, liq: 'maker', fee, reason: 'target', pnl: 48.5 },
    },
  ],
);
const backtestDir = folder(
  'backtest',
  [
    { id: '6EZ6-1', s: 60 },
    { id: '6EZ6-2', s: 180, kind: 'setup', direction: 'short' },
    { id: '6EZ6-3', s: 300 },
    { id: '6EZ6-4', s: 420 },
    { id: '6EZ6-5', s: 540, direction: 'short' },
    { id: '6EZ6-6', s: 660 },
  ],
  [
    {
      decision: '6EZ6-1',
      side: 'buy',
      sent: 61,
      venueMs: 10,
      entry: { px: '1.16', liq: 'taker', fee },
      exit: { px: '1.161', s: 120, liq: 'maker', fee, reason: 'target', pnl: 124 },
    },
    {
      decision: '6EZ6-2',
      side: 'sell',
      type: 'limit',
      tif: 'GTT',
      sent: 181,
      venueMs: 10,
      entry: { px: '1.1605', liq: 'maker', fee },
      exit: { px: '1.1608', s: 240, liq: 'taker', fee, reason: 'stop', pnl: -38.5 },
    },
    {
      decision: '6EZ6-3',
      side: 'buy',
      sent: 301,
      venueMs: 10,
      entry: { px: '1.1602', liq: 'taker', fee },
      exit: { px: '1.1606', s: 330, liq: 'maker', fee, reason: 'target', pnl: 49 },
    },
    {
      decision: '6EZ6-4',
      side: 'buy',
      sent: 421,
      venueMs: 10,
      entry: { px: '1.16', liq: 'taker', fee },
      exit: { px: '1.1604', s: 450, liq: 'maker', fee, reason: 'target', pnl: 49 },
    },
    {
      decision: '6EZ6-5',
      side: 'sell',
      sent: 541,
      venueMs: 10,
      entry: { px: '1.16', liq: 'taker', fee },
      exit: { px: '1.1601', s: 570, liq: 'taker', fee, reason: 'stop', pnl: -13.5 },
    },
    {
      decision: '6EZ6-6',
      side: 'buy',
      sent: 661,
      venueMs: 10,
      entry: { px: '1.16', liq: 'taker', fee },
      exit: { px: '1.1602', s: 690, liq: 'maker', fee, reason: 'target', pnl: 24 },
    },
  ],
);

const byTime = (c: Comparison, s: number) => {
  const d = c.decisions.find((x) => x.triggerMs === BASE_MS + s * 1000);
  assert.ok(d, `no decision at +${s} s`);
  return d;
};

describe('compare a session with a backtest', () => {
  const c = compareRuns(readRunFolder(sessionDir), readRunFolder(backtestDir));

  test('pairs decisions by trigger, not by id, and counts those in one run only', () => {
    assert.equal(c.decisions.length, 7);
    assert.deepEqual(
      c.decisions.map((d) => [d.session?.id ?? null, d.backtest?.id ?? null]),
      [
        ['6EZ6-1', null],
        ['6EZ6-2', '6EZ6-1'],
        ['6EZ6-3', '6EZ6-2'],
        ['6EZ6-4', '6EZ6-3'],
        ['6EZ6-5', '6EZ6-4'],
        ['6EZ6-6', '6EZ6-5'],
        [null, '6EZ6-6'],
      ],
    );
    assert.deepEqual(c.counts, {
      matched: 5,
      sessionOnly: 1,
      backtestOnly: 1,
      approvalDiffers: 1,
      rejectionsSessionOnly: 1,
      rejectionsBacktestOnly: 0,
      exitDiffers: 1,
    });
  });

  test('a fill 2 ticks worse and 40 ms later is price', () => {
    const d = byTime(c, 60);
    assert.equal(d.entryTicks, 2);
    assert.equal(d.sendDelayMs, 0);
    assert.equal(d.fillDelayMs, 40);
    assert.equal(d.latencyMs, 40);
    assert.equal(d.feeDiff, 0);
    assert.equal(d.pnlGap, -12.5);
    assert.deepEqual(d.causes, { price: -12.5, fees: 0, queue: 0, rejections: 0, decisions: 0, other: 0 });
    assert.deepEqual(d.notes, ['entry +2 ticks', 'exit time vs target']);
  });

  test('a passive entry filled in the backtest only is queue', () => {
    const d = byTime(c, 180);
    assert.equal(d.backtest?.liquidity, 'maker');
    assert.equal(d.session?.entryPx, null);
    assert.equal(d.pnlGap, 38.5);
    assert.equal(d.causes.queue, 38.5);
    assert.deepEqual(d.notes, ['entry filled in backtest only (queue: passive order not reached)']);
  });

  test('a rejection in the session only is named with its reason', () => {
    const d = byTime(c, 300);
    assert.equal(d.session?.rejectReason, 'insufficient margin');
    assert.equal(d.causes.rejections, -49);
    assert.deepEqual(d.notes, ['rejected in session: insufficient margin']);
  });

  test('a higher fee is fees, not price', () => {
    const d = byTime(c, 420);
    assert.equal(d.entryTicks, 0);
    assert.equal(d.latencyMs, 0);
    assert.equal(d.feeDiff, 0.5);
    assert.deepEqual(d.causes, { price: 0, fees: -0.5, queue: 0, rejections: 0, decisions: 0, other: 0 });
    assert.deepEqual(d.notes, ['fees +0.5']);
  });

  test('approvals in one run only and decisions of one run only are decisions', () => {
    const refused = byTime(c, 540);
    assert.equal(refused.causes.decisions, 13.5);
    assert.deepEqual(refused.notes, ['approved in backtest only (other: spread too wide)']);
    assert.equal(byTime(c, 660).causes.decisions, -24);
    assert.equal(byTime(c, 30).pnlGap, 0);
  });

  test('the gap is the sum of its causes', () => {
    assert.equal(c.sessionPnl, 160);
    assert.equal(c.backtestPnl, 194);
    assert.equal(c.pnlGap, -34);
    assert.deepEqual(c.causes, {
      price: -12.5,
      fees: -0.5,
      queue: 38.5,
      rejections: -49,
      decisions: -10.5,
      other: 0,
    });
    const table = comparisonTable(c);
    assert.match(
      table,
      /P&L session 160\.00 − backtest 194\.00 = -34 USD: price -12\.5, fees -0\.5, queue \+38\.5, rejections -49, decisions -10\.5/,
    );
    assert.match(
      table,
      /5 decisions in both, 1 in the session only, 1 in the backtest only, 1 approved differently/,
    );
  });

  test('a missing folder, file or column is named', () => {
    assert.throws(
      () => readRunFolder(join(tmp, 'nowhere')),
      (e: unknown) => e instanceof CompareInputError && /nowhere: folder not found/.test(e.message),
    );
    const partial = join(tmp, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, 'decisions.jsonl'), '');
    writeFileSync(join(partial, 'orders.csv'), 'client_order_id,symbol\n');
    assert.throws(() => readRunFolder(partial), /partial: missing fills\.csv, trades\.csv/);
    writeFileSync(join(partial, 'fills.csv'), `${FILLS}\n`);
    writeFileSync(join(partial, 'trades.csv'), `${TRADES}\n`);
    assert.throws(() => readRunFolder(partial), /orders\.csv: no column side, type, tif, status/);
    writeFileSync(join(partial, 'orders.csv'), `${ORDERS}\n`);
    writeFileSync(join(partial, 'decisions.jsonl'), '{"id":"x"}\n');
    assert.throws(
      () => readRunFolder(partial),
      /decisions\.jsonl:1: a decision needs "id", "trigger.tMs" and "approval"/,
    );
  });
});

describe('scalper compare', () => {
  test('prints the table, or JSON with --json, and names a missing folder', async () => {
    const table = await runScalper(['compare', sessionDir, backtestDir], { timeoutMs: 60_000 });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /= -34 USD/);
    const json = await runScalper(['compare', sessionDir, backtestDir, '--json'], { timeoutMs: 60_000 });
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.pnlGap, -34);
    assert.equal(parsed.causes.queue, 38.5);
    const missing = await runScalper(['compare', join(tmp, 'absent'), backtestDir], { timeoutMs: 60_000 });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /absent: folder not found/);
  });
});
