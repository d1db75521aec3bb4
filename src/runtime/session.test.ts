/**
 * A paper session on a simulated half hour of 6E, fed by the paced file feed: an analyst long when
 * OFI is positive and short when negative trades it. The session's books balance (each position is
 * the sum of its fills, the equity the portfolio's), it ends with no order working, a stop with
 * `flattenOnStop` leaves no position, and after the kill switch no new order goes out.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { isTerminal } from '../execution/index.js';
import { FileFeed } from './file-feed.js';
import { TradingSession } from './session.js';

const setup = ofiSetup;

describe('paper session', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'session-',
  });
  const files = () => [span.day.files.mbp10, span.day.files.trades];

  test('trades the feed, its books balance, and it ends with no order working', async () => {
    const session = new TradingSession({ setup, feed: new FileFeed(files(), { speed: 0 }) });
    const { feed, status, unconfirmed } = await session.run();
    const t = session.trader;
    assert.ok(feed.records > 50_000, `${feed.records} records`);
    assert.ok(t.orderCount > 2 && t.fills.length > 2, `${t.orderCount} orders, ${t.fills.length} fills`);
    assert.deepEqual(unconfirmed, []);
    assert.equal(status.openOrders, 0);
    assert.ok(t.broker.openOrders().every((o) => isTerminal(o.status)));
    // Each position is the sum of its fills.
    const net = new Map<string, number>();
    for (const f of t.fills) {
      const sym = t.portfolio.terms(f.instrumentId)?.symbol as string;
      net.set(sym, (net.get(sym) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
    }
    for (const [sym, q] of net) assert.equal(status.positions[sym] ?? 0, q, sym);
    assert.equal(status.equity, t.portfolio.equity());
    assert.equal(status.risk, 'stopped');
    assert.equal(status.decisions, session.loop.decisions.length);
  });

  test('stopped mid-way with flattenOnStop, it leaves no position and no working order', async () => {
    const ctl = new AbortController();
    const stopAt = BigInt(Date.parse('2026-11-24T14:20:00Z')) * 1_000_000n;
    let session: TradingSession | undefined;
    const feed = new FileFeed(files(), {
      speed: 0,
      signal: ctl.signal,
      // Stop once something is held: the stop must then close it.
      onProgress: (lastNs) => {
        const s = session as TradingSession;
        if (lastNs >= stopAt && Object.keys(s.status().positions).length > 0) ctl.abort();
      },
    });
    session = new TradingSession({ setup, feed, flattenOnStop: true });
    const { feed: fed, status } = await session.run(ctl.signal);
    assert.equal(fed.stopped, true, 'stopped before the end of the files');
    assert.deepEqual(status.positions, {});
    assert.equal(status.openOrders, 0);
    const last = session.trader.journal.at(-1);
    assert.ok(last?.kind === 'stop' || last?.kind === 'closed', `${last?.kind}: ${last?.detail}`);
  });

  test('after the kill switch no new order is sent and every position is closed', async () => {
    const killAt = BigInt(Date.parse('2026-11-24T14:10:00Z')) * 1_000_000n;
    let session: TradingSession | undefined;
    let ordersAtKill = -1;
    const feed = new FileFeed(files(), {
      speed: 0,
      onProgress: (lastNs) => {
        const s = session as TradingSession;
        if (ordersAtKill < 0 && lastNs >= killAt) {
          s.kill('test');
          ordersAtKill = s.trader.orderCount;
        }
      },
    });
    session = new TradingSession({ setup, feed });
    const { status } = await session.run();
    assert.ok(ordersAtKill >= 0);
    assert.equal(status.risk, 'killed');
    assert.deepEqual(status.positions, {});
    // Only the kill's own close-outs (one per open position at most) may follow it.
    const after = session.trader.orderCount - ordersAtKill;
    assert.ok(after <= 1, `${after} orders after the kill`);
    assert.ok(session.trader.journal.some((e) => e.kind === 'refused' && /KILL_SWITCH/.test(e.detail)));
  });
});
