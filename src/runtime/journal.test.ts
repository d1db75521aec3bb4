/**
 * A session's state across a restart, in process: a paper session with a state store trades a
 * simulated half hour until the kill switch is pulled; a session started again on the same store
 * starts with the switch on (and sends nothing), the same positions and fills, the client order
 * sequence after the first's, the order-rate window of the last minute, and the day's loss state.
 * A session that dies holding a position has it protected again after the restart by the exits of
 * the bracket that opened it: the stop, the target and the time stop at the levels it had.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { depth, px, replayThrough, SIX_E_MBP, type Step, T0, trade } from '../../test/execution.js';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { silentLogger } from '../core/index.js';
import { executionConfig, paperTrader, type Trader } from '../execution/index.js';
import { openSqliteStore, type SqliteStateStore, stateStorePath } from '../infra/index.js';
import { FileFeed } from './file-feed.js';
import { type Resume, resumeOf, SessionJournal } from './journal.js';
import { TradingSession } from './session.js';

const MINUTE_NS = 60_000_000_000n;

describe('a session resumed from its store', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'journal-',
  });
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps the kill switch, the fills, the order sequence, the rate window and the day', async () => {
    const files = () => [span.day.files.mbp10, span.day.files.trades];
    const store = openSqliteStore(stateStorePath(dir));
    const ctl = new AbortController();
    let first: TradingSession | undefined;
    let killedAtNs = 0n;
    const feed = new FileFeed(files(), {
      speed: 0,
      signal: ctl.signal,
      onProgress: (lastNs) => {
        const s = first as TradingSession;
        if (killedAtNs === 0n && s.trader.fills.length >= 3) {
          s.kill('operator');
          killedAtNs = lastNs;
          ctl.abort();
        }
      },
    });
    first = new TradingSession({ setup: ofiSetup, feed, store, runId: 'paper' });
    await first.run(ctl.signal);
    assert.ok(killedAtNs > 0n, 'the first session traded and was killed');
    const sent = first.trader.orderCount;
    const fills = first.trader.fills.map((f) => [f.clientId, f.side, f.quantity, f.price]);
    const position = first.trader.portfolio.positions().map((p) => [p.instrumentId, p.quantity]);
    const feedNs = (await store.feedPosition('files')) as bigint;
    const day = first.trader.day;

    const resume = await resumeOf(store, {
      runId: 'paper',
      feed: 'files',
      nowNs: feedNs,
    });
    assert.equal(resume.trader.killed, true);
    assert.equal(resume.lastSequence, sent, 'the sequence is where the first session left it');
    assert.deepEqual(
      resume.trader.fills.map((f) => [f.clientId, f.side, f.quantity, f.price]),
      fills,
    );
    // The rate window: the orders sent in the minute before the feed position, no more.
    const recent = (await store.orderTimesSince(0n)).filter((t) => t > feedNs - MINUTE_NS);
    assert.deepEqual(resume.trader.sentNs, recent);
    assert.equal(resume.trader.day?.startEquity, day.startEquity);

    const second = new TradingSession({
      setup: ofiSetup,
      feed: new FileFeed(files(), { speed: 0, resumeNs: feedNs + 1n }),
      store,
      resume,
      runId: 'paper',
    });
    assert.equal(second.trader.risk.killed, true, 'the kill switch is still on');
    const { status } = await second.run();
    assert.equal(status.risk, 'killed');
    assert.equal(second.trader.orderCount, 0, 'nothing sent while killed');
    assert.ok(second.trader.journal.some((e) => e.kind === 'refused' && /KILL_SWITCH/.test(e.detail)));
    assert.deepEqual(
      second.trader.portfolio.positions().map((p) => [p.instrumentId, p.quantity]),
      position,
      'the same positions',
    );
    await store.close();
  });
});

const ID = SIX_E_MBP.instrumentId;

/** The 6E book at `min` minutes after T0: bid 1.085 and ask 1.08505, moved by `ticks`. */
function bar(min: number, ticks = 0, then?: Step['then']): Step {
  const d = ticks * 0.00005;
  return depth(min * 60_000, [[1.085 + d, 50, 5]], [[1.08505 + d, 50, 5]], then);
}

/** A paper trader journalling to `store` (no latency), resumed from `resume` when given. */
function journalled(store: SqliteStateStore, timeStopMs = 300_000, resume?: Resume): Trader {
  const journal = new SessionJournal(store, silentLogger());
  const t = paperTrader({
    instruments: [{ instrumentId: ID, symbol: SIX_E_MBP.symbol }],
    config: executionConfig({
      paper: { latency: { entryMs: 0, modifyMs: 0, cancelMs: 0, ackMs: 0 } },
      exits: { timeStopMs },
    }),
    runId: 'paper',
    lastSequence: resume?.lastSequence,
    beforeSend: (spec, role, nowNs) => journal.beforeSend(spec, role, nowNs),
  });
  journal.follow(t);
  if (resume !== undefined) t.resume(resume.trader);
  return t;
}

/**
 * The first session: long 1 at the market at T0 (bought at the ask, 1.08505), protected by the
 * bracket's stop 4 ticks below (1.08485) and target 4 ticks above (1.08525), the minimum distance
 * without an ATR; it dies half a minute later, the exits working. Returns the resume read back.
 */
async function diedLong(store: SqliteStateStore, timeStopMs = 300_000): Promise<Resume> {
  const t = journalled(store, timeStopMs);
  await replayThrough(
    t,
    [bar(0, 0, (now) => assert.equal(t.act({ instrumentId: ID, target: 1 }, now), null)), bar(0.5)],
    'mbp-10',
  );
  assert.equal(t.position(ID), 1);
  assert.deepEqual(
    t.broker.openOrders().map((o) => [o.clientId, o.spec.type]),
    [
      ['paper-2', 'stop'],
      ['paper-3', 'limit'],
    ],
  );
  return resumeOf(store, { runId: 'paper', feed: 'files', nowNs: T0 + 45_000_000_000n });
}

/** $ of one 6E tick (0.00005 × 125,000), and the fee of one contract-side. */
const TICK_USD = 6.25;
const FEE = 2.47;

describe('a position resumed after the session died keeps its bracket', () => {
  test("the exits are sent again at the bracket's levels, and the target closes the position", async () => {
    const store = openSqliteStore(':memory:');
    const resume = await diedLong(store);
    assert.deepEqual(resume.ended, ['paper-2', 'paper-3'], 'the working exits ended with the process');
    assert.deepEqual(resume.trader.brackets, [
      { instrumentId: ID, exits: { stopPx: px(1.08485), targetPx: px(1.08525), timeStopMs: 300_000 } },
    ]);
    const t = journalled(store, 300_000, resume);
    assert.equal(t.position(ID), 1, 'the position is back');
    await replayThrough(
      t,
      [
        bar(1), // the exits go out again: paper-4 the stop, paper-5 the target
        bar(1.5, 5), // the bid reaches 1.08525 (5 ticks up): the target sells there
        bar(2, 5),
      ],
      'mbp-10',
    );
    assert.equal(t.position(ID), 0);
    const stop = t.broker.order('paper-4');
    const target = t.broker.order('paper-5');
    assert.deepEqual(
      [stop?.spec.type, stop?.spec.side, stop?.spec.stopPx, stop?.status],
      ['stop', 'sell', px(1.08485), 'cancelled'],
    );
    assert.deepEqual(
      [target?.spec.type, target?.spec.limitPx, target?.status],
      ['limit', px(1.08525), 'filled'],
    );
    // Bought at 1.08505, sold at 1.08525: 4 ticks, less two contract-sides of fees.
    close(t.portfolio.realized(), 4 * TICK_USD - 2 * FEE);
    assert.deepEqual((await store.order('paper-5'))?.role, { role: 'exit', reason: 'target' });
    assert.deepEqual(
      (await store.fills()).map((f) => [f.clientId, f.side, f.quantity, f.price]),
      [
        ['paper-1', 'buy', 1, px(1.08505)],
        ['paper-5', 'sell', 1, px(1.08525)],
      ],
    );
    assert.equal((await store.positions())[0].quantity, 0);
    assert.deepEqual(await store.openOrders(), []);
    await store.close();
  });

  test('the stop sent again closes the position at its level when the market falls to it', async () => {
    const store = openSqliteStore(':memory:');
    const t = journalled(store, 300_000, await diedLong(store));
    await replayThrough(
      t,
      [
        bar(1),
        // A seller trades at 1.08485, the bid: the stop (a sell at 1.08485) triggers and sells there.
        trade(90_000, 1.08485, 3, 'A', [[1.08485, 50, 5]], [[1.0849, 50, 5]]),
        bar(2, -4),
      ],
      'mbp-10',
    );
    assert.equal(t.position(ID), 0);
    assert.equal(t.broker.order('paper-4')?.status, 'filled', 'the stop');
    assert.equal(t.broker.order('paper-5')?.status, 'cancelled', 'the target');
    // Bought at 1.08505, sold at 1.08485: 4 ticks lost, and the fees.
    close(t.portfolio.realized(), -4 * TICK_USD - 2 * FEE);
    await store.close();
  });

  test("the time stop is the bracket's: a position opened with 2 minutes is closed 2 minutes after its entry", async () => {
    const store = openSqliteStore(':memory:');
    const resume = await diedLong(store, 120_000);
    assert.equal(resume.trader.brackets?.[0].exits?.timeStopMs, 120_000);
    // Restarted with the default of 5 minutes, the position still goes after 2.
    const t = journalled(store, 300_000, resume);
    await replayThrough(t, [bar(1), bar(1.5), bar(2), bar(2.5)], 'mbp-10');
    assert.equal(t.position(ID), 0);
    const stop = t.journal.find((e) => e.kind === 'time-stop');
    // The entry filled at T0 + 1 µs (its record's ts_recv); the record of 2 min (+1 µs) finds it
    // open for exactly 2 minutes.
    assert.equal(stop?.atNs, T0 + 120_000_001_000n);
    // Closed at the market: sold at the bid, 1.085, a tick below the entry.
    close(t.portfolio.realized(), -TICK_USD - 2 * FEE);
    await store.close();
  });
});

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} is not ${expected}`);
}
