/**
 * The contract every broker configuration keeps, on futures depth (MBP-10): the worked examples
 * users of other engines report as faults, each with numbers worked out by hand. Run it with your
 * own queue, latency or fee model:
 *
 * ```ts
 * brokerContract('my queue', { queue: new MyQueue() });
 * ```
 *
 * Records are 100 ms apart and orders are sent right after a record, so any latency model whose
 * delays stay below 100 ms gives the same fills (the suite checks that it does).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokerRequestError, type ExecutionReport } from '../src/execution/broker.js';
import type { FeeModel } from '../src/execution/fees.js';
import type { LatencyModel } from '../src/execution/latency.js';
import type { OrderSpec } from '../src/execution/order.js';
import { PaperBroker } from '../src/execution/paper.js';
import { FillPortfolio } from '../src/execution/portfolio.js';
import type { QueueModel } from '../src/execution/queue.js';
import type { LevelSpec } from './book.js';
import {
  at,
  depth,
  fills,
  order,
  px,
  recorder,
  replay,
  SIX_E_MBO,
  SIX_E_MBP,
  type Step,
  trade,
} from './execution.js';

/** What the suite varies. */
export interface ContractConfig {
  readonly queue?: QueueModel;
  /** A model whose delays stay below 100 ms. */
  readonly latency?: () => LatencyModel;
  readonly fees?: FeeModel;
}

const ID = SIX_E_MBP.instrumentId;
const BIDS = [
  [1.085, 100, 5],
  [1.08495, 50, 3],
] as const;
const ASKS = [
  [1.08505, 20, 2],
  [1.0851, 30, 3],
  [1.08515, 40, 4],
] as const;

let n = 0;
/** The broker of the scenario running now (for actions after the first record). */
let last: PaperBroker | null = null;

/** Books a fill report in `portfolio`. */
export function bookFill(portfolio: FillPortfolio, r: ExecutionReport): void {
  if (r.kind !== 'fill') return;
  portfolio.apply({
    instrumentId: r.instrumentId,
    side: r.side as 'buy' | 'sell',
    quantity: r.quantity as number,
    price: r.price as number,
    fee: r.fee as number,
    tsNs: r.atNs,
  });
}

function spec(s: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type' | 'quantity'>): OrderSpec {
  return { clientId: `c-${++n}`, instrumentId: ID, tif: 'GTC', ...s };
}

export function brokerContract(name: string, config: ContractConfig): void {
  const make = () =>
    new PaperBroker({
      instruments: [{ ...SIX_E_MBP, fees: config.fees }],
      queue: config.queue,
      latency: config.latency?.(),
    });

  /**
   * The book `bids`/`asks` at 0 ms, our orders sent right after it by `send`, then the records
   * `after`; returns the broker, its reports and the ids `send` gave.
   */
  async function scenario(
    send: (b: PaperBroker, now: bigint) => string[],
    after: Step[],
    bids: LevelSpec = BIDS,
    asks: LevelSpec = ASKS,
    onBroker?: (b: PaperBroker) => void,
  ) {
    const b = make();
    onBroker?.(b);
    const reports = recorder(b);
    const ids: string[] = [];
    await replay(b, [depth(0, bids, asks, (now) => ids.push(...send(b, now))), ...after], 'mbp-10');
    return { b, reports, ids };
  }
  const limitBuy = (quantity: number) => spec({ side: 'buy', type: 'limit', quantity, limitPx: px(1.085) });
  const market = (side: 'buy' | 'sell', quantity: number) => spec({ side, type: 'market', quantity });

  describe(`broker contract: ${name}`, () => {
    test('100 lots behind a 100-lot queue: 50 traded fill nothing, 100 more fill 50 of ours', async () => {
      const half = [[1.085, 50, 3], BIDS[1]] as const;
      const { b, reports, ids } = await scenario(
        (b, now) => [b.submit(limitBuy(100), now).clientId],
        [
          trade(100, 1.085, 50, 'A', BIDS, ASKS),
          depth(200, half, ASKS),
          trade(300, 1.085, 100, 'A', half, ASKS),
        ],
      );
      assert.deepEqual(fills(reports, ids[0]), [[50, 1.085, 'maker']]);
      assert.equal(b.order(ids[0])?.status, 'partially-filled');
      assert.equal(b.order(ids[0])?.leavesQuantity, 50);
    });

    test('a market order larger than the best level fills at the volume-weighted price of the levels it takes', async () => {
      const { b, reports, ids } = await scenario(
        (b, now) => [b.submit(market('buy', 60), now).clientId],
        [depth(100, BIDS, ASKS)],
      );
      // 20 at 1.08505, 30 at 1.08510, 10 at 1.08515: (20·1.08505 + 30·1.0851 + 10·1.08515) / 60
      assert.deepEqual(fills(reports, ids[0]), [
        [20, 1.08505, 'taker'],
        [30, 1.0851, 'taker'],
        [10, 1.08515, 'taker'],
      ]);
      const o = b.order(ids[0]);
      assert.equal(o?.status, 'filled');
      assert.ok(Math.abs((o?.averagePx as number) / 1e9 - 65.1055 / 60) < 1e-12);
    });

    test('a market order never takes more than is shown: the rest is cancelled', async () => {
      const { b, reports, ids } = await scenario(
        (b, now) => [b.submit(market('buy', 100), now).clientId],
        [depth(100, BIDS, ASKS)],
      );
      assert.equal(
        fills(reports, ids[0]).reduce((s, f) => s + f[0], 0),
        90,
      );
      assert.equal(b.order(ids[0])?.status, 'cancelled');
      assert.equal(b.order(ids[0])?.filledQuantity, 90);
    });

    test('a crossed or locked book fills nothing', async () => {
      const locked = [[1.08505, 10, 1]] as const;
      const { b, reports, ids } = await scenario(
        (b, now) => [
          b.submit(market('buy', 5), now).clientId,
          b.submit(spec({ side: 'sell', type: 'limit', quantity: 5, limitPx: px(1.085) }), now).clientId,
        ],
        [trade(100, 1.08505, 5, 'B', locked, ASKS), depth(200, locked, ASKS)],
        locked,
      );
      assert.deepEqual(fills(reports), []);
      assert.equal(b.order(ids[0])?.status, 'cancelled');
      assert.match(b.order(ids[0])?.history.at(-1)?.reason ?? '', /crossed or locked/);
      assert.equal(b.order(ids[1])?.status, 'accepted');
    });

    test('two of our orders at one price are not both filled by the same trade', async () => {
      const bids = [[1.085, 5, 1]] as const;
      const { reports, ids } = await scenario(
        (b, now) => [b.submit(limitBuy(10), now).clientId, b.submit(limitBuy(10), now).clientId],
        // 5 ahead, then our first 10: the second gets nothing of these 15.
        [trade(100, 1.085, 15, 'A', bids, ASKS), depth(200, [], ASKS), trade(300, 1.085, 10, 'A', [], ASKS)],
        bids,
      );
      assert.deepEqual(fills(reports, ids[0]), [[10, 1.085, 'maker']]);
      assert.deepEqual(fills(reports, ids[1]), [[10, 1.085, 'maker']]);
      assert.ok(
        reports.findIndex((r) => r.clientId === ids[1] && r.kind === 'fill') >
          reports.findIndex((r) => r.clientId === ids[0] && r.kind === 'fill'),
      );
      assert.equal(
        reports.filter((r) => r.kind === 'fill' && r.venueNs === at(100)).length,
        1,
        'the first trade fills one order only',
      );
    });

    test('two of our market orders do not take the same shown liquidity', async () => {
      const { reports, ids } = await scenario(
        (b, now) => [b.submit(market('buy', 15), now).clientId, b.submit(market('buy', 15), now).clientId],
        [depth(100, BIDS, ASKS)],
      );
      assert.deepEqual(fills(reports, ids[0]), [[15, 1.08505, 'taker']]);
      assert.deepEqual(fills(reports, ids[1]), [
        [5, 1.08505, 'taker'],
        [10, 1.0851, 'taker'],
      ]);
    });

    test('trade volume is not counted twice when the level size also drops', async () => {
      const bids = [[1.085, 100, 5]] as const;
      const left = [[1.085, 70, 4]] as const;
      const { reports, ids } = await scenario(
        (b, now) => [b.submit(limitBuy(10), now).clientId],
        [
          trade(100, 1.085, 30, 'A', bids, ASKS),
          depth(200, left, ASKS), // the 30 traded, nothing cancelled: 70 ahead
          trade(300, 1.085, 70, 'A', left, ASKS), // exactly the queue ahead
          depth(400, [], ASKS),
          trade(500, 1.085, 4, 'A', [], ASKS),
        ],
        bids,
      );
      assert.deepEqual(fills(reports, ids[0]), [[4, 1.085, 'maker']]);
    });

    test('a fill is judged against the book after the trade: a stop set off by a trade does not take the depth it took', async () => {
      const { reports, ids } = await scenario(
        (b, now) => [
          b.submit(spec({ side: 'buy', type: 'stop', quantity: 10, stopPx: px(1.08505) }), now).clientId,
        ],
        // A buyer lifts all 20 at 1.08505: the record still shows them (the depth update follows).
        [trade(100, 1.08505, 20, 'B', BIDS, ASKS), depth(100, BIDS, ASKS.slice(1))],
      );
      assert.deepEqual(fills(reports, ids[0]), [[10, 1.0851, 'taker']]);
    });

    test('realized P&L equals the fills’ cash flows less fees, exactly', async () => {
      const portfolio = new FillPortfolio([SIX_E_MBP]);
      const book = (b: PaperBroker) => b.onReport((r) => bookFill(portfolio, r));
      const up = [
        [1.0852, 7, 1],
        [1.08515, 30, 2],
      ] as const;
      await scenario(
        (b, now) => [b.submit(market('buy', 25), now).clientId],
        [
          depth(100, up, [[1.08525, 10, 1]], (now) => void last?.submit(market('sell', 25), now)),
          depth(200, BIDS, ASKS),
        ],
        BIDS,
        ASKS,
        (b) => {
          last = b;
          book(b);
        },
      );
      assert.equal(portfolio.position(ID), 0);
      // Bought 20 at 1.08505 and 5 at 1.0851; sold 7 at 1.0852 and 18 at 1.08515.
      const cash = -(20n * 1_085_050_000n + 5n * 1_085_100_000n) + 7n * 1_085_200_000n + 18n * 1_085_150_000n;
      assert.equal(portfolio.cashFlowRaw(ID), cash);
      assert.equal(portfolio.realizedRaw(ID), cash);
      const fees = Number(portfolio.feesNano()) / 1e9;
      const usd = (Number(cash) / 1e9) * SIX_E_MBP.multiplier;
      assert.ok(Math.abs(portfolio.realized() - (usd - fees)) < 1e-9);
    });

    test('bad orders are rejected with a reason and change nothing; bad requests throw typed errors', async () => {
      const b = make();
      const reports = recorder(b);
      const bad = [
        b.submit(spec({ side: 'buy', type: 'market', quantity: 1, instrumentId: 999 }), at(0)),
        b.submit(spec({ side: 'buy', type: 'market', quantity: 0 }), at(0)),
        b.submit(spec({ side: 'buy', type: 'limit', quantity: 1, limitPx: px(1.08501) }), at(0)),
      ];
      assert.deepEqual(
        bad.map((o) => [o.status, o.history.at(-1)?.reason?.split(':')[0]]),
        [
          ['rejected', 'UNKNOWN_INSTRUMENT'],
          ['rejected', 'BAD_QUANTITY'],
          ['rejected', 'OFF_TICK'],
        ],
      );
      assert.deepEqual(
        reports.map((r) => r.kind),
        ['reject', 'reject', 'reject'],
      );
      assert.throws(
        () => b.cancel('no-such-id', at(0)),
        (e: unknown) => e instanceof BrokerRequestError && e.code === 'UNKNOWN_ORDER',
      );
      assert.throws(
        () => b.cancel(bad[0].clientId, at(0)),
        (e: unknown) => e instanceof BrokerRequestError && e.code === 'UNKNOWN_ORDER',
      );
      assert.throws(
        () => b.submit({ ...bad[1].spec, quantity: 1 }, at(0)),
        (e: unknown) => e instanceof BrokerRequestError && e.code === 'DUPLICATE_ORDER_ID',
      );
      await replay(b, [depth(0, BIDS, ASKS)], 'mbp-10');
      assert.equal(b.position(ID), 0);
      assert.deepEqual(b.openOrders(), []);
    });

    test('every transition is recorded with its time: sent, arrived, acknowledged, filled', async () => {
      const latency = config.latency?.();
      const b = new PaperBroker({
        instruments: [{ ...SIX_E_MBP, fees: config.fees }],
        queue: config.queue,
        latency,
      });
      let id = '';
      let sent = 0n;
      await replay(
        b,
        [
          depth(0, BIDS, ASKS, (now) => {
            sent = now;
            id = b.submit(spec({ side: 'sell', type: 'market', quantity: 10 }), now).clientId;
          }),
          depth(100, BIDS, ASKS),
        ],
        'mbp-10',
      );
      const h = b.order(id)?.history ?? [];
      assert.deepEqual(
        h.map((t) => [t.event, t.to]),
        [
          ['send', 'pending-new'],
          ['arrive', 'pending-new'],
          ['ack', 'accepted'],
          ['fill', 'filled'],
        ],
      );
      assert.equal(h[0].atNs, sent);
      assert.ok(
        h[1].atNs >= sent && h[1].atNs < at(100),
        'arrives after it was sent, before the next record',
      );
      assert.equal(h[1].atNs, sent + b.latency.toVenue('entry'));
      assert.ok(h[2].atNs >= h[1].atNs && h[3].atNs >= h[2].atNs);
    });
  });
}

/**
 * The same worked examples on MBO data, where the queue is exact (our order's place among the
 * real orders, by priority): run for each latency and fee model.
 */
export function mboContract(name: string, config: Omit<ContractConfig, 'queue'>): void {
  const make = () =>
    new PaperBroker({ instruments: [{ ...SIX_E_MBO, fees: config.fees }], latency: config.latency?.() });
  const MBO_ID = SIX_E_MBO.instrumentId;
  const mspec = (s: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type' | 'quantity'>) =>
    spec({ instrumentId: MBO_ID, ...s });
  /** Resting orders: one per level, ids from 1 (bids) and 101 (asks), 100 ms apart from `ms`. */
  const book = (
    ms: number,
    bids: readonly (readonly [number, number])[],
    asks: readonly (readonly [number, number])[],
  ) => [
    ...bids.map(([p, q], i) => order(ms + i, 'A', 1 + i, 'B', p, q)),
    ...asks.map(([p, q], i) => order(ms + 50 + i, 'A', 101 + i, 'A', p, q)),
  ];
  const ASKS3 = [
    [1.08505, 20],
    [1.0851, 30],
    [1.08515, 40],
  ] as const;

  /**
   * Replays resting orders (`bids`, then `ASKS3`), a record at 100 ms after which `send` sends our
   * orders, then `after`; returns the broker, its reports and the ids `send` gave.
   */
  async function scenario(
    bids: readonly (readonly [number, number])[],
    send: (b: PaperBroker, now: bigint) => string[],
    after: Step[],
    onBroker?: (b: PaperBroker) => void,
  ) {
    const b = make();
    onBroker?.(b);
    const reports = recorder(b);
    const ids: string[] = [];
    const steps = book(0, bids, ASKS3);
    steps.push(
      order(100, 'A', 200, 'A', 1.0852, 1, (now) => ids.push(...send(b, now))),
      ...after,
    );
    await replay(b, steps, 'mbo');
    return { b, reports, ids };
  }
  const limitBuy = (quantity: number) => mspec({ side: 'buy', type: 'limit', quantity, limitPx: px(1.085) });
  /** A seller's trade of `q` at 1.085 and the fill and cancel that take it from order `id`. */
  const hit = (ms: number, q: number, id = 1) => [
    order(ms, 'T', 0, 'A', 1.085, q),
    order(ms, 'F', id, 'B', 1.085, q),
    order(ms, 'C', id, 'B', 1.085, q),
  ];

  describe(`broker contract on MBO: ${name}`, () => {
    test('100 lots behind a 100-lot queue: 50 traded fill nothing, 100 more fill 50 of ours', async () => {
      const { reports, ids } = await scenario(
        [[1.085, 100]],
        (b, now) => [b.submit(limitBuy(100), now).clientId],
        [...hit(200, 50), order(300, 'T', 0, 'A', 1.085, 100)],
      );
      assert.deepEqual(fills(reports, ids[0]), [[50, 1.085, 'maker']]);
    });

    test('a market order larger than the best level fills at the volume-weighted price of the levels', async () => {
      const { reports, ids } = await scenario(
        [[1.085, 100]],
        (b, now) => [b.submit(mspec({ side: 'buy', type: 'market', quantity: 60 }), now).clientId],
        [order(200, 'A', 201, 'B', 1.08495, 1)],
      );
      assert.deepEqual(fills(reports, ids[0]), [
        [20, 1.08505, 'taker'],
        [30, 1.0851, 'taker'],
        [10, 1.08515, 'taker'],
      ]);
    });

    test('two of our orders at one price are not both filled by the same trade', async () => {
      const { reports, ids } = await scenario(
        [[1.085, 5]],
        (b, now) => [b.submit(limitBuy(10), now).clientId, b.submit(limitBuy(10), now).clientId],
        [
          order(200, 'T', 0, 'A', 1.085, 15),
          order(200, 'F', 1, 'B', 1.085, 5),
          order(200, 'C', 1, 'B', 1.085, 5),
          order(300, 'T', 0, 'A', 1.085, 10),
        ],
      );
      assert.deepEqual(fills(reports, ids[0]), [[10, 1.085, 'maker']]);
      assert.deepEqual(fills(reports, ids[1]), [[10, 1.085, 'maker']]);
      assert.equal(reports.filter((r) => r.kind === 'fill' && r.venueNs === at(200)).length, 1);
    });

    test('trade volume is not counted twice when the orders it filled are removed', async () => {
      const { reports, ids } = await scenario(
        [[1.085, 100]],
        (b, now) => [b.submit(limitBuy(10), now).clientId],
        // 30 traded, then exactly the 70 left ahead, then 4 more.
        [...hit(200, 30), ...hit(300, 70), order(400, 'T', 0, 'A', 1.085, 4)],
      );
      assert.deepEqual(fills(reports, ids[0]), [[4, 1.085, 'maker']]);
    });

    test('a stop set off by a trade meets the book after the trade, not the depth it took', async () => {
      const { reports, ids } = await scenario(
        [[1.085, 100]],
        (b, now) => [
          b.submit(mspec({ side: 'buy', type: 'stop', quantity: 10, stopPx: px(1.08505) }), now).clientId,
        ],
        [
          order(200, 'T', 0, 'B', 1.08505, 20),
          order(200, 'F', 101, 'A', 1.08505, 20),
          order(200, 'C', 101, 'A', 1.08505, 20),
        ],
      );
      assert.deepEqual(fills(reports, ids[0]), [[10, 1.0851, 'taker']]);
    });

    test('a locked book fills nothing', async () => {
      const { b, reports, ids } = await scenario(
        [[1.08505, 10]],
        (b, now) => [b.submit(mspec({ side: 'buy', type: 'market', quantity: 5 }), now).clientId],
        [order(200, 'A', 201, 'A', 1.0852, 1)],
      );
      assert.deepEqual(fills(reports), []);
      assert.equal(b.order(ids[0])?.status, 'cancelled');
    });

    test('realized P&L equals the fills’ cash flows less fees, exactly', async () => {
      const portfolio = new FillPortfolio([SIX_E_MBO]);
      const book = (b: PaperBroker) => b.onReport((r) => bookFill(portfolio, r));
      let broker: PaperBroker | null = null;
      await scenario(
        [[1.085, 100]],
        (b, now) => {
          broker = b;
          return [b.submit(mspec({ side: 'buy', type: 'market', quantity: 25 }), now).clientId];
        },
        [
          order(200, 'A', 201, 'B', 1.08495, 30, (now) => {
            (broker as unknown as PaperBroker).submit(
              mspec({ side: 'sell', type: 'market', quantity: 25 }),
              now,
            );
          }),
          order(300, 'A', 202, 'A', 1.0853, 1),
        ],
        book,
      );
      assert.equal(portfolio.position(MBO_ID), 0);
      // Bought 20 at 1.08505 and 5 at 1.0851; sold 25 into the bid at 1.085.
      const cash = -(20n * 1_085_050_000n + 5n * 1_085_100_000n) + 25n * 1_085_000_000n;
      assert.equal(portfolio.realizedRaw(MBO_ID), cash);
      const fees = Number(portfolio.feesNano()) / 1e9;
      assert.ok(Math.abs(portfolio.realized() - ((Number(cash) / 1e9) * SIX_E_MBO.multiplier - fees)) < 1e-9);
    });
  });
}
