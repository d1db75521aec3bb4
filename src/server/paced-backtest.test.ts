/**
 * A backtest watched at a pace is the backtest: on a simulated half hour of 6E its fills are, to
 * the byte of fills.csv, those of `runBacktest` on the same files and setup, whether it runs as
 * fast as it reads or paced at 900 times real time (which then takes at least the 2 s that half
 * hour is worth); at its end it says so. Pulling the kill switch makes it depart, and it says that.
 * With a decision latency, a decision the page first saw approved is sent again once the trader
 * acted on it, and replaces the first in the timeline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { fillsCsv, runBacktest } from '../backtest/index.js';
import { ReplayClock } from '../runtime/index.js';
import { applyUpdate } from './apply.js';
import { backtestReplay, PacedBacktest } from './paced-backtest.js';
import type { DashboardState, DecisionView } from './protocol.js';
import { SessionModel } from './session-model.js';

const FROM = '2026-11-24T14:00:00Z';

describe('a backtest watched at a pace', () => {
  const span = simulatedSpan({ seed: 13, spot: false, from: FROM, minutes: 30, prefix: 'paced-bt-' });
  const files = () => [span.day.files.mbp10, span.day.files.trades];

  test('its fills are the backtest’s, unpaced and paced; it says so at the end', async () => {
    const finished = await runBacktest(files(), ofiSetup);
    const expected = fillsCsv(finished.trader);
    assert.ok(finished.trader.fills.length >= 4, `${finished.trader.fills.length} fills in the backtest`);
    const open = backtestReplay(files(), () => ofiSetup, expected);

    const fast = open({ speed: 0, held: false, seekMs: null, signal: new AbortController().signal });
    assert.match(await fast.done, /the same as its fills\.csv/);
    assert.equal(fillsCsv(fast.session.trader), expected);

    const t0 = performance.now();
    const paced = open({ speed: 900, held: false, seekMs: null, signal: new AbortController().signal });
    assert.match(await paced.done, /the same as its fills\.csv/);
    const wallMs = performance.now() - t0;
    // 30 minutes of market at 900x is 2 s of wall time at least (grid seconds are held back).
    assert.ok(wallMs >= 1_900, `${wallMs.toFixed(0)} ms for 30 minutes at 900x`);
    assert.equal(fillsCsv(paced.session.trader), expected);
    assert.equal(paced.session.loop.decisions.length, finished.decisions.length);
  });

  test('the kill switch makes the run depart from the backtest, and a stop rejects', async () => {
    const finished = await runBacktest(files(), ofiSetup);
    const open = backtestReplay(files(), () => ofiSetup, fillsCsv(finished.trader));
    const run = open({ speed: 0, held: false, seekMs: null, signal: new AbortController().signal });
    run.session.kill('test');
    assert.match(await run.done, /the kill switch made it depart from the finished one/);
    assert.equal(run.session.trader.fills.length, 0, 'killed before the first record: nothing traded');

    const stop = new AbortController();
    const stopped = open({ speed: 1, held: false, seekMs: null, signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    await assert.rejects(stopped.done);
  });

  test('with a decision latency, an approved decision comes again, traded, and replaces itself', async () => {
    const setup = { ...ofiSetup, loop: { ...ofiSetup.loop, decisionLatencyMs: 90_000 } };
    let model: SessionModel | null = null;
    const updates: NonNullable<ReturnType<SessionModel['sample']>>[] = [];
    const sample = () => {
      const u = model?.sample();
      if (u != null) updates.push(u);
    };
    const run = new PacedBacktest(
      files(),
      { ...setup, onDecision: () => sample() },
      new ReplayClock(0),
      new AbortController().signal,
    );
    model = new SessionModel({
      session: run,
      view: () => ({
        mode: 'backtest',
        name: 't',
        speed: 0,
        held: false,
        range: null,
        controls: false,
        ended: null,
      }),
    });
    const first = model.snapshot().state;
    await run.run();
    sample();
    let state: DashboardState = first;
    const seen = new Map<string, string[]>();
    for (const u of updates) {
      state = applyUpdate(state, u);
      for (const d of u.decisions) seen.set(d.id, [...(seen.get(d.id) ?? []), d.outcome]);
    }
    assert.deepEqual(state, model.snapshot().state);
    const again = [...seen.values()].filter((o) => o.length > 1);
    assert.ok(again.length > 0, 'a decision sent twice');
    for (const o of again) {
      assert.equal(o[0], 'approved');
      assert.match(o[1], /^(traded|refused by risk|held)/);
    }
    // Each decision once in the timeline, with the trader's last word on it.
    const ids = state.decisions.map((d: DecisionView) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const d of state.decisions) {
      const fate = run.trader.fateOf(d.id);
      if (fate?.kind === 'sent') assert.equal(d.outcome, `traded: order ${fate.clientId}`);
    }
  });
});
