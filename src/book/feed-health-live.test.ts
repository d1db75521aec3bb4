import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, mbo, mbp, T0 } from '../../test/book.js';
import type { LiveEvent } from '../data/databento/index.js';
import { Flags } from '../data/dbn/index.js';
import { FeedHealth } from './feed-health.js';
import { followLive } from './feed-health-live.js';

const MBO_ID = 5602;
const MBP_ID = 5482;

/** A monitor that trusts an MBO instrument (after a snapshot) and an MBP-10 one. */
async function trustedPair(): Promise<FeedHealth> {
  const h = new FeedHealth();
  const snap = Flags.SNAPSHOT;
  const l3 = await batchOf(
    [
      mbo({ action: 'R', flags: snap }),
      mbo({ action: 'A', side: 'B', price: 100, size: 1, id: 1, flags: snap }),
      mbo({ action: 'A', side: 'A', price: 100.25, size: 1, id: 2, flags: snap | Flags.LAST }),
    ],
    'mbo',
  );
  for (let i = 0; i < l3.count; i++) h.update(l3.at(i));
  h.update((await batchOf([mbp([[100, 1, 1]], [[100.25, 1, 1]])], 'mbp-10')).at(0));
  assert.ok(h.allTrusted);
  return h;
}

const dropped: LiveEvent = { type: 'disconnected', reason: 'no byte for 65 s' };
const gap = (...recovery: ('replay' | 'snapshot' | 'live')[]): LiveEvent => ({
  type: 'gap',
  from: T0,
  to: T0 + 70_000_000_000n,
  reason: 'no byte for 65 s',
  recovery,
});
const slow = (code: number | null, message: string): LiveEvent => ({
  type: 'system',
  code,
  message,
  tsEvent: T0,
  bytes: new Uint8Array(0),
});

test('a drop untrusts everything; a replayed subscription is mended, a live one waits for its book', async () => {
  const h = await trustedPair();
  followLive(h, dropped, T0);
  assert.deepEqual([h.reasons(MBO_ID), h.reasons(MBP_ID)], [['link'], ['link']]);
  // Subscription 0 holds the MBO instrument and came back as a replay; 1 came back live.
  const instrumentsOf = (sub: number) => [[MBO_ID], [MBP_ID]][sub];
  followLive(h, gap('replay', 'live'), T0, { instrumentsOf });
  assert.ok(h.trusted(MBO_ID));
  assert.deepEqual(h.reasons(MBP_ID), ['link']);
});

test("without the subscriptions' instruments only an all-replay recovery mends", async () => {
  const h = await trustedPair();
  followLive(h, dropped, T0);
  followLive(h, gap('replay', 'snapshot'), T0);
  assert.equal(h.allTrusted, false);
  followLive(h, gap('replay', 'replay'), T0);
  assert.ok(h.allTrusted);
});

test('a slow-reader warning means lost records only when the gateway skips them', async () => {
  const h = await trustedPair();
  followLive(h, slow(2, 'Warning: slow reading detected on dataset GLBX.MDP3'), T0);
  assert.ok(h.allTrusted, 'warn: late, not lost (the stale check sees lateness)');
  followLive(h, slow(0, 'Heartbeat'), T0, { slowReaderSkips: true });
  followLive(h, slow(1, 'Subscription request 0 for mbp-10 data succeeded'), T0, { slowReaderSkips: true });
  assert.ok(h.allTrusted);
  followLive(h, slow(null, 'Warning: slow reading detected on dataset GLBX.MDP3'), T0, {
    slowReaderSkips: true,
  });
  assert.deepEqual(h.reasons(MBP_ID), ['link']);
  assert.match(h.whyUntrusted(MBO_ID) ?? '', /^link: live link: records skipped for a slow reader/);
});
