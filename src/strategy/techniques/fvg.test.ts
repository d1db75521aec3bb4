/** Three-bar fair value gaps and their fills (tick 0.0001). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, mkBar, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import { techniquesConfig } from './config.js';
import { FairValueGap } from './fvg.js';

const t = (m: number) => `2026-03-10T10:${String(m).padStart(2, '0')}:00Z`;

/** A: high 1.1010; B: the impulse; C: low 1.1016 → bullish gap (1.1010, 1.1016), 6 ticks. */
const bullish = (cLow = 1.1016) => [
  mkBar(t(0), 1.1002, 1.101, 1.1, 1.1008),
  mkBar(t(1), 1.1008, 1.103, 1.1008, 1.1028),
  mkBar(t(2), 1.1028, 1.1035, cLow, 1.1033),
  mkBar(t(3), 1.1033, 1.104, 1.102, 1.1038), // no touch: low 1.1020 above the gap
];

describe('FairValueGap', () => {
  it('buys the first retrace into a bullish gap that holds its bottom', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const fvg = new FairValueGap();
    const got = all(run(fvg, ctx, [...bullish(), mkBar(t(4), 1.1025, 1.1026, 1.1014, 1.1021)]));
    assert.equal(got.length, 1);
    // Entry 1.1021; stop min(1.1014, 1.1010) − 1 tick = 1.1009; risk 0.0012; target 1.1021 + 0.0024 = 1.1045.
    const s = expectSetup(got[0], 'long', 1.1021, 1.1009, 1.1045);
    assert.equal(s.kind, 'fill');
    assert.equal(s.evidence.gapTop, 1.1016);
    assert.equal(s.evidence.gapBottom, 1.101);
    assert.equal(s.evidence.gapTime, '2026-03-10T10:02:00.000Z');
    assert.equal(fvg.openGaps, 0);
  });

  it('sells the retrace into a bearish gap', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      mkBar(t(0), 1.1, 1.1002, 1.099, 1.0992), // A low 1.0990
      mkBar(t(1), 1.0992, 1.0992, 1.097, 1.0972),
      mkBar(t(2), 1.0972, 1.0985, 1.0965, 1.0967), // C high 1.0985: gap (1.0985, 1.0990)
      mkBar(t(3), 1.0967, 1.098, 1.096, 1.0962),
      mkBar(t(4), 1.097, 1.0987, 1.0969, 1.0975),
    ];
    const got = all(run(new FairValueGap(), ctx, bars));
    // Entry 1.0975; stop max(1.0987, 1.0990) + 1 tick = 1.0991; risk 0.0016; target 1.0975 − 0.0032 = 1.0943.
    expectSetup(got[0], 'short', 1.0975, 1.0991, 1.0943);
  });

  it('ignores a one-tick gap, and a close through the gap invalidates it', () => {
    const small = all(
      run(new FairValueGap(), mkCtx(new OpeningRangeTracker()), [
        ...bullish(1.1011),
        mkBar(t(4), 1.1025, 1.1026, 1.1011, 1.1021),
      ]),
    );
    assert.equal(small.length, 0);
    const through = all(
      run(new FairValueGap(), mkCtx(new OpeningRangeTracker()), [
        ...bullish(),
        mkBar(t(4), 1.1025, 1.1026, 1.1005, 1.1008), // closes below 1.1010
        mkBar(t(5), 1.1008, 1.1015, 1.1006, 1.1013),
      ]),
    );
    assert.equal(through.length, 0);
  });

  it('expires gaps older than maxAgeBars', () => {
    const params = techniquesConfig({ fvg: { maxAgeBars: 2 } }).fvg;
    const got = all(
      run(new FairValueGap(params), mkCtx(new OpeningRangeTracker()), [
        ...bullish(),
        mkBar(t(4), 1.1035, 1.1036, 1.103, 1.1031),
        mkBar(t(5), 1.1025, 1.1026, 1.1014, 1.1021),
      ]),
    );
    assert.equal(got.length, 0);
  });
});
