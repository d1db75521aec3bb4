import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { defineAnalyst } from './analyst.js';
import { agentsConfig } from './config.js';
import { analyzeSession, SESSION_ANALYST } from './session.js';

/** Wednesday 15 January 2025 (winter: New York UTC−5, Chicago UTC−6) at `h:m` UTC. */
const wed = (h: number, m: number) => Date.UTC(2025, 0, 15, h, m);

describe('session analyst', () => {
  it('raises nothing in the London–New York overlap (10:00 New York)', () => {
    const s = defineAnalyst(SESSION_ANALYST).analyze(inputAt(WED_OVERLAP_MS));
    assert.equal(s.evidence.session, 'overlap');
    assert.deepEqual(s.flags, []);
    assert.equal(s.confidence, 0);
    assert.equal(s.sizeScale, 1);
    // New York opened at 08:00, two hours ago.
    assert.equal(s.evidence.minutes_since_open, 120);
  });

  it('marks Saturday as session_closed', () => {
    // 18 January 2025 is a Saturday: outside the FX week, no centre open.
    const s = analyzeSession(inputAt(Date.UTC(2025, 0, 18, 15, 0)));
    assert.equal(s.evidence.session, 'closed');
    assert.ok(s.flags.includes('session_closed'));
    assert.equal(s.confidence, 1);
    assert.equal(s.sizeScale, 0);
  });

  it('marks 5 minutes either side of the 08:30 New York release', () => {
    // 13:32 UTC = 08:32 New York: inside [08:25, 08:35).
    assert.deepEqual(analyzeSession(inputAt(wed(13, 32))).flags, ['no_trade_window']);
    assert.deepEqual(analyzeSession(inputAt(wed(13, 25))).flags, ['no_trade_window']);
    // 08:40 is outside by default, inside with a 15-minute window.
    assert.deepEqual(analyzeSession(inputAt(wed(13, 40))).flags, []);
    const wide = agentsConfig({ session: { releaseWindowMinutes: 15 } }).session;
    assert.deepEqual(analyzeSession(inputAt(wed(13, 40)), wide).flags, ['no_trade_window']);
  });

  it('marks the CME reopen (17:00–17:05 CT) and the daily break with the minutes before it', () => {
    // 23:02 UTC = 17:02 CT: reopen window; 23:06 = 17:06 CT: tradable (Sydney session).
    assert.deepEqual(analyzeSession(inputAt(wed(23, 2))).flags, ['no_trade_window']);
    const after = analyzeSession(inputAt(wed(23, 6)));
    assert.deepEqual(after.flags, []);
    assert.equal(after.sizeScale, 0.75);
    // 21:57 UTC = 15:57 CT (before the break), 21:50 = 15:50 CT (not yet).
    assert.deepEqual(analyzeSession(inputAt(wed(21, 57))).flags, ['no_trade_window']);
    assert.deepEqual(analyzeSession(inputAt(wed(21, 50))).flags, []);
  });

  it('flags stale data older than 5 s', () => {
    const t = WED_OVERLAP_MS;
    assert.deepEqual(analyzeSession(inputAt(t, {}, { lastEventMs: t - 6_000 })).flags, ['stale_data']);
    assert.deepEqual(analyzeSession(inputAt(t, {}, { lastEventMs: t - 5_000 })).flags, []);
    assert.deepEqual(analyzeSession(inputAt(t, {}, { lastEventMs: Number.NaN })).flags, ['stale_data']);
  });
});
