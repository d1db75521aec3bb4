import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { depth, px, replayThrough, SIX_E_MBP, type Step, trade } from '../../test/execution.js';
import type { BookView } from '../book/index.js';
import type { RecordCursor } from '../data/dbn/index.js';
import { planBracket } from './bracket.js';
import { executionConfig } from './config.js';
import { paperTrader, type Trader } from './trader.js';

const TICK = 50_000;
const MKT = { bidPx: px(1.085), askPx: px(1.08505), tickRaw: TICK };
const NOW = 1_715_126_400_000_000_000n;
const cfg = executionConfig();
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

describe('brackets from decisions', () => {
  const id = SIX_E_MBP.instrumentId;

  test('market entry; stop and target from ATR multiples (1.5 and 2 ATR), measured from the ask it meets', () => {
    const p = planBracket({ instrumentId: id, side: 'buy', quantity: 2, atrRaw: px(0.0002) }, MKT, cfg, NOW);
    assert.deepEqual(p.entry, { instrumentId: id, side: 'buy', quantity: 2, type: 'market', tif: 'IOC' });
    // 1.08505 − 1.5 × 0.0002 = 1.08475; 1.08505 + 2 × 0.0002 = 1.08545.
    assert.deepEqual([p.referencePx, p.stopPx, p.targetPx], [px(1.08505), px(1.08475), px(1.08545)]);
  });

  test('without an ATR, minTicks (4) from the entry; a sell mirrors a buy from the bid', () => {
    const buy = planBracket({ instrumentId: id, side: 'buy', quantity: 1 }, MKT, cfg, NOW);
    assert.deepEqual([buy.stopPx, buy.targetPx], [px(1.08485), px(1.08525)]);
    const sell = planBracket(
      { instrumentId: id, side: 'sell', quantity: 1, atrRaw: Number.NaN },
      MKT,
      cfg,
      NOW,
    );
    assert.deepEqual([sell.referencePx, sell.stopPx, sell.targetPx], [px(1.085), px(1.0852), px(1.0848)]);
  });

  test('a bracket as distances: 6 ticks of stop and 10 of target from a sell at the bid', () => {
    const p = planBracket(
      {
        instrumentId: id,
        side: 'sell',
        quantity: 1,
        distances: { stopTicks: 6, targetTicks: 10 },
        atrRaw: px(0.001),
      },
      MKT,
      cfg,
      NOW,
    );
    assert.deepEqual([p.stopPx, p.targetPx], [px(1.0853), px(1.0845)]);
  });

  test('rounding never adds risk: the stop rounds away from the entry, the target towards it', () => {
    // 1.5 × 0.00017 = 0.000255 → 6 ticks (0.0003) for the stop; 2 × 0.00017 = 0.00034 → 6 ticks for the target.
    const p = planBracket({ instrumentId: id, side: 'buy', quantity: 1, atrRaw: px(0.00017) }, MKT, cfg, NOW);
    assert.deepEqual([p.stopPx, p.targetPx], [px(1.08475), px(1.08535)]);
  });

  test("the setup's stop and target when they lie on the right side, else the ATR's", () => {
    const setup = { entry: px(1.0851), stop: px(1.0848), target: px(1.0856) };
    const p = planBracket(
      { instrumentId: id, side: 'buy', quantity: 1, setup, atrRaw: px(0.0002) },
      MKT,
      cfg,
      NOW,
    );
    assert.deepEqual([p.stopPx, p.targetPx], [px(1.0848), px(1.0856)]);
    const wrong = { entry: px(1.0851), stop: px(1.0853), target: px(1.0849) };
    const q = planBracket(
      { instrumentId: id, side: 'buy', quantity: 1, setup: wrong, atrRaw: px(0.0002) },
      MKT,
      cfg,
      NOW,
    );
    assert.deepEqual([q.stopPx, q.targetPx], [px(1.08475), px(1.08545)]);
  });

  test('a limit entry at the passive price, expiring after entry.expireMs; one through the market is held at the touch', () => {
    const lim = executionConfig({ entry: { type: 'limit', expireMs: 20_000 } });
    const p = planBracket(
      { instrumentId: id, side: 'buy', quantity: 1, passivePx: px(1.08495) },
      MKT,
      lim,
      NOW,
    );
    assert.deepEqual(p.entry, {
      instrumentId: id,
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPx: px(1.08495),
      tif: 'GTT',
      expireAtNs: NOW + 20_000_000_000n,
    });
    // 1.08507 rounds down to 1.08505, the ask itself: a buy there would take, so it joins the bid.
    const q = planBracket(
      { instrumentId: id, side: 'buy', quantity: 1, passivePx: px(1.08507) },
      MKT,
      lim,
      NOW,
    );
    assert.equal(q.entry.limitPx, px(1.085));
    const setupFirst = executionConfig({ entry: { type: 'limit', limitAt: ['setup', 'passive'] } });
    const both = { passivePx: px(1.08495), setup: { entry: px(1.0849), stop: 0, target: 0 } };
    assert.equal(
      planBracket({ instrumentId: id, side: 'buy', quantity: 1, ...both }, MKT, lim, NOW).entry.limitPx,
      px(1.08495),
    );
    assert.equal(
      planBracket({ instrumentId: id, side: 'buy', quantity: 1, ...both }, MKT, setupFirst, NOW).entry
        .limitPx,
      px(1.0849),
    );
    const s = planBracket(
      { instrumentId: id, side: 'sell', quantity: 1, setup: { entry: px(1.08512), stop: 0, target: 0 } },
      MKT,
      lim,
      NOW,
    );
    assert.equal(s.entry.limitPx, px(1.08515), 'a sell rounds up, away from the market');
  });
});

const ID = SIX_E_MBP.instrumentId;

function trader(
  overrides: Parameters<typeof executionConfig>[0] = {},
  instruments = [{ instrumentId: ID, symbol: SIX_E_MBP.symbol }],
): Trader {
  return paperTrader({
    instruments,
    config: executionConfig({
      paper: { latency: { entryMs: 0, modifyMs: 0, cancelMs: 0, ackMs: 0 } },
      ...overrides,
    }),
    runId: 'test',
  });
}

/** The book at `min` minutes after T0, moved by `ticks` from the base. */
function at(min: number, ticks = 0, then?: Step['then']): Step {
  const d = ticks * 0.00005;
  return depth(min * 60_000, [[1.085 + d, 50, 5]], [[1.08505 + d, 50, 5]], then);
}

describe('trader: brackets on the paper broker', () => {
  test('an instrument added after its records began trades at once on the book it is given', async () => {
    // As a spot pair first traded by a decision on its future: its quotes came before the trader
    // knew it. Without its book the decision is refused; with it, the entry fills on the next record.
    for (const given of [false, true]) {
      const t = trader({}, []);
      let last: BookView | undefined;
      const reasons: (string | null)[] = [];
      const act = (now: bigint) => {
        t.addInstrument({ instrumentId: ID, symbol: SIX_E_MBP.symbol }, given ? last : undefined);
        reasons.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason ?? null);
      };
      const watched = {
        before: (c: RecordCursor) => t.before(c),
        after: (c: RecordCursor, book: BookView) => {
          last = book;
          t.after(c, book);
        },
      };
      await replayThrough(watched, [at(0), at(0.5, 0, act), at(1)], 'mbp-10');
      assert.deepEqual(reasons, [given ? null : 'NO_MARKET_DATA'], `book given: ${given}`);
      assert.equal(t.position(ID), given ? 1 : 0, `book given: ${given}`);
    }
  });

  test('an approved long: entry, then stop and target; the target fills and the stop is cancelled', async () => {
    const t = trader();
    await replayThrough(
      t,
      [
        at(0, 0, (now) => assert.equal(t.act({ instrumentId: ID, target: 2 }, now), null)),
        at(0.5),
        at(1, 5), // the bid reaches 1.08525: the target (a sell at 1.08525) fills
        at(1.5, 5),
      ],
      'mbp-10',
    );
    assert.equal(t.position(ID), 0);
    const o = t.broker.openOrders();
    assert.deepEqual(o, []);
    // Bought 2 at 1.08505, sold 2 at 1.08525: 4 ticks × 2 × $6.25 = $50, less 4 contract-sides × $2.47.
    close(t.portfolio.realized(), 50 - 4 * 2.47, 'realized');
    assert.deepEqual(
      t.journal.map((e) => e.kind),
      ['bracket', 'exits'],
    );
    const statuses = ['test-1', 'test-2', 'test-3'].map((id) => t.broker.order(id)?.status);
    assert.deepEqual(statuses, ['filled', 'cancelled', 'filled'], 'entry, stop, target');
  });

  test('the stop fills on a trade at its price and the target is cancelled', async () => {
    const t = trader();
    await replayThrough(
      t,
      [
        at(0, 0, (now) => t.act({ instrumentId: ID, target: -1 }, now)),
        at(0.5),
        // Short 1 from 1.085: stop at 1.0852 (4 ticks). A buyer trades there.
        trade(60_000, 1.0852, 3, 'B', [[1.08515, 50, 5]], [[1.0852, 50, 5]]),
        at(1.5, 4),
      ],
      'mbp-10',
    );
    assert.equal(t.position(ID), 0);
    // The stop buys at the ask after the trade took 3 of the 50 shown at 1.0852.
    close(t.portfolio.realized(), -(1.0852 - 1.085) * 125_000 - 2 * 2.47, 'realized');
    assert.equal(t.broker.order('test-3')?.status, 'cancelled', 'the target');
  });

  test('a position still open after the time stop (5 min) is closed at the market', async () => {
    const t = trader();
    const steps: Step[] = [at(0, 0, (now) => t.act({ instrumentId: ID, target: 1 }, now))];
    for (let m = 1; m <= 7; m++) steps.push(at(m, m % 2));
    await replayThrough(t, steps, 'mbp-10');
    assert.equal(t.position(ID), 0);
    const stop = t.journal.find((e) => e.kind === 'time-stop');
    // Sent at t = 0 (+1 µs, its ts_recv) with no latency, it filled at the venue then; the check at
    // the record of t = 5 min (+1 µs) finds it open for exactly 5 min and closes it.
    assert.equal(stop?.atNs, NOW + 300_000_001_000n);
  });

  test('flat before the CME break; no new risk until the market reopens and the no-trade window ends', async () => {
    const t = trader();
    // 2024-05-08 15:50 CDT = 20:50 UTC = T0 + 1,250 min.
    const base = 1_250;
    const results: (string | null)[] = [];
    const act = (now: bigint) => results.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason ?? null);
    await replayThrough(
      t,
      [
        at(base, 0, (now) => act(now)),
        at(base + 1),
        at(base + 5), // 15:55: flat
        at(base + 6, 0, act), // 15:56: refused
        at(base + 71, 0, act), // 17:01: reopened, still in the 15:55–17:05 window
        at(base + 76, 0, act), // 17:06
      ],
      'mbp-10',
    );
    assert.deepEqual(results, [null, 'FLAT_WINDOW', 'NO_TRADE_WINDOW', null]);
    assert.ok(t.journal.some((e) => e.kind === 'flat-window'));
    // The 15:50 position was closed at 15:55; the 17:06 entry has not met a record yet.
    assert.equal(t.portfolio.position(ID), 0);
  });

  test('flat 15 minutes before the weekend (Friday), where other days wait for 5', async () => {
    const t = trader();
    // Friday 2024-05-10 15:40 CDT = 20:40 UTC = T0 + 4,120 min.
    const fri = 4_120;
    const results: (string | null)[] = [];
    const act = (now: bigint) => results.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason ?? null);
    await replayThrough(
      t,
      [at(fri, 0, act), at(fri + 1), at(fri + 6), at(fri + 7), at(fri + 10, 0, act)],
      'mbp-10',
    );
    // Opened at 15:40, closed at 15:46 (15:45 is the Friday deadline), refused at 15:50.
    assert.deepEqual(results, [null, 'FLAT_WINDOW']);
    assert.equal(t.position(ID), 0);
    const flat = t.journal.find((e) => e.kind === 'flat-window');
    assert.equal(flat?.atNs, NOW + BigInt((fri + 6) * 60) * 1_000_000_000n + 1_000n);
  });

  test('flat 15 minutes before the Thanksgiving halt (12:00 Chicago), as before a weekend', async () => {
    const t = trader();
    // Thanksgiving 2024 is Thursday 28 November, 204 days after T0 (8 May: 23 + 30 + 31 + 31 + 30 +
    // 31 + 28); 11:40 CST = 17:40 UTC: T0 + 204 × 1,440 + 1,060 min. The halt is at 12:00 CST.
    const thu = 204 * 1_440 + 1_060;
    const results: (string | null)[] = [];
    const act = (now: bigint) => results.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason ?? null);
    await replayThrough(
      t,
      [at(thu, 0, act), at(thu + 1), at(thu + 6), at(thu + 7), at(thu + 8, 0, act)],
      'mbp-10',
    );
    // Opened at 11:40, closed at 11:46 (11:45 is the deadline), refused at 11:48.
    assert.deepEqual(results, [null, 'FLAT_WINDOW']);
    assert.equal(t.position(ID), 0);
    const flat = t.journal.find((e) => e.kind === 'flat-window');
    assert.equal(flat?.atNs, NOW + BigInt((thu + 6) * 60) * 1_000_000_000n + 1_000n);
  });

  test('toxicity: tighten moves the stop to 2 ticks from the price; flatten closes', async () => {
    const tight = trader({ toxicity: { policy: 'tighten', tightenTicks: 2 } });
    await replayThrough(
      tight,
      [
        at(0, 0, (now) => tight.act({ instrumentId: ID, target: 1 }, now)),
        at(0.2, 3, (now) => tight.onToxicity(ID, now, 'risk-off')), // bid 1.08515: stop to 1.08505
        at(0.4, 3),
      ],
      'mbp-10',
    );
    assert.equal(tight.broker.order('test-2')?.spec.stopPx, px(1.08505));
    assert.equal(tight.position(ID), 1);

    const flat = trader({ toxicity: { policy: 'flatten', tightenTicks: 2 } });
    await replayThrough(
      flat,
      [
        at(0, 0, (now) => flat.act({ instrumentId: ID, target: 1 }, now)),
        at(0.2, 1, (now) => flat.onToxicity(ID, now, 'sweep')),
        at(0.4, 1),
      ],
      'mbp-10',
    );
    assert.equal(flat.position(ID), 0);
    assert.deepEqual(flat.broker.openOrders(), []);
  });

  test('the kill switch cancels everything, closes the position and refuses new risk', async () => {
    const t = trader();
    let refused: string | undefined;
    await replayThrough(
      t,
      [
        at(0, 0, (now) => t.act({ instrumentId: ID, target: 3 }, now)),
        at(0.2, 0, (now) => t.kill(now)),
        at(0.4, 0, (now) => {
          refused = t.act({ instrumentId: ID, target: 1 }, now)?.reason;
        }),
        at(0.6),
      ],
      'mbp-10',
    );
    assert.equal(t.position(ID), 0);
    assert.deepEqual(t.broker.openOrders(), []);
    assert.equal(refused, 'KILL_SWITCH');
  });

  test('risk refusals carry their reason: the toxicity veto, a working bracket', async () => {
    const t = trader();
    const reasons: (string | undefined)[] = [];
    await replayThrough(
      t,
      [
        at(0, 0, (now) => {
          t.setToxicity(ID, 0.97);
          reasons.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason);
          t.setToxicity(ID, 0.5);
          reasons.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason);
          reasons.push(t.act({ instrumentId: ID, target: 2 }, now)?.reason);
        }),
      ],
      'mbp-10',
    );
    assert.deepEqual(reasons, ['TOXICITY', undefined, 'BRACKET_WORKING']);
  });

  test('the economic calendar of execution.risk.economicCalendar blacks out its currencies', async () => {
    // T0 is 2024-05-08 00:00 UTC: a USD release at 00:05 with 10 minutes before and 5 after holds
    // [23:55, 00:10); the JPY release does not concern 6E.
    const dir = mkdtempSync(join(tmpdir(), 'risk-calendar-'));
    const csv = join(dir, 'calendar.csv');
    writeFileSync(
      csv,
      'ts,currency,event,minutes_before,minutes_after\n2024-05-08T00:05:00Z,USD,Fed speech,10,5\n2024-05-08T00:20:00Z,JPY,Tankan,10,10\n',
    );
    try {
      const t = trader({ risk: { economicCalendar: csv } });
      const refusals: (string | undefined)[] = [];
      await replayThrough(
        t,
        [
          at(0, 0, (now) => refusals.push(t.act({ instrumentId: ID, target: 1 }, now)?.message)),
          at(16, 0, (now) => refusals.push(t.act({ instrumentId: ID, target: 1 }, now)?.message)),
        ],
        'mbp-10',
      );
      assert.match(refusals[0] ?? '', /^NEWS_BLACKOUT: Fed speech \(USD\) at 2024-05-08T00:05:00.000Z/);
      assert.equal(refusals[1], undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the day's P&L is the equity's change since the trading day began", async () => {
    const t = trader();
    await replayThrough(
      t,
      [
        at(0, 0, (now) => t.act({ instrumentId: ID, target: 1 }, now)),
        at(0.5, 2), // mid moves 2 ticks: +$12.50 open, less one side's fees
      ],
      'mbp-10',
    );
    close(t.dailyPnl(), 2 * 6.25 - 0.5 * 0.00005 * 125_000 - 2.47, "day's P&L");
  });
});
