/**
 * No new risk while the market data is untrusted: the feed-health monitor (book/feed-health.ts)
 * feeding the risk check and the trader, on hand-made streams.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchOf, type MboSpec, mbo, mbp } from '../../test/book.js';
import { px, replayThrough, SIX_E_MBP, type Step } from '../../test/execution.js';
import { BookSet, FeedHealth } from '../book/index.js';
import { Flags, type MboRecord } from '../data/dbn/index.js';
import { DEFAULT_EXECUTION_CONFIG, executionConfig } from './config.js';
import { RiskEngine } from './risk.js';
import { feedHealthOptions, paperTrader } from './trader.js';

const SNAP = Flags.SNAPSHOT;
const LAST = Flags.LAST;

describe('a sequence gap in MBO data', () => {
  /** An ES-like MBO record of instrument 5602 with its sequence number, `ms` after T0. */
  const order = (
    seq: number,
    action: MboSpec['action'],
    side: 'B' | 'A' | 'N',
    price: number | undefined,
    id: number,
    flags: number,
    ms: number,
  ): MboRecord => ({ ...mbo({ action, side, price, size: 5, id, flags, t: ms * 1_000_000 }), sequence: seq });
  const snapshot = (ms: number): MboRecord[] => [
    order(0, 'R', 'N', undefined, 0, SNAP, ms),
    order(0, 'A', 'B', 100, 1, SNAP, ms),
    order(0, 'A', 'A', 100.25, 2, SNAP | LAST, ms),
  ];

  test('blocks a new order but not a closing one until a snapshot rebuilds the book', async () => {
    // Contiguous numbering: 10, 11, then 13 (12 lost), then a snapshot.
    const records = [
      ...snapshot(0),
      order(10, 'A', 'B', 99.75, 3, LAST, 1),
      order(11, 'C', 'B', 99.75, 3, LAST, 2),
      order(13, 'A', 'B', 99.5, 4, LAST, 3),
      ...snapshot(4),
    ];
    const batch = await batchOf(records, 'mbo');
    const health = new FeedHealth({ sequence: 'contiguous' });
    const books = new BookSet();
    const risk = new RiskEngine({
      maxOrderSize: 5,
      maxPosition: 10,
      maxGrossPosition: 10,
      maxOrdersPerMinute: 1_000,
      dailyLossLimit: 1_000,
      maxDrawdown: 1_000,
      staleAfterNs: 1_000_000_000n,
      maxSpreadTicks: 4,
    });
    // After each live record and after each snapshot: [a buy of 1 from flat, a sell of 1 from long 2].
    const outcomes: [string, string][] = [];
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      const book = books.apply(c);
      health.update(c, book);
      if ((c.flags & LAST) === 0 || book === null) continue;
      const ctx = {
        nowNs: c.tsRecv,
        grossPosition: 0,
        dayPnl: 0,
        lastDataNs: c.tsRecv,
        bidPx: book.bestBidPx,
        askPx: book.bestAskPx,
        tickRaw: px(0.25),
        dataUntrusted: health.whyUntrusted(5602),
      };
      const open = risk.check('buy', 1, { ...ctx, position: 0 });
      const close = risk.check('sell', 1, { ...ctx, position: 2, grossPosition: 2 });
      outcomes.push([open?.message ?? 'ok', close?.message ?? 'ok']);
    }
    assert.deepEqual(outcomes, [
      ['ok', 'ok'], // snapshot
      ['ok', 'ok'], // 10
      ['ok', 'ok'], // 11
      ['DATA_UNTRUSTED: gap: sequence 13 after 11, expected 12', 'ok'], // 13
      ['ok', 'ok'], // the snapshot rebuilt the book
    ]);
  });
});

describe('the trader with a feed-health monitor', () => {
  const ID = SIX_E_MBP.instrumentId;

  function setup(entry: 'market' | 'limit' = 'market') {
    const health = new FeedHealth(feedHealthOptions(DEFAULT_EXECUTION_CONFIG));
    const t = paperTrader({
      instruments: [{ instrumentId: ID, symbol: SIX_E_MBP.symbol }],
      config: executionConfig({
        entry: { type: entry },
        paper: { latency: { entryMs: 0, modifyMs: 0, cancelMs: 0, ackMs: 0 } },
      }),
      runId: 'test',
      dataTrust: (id) => health.whyUntrusted(id),
    });
    // The monitor sees each record before the trader does, and both before the step's action.
    const target = {
      before: (c: Parameters<typeof t.before>[0]) => t.before(c),
      after: (c: Parameters<typeof t.before>[0], b: Parameters<typeof t.after>[1]) => {
        health.update(c, b);
        t.after(c, b);
      },
    };
    return { t, target };
  }

  /** The 6E book (1.085 / 1.08505, or as given) `ms` after T0, with `flags`. */
  const book = (ms: number, then?: Step['then'], flags = LAST, bid = 1.085, ask = 1.08505): Step => ({
    record: mbp([[bid, 50, 5]], [[ask, 50, 5]], { t: ms * 1_000_000, flags }),
    then,
  });

  test('a bad book refuses an entry and an addition, lets the position close, and trades again once mended', async () => {
    const { t, target } = setup();
    const reasons: (string | undefined)[] = [];
    const act = (target: number) => (now: bigint) =>
      reasons.push(t.act({ instrumentId: ID, target }, now)?.reason ?? 'sent');
    await replayThrough(
      target,
      [
        book(0, act(2)), // long 2
        book(100),
        book(200, act(3), LAST | Flags.MAYBE_BAD_BOOK), // adding 1 is new risk: refused
        book(300, act(0), LAST | Flags.MAYBE_BAD_BOOK), // closing goes on
        book(400),
        book(500, act(1)), // the clean record carried the whole book: trusted again
        book(600),
      ],
      'mbp-10',
    );
    assert.deepEqual(reasons, ['sent', 'DATA_UNTRUSTED', 'sent', 'sent']);
    assert.match(
      t.journal.find((e) => e.kind === 'refused')?.detail ?? '',
      /^DATA_UNTRUSTED: maybe-bad-book: F_MAYBE_BAD_BOOK/,
    );
    // Long 2 closed at 300 ms, long 1 again from 500 ms.
    assert.equal(t.position(ID), 1);
  });

  test('a working entry is cancelled when the data goes untrusted', async () => {
    const { t, target } = setup('limit');
    await replayThrough(
      target,
      [
        // A limit buy joins the bid at 1.085, behind 50 lots: it rests.
        book(0, (now) => t.act({ instrumentId: ID, target: 1 }, now)),
        book(100),
        book(200, undefined, LAST | Flags.MAYBE_BAD_BOOK),
        book(300),
      ],
      'mbp-10',
    );
    assert.equal(t.broker.order('test-1')?.status, 'cancelled');
    assert.deepEqual(
      t.journal.map((e) => e.kind),
      ['bracket', 'untrusted'],
    );
    assert.equal(t.position(ID), 0);
  });

  test('a crossed book is never traded', async () => {
    const { t, target } = setup();
    const reasons: string[] = [];
    await replayThrough(
      target,
      [
        book(0),
        book(
          100,
          (now) => reasons.push(t.act({ instrumentId: ID, target: 1 }, now)?.reason ?? 'sent'),
          LAST,
          1.0851,
          1.08505,
        ),
        book(200),
      ],
      'mbp-10',
    );
    assert.deepEqual(reasons, ['DATA_UNTRUSTED']);
    assert.equal(t.orderCount, 0);
  });
});

describe('configuration', () => {
  test('risk.feed defaults, and a bad value named by its path', () => {
    assert.deepEqual(DEFAULT_EXECUTION_CONFIG.risk.feed, {
      sequence: 'channel',
      staleAfterMs: 5_000,
      requireSnapshot: true,
      crossedUntrusts: true,
    });
    assert.equal(
      executionConfig({ risk: { feed: { sequence: 'contiguous' } } }).risk.feed.sequence,
      'contiguous',
    );
    assert.throws(
      () => executionConfig({ risk: { feed: { sequence: 'gapless' as 'channel', staleAfterMs: 0 } } }),
      (e: Error) => /risk\.feed\.sequence/.test(e.message) && /risk\.feed\.staleAfterMs/.test(e.message),
    );
  });
});
