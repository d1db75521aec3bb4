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
    data: new Uint8Array(),
    ack: () => answers.push(`ack ${seq}`),
    nak: (ms) => answers.push(`nak ${seq} ${ms}`),
  };
}

test('a failed message holds back the later ones of its subject only, until it is handled', async () => {
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
  await d.dispatch(delivery(answers, 'a', 1));
  await d.dispatch(delivery(answers, 'a', 2)); // held: a.1 has not been handled
  await d.dispatch(delivery(answers, 'b', 3)); // another subject: handled
  await d.dispatch(delivery(answers, 'a', 2, true)); // still held
  await d.dispatch(delivery(answers, 'a', 1, true)); // the redelivery: handled
  await d.dispatch(delivery(answers, 'a', 2, true)); // now handled
  assert.deepEqual(calls, [1, 3, 1, 2]);
  assert.deepEqual(answers, ['nak 1 250', 'nak 2 250', 'ack 3', 'nak 2 250', 'ack 1', 'ack 2']);
  assert.deepEqual({ ...d.stats }, { handled: 3, failed: 1, duplicates: 0, held: 2 });
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
