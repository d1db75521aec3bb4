/**
 * The dispatcher on hand-made deliveries: which it hands to the handler, which it acknowledges
 * without calling it, which it sends back, and with what delay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../core/index.js';
import { type Delivery, Dispatcher } from './dispatch.js';

/** A delivery that records its answer into `answers` as `ack <seq>` or `nak <seq> <delay>`. */
function delivery(answers: string[], subject: string, seq: number, redelivered = false): Delivery {
  return {
    subject,
    seq,
    redelivered,
    storedMs: 0,
    data: new Uint8Array(),
    ack: () => answers.push(`ack ${seq}`),
    nak: (ms) => answers.push(`nak ${seq} ${ms}`),
  };
}

test('a failed message keeps the later ones of its subject waiting, and only those, until it is handled', async () => {
  const answers: string[] = [];
  const calls: number[] = [];
  let fail = true;
  const d = new Dispatcher(
    'x',
    (m) => {
      calls.push(m.seq);
      if (m.seq === 1 && fail) {
        fail = false;
        throw new Error('no');
      }
    },
    250,
    silentLogger(),
  );
  await d.dispatch(delivery(answers, 'a', 1)); // fails: sent back for 250 ms
  await d.dispatch(delivery(answers, 'a', 2)); // waits here, unanswered: a.1 comes first
  assert.equal(d.waiting, 1);
  await d.dispatch(delivery(answers, 'b', 3)); // another subject: handled at once
  await d.dispatch(delivery(answers, 'a', 2, true)); // a copy (its ack wait ran out): replaces the waiting one
  assert.equal(d.waiting, 1);
  await d.dispatch(delivery(answers, 'a', 1, true)); // the redelivery: handled, then a.2's turn
  assert.equal(d.waiting, 0);
  await d.dispatch(delivery(answers, 'a', 2, true)); // yet another copy: already handled
  assert.deepEqual(calls, [1, 3, 1, 2]);
  assert.deepEqual(answers, ['nak 1 250', 'ack 3', 'ack 1', 'ack 2', 'ack 2']);
  assert.deepEqual({ ...d.stats }, { handled: 3, failed: 1, duplicates: 1, held: 2 });
});

test('a message that comes back after later ones of its subject were handled is still handled', async () => {
  // Handed to a consumer that died, it returns after its ack wait; a high-water mark would drop it.
  const answers: string[] = [];
  const calls: number[] = [];
  const d = new Dispatcher('x', (m) => void calls.push(m.seq), 0, silentLogger());
  await d.dispatch(delivery(answers, 'a', 5));
  await d.dispatch(delivery(answers, 'a', 3, true));
  assert.deepEqual(calls, [5, 3]);
  assert.deepEqual(answers, ['ack 5', 'ack 3']);
});

test('after a consumer died, messages above the barrier go back until the ack floor reaches it', async () => {
  const answers: string[] = [];
  const calls: number[] = [];
  const floors = [8, 10];
  const d = new Dispatcher('x', (m) => void calls.push(m.seq), 100, silentLogger());
  // Delivered up to 10 before; 9 and 10 went to the dead consumer and are unacknowledged.
  d.holdAfter(10, async () => floors.shift()!);
  await d.dispatch(delivery(answers, 'a', 11)); // floor 8 < 10: back, for at least a second
  await d.dispatch(delivery(answers, 'a', 9, true)); // the dead consumer's: handled
  await d.dispatch(delivery(answers, 'a', 10, true));
  await new Promise((r) => setTimeout(r, 60)); // the floor is read at most every 50 ms
  await d.dispatch(delivery(answers, 'a', 11, true)); // floor 10: its turn
  await d.dispatch(delivery(answers, 'a', 12));
  assert.deepEqual(calls, [9, 10, 11, 12]);
  assert.deepEqual(answers, ['nak 11 1000', 'ack 9', 'ack 10', 'ack 11', 'ack 12']);
});

test('a redelivery of a message already handled is acknowledged without calling the handler', async () => {
  const answers: string[] = [];
  const calls: number[] = [];
  const d = new Dispatcher('x', (m) => void calls.push(m.seq), 0, silentLogger());
  await d.dispatch(delivery(answers, 'a', 5));
  await d.dispatch(delivery(answers, 'a', 6));
  await d.dispatch(delivery(answers, 'a', 5, true)); // its ack was lost
  await d.dispatch(delivery(answers, 'b', 4, true)); // another subject has its own history
  assert.deepEqual(calls, [5, 6, 4]);
  assert.deepEqual(answers, ['ack 5', 'ack 6', 'ack 5', 'ack 4']);
  assert.equal(d.stats.duplicates, 1);
});

test('an answer after the bus gave up on the handler is not sent', async () => {
  const answers: string[] = [];
  let live = true;
  const d = new Dispatcher(
    'x',
    () => {
      live = false;
    },
    0,
    silentLogger(),
  );
  await d.dispatch(delivery(answers, 'a', 1), () => live);
  assert.deepEqual(answers, []);
});
