/**
 * The feed-health monitor on hand-made streams (built with our encoder, read back with our
 * decoder, applied to a `BookSet` as the engine does) and on the real ES MBO fixture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { batchOf, type MboSpec, mbo, mbp, T0 } from '../../test/book.js';
import { fixture } from '../../test/fixtures.js';
import { DbnDecoder, type DbnRecord, Flags, type MboRecord, type MbpRecord } from '../data/dbn/index.js';
import { BookSet } from './book-set.js';
import { FeedHealth, type FeedHealthEvent, type FeedHealthOptions } from './feed-health.js';

const MBO_ID = 5602;
const MBP_ID = 5482;
const MS = 1_000_000n;
const SNAP = Flags.SNAPSHOT;
const LAST = Flags.LAST;
const BAD = Flags.MAYBE_BAD_BOOK;

/** An MBO record of instrument 5602 with its sequence, `ms` after T0 (ts_recv 1 µs later). */
function order(
  seq: number,
  action: MboSpec['action'],
  side: 'B' | 'A' | 'N',
  price: number | undefined,
  id: number,
  flags = LAST,
  ms = 0,
): MboRecord {
  return {
    ...mbo({ action, side, price, size: 5, id, flags, t: ms * 1_000_000 }),
    sequence: seq,
  };
}

/** A snapshot: clear, a bid at 100 and an ask at 100.25, the last add with F_LAST. */
function snapshot(ms: number, flags = 0): MboRecord[] {
  return [
    order(0, 'R', 'N', undefined, 0, SNAP | flags, ms),
    order(0, 'A', 'B', 100, 1, SNAP | flags, ms),
    order(0, 'A', 'A', 100.25, 2, SNAP | LAST | flags, ms),
  ];
}

/** An MBP-10 record of instrument 5482 (best bid / ask), `ms` after T0, with its sequence. */
function level(seq: number, bid: number, ask: number, flags = LAST, ms = 0): MbpRecord {
  return { ...mbp([[bid, 10, 2]], [[ask, 10, 2]], { flags, t: ms * 1_000_000 }), sequence: seq };
}

/** Runs records through a `BookSet` and a monitor; `after(i)` runs after record i. */
async function run(
  records: readonly DbnRecord[],
  opts: FeedHealthOptions = {},
  after?: (i: number, h: FeedHealth) => void,
): Promise<{ h: FeedHealth; events: FeedHealthEvent[] }> {
  const events: FeedHealthEvent[] = [];
  const h = new FeedHealth({ ...opts, onEvent: (e) => events.push(e) });
  const books = new BookSet();
  const batch = await batchOf(records, records[0].hd.rtype === 0xa0 ? 'mbo' : 'mbp-10');
  for (let i = 0; i < batch.count; i++) {
    const c = batch.at(i);
    h.update(c, books.apply(c));
    after?.(i, h);
  }
  return { h, events };
}

/** Events as short strings: `untrusted gap 12/13`, `trusted`, `out-of-order ts_recv`. */
function brief(events: readonly FeedHealthEvent[]): string[] {
  return events.map((e) => {
    if (e.kind === 'untrusted')
      return `untrusted ${e.reason}${e.expected === undefined ? '' : ` ${e.expected}/${e.got}`}`;
    if (e.kind === 'trusted') return 'trusted';
    return `out-of-order ${e.field}`;
  });
}

describe('sequence gaps and snapshots (MBO)', () => {
  // A snapshot, then live records numbered 10, 11, 13 (12 is missing), 14, a second snapshot and
  // a live record numbered 20.
  const records = [
    ...snapshot(0),
    order(10, 'A', 'B', 99.75, 3, LAST, 1),
    order(11, 'C', 'B', 99.75, 3, LAST, 2),
    order(13, 'A', 'B', 99.5, 4, LAST, 3),
    order(14, 'A', 'A', 100.5, 5, LAST, 4),
    ...snapshot(5),
    order(20, 'A', 'B', 99.5, 6, LAST, 6),
  ];

  test('contiguous numbering: a jump marks a gap, live records do not mend it, a fresh snapshot does', async () => {
    const trust: boolean[] = [];
    const { h, events } = await run(records, { sequence: 'contiguous' }, (_, h) =>
      trust.push(h.trusted(MBO_ID)),
    );
    // Untrusted until the first snapshot's F_LAST add (record 2); 13 after 11 at record 5 is a gap
    // (12 expected) that record 6 does not mend; the snapshot of records 7–9 does; 20 after a
    // snapshot starts a new count.
    assert.deepEqual(trust, [false, false, true, true, true, false, false, false, false, true, true]);
    assert.deepEqual(brief(events), ['trusted', 'untrusted gap 12/13', 'trusted']);
    const counts = h.counts(MBO_ID);
    assert.equal(counts.gaps, 1);
    assert.equal(counts.rebuilds, 1);
    assert.equal(counts.untrustedEpisodes, 1);
    assert.deepEqual(h.totals, counts);
  });

  test('why it is untrusted names the reason and the numbers', async () => {
    let why: string | null = null;
    await run(records, { sequence: 'contiguous' }, (i, h) => {
      if (i === 5) why = h.whyUntrusted(MBO_ID);
    });
    assert.equal(why, 'gap: sequence 13 after 11, expected 12');
  });

  test('channel numbering (the default): a jump is no gap, a step back is a reordering', async () => {
    const quiet = await run(records);
    // Trusted once, at the first snapshot; the second finds nothing to mend.
    assert.deepEqual(brief(quiet.events), ['trusted']);
    assert.equal(quiet.h.totals.gaps, 0);
    // 13 then 12: a message numbered before one already applied.
    const back = [...records.slice(0, 6), order(12, 'C', 'B', 99.5, 4, LAST, 4), ...records.slice(7)];
    const { h, events } = await run(back);
    assert.deepEqual(brief(events), ['trusted', 'untrusted reordered 13/12', 'trusted']);
    assert.equal(h.totals.reordered, 1);
  });

  test('records of one message share a number: no gap under either rule', async () => {
    const shared = [
      ...snapshot(0),
      order(10, 'T', 'A', 100, 0, 0, 1),
      order(10, 'F', 'B', 100, 1, 0, 1),
      order(10, 'C', 'B', 100, 1, LAST, 1),
      order(11, 'A', 'B', 100, 7, LAST, 2),
    ];
    for (const sequence of ['channel', 'contiguous'] as const) {
      const { h } = await run(shared, { sequence });
      assert.equal(h.totals.gaps + h.totals.reordered, 0, sequence);
      assert.ok(h.trusted(MBO_ID), sequence);
    }
  });

  test('a clear, or an hour without records, starts a new count', async () => {
    const restart = [
      ...snapshot(0),
      order(500, 'A', 'B', 99.75, 3, LAST, 1),
      // A clear numbered 3 starts a new count: 3, 4.
      order(3, 'R', 'N', undefined, 0, LAST, 2),
      order(4, 'A', 'B', 99.5, 4, LAST, 3),
      // 61 minutes later the venue numbers from 1 again.
      order(1, 'A', 'B', 99.5, 5, LAST, 3_660_004),
      order(2, 'A', 'B', 99.25, 6, LAST, 3_660_005),
    ];
    const { h } = await run(restart, { sequence: 'contiguous' });
    assert.equal(h.totals.reordered, 0);
    assert.ok(h.trusted(MBO_ID));
  });

  test('without requireSnapshot an MBO book is trusted from its first consistent state', async () => {
    const live = [order(1, 'A', 'B', 99.75, 3, 0, 1), order(1, 'A', 'A', 100, 4, LAST, 1)];
    const trust: boolean[] = [];
    await run(live, { requireSnapshot: false }, (_, h) => trust.push(h.trusted(MBO_ID)));
    assert.deepEqual(trust, [false, true]);
    const strict: boolean[] = [];
    await run(live, {}, (_, h) => strict.push(h.trusted(MBO_ID)));
    assert.deepEqual(strict, [false, false]);
  });
});

describe('F_MAYBE_BAD_BOOK', () => {
  test('MBO: untrusted until a clean snapshot; a snapshot carrying the flag does not count', async () => {
    const records = [
      ...snapshot(0),
      order(10, 'A', 'B', 99.75, 3, LAST | BAD, 1),
      order(11, 'A', 'B', 99.5, 4, LAST | BAD, 2),
      order(12, 'A', 'B', 99.25, 5, LAST, 3),
      ...snapshot(4, BAD),
      ...snapshot(5),
    ];
    const trust: boolean[] = [];
    const { h, events } = await run(records, {}, (_, h) => trust.push(h.trusted(MBO_ID)));
    assert.deepEqual(trust, [
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    assert.deepEqual(brief(events), ['trusted', 'untrusted maybe-bad-book', 'trusted']);
    // One episode, however many flagged records it has.
    assert.equal(h.totals.maybeBadBook, 1);
    assert.equal(h.totals.rebuilds, 1);
  });

  test('MBP-10: the next clean record with F_LAST carries the whole book and mends it', async () => {
    const records = [
      level(1, 100, 100.25),
      level(2, 100, 100.25, LAST | BAD, 1),
      level(3, 100, 100.5, 0, 2), // mid-event: the book is not consistent yet
      level(3, 100, 100.5, LAST, 2),
    ];
    const trust: boolean[] = [];
    const { h } = await run(records, {}, (_, h) => trust.push(h.trusted(MBP_ID)));
    assert.deepEqual(trust, [true, false, false, true]);
    assert.equal(h.totals.rebuilds, 1);
  });

  test('MBP-10 under contiguous numbering: a gap is reported and mended by the record that shows it', async () => {
    const { h, events } = await run([level(1, 100, 100.25), level(3, 100, 100.5, LAST, 1)], {
      sequence: 'contiguous',
    });
    assert.deepEqual(brief(events), ['trusted', 'untrusted gap 2/3', 'trusted']);
    assert.equal(h.totals.gaps, 1);
    assert.ok(h.trusted(MBP_ID));
  });
});

describe('out-of-order timestamps', () => {
  test('a ts_recv or ts_event earlier than the previous record is counted, and trust stays', async () => {
    const at = (seq: number, eventMs: number, recvMs: number, flags = LAST): MbpRecord => ({
      ...level(seq, 100, 100.25, flags, eventMs),
      ts_recv: T0 + BigInt(recvMs) * MS,
    });
    const records = [
      at(1, 0, 1),
      at(2, 2, 3),
      at(3, 1, 4), // ts_event 1 ms after 2 ms: the venue's order, reported
      at(4, 4, 2), // ts_recv 2 ms after 4 ms: ours, reported
      at(5, 5, 1, LAST | Flags.BAD_TS_RECV), // flagged inaccurate: not compared
      at(6, 6, 6),
    ];
    const { h, events } = await run(records);
    assert.deepEqual(brief(events), ['trusted', 'out-of-order ts_event', 'out-of-order ts_recv']);
    const ooo = events.filter((e) => e.kind === 'out-of-order');
    assert.deepEqual(
      ooo.map((e) => [e.previousNs - T0, e.gotNs - T0]),
      [
        [2n * MS, 1n * MS],
        [4n * MS, 2n * MS],
      ],
    );
    assert.equal(h.totals.outOfOrderEvent, 1);
    assert.equal(h.totals.outOfOrderRecv, 1);
    assert.ok(h.trusted(MBP_ID));
  });

  test("snapshot records, whose ts_event is each order's entry time, are not compared", async () => {
    const records = [
      order(1, 'A', 'B', 99, 9, LAST, 10),
      // The snapshot's adds entered the book long before the live record above.
      ...snapshot(0).map((r) => ({ ...r, ts_recv: T0 + 11n * MS })),
      order(2, 'A', 'B', 99.5, 3, LAST, 12),
    ];
    const { h } = await run(records);
    assert.equal(h.totals.outOfOrderEvent + h.totals.outOfOrderRecv, 0);
  });
});

describe('stale feed', () => {
  // T0 is Tuesday 2024-05-07 19:00 CDT: Globex is open.
  const s = 1_000_000_000n;

  test('no record for more than staleAfterMs while Globex is open; the next record ends it', async () => {
    const events: FeedHealthEvent[] = [];
    const h = new FeedHealth({ staleAfterMs: 5_000, onEvent: (e) => events.push(e) });
    const batch = await batchOf([level(1, 100, 100.25), level(2, 100, 100.25, LAST, 7_000)], 'mbp-10');
    h.check(T0);
    h.update(batch.at(0)); // ts_recv T0 + 1 µs
    h.check(T0 + 5n * s); // silent 5 s − 1 µs
    assert.ok(h.trusted(MBP_ID));
    h.check(T0 + 6n * s); // silent 6 s − 1 µs > 5 s
    assert.deepEqual(h.reasons(MBP_ID), ['stale']);
    assert.match(h.whyUntrusted(MBP_ID) ?? '', /^stale: no record for 6000 ms while the market is open/);
    h.check(T0 + 6500n * MS); // one episode
    h.update(batch.at(1)); // a record at T0 + 7 s
    assert.ok(h.trusted(MBP_ID));
    assert.deepEqual(brief(events), ['trusted', 'untrusted stale', 'trusted']);
    assert.equal(h.totals.staleEpisodes, 1);
  });

  test('never on a Saturday; from the Sunday open, silence counts from the open', async () => {
    // Friday 2024-05-10 15:59 CDT = 20:59 UTC: a record; then the weekend.
    const fri = 1_715_374_740_000n * MS;
    const h = new FeedHealth({ staleAfterMs: 5_000 });
    const rec = level(1, 100, 100.25);
    const batch = await batchOf([{ ...rec, hd: { ...rec.hd, ts_event: fri }, ts_recv: fri }], 'mbp-10');
    h.check(fri);
    h.update(batch.at(0));
    h.check(fri + 59n * s); // 15:59:59, silent 59 s: stale
    assert.deepEqual(h.reasons(MBP_ID), ['stale']);
    h.check(fri + 61n * s); // 16:00:01: Globex closed, the silence is expected
    assert.ok(h.trusted(MBP_ID));
    // Saturday 2024-05-11 12:00 CDT = 17:00 UTC, and an hour later.
    const sat = 1_715_446_800_000n * MS;
    h.check(sat);
    h.check(sat + 3600n * s);
    assert.ok(h.trusted(MBP_ID));
    // Sunday 2024-05-12 17:00 CDT = 22:00 UTC: open; 5 s later not yet stale, 6 s later stale.
    const sun = 1_715_551_200_000n * MS;
    h.check(sun);
    h.check(sun + 5n * s);
    assert.ok(h.trusted(MBP_ID));
    h.check(sun + 6n * s);
    assert.deepEqual(h.reasons(MBP_ID), ['stale']);
    assert.equal(h.totals.staleEpisodes, 2);
  });

  test('a watched instrument that never sends a record goes stale and stays unbuilt', () => {
    const h = new FeedHealth({ staleAfterMs: 2_000 });
    h.watch(42);
    h.check(T0);
    h.check(T0 + 3n * s);
    assert.deepEqual(h.reasons(42), ['unbuilt', 'stale']);
    assert.equal(h.allTrusted, false);
  });
});

describe('crossed books', () => {
  test('a crossed or locked consistent book untrusts until it uncrosses', async () => {
    const records = [
      level(1, 100, 100.25),
      level(2, 100.5, 100.25, 0, 1), // crossed, but mid-event
      level(3, 100.5, 100.25, LAST, 1), // crossed
      level(4, 100.25, 100.25, LAST, 2), // locked: still not tradable
      level(5, 100, 100.25, LAST, 3),
    ];
    const trust: boolean[] = [];
    const { h, events } = await run(records, {}, (_, h) => trust.push(h.trusted(MBP_ID)));
    assert.deepEqual(trust, [true, true, false, false, true]);
    assert.deepEqual(brief(events), ['trusted', 'untrusted crossed', 'trusted']);
    assert.equal(h.totals.crossedEpisodes, 1);
  });

  test('crossedUntrusts: false leaves crossing to the risk check', async () => {
    const { h } = await run([level(1, 100.5, 100.25)], { crossedUntrusts: false });
    assert.ok(h.trusted(MBP_ID));
  });
});

describe('the live link', () => {
  test('a drop untrusts every instrument; a replay mends it, a live restart waits for a rebuild', async () => {
    const { h } = await run([...snapshot(0)]);
    const mbpSide = await batchOf([level(1, 100, 100.25), level(2, 100, 100.25, LAST, 9)], 'mbp-10');
    h.update(mbpSide.at(0));
    assert.ok(h.allTrusted);
    h.disconnected(T0 + MS, 'dead link');
    assert.deepEqual([h.reasons(MBO_ID), h.reasons(MBP_ID)], [['link'], ['link']]);
    h.resumed(T0 + 2n * MS, 'replay');
    assert.ok(h.allTrusted);
    h.disconnected(T0 + 3n * MS, 'dead link');
    h.resumed(T0 + 4n * MS, 'live');
    h.update(mbpSide.at(1));
    // The MBP-10 record carried the whole book; the MBO book needs a snapshot.
    assert.ok(h.trusted(MBP_ID));
    assert.deepEqual(h.reasons(MBO_ID), ['link']);
    assert.equal(h.totals.linkDrops, 4);
  });
});

test('quotes from a feed without DBN records (IG): each shows the whole top of book', () => {
  const h = new FeedHealth({ sequence: 'none' });
  const EURUSD = 900_001;
  h.watch(EURUSD);
  assert.deepEqual(h.reasons(EURUSD), ['unbuilt']);
  h.quote(EURUSD, T0, 1.0849, 1.08496);
  assert.ok(h.trusted(EURUSD));
  h.quote(EURUSD, T0 + MS, 1.085, 1.085); // locked
  assert.deepEqual(h.reasons(EURUSD), ['crossed']);
  h.quote(EURUSD, T0 + 2n * MS, 1.0849, 1.08496);
  h.disconnected(T0 + 3n * MS, 'DISCONNECTED:TRYING-RECOVERY');
  assert.deepEqual(h.reasons(EURUSD), ['link']);
  h.quote(EURUSD, T0 + 4n * MS, 1.0849, 1.08496); // the first quote after the link came back
  assert.ok(h.trusted(EURUSD));
  const c = h.counts(EURUSD);
  assert.deepEqual([c.crossedEpisodes, c.linkDrops, c.rebuilds, c.untrustedEpisodes], [1, 1, 1, 2]);
});

test('bad options are named', () => {
  assert.throws(() => new FeedHealth({ staleAfterMs: 0 }), /staleAfterMs/);
  assert.throws(() => new FeedHealth({ sequence: 'gapless' as 'channel' }), /sequence/);
});

describe('real ES MBO data (GLBX.MDP3, two seconds after the UTC-midnight snapshot)', () => {
  interface Snapshot {
    index: number;
    sequence: number;
    bids: [string, number, number][];
    asks: [string, number, number][];
  }
  const dir = fixture('dbn-real');
  const file = `${dir}/glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst`;
  const ref = JSON.parse(
    readFileSync(`${dir}/glbx-mdp3-esm4-20240508T000000-000002.mbo.book.json`, 'utf8'),
  ) as {
    records: number;
    snapshots: Snapshot[];
  };

  async function replayFile(
    opts: FeedHealthOptions,
  ): Promise<{ h: FeedHealth; events: FeedHealthEvent[]; trustedAt: number[] }> {
    const events: FeedHealthEvent[] = [];
    const h = new FeedHealth({ ...opts, onEvent: (e) => events.push(e) });
    const books = new BookSet();
    const trustedAt: number[] = [];
    let i = 0;
    for await (const batch of DbnDecoder.fromFile(file)) {
      for (let k = 0; k < batch.count; k++, i++) {
        const c = batch.at(k);
        h.update(c, books.apply(c));
        if (ref.snapshots.some((s) => s.index === i) && h.trusted(MBO_ID)) trustedAt.push(i);
      }
    }
    assert.equal(i, ref.records);
    return { h, events, trustedAt };
  }

  test('trusted from the snapshot F_LAST add (record 13,600) to the end: no gap, no reordering, nothing out of order', async () => {
    const { h, events, trustedAt } = await replayFile({});
    // SOURCE.md: record 0 clears, 13,600 is the snapshot's last add; every reference state after
    // it (computed from every record, so none is missing) finds the data trusted.
    assert.deepEqual(
      events.map((e) => [e.kind, e.atNs]),
      [['trusted', 1_715_126_400_000_000_000n]],
    );
    assert.deepEqual(
      trustedAt,
      ref.snapshots.map((s) => s.index),
    );
    const t = h.totals;
    assert.deepEqual(
      [t.gaps, t.reordered, t.outOfOrderRecv, t.outOfOrderEvent, t.maybeBadBook, t.crossedEpisodes],
      [0, 0, 0, 0, 0, 0],
    );
  });

  test("its numbers skip other instruments' messages of the channel: a contiguous rule would see 5 false gaps", async () => {
    // The live records step by 2 after 11051061, 11051095, 11051099, 11051164 and 11051185: the
    // numbers between belong to messages of the channel's other instruments (ESM4 alone was
    // requested), while the reference book states, built from these records, show nothing lost.
    const { h, events } = await replayFile({ sequence: 'contiguous' });
    const gaps = events.filter((e) => e.kind === 'untrusted' && e.reason === 'gap');
    assert.deepEqual(
      gaps.map((e) => (e.kind === 'untrusted' ? e.got : 0)),
      [11051063, 11051097, 11051101, 11051166, 11051187],
    );
    assert.equal(h.totals.gaps, 5);
  });
});
