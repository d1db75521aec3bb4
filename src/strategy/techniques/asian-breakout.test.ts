/**
 * Asian range (Tokyo open 00:00 UTC → London open) breakouts. London opens 08:00 UTC on GMT
 * (2026-03-10; 2026-10-26..30) and 07:00 UTC on BST (2026-04-01; 2026-10-23).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, flat, mkBar, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import { AsianRangeBreakout } from './asian-breakout.js';

/**
 * Asian bars on `date`: 00:00 spans 1.1010–1.1030, flat bars at 1.1020 every 20 minutes keep the
 * window covered (a range with a longer silence is partial and not traded), and one at `last`
 * reaches 1.1035.
 */
const asian = (date: string, last: string) => {
  const start = Date.parse(`${date}T00:00:00Z`);
  const end = Date.parse(`${date}T${last}:00Z`);
  const bars = [mkBar(`${date}T00:00:00Z`, 1.102, 1.103, 1.101, 1.102)];
  for (let t = start + 20 * 60_000; t < end; t += 20 * 60_000)
    bars.push(flat(new Date(t).toISOString(), 1.102));
  bars.push(mkBar(`${date}T${last}:00Z`, 1.1028, 1.1035, 1.1025, 1.1034));
  return bars;
};

describe('AsianRangeBreakout', () => {
  it('goes long on the first London bar closing above the Asian high (08:00 UTC, March 2026)', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [...asian('2026-03-10', '07:59'), flat('2026-03-10T08:00:00Z', 1.104)];
    const got = all(run(new AsianRangeBreakout(), ctx, bars));
    assert.equal(got.length, 1);
    // Range 1.1010–1.1035 (height 0.0025, mid 1.10225). Entry 1.1040; stop 1.10225; target 1.1060.
    const s = expectSetup(got[0], 'long', 1.104, 1.10225, 1.106);
    assert.equal(s.evidence.londonOpen, '2026-03-10T08:00:00.000Z');
  });

  it('does not fire on a bar just before the London open, even far outside the range', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    // 07:30 UTC is 07:30 GMT: still the Asian window; the bar widens the range instead.
    const bars = [...asian('2026-03-10', '07:00'), flat('2026-03-10T07:30:00Z', 1.105)];
    assert.equal(all(run(new AsianRangeBreakout(), ctx, bars)).length, 0);
    assert.equal(ctx.sessions.asian.high, 1.105);
  });

  it('fires at 07:30 UTC once London is on summer time (window ends 07:00 UTC)', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [...asian('2026-04-01', '06:59'), flat('2026-04-01T07:30:00Z', 1.1005)];
    const got = all(run(new AsianRangeBreakout(), ctx, bars));
    // Short: entry 1.1005; stop mid 1.10225; target 1.1010 − 0.0025 = 1.0985.
    expectSetup(got[0], 'short', 1.1005, 1.10225, 1.0985);
  });

  it('follows the October 2026 change: 07:30 UTC fires on Friday 23rd, not on Tuesday 27th', () => {
    const fri = mkCtx(new OpeningRangeTracker());
    assert.equal(
      all(
        run(new AsianRangeBreakout(), fri, [
          ...asian('2026-10-23', '06:59'),
          flat('2026-10-23T07:30:00Z', 1.104),
        ]),
      ).length,
      1,
    );
    const tue = mkCtx(new OpeningRangeTracker());
    assert.equal(
      all(
        run(new AsianRangeBreakout(), tue, [
          ...asian('2026-10-27', '06:59'),
          flat('2026-10-27T07:15:00Z', 1.102),
          flat('2026-10-27T07:30:00Z', 1.104),
        ]),
      ).length,
      0,
    );
    const got = all(run(new AsianRangeBreakout(), tue, [flat('2026-10-27T08:00:00Z', 1.1045)]));
    // Range now 1.1010–1.1040 (the 07:30 bar joined it): entry 1.1045, stop 1.1025, target 1.1070.
    expectSetup(got[0], 'long', 1.1045, 1.1025, 1.107);
  });

  it('ignores breakouts after the window, narrow ranges, and repeats', () => {
    const late = mkCtx(new OpeningRangeTracker());
    assert.equal(
      all(
        run(new AsianRangeBreakout(), late, [
          ...asian('2026-03-10', '07:59'),
          flat('2026-03-10T10:00:00Z', 1.104),
        ]),
      ).length,
      0,
    );
    const narrow = mkCtx(new OpeningRangeTracker());
    const nb = [
      flat('2026-03-10T00:00:00Z', 1.102),
      mkBar('2026-03-10T07:59:00Z', 1.102, 1.1023, 1.102, 1.1021),
      flat('2026-03-10T08:00:00Z', 1.103),
    ];
    assert.equal(all(run(new AsianRangeBreakout(), narrow, nb)).length, 0); // 3 ticks < 4
    const rep = mkCtx(new OpeningRangeTracker());
    const rb = [
      ...asian('2026-03-10', '07:59'),
      flat('2026-03-10T08:00:00Z', 1.104),
      flat('2026-03-10T08:01:00Z', 1.1042),
    ];
    assert.equal(all(run(new AsianRangeBreakout(), rep, rb)).length, 1);
  });
});
