/**
 * A session's state across a restart, in process: a paper session with a state store trades a
 * simulated half hour until the kill switch is pulled; a session started again on the same store
 * starts with the switch on (and sends nothing), the same positions and fills, the client order
 * sequence after the first's, the order-rate window of the last minute, and the day's loss state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { openSqliteStore, stateStorePath } from '../infra/index.js';
import { FileFeed } from './file-feed.js';
import { resumeOf } from './journal.js';
import { TradingSession } from './session.js';

const MINUTE_NS = 60_000_000_000n;

describe('a session resumed from its store', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'journal-',
  });
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps the kill switch, the fills, the order sequence, the rate window and the day', async () => {
    const files = () => [span.day.files.mbp10, span.day.files.trades];
    const store = openSqliteStore(stateStorePath(dir));
    const ctl = new AbortController();
    let first: TradingSession | undefined;
    let killedAtNs = 0n;
    const feed = new FileFeed(files(), {
      speed: 0,
      signal: ctl.signal,
      onProgress: (lastNs) => {
        const s = first as TradingSession;
        if (killedAtNs === 0n && s.trader.fills.length >= 3) {
          s.kill('operator');
          killedAtNs = lastNs;
          ctl.abort();
        }
      },
    });
    first = new TradingSession({ setup: ofiSetup, feed, store, runId: 'paper' });
    await first.run(ctl.signal);
    assert.ok(killedAtNs > 0n, 'the first session traded and was killed');
    const sent = first.trader.orderCount;
    const fills = first.trader.fills.map((f) => [f.clientId, f.side, f.quantity, f.price]);
    const position = first.trader.portfolio.positions().map((p) => [p.instrumentId, p.quantity]);
    const feedNs = (await store.feedPosition('files')) as bigint;
    const day = first.trader.day;

    const resume = await resumeOf(store, {
      runId: 'paper',
      feed: 'files',
      nowNs: feedNs,
    });
    assert.equal(resume.trader.killed, true);
    assert.equal(resume.lastSequence, sent, 'the sequence is where the first session left it');
    assert.deepEqual(
      resume.trader.fills.map((f) => [f.clientId, f.side, f.quantity, f.price]),
      fills,
    );
    // The rate window: the orders sent in the minute before the feed position, no more.
    const recent = (await store.orderTimesSince(0n)).filter((t) => t > feedNs - MINUTE_NS);
    assert.deepEqual(resume.trader.sentNs, recent);
    assert.equal(resume.trader.day?.startEquity, day.startEquity);

    const second = new TradingSession({
      setup: ofiSetup,
      feed: new FileFeed(files(), { speed: 0, resumeNs: feedNs + 1n }),
      store,
      resume,
      runId: 'paper',
    });
    assert.equal(second.trader.risk.killed, true, 'the kill switch is still on');
    const { status } = await second.run();
    assert.equal(status.risk, 'killed');
    assert.equal(second.trader.orderCount, 0, 'nothing sent while killed');
    assert.ok(second.trader.journal.some((e) => e.kind === 'refused' && /KILL_SWITCH/.test(e.detail)));
    assert.deepEqual(
      second.trader.portfolio.positions().map((p) => [p.instrumentId, p.quantity]),
      position,
      'the same positions',
    );
    await store.close();
  });
});
