/**
 * A replay under the dashboard's controls, on a simulated half hour of 6E paced at real time: a
 * seek forward gets there in seconds instead of minutes and the clock paces again from there; a
 * seek back starts a new session from the first record (a new model the server will send as a
 * snapshot), whose decisions up to the time sought are those the first run took; a hold stops the
 * clock and a new pace moves it that many times faster; a time outside the files is refused;
 * controls arriving together are taken one after another, a pause survives a seek back, and a
 * closed replay takes no control.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { until } from '../../test/until.js';
import { TradingSession } from '../runtime/index.js';
import { fileReplay, ReplayBackend, replayRange } from './replay.js';
import { ControlRefused } from './source.js';

const FROM = '2026-11-24T14:00:00Z';
const fromMs = Date.parse(FROM);

describe('replay under the dashboard', () => {
  const span = simulatedSpan({ seed: 13, spot: false, from: FROM, minutes: 30, prefix: 'replay-' });
  let backend: ReplayBackend | null = null;
  after(async () => {
    await backend?.close();
  });

  test('seek forward and back, hold, pace, and a time outside the files', async () => {
    const sessions: TradingSession[] = [];
    const files = [span.day.files.mbp10, span.day.files.trades];
    backend = ReplayBackend.start({
      mode: 'replay',
      range: await replayRange(files),
      speed: 1,
      name: 'test',
      controls: true,
      open: fileReplay(files, (feed) => {
        const s = new TradingSession({ setup: ofiSetup, feed });
        sessions.push(s);
        return s;
      }),
    });
    const b = backend;
    const now = () => {
      b.model().sample();
      return b.model().snapshot().state.session.nowMs ?? Number.NaN;
    };
    await until(() => now() >= fromMs, 'the first record', 30_000);
    const range = b.model().snapshot().state.session.range;
    assert.ok(
      range !== null && range.fromMs <= fromMs && range.toMs >= fromMs + 30 * 60_000,
      JSON.stringify(range),
    );

    // Forward: 20 minutes of market at 1x would take 20 minutes.
    const first = b.model();
    const ahead = fromMs + 20 * 60_000;
    const t0 = Date.now();
    assert.match((await b.control({ action: 'seek', value: ahead })).message, /running ahead/);
    await until(() => now() >= ahead, 'the time sought', 30_000);
    assert.ok(Date.now() - t0 < 25_000, `${Date.now() - t0} ms to run 20 minutes ahead`);
    assert.equal(b.model(), first, 'forward is the same session');
    // Paced again: a second of wall is about a second of market.
    const n1 = now();
    await new Promise((r) => setTimeout(r, 1_000));
    const paced = now() - n1;
    assert.ok(paced > 500 && paced < 5_000, `${paced} ms of market in a second at 1x`);

    // Hold, then pace at 120x.
    await b.control({ action: 'hold' });
    const h = now();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(now(), h);
    assert.equal(b.model().snapshot().state.session.held, true);
    await b.control({ action: 'speed', value: 120 });
    await b.control({ action: 'play' });
    const p0 = now();
    await new Promise((r) => setTimeout(r, 1_000));
    const fast = now() - p0;
    assert.ok(fast > 60_000 && fast < 240_000, `${fast} ms of market in a second at 120x`);

    // Back: a new session from the first record, run ahead to 5 minutes in.
    const back = fromMs + 5 * 60_000;
    assert.match((await b.control({ action: 'seek', value: back })).message, /started again/);
    assert.notEqual(b.model(), first);
    assert.equal(sessions.length, 2);
    await until(() => now() >= back, 'the time sought again', 30_000);
    // The first run went through those 5 minutes unpaced too: the same decisions.
    const key = (s: { loop: TradingSession['loop'] }) =>
      s.loop.decisions
        .filter((d) => d.trigger.tMs < back)
        .map((d) => `${d.trigger.kind}@${d.trigger.tMs}:${d.approval.direction}:${d.approval.size}`);
    assert.ok(key(sessions[0]).length > 0, 'decisions in the first five minutes');
    assert.deepEqual(key(sessions[1]), key(sessions[0]));
    first.sample();
    assert.equal(first.snapshot().state.session.ended, 'replay stopped');

    await assert.rejects(b.control({ action: 'seek', value: fromMs - 3_600_000 }), ControlRefused);

    // Paused, then two seeks back at once: one after the other, the pause kept, no run left behind.
    await b.control({ action: 'speed', value: 1 });
    await b.control({ action: 'pause' });
    const before = sessions.length;
    const answers = await Promise.all([
      b.control({ action: 'seek', value: fromMs + 60_000 }),
      b.control({ action: 'seek', value: fromMs + 30_000 }),
    ]);
    // The first starts the replay again; the second finds the new run before its first record, so
    // sends it ahead to its own time rather than starting yet another.
    assert.equal(sessions.length, before + 1);
    assert.match(answers[0].message, /started again.*trading still paused/);
    assert.match(answers[1].message, /running ahead/);
    await until(() => now() >= fromMs + 30_000, 'the second time sought', 30_000);
    assert.ok(now() < fromMs + 60_000, 'the second seek replaced the first');
    assert.notEqual(b.session.trader.risk.paused, null);
    assert.equal(b.session, sessions[sessions.length - 1]);
    await b.close();
    backend = null;
    await assert.rejects(b.control({ action: 'hold' }), /closed/);
  });
});
