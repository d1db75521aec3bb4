import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mbp } from '../../test/book.js';
import { depth, MS, px, replayThrough, SIX_E_MBP, type Step, T0, trade } from '../../test/execution.js';
import type { BookView } from '../book/index.js';
import { prng } from '../core/index.js';
import { type MbpRecord, type RecordCursor, RType } from '../data/dbn/index.js';
import { planBracket } from './bracket.js';
import { executionConfig } from './config.js';
import { SpotFees } from './fees.js';
import { ConstantLatency, type LatencyModel } from './latency.js';
import { ClientOrderIds, type OrderSpec } from './order.js';
import { PaperBroker } from './paper.js';
import { FillPortfolio } from './portfolio.js';
import { RiskEngine } from './risk.js';
import { paperInstrument, paperTrader, riskLimits, Trader } from './trader.js';

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

describe('trader: records it need not see', () => {
  /** A trader on a paper broker with `latency`, for an order to spend some time on its way. */
  function traderWith(latency: LatencyModel): Trader {
    const config = executionConfig();
    const terms = [paperInstrument({ instrumentId: ID, symbol: SIX_E_MBP.symbol }, config)];
    return new Trader({
      broker: new PaperBroker({ instruments: terms, latency }),
      portfolio: new FillPortfolio(terms),
      risk: new RiskEngine(riskLimits(config)),
      config,
      ids: new ClientOrderIds('test', 0),
    });
  }
  const delays = {
    entry: 3n * 1_000_000n,
    modify: 3n * 1_000_000n,
    cancel: 3n * 1_000_000n,
    ack: 1_000_000n,
  };
  /** The same delays, but the broker learns from every record's delay: it is never quiet. */
  class Watching extends ConstantLatency {
    observe(_delayNs: number): void {}
  }

  /**
   * An hour of a 6E book (40,000 MBP-10 records, one every 90 ms on average) whose mid walks a
   * tick at a time, with a trade in one record of eight at the touch, and every two to six minutes
   * a decision for a new position of −2 to 2 (`decide`). Seeded: the same every run.
   */
  function session(lagNs: bigint, decide: (now: bigint, target: number, atrRaw: number) => void): Step[] {
    const rand = prng(7);
    const steps: Step[] = [];
    let mid = 0;
    let ms = 0;
    let nextDecisionMs = 20_000;
    const side = (best: number, dir: number): [number, number, number][] =>
      Array.from({ length: 5 }, (_, i) => [
        best + dir * i * 0.00005,
        1 + Math.floor(rand() * 60),
        1 + Math.floor(rand() * 9),
      ]);
    for (let i = 0; i < 40_000; i++) {
      ms += 1 + Math.floor(-Math.log(1 - rand()) * 89);
      if (rand() < 0.02) mid += rand() < 0.5 ? -1 : 1;
      const bid = 1.085 + mid * 0.00005;
      const bids = side(bid, -1);
      const asks = side(bid + 0.00005, 1);
      let then: Step['then'];
      if (ms >= nextDecisionMs) {
        const target = Math.floor(rand() * 5) - 2;
        // Stops and targets from 6 to 48 ticks away: some are reached, some positions time out.
        const atr = px(0.0002 + rand() * 0.001);
        then = (now) => decide(now, target, atr);
        nextDecisionMs = ms + 120_000 + Math.floor(rand() * 240_000);
      }
      if (rand() < 0.125) {
        const buyer = rand() < 0.5;
        const touch = buyer ? asks[0] : bids[0];
        steps.push(
          trade(ms, touch[0], 1 + Math.floor(rand() * touch[1]), buyer ? 'B' : 'A', bids, asks, then),
        );
      } else steps.push(depth(ms, bids, asks, then));
      const r = steps[steps.length - 1].record as MbpRecord;
      r.ts_recv = r.hd.ts_event + lagNs;
    }
    return steps;
  }

  for (const [lagNs, feed] of [
    [1_000n, 'a feed 1 µs behind the venue'],
    [2_500_000_000n, 'a feed 2.5 s behind (the clocks of the broker and the trader apart)'],
  ] as const)
    test(`skipping them changes nothing: the same orders, fills and journal as a trader that sees every record (${feed})`, async () => {
      const runs: Trader[] = [];
      for (const latency of [new ConstantLatency(delays), new Watching(delays)]) {
        const t = traderWith(latency);
        await replayThrough(
          t,
          session(lagNs, (now, target, atrRaw) => t.act({ instrumentId: ID, target, atrRaw }, now)),
          'mbp-10',
        );
        t.sampleEquity();
        runs.push(t);
      }
      const [quiet, every] = runs;
      assert.equal(every.skippedRecords, 0, 'a broker that learns from every record sees every record');
      // The session trades: brackets, and positions closed by their time stop.
      assert.ok(every.fills.length >= 10, `${every.fills.length} fills`);
      const kinds = new Set(every.journal.map((e) => e.kind));
      assert.ok(kinds.has('bracket') && kinds.has('time-stop'), [...kinds].join(', '));
      assert.ok(quiet.skippedRecords > 5_000, `${quiet.skippedRecords} of 40,000 records skipped`);
      assert.deepEqual(quiet.fills, every.fills);
      assert.deepEqual(quiet.journal, every.journal);
      assert.deepEqual(quiet.broker.openOrders(), every.broker.openOrders());
      assert.equal(quiet.orderCount, every.orderCount);
      for (let n = 1; n <= every.orderCount; n++)
        assert.deepEqual(quiet.broker.order(`test-${n}`), every.broker.order(`test-${n}`), `order test-${n}`);
      assert.deepEqual(quiet.portfolio.equityCurve, every.portfolio.equityCurve);
    });

  const bids: [number, number, number][] = [[1.085, 50, 5]];
  const asks: [number, number, number][] = [[1.08505, 50, 5]];
  /** An order `x-1` sent to the trader's broker itself, not through the trader (GTC unless said). */
  const sendDirect = (
    t: Trader,
    spec: Omit<OrderSpec, 'clientId' | 'instrumentId' | 'tif'> & { tif?: OrderSpec['tif'] },
    now: bigint,
  ) => t.broker.submit({ clientId: 'x-1', instrumentId: ID, tif: 'GTC', ...spec }, now);

  test('a trade while quiet still reaches the broker: a stop sent after it, already through it, goes off', async () => {
    // Flat and nothing working: quiet from the first record. A seller hits 1.0849 (the book as it
    // was); a sell stop at 1.085 sent then is through that last trade, so it goes off at once and
    // sells 1 at the bid.
    const t = trader();
    const stop = (now: bigint) =>
      sendDirect(t, { side: 'sell', type: 'stop', stopPx: px(1.085), quantity: 1 }, now);
    await replayThrough(
      t,
      [
        depth(0, bids, asks),
        depth(100, bids, asks),
        trade(200, 1.0849, 2, 'A', bids, asks, stop),
        depth(300, bids, asks),
      ],
      'mbp-10',
    );
    assert.equal(t.skippedRecords, 2, 'the second book record, and the trade (the broker saw it alone)');
    assert.equal(t.broker.order('x-1')?.status, 'filled');
  });

  test('orders and reports on their way keep it awake: each is seen at the first record past its time', async () => {
    // A buy at 1.085 goes straight to the broker, 50 ms from the venue (quiet until then): it
    // arrives at 50 ms (acted on with the record at 60 ms; its ack is back at 100 ms), fills when
    // the asks come down at 120 ms, and the fill's report takes 50 ms back: the trader holds the
    // position from the first record past 170 ms, the one at 180 ms.
    const latency = new ConstantLatency({ entry: 50_000_000n, ack: 50_000_000n });
    const t = traderWith(latency);
    const held: [number, number][] = [];
    const steps: Step[] = [];
    for (let ms = 0; ms <= 300; ms += 20) {
      const down = ms === 120;
      steps.push(
        depth(ms, down ? [[1.08495, 50, 5]] : bids, down ? [[1.085, 10, 1]] : asks, (now) => {
          if (ms === 0) sendDirect(t, { side: 'buy', type: 'limit', limitPx: px(1.085), quantity: 1 }, now);
          held.push([ms, t.position(ID)]);
        }),
      );
    }
    await replayThrough(t, steps, 'mbp-10');
    const o = t.broker.order('x-1');
    assert.deepEqual(
      o?.history.map((h) => [h.event, Number(h.atNs - T0) / MS]),
      [
        ['send', 0.001],
        ['arrive', 50.001],
        ['ack', 100.001],
        ['fill', 170],
      ],
    );
    assert.equal(held.find(([, pos]) => pos === 1)?.[0], 180);
    assert.ok(t.skippedRecords > 0, 'quiet after the report');
  });

  test('a position held while quiet still pays its financing at 17:00 New York', async () => {
    // A spot position with nothing working: quiet. Quotes every 250 ms from 20:59:59 to 21:00:01
    // UTC (17:00 EDT): the rollover charges a day (three: a Wednesday) at 21:00 with the first
    // quote past it. Notional at the mid 1.1: 110,000 USD × 0.8 % / 365 a day.
    const eurusd = {
      instrumentId: ID,
      symbol: 'EUR/USD',
      tickRaw: 10_000,
      multiplier: 1,
      fillAt: 'quote' as const,
      fees: new SpotFees({ adminPct: 0.8 }),
    };
    // Held over the CME break: the flat window (for futures) is off.
    const config = executionConfig({ flat: { beforeBreakMin: 0 } });
    const t = new Trader({
      broker: new PaperBroker({ instruments: [eurusd] }),
      portfolio: new FillPortfolio([eurusd]),
      risk: new RiskEngine(riskLimits(config)),
      config,
      ids: new ClientOrderIds('test', 0),
    });
    const charges: number[] = [];
    t.broker.onReport((r) => {
      if (r.kind === 'charge') charges.push(r.fee as number);
    });
    const quote = (ms: number, then?: Step['then']): Step => ({
      record: mbp([[1.0999, 1, 1]], [[1.1001, 1, 1]], { t: ms * MS, rtype: RType.MBP_1 }),
      then,
    });
    const from = 21 * 3_600_000 - 1_000;
    const buy: Step['then'] = (now) => {
      sendDirect(t, { side: 'buy', type: 'market', quantity: 100_000, tif: 'IOC' }, now);
    };
    const steps: Step[] = [];
    for (let ms = from; ms <= from + 2_000; ms += 250) steps.push(quote(ms, ms === from ? buy : undefined));
    await replayThrough(t, steps, 'mbp-1');
    assert.equal(t.position(ID), 100_000);
    assert.equal(charges.length, 1);
    assert.ok(Math.abs(charges[0] - (3 * 110_000 * 0.008) / 365) < 1e-9, `${charges[0]}`);
    assert.ok(t.skippedRecords > 0);
  });

  test('a request straight to the broker while quiet ends it: a resting buy the asks come down to fills', async () => {
    // Quiet from the first record; a buy at 1.085 sent to the broker itself (not through the
    // trader) rests at the bid; 100 ms later the asks come down to 1.085 and fill it.
    const t = trader();
    const buy = (now: bigint) =>
      sendDirect(t, { side: 'buy', type: 'limit', limitPx: px(1.085), quantity: 1 }, now);
    await replayThrough(
      t,
      [
        depth(0, bids, asks),
        depth(100, bids, asks, buy),
        depth(200, [[1.08495, 50, 5]], [[1.085, 10, 1]]),
        depth(300, bids, asks),
      ],
      'mbp-10',
    );
    assert.equal(t.skippedRecords, 1, 'the second book record, before the buy');
    assert.deepEqual(
      t.broker.order('x-1')?.history.map((h) => h.event),
      ['send', 'arrive', 'ack', 'fill'],
    );
  });
});
