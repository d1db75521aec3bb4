import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mbp } from '../../test/book.js';
import { brokerContract, mboContract } from '../../test/broker-contract.js';
import {
  at,
  depth,
  fills,
  MS,
  order,
  px,
  recorder,
  replay,
  SIX_E_MBO,
  SIX_E_MBP,
  type Step,
  trade,
} from '../../test/execution.js';
import { NoFees, PerContractFees, SpotFees } from './fees.js';
import { ConstantLatency, FeedLatency } from './latency.js';
import type { OrderSpec } from './order.js';
import { PaperBroker } from './paper.js';
import { logProbability, ProbabilisticQueue, powerProbability, RiskAverseQueue } from './queue.js';

brokerContract('risk-averse queue, no latency, CME fees', { queue: new RiskAverseQueue() });
brokerContract('power-2 queue, 50 ms in and 5 ms back, no fees', {
  queue: new ProbabilisticQueue(powerProbability(2), 'power-2'),
  latency: () => new ConstantLatency({ entry: 50n * BigInt(MS), ack: 5n * BigInt(MS) }),
  fees: new NoFees(),
});
brokerContract('log queue, the feed’s own delay (floor 1 ms), spot fees', {
  queue: new ProbabilisticQueue(logProbability, 'log'),
  latency: () => new FeedLatency(BigInt(MS)),
  fees: new SpotFees({ markupPips: 0 }),
});

mboContract('no latency, CME fees', {});
mboContract('30 ms in and 3 ms back, no fees', {
  latency: () => new ConstantLatency({ entry: 30n * BigInt(MS), ack: 3n * BigInt(MS) }),
  fees: new NoFees(),
});
mboContract('the feed’s own delay, spot fees', {
  latency: () => new FeedLatency(BigInt(MS)),
  fees: new SpotFees(),
});

const BIDS = [
  [1.085, 100, 5],
  [1.08495, 50, 3],
] as const;
const ASKS = [
  [1.08505, 20, 2],
  [1.0851, 30, 3],
] as const;

let n = 0;
function spec(
  s: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type' | 'quantity'>,
  instrumentId = SIX_E_MBP.instrumentId,
): OrderSpec {
  return { clientId: `p-${++n}`, instrumentId, tif: 'GTC', ...s };
}

describe('paper broker: latency', () => {
  test('a latency of 50 ms makes the order meet the book as it was 50 ms later', async () => {
    const results: number[][] = [];
    for (const entryMs of [0, 50]) {
      const b = new PaperBroker({
        instruments: [SIX_E_MBP],
        latency: new ConstantLatency({ entry: BigInt(entryMs * MS), ack: 0n }),
      });
      const reports = recorder(b);
      await replay(
        b,
        [
          depth(0, BIDS, ASKS, (now) => {
            b.submit(spec({ side: 'buy', type: 'market', quantity: 5 }), now);
          }),
          depth(30, BIDS, [[1.0851, 30, 3]]),
          depth(60, BIDS, [[1.08515, 30, 3]]),
        ],
        'mbp-10',
      );
      results.push(fills(reports).map((f) => f[1]));
    }
    // Sent at 0 (+1 µs): without delay it meets the book of t = 0; with 50 ms, the book of t = 30 ms.
    assert.deepEqual(results, [[1.08505], [1.0851]]);
  });

  test('fill reports are heard after the return delay, on the receive clock', async () => {
    const b = new PaperBroker({
      instruments: [SIX_E_MBP],
      latency: new ConstantLatency({ entry: 10n * BigInt(MS), ack: 7n * BigInt(MS) }),
    });
    const reports = recorder(b);
    await replay(
      b,
      [
        depth(0, BIDS, ASKS, (now) => {
          b.submit(spec({ side: 'buy', type: 'market', quantity: 5 }), now);
        }),
        depth(100, BIDS, ASKS),
      ],
      'mbp-10',
    );
    const fill = reports.find((r) => r.kind === 'fill');
    // Sent at ts_recv of the first record (1 µs after t = 0), at the venue 10 ms later, heard 7 ms after that.
    assert.equal(fill?.venueNs, at(0) + 1000n + 10n * BigInt(MS));
    assert.equal(fill?.atNs, at(0) + 1000n + 17n * BigInt(MS));
  });
});

describe('paper broker: time in force, cancel and replace', () => {
  test('IOC fills what it can now and cancels the rest; FOK fills all or nothing', async () => {
    const b = new PaperBroker({ instruments: [SIX_E_MBP] });
    const reports = recorder(b);
    const ids: string[] = [];
    await replay(
      b,
      [
        depth(0, BIDS, ASKS, (now) => {
          ids.push(
            b.submit(
              spec({ side: 'buy', type: 'limit', tif: 'IOC', quantity: 30, limitPx: px(1.08505) }),
              now,
            ).clientId,
          );
          ids.push(
            b.submit(spec({ side: 'buy', type: 'limit', tif: 'FOK', quantity: 60, limitPx: px(1.0851) }), now)
              .clientId,
          );
        }),
        depth(100, BIDS, ASKS),
      ],
      'mbp-10',
    );
    assert.deepEqual(fills(reports, ids[0]), [[20, 1.08505, 'taker']]);
    assert.equal(b.order(ids[0])?.status, 'cancelled');
    // 50 shown up to 1.0851, and the IOC took 20 of them: 30 left < 60.
    assert.deepEqual(fills(reports, ids[1]), []);
    assert.equal(b.order(ids[1])?.status, 'cancelled');
  });

  test('post-only orders that would take are rejected; GTT and DAY orders expire', async () => {
    const b = new PaperBroker({ instruments: [SIX_E_MBP] });
    const ids: string[] = [];
    await replay(
      b,
      [
        depth(0, BIDS, ASKS, (now) => {
          ids.push(
            b.submit(
              spec({ side: 'buy', type: 'limit', postOnly: true, quantity: 1, limitPx: px(1.08505) }),
              now,
            ).clientId,
          );
          ids.push(
            b.submit(
              spec({
                side: 'buy',
                type: 'limit',
                tif: 'GTT',
                expireAtNs: at(150),
                quantity: 1,
                limitPx: px(1.0849),
              }),
              now,
            ).clientId,
          );
          ids.push(
            b.submit(spec({ side: 'buy', type: 'limit', tif: 'DAY', quantity: 1, limitPx: px(1.0849) }), now)
              .clientId,
          );
        }),
        depth(100, BIDS, ASKS),
        depth(200, BIDS, ASKS),
      ],
      'mbp-10',
      // T0 is 2024-05-08 00:00 UTC (19:00 CDT on the 7th): the trading day of the 8th ends at 21:00 UTC.
      22 * 3_600_000,
    );
    assert.equal(b.order(ids[0])?.status, 'rejected');
    assert.match(b.order(ids[0])?.history.at(-1)?.reason ?? '', /^POST_ONLY/);
    const gtt = b.order(ids[1])?.history.at(-1);
    assert.deepEqual([gtt?.event, gtt?.atNs], ['expire', at(150)]);
    const day = b.order(ids[2])?.history.at(-1);
    assert.deepEqual([day?.event, day?.atNs], ['expire', at(21 * 3_600_000)]);
  });

  test('a cancel sent before the acknowledgement waits for it; a cancel after the fill is too late', async () => {
    const lat = new ConstantLatency({ entry: 10n * BigInt(MS), ack: 10n * BigInt(MS) });
    const b = new PaperBroker({ instruments: [SIX_E_MBP], latency: lat });
    const reports = recorder(b);
    const ids: string[] = [];
    await replay(
      b,
      [
        depth(0, BIDS, ASKS, (now) => {
          ids.push(
            b.submit(spec({ side: 'buy', type: 'limit', quantity: 5, limitPx: px(1.0849) }), now).clientId,
          );
          b.cancel(ids[0], now);
          ids.push(b.submit(spec({ side: 'buy', type: 'market', quantity: 5 }), now).clientId);
        }),
        depth(5, BIDS, ASKS, (now) => b.cancel(ids[1], now)),
        depth(100, BIDS, ASKS),
      ],
      'mbp-10',
    );
    assert.deepEqual(
      b.order(ids[0])?.history.map((t) => t.to),
      ['pending-new', 'pending-cancel', 'pending-cancel', 'pending-cancel', 'pending-cancel', 'cancelled'],
    );
    assert.equal(b.order(ids[1])?.status, 'filled');
    assert.deepEqual(
      reports.filter((r) => r.clientId === ids[1]).map((r) => r.kind),
      ['ack', 'fill', 'cancel-rejected'],
    );
  });

  test('a replace to a new price goes to the back of the new level; a smaller size keeps its place', async () => {
    const b = new PaperBroker({ instruments: [SIX_E_MBP] });
    const reports = recorder(b);
    const ids: string[] = [];
    const bids = [
      [1.085, 10, 1],
      [1.08495, 10, 1],
    ] as const;
    await replay(
      b,
      [
        depth(0, bids, ASKS, (now) => {
          ids.push(
            b.submit(spec({ side: 'buy', type: 'limit', quantity: 10, limitPx: px(1.085) }), now).clientId,
          );
          ids.push(
            b.submit(spec({ side: 'buy', type: 'limit', quantity: 10, limitPx: px(1.085) }), now).clientId,
          );
        }),
        depth(100, bids, ASKS, (now) => {
          b.replace(ids[0], { quantity: 4 }, now); // keeps its place: 10 ahead
          b.replace(ids[1], { limitPx: px(1.08495) }, now); // joins the back of 1.08495: 10 ahead
        }),
        trade(200, 1.085, 14, 'A', bids, ASKS),
        trade(300, 1.08495, 12, 'A', [bids[1]], ASKS),
      ],
      'mbp-10',
    );
    assert.deepEqual(fills(reports, ids[0]), [[4, 1.085, 'maker']]);
    // The 1.08495 trade goes through nothing of ours at 1.085 (already filled) and 2 past the 10 ahead.
    assert.deepEqual(fills(reports, ids[1]), [[2, 1.08495, 'maker']]);
  });

  test('a stop-limit triggers on a trade at its stop, then takes up to its limit and rests the rest', async () => {
    const b = new PaperBroker({ instruments: [SIX_E_MBP] });
    const reports = recorder(b);
    let id = '';
    await replay(
      b,
      [
        depth(0, BIDS, ASKS, (now) => {
          id = b.submit(
            spec({
              side: 'sell',
              type: 'stop-limit',
              quantity: 120,
              stopPx: px(1.085),
              limitPx: px(1.08495),
            }),
            now,
          ).clientId;
        }),
        trade(100, 1.085, 10, 'A', BIDS, ASKS),
      ],
      'mbp-10',
    );
    // The trade took 10 of the 100 bid at 1.085 (still shown): 90 there and 50 at 1.08495 are left to sell into.
    assert.deepEqual(fills(reports, id), [
      [90, 1.085, 'taker'],
      [30, 1.08495, 'taker'],
    ]);
  });

  test('our resting order as a large share of its level is counted for the report', async () => {
    const b = new PaperBroker({ instruments: [SIX_E_MBP], largeShare: 0.5 });
    await replay(
      b,
      [
        depth(0, [[1.085, 30, 2]], ASKS, (now) => {
          b.submit(spec({ side: 'buy', type: 'limit', quantity: 40, limitPx: px(1.085) }), now); // 40/70 > 0.5
          b.submit(spec({ side: 'buy', type: 'limit', quantity: 10, limitPx: px(1.085) }), now); // 10/40
        }),
        depth(100, [[1.085, 30, 2]], ASKS),
      ],
      'mbp-10',
    );
    assert.equal(b.warnings.largeShare, 1);
  });
});

describe('paper broker: depth we took, at a level that leaves the ten levels', () => {
  // We buy 5 of the 20 offered at 1.08505. An ask added at 1.085, a tick above the best bid, then
  // pushes that level out of the ten the records show (no change at 1.08505 itself), and it comes
  // back later showing 20 as before; we buy 20 at market.
  const BIDS = [[1.08495, 100, 5]] as const;
  const SEEN = [[1.085, 10, 1]] as const;
  async function buyAgainAfter(backMs: number): Promise<[number, number, string][]> {
    const b = new PaperBroker({ instruments: [SIX_E_MBP] });
    const reports = recorder(b);
    let second = '';
    const steps: Step[] = [
      depth(0, BIDS, ASKS, (now) => {
        b.submit(spec({ side: 'buy', type: 'market', quantity: 5 }), now);
      }),
      { record: mbp(BIDS, SEEN, { t: 100 * MS, action: 'A', side: 'A', price: 1.085, size: 10 }) },
    ];
    // The book as it stands, once a second, until the level comes back.
    for (let t = 1_000; t < backMs; t += 1_000) steps.push(depth(t, BIDS, SEEN));
    steps.push(
      depth(backMs, BIDS, ASKS, (now) => {
        second = b.submit(spec({ side: 'buy', type: 'market', quantity: 20 }), now).clientId;
      }),
      depth(backMs + 100, BIDS, ASKS),
    );
    await replay(b, steps, 'mbp-10');
    return fills(reports, second);
  }

  test('gone for a few seconds, it keeps what we took: 15 left there, 5 more at 1.0851', async () => {
    assert.deepEqual(await buyAgainAfter(5_000), [
      [15, 1.08505, 'taker'],
      [5, 1.0851, 'taker'],
    ]);
  });

  test('gone for more than a minute, it comes back as depth we never took from: all 20 there', async () => {
    assert.deepEqual(await buyAgainAfter(65_000), [[20, 1.08505, 'taker']]);
  });
});

describe('paper broker: exact FIFO on MBO data', () => {
  const P = 1.085;
  const base = (then?: (now: bigint) => void) => [
    order(0, 'A', 1, 'B', P, 10),
    order(1, 'A', 2, 'B', P, 20),
    order(2, 'A', 9, 'A', 1.0851, 50, then),
  ];

  /** Our buy of 5 at P joins behind orders 1 (10) and 2 (20); then `after`; our fills. */
  async function ours(after: Step[]) {
    const b = new PaperBroker({ instruments: [SIX_E_MBO] });
    const reports = recorder(b);
    let id = '';
    const join = (now: bigint) => {
      id = b.submit(
        spec({ side: 'buy', type: 'limit', quantity: 5, limitPx: px(P) }, SIX_E_MBO.instrumentId),
        now,
      ).clientId;
    };
    await replay(b, [...base(join), ...after], 'mbo');
    return fills(reports, id);
  }

  test("a stranger's cancel behind us does not move us forward", async () => {
    const got = await ours([
      order(10, 'A', 3, 'B', P, 40), // behind us
      order(11, 'C', 3, 'B', P, 40),
      order(12, 'T', 0, 'A', P, 30), // a seller takes the 30 ahead
      order(12, 'F', 1, 'B', P, 10),
      order(12, 'C', 1, 'B', P, 10),
      order(12, 'F', 2, 'B', P, 20),
      order(12, 'C', 2, 'B', P, 20),
    ]);
    assert.deepEqual(got, []);
  });

  test('a cancel ahead of us moves us forward', async () => {
    const got = await ours([
      order(10, 'C', 1, 'B', P, 10), // ahead of us: 20 left ahead
      order(12, 'T', 0, 'A', P, 23),
    ]);
    assert.deepEqual(got, [[3, P, 'maker']]);
  });
});

describe('paper broker: spot at the quote (IG)', () => {
  const EURUSD = {
    instrumentId: 5482,
    symbol: 'EUR/USD',
    tickRaw: 10_000,
    multiplier: 1,
    fillAt: 'quote' as const,
    slippageTicks: 2,
    minQuantity: 1000,
    fees: new SpotFees({ markupPips: 0.5, adminPct: 0.8 }),
  };
  const quote = (ms: number, bid: number, ask: number, then?: (now: bigint) => void) => ({
    record: mbp([[bid, 1, 1]], [[ask, 1, 1]], { t: ms * MS, rtype: 1 }),
    then,
  });

  test('market orders fill whole at the quote plus slippage and mark-up; limits when the quote reaches them', async () => {
    const b = new PaperBroker({ instruments: [EURUSD] });
    const reports = recorder(b);
    const ids: string[] = [];
    await replay(
      b,
      [
        quote(0, 1.0849, 1.0851, (now) => {
          ids.push(b.submit(spec({ side: 'buy', type: 'market', quantity: 50_000 }, 5482), now).clientId);
          ids.push(
            b.submit(spec({ side: 'sell', type: 'limit', quantity: 10_000, limitPx: px(1.0855) }, 5482), now)
              .clientId,
          );
          ids.push(b.submit(spec({ side: 'sell', type: 'market', quantity: 500 }, 5482), now).clientId);
        }),
        quote(100, 1.0856, 1.0858),
      ],
      'mbp-1',
    );
    // 1.0851 + 2 pips slippage + 0.5 pip mark-up = 1.085125.
    assert.deepEqual(fills(reports, ids[0]), [[50_000, 1.085125, 'taker']]);
    assert.deepEqual(fills(reports, ids[1]), [[10_000, 1.0855, 'maker']]);
    assert.match(b.order(ids[2])?.history.at(-1)?.reason ?? '', /^BELOW_MIN_SIZE/);
  });

  test('positions held over 17:00 New York pay financing, three days on Wednesdays', async () => {
    const b = new PaperBroker({
      instruments: [{ ...EURUSD, slippageTicks: 0, fees: new SpotFees({ adminPct: 0.8 }) }],
    });
    const reports = recorder(b);
    // T0 is Wednesday 2024-05-08 00:00 UTC; the rollovers are 21:00 UTC (17:00 EDT) that day and the next.
    await replay(
      b,
      [
        quote(0, 1.0999, 1.1001, (now) => {
          b.submit(spec({ side: 'buy', type: 'market', quantity: 100_000 }, 5482), now);
        }),
        quote(20 * 3_600_000, 1.0999, 1.1001),
        quote(22 * 3_600_000, 1.0999, 1.1001),
        quote(46 * 3_600_000, 1.0999, 1.1001),
      ],
      'mbp-1',
    );
    const charges = reports.filter((r) => r.kind === 'charge');
    // Notional at the mid 1.1: 110,000 USD × 0.8 % / 365 a day.
    const daily = (110_000 * 0.008) / 365;
    assert.equal(charges.length, 2);
    assert.ok(Math.abs((charges[0].fee as number) - 3 * daily) < 1e-9, `${charges[0].fee}`);
    assert.ok(Math.abs((charges[1].fee as number) - daily) < 1e-9, `${charges[1].fee}`);
    assert.equal(charges[0].venueNs, at(21 * 3_600_000));
  });
});

describe('fee models', () => {
  test('CME FX defaults: 1.60 exchange + 0.02 NFA + 0.85 broker per contract per side', () => {
    const f = new PerContractFees();
    assert.ok(Math.abs(f.fee(SIX_E_MBP, 3) - 3 * 2.47) < 1e-12);
    assert.throws(() => f.fee({ ...SIX_E_MBP, symbol: 'ESM4' }, 1), /fee schedule/);
    // A clearing firm that bills clearing apart: 1.00 + 0.10 + 0.02 + 0.50 = 1.62 a side.
    const own = new PerContractFees({ '6E': { exchange: 1, clearing: 0.1, regulatory: 0.02, broker: 0.5 } });
    assert.ok(Math.abs(own.fee(SIX_E_MBP, 2) - 3.24) < 1e-12);
    assert.throws(
      () => new PerContractFees({ '6E': { exchange: -1, regulatory: 0, broker: 0 } }),
      /6E exchange fee/,
    );
  });
});
