/**
 * Opening ranges, Asian range, prior FX day and prior sessions from hand-built 1-minute bars.
 * Clock facts used (IANA zone database):
 * - 2026-03-08 US clocks go forward, 2026-03-29 Europe's: in 2026-03-09..13 New York is UTC−4 and
 *   London UTC+0, so New York opens 08:00 EDT = 12:00 UTC (13:00 UTC the week before).
 * - 2026-10-25 Europe's clocks go back, 2026-11-01 the US's: in 2026-10-26..30 London opens 08:00
 *   UTC, New York 12:00 UTC (London 07:00 UTC the week before; New York 13:00 UTC the week after).
 * - Tokyo 09:00 JST = 00:00 UTC all year; Sydney 07:00 AEDT = 20:00 UTC the day before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpeningRangeTracker } from './opening-range.js';
import { Bar } from './time-bars.js';

function bar(iso: string, o: number, h: number, l: number, c: number): Bar {
  const b = new Bar();
  b.reset(Date.parse(iso), 60_000);
  b.open = o;
  b.high = h;
  b.low = l;
  b.close = c;
  b.volume = 1;
  b.tradeCount = 1;
  return b;
}

/** One bar per minute from `startIso` for `n` minutes, each with the given high and low. */
function feedMinutes(t: OpeningRangeTracker, startIso: string, n: number, high: number, low: number): void {
  const t0 = Date.parse(startIso);
  for (let i = 0; i < n; i++) t.update(bar(new Date(t0 + i * 60_000).toISOString(), low, high, low, high));
}

const utc = (iso: string) => Date.parse(iso);

describe('OpeningRangeTracker: opening ranges', () => {
  it('New York opens at 12:00 UTC in the US-only summer-time week of March 2026', () => {
    const t = new OpeningRangeTracker();
    // 11:50–11:59: a spike to 1.1750 before the open must stay out of the range.
    feedMinutes(t, '2026-03-10T11:50:00Z', 10, 1.175, 1.16);
    feedMinutes(t, '2026-03-10T12:00:00Z', 10, 1.162, 1.1605);
    const ny = t.sessions.new_york;
    assert.equal(ny.date, '2026-03-10');
    assert.equal(ny.startMs, utc('2026-03-10T12:00:00Z'));
    assert.equal(ny.endMs, utc('2026-03-10T21:00:00Z'));
    assert.equal(ny.openingRange.state, 'forming');
    assert.equal(ny.openingRange.endMs, utc('2026-03-10T12:15:00Z'));
    // 12:10–12:14 widen the low to 1.1600; the 12:14 bar ends at 12:15 and completes the range.
    feedMinutes(t, '2026-03-10T12:10:00Z', 5, 1.161, 1.16);
    assert.equal(ny.openingRange.state, 'complete');
    assert.equal(ny.openingRange.high, 1.162);
    assert.equal(ny.openingRange.low, 1.16);
    assert.equal(ny.openingRange.bars, 15);
    // Later bars do not change a complete range.
    t.update(bar('2026-03-10T12:15:00Z', 1.17, 1.18, 1.15, 1.17));
    assert.equal(ny.openingRange.high, 1.162);
    assert.equal(ny.openingRange.low, 1.16);
    assert.equal(ny.phase, 'open');
    assert.equal(ny.high, 1.18);
  });

  it('New York opens at 13:00 UTC the week before (both sides on winter time)', () => {
    const t = new OpeningRangeTracker();
    feedMinutes(t, '2026-03-04T12:00:00Z', 20, 1.162, 1.16);
    const ny = t.sessions.new_york;
    // 12:00–12:19 UTC is 07:00 EST: still the previous New York session (closed, no bars).
    assert.equal(ny.date, '2026-03-03');
    assert.equal(ny.phase, 'closed');
    feedMinutes(t, '2026-03-04T13:00:00Z', 15, 1.163, 1.161);
    assert.equal(ny.date, '2026-03-04');
    assert.equal(ny.startMs, utc('2026-03-04T13:00:00Z'));
    assert.equal(ny.openingRange.state, 'complete');
    assert.equal(ny.openingRange.high, 1.163);
    assert.equal(ny.openingRange.low, 1.161);
  });

  it('London opens at 08:00 UTC in 2026-10-26..30 and at 07:00 UTC the week before', () => {
    const t = new OpeningRangeTracker();
    feedMinutes(t, '2026-10-23T06:55:00Z', 5, 1.2, 1.1); // Friday, BST: before the 07:00 UTC open
    feedMinutes(t, '2026-10-23T07:00:00Z', 15, 1.165, 1.164);
    assert.equal(t.sessions.london.startMs, utc('2026-10-23T07:00:00Z'));
    assert.equal(t.sessions.london.openingRange.high, 1.165);
    assert.equal(t.sessions.london.openingRange.low, 1.164);

    feedMinutes(t, '2026-10-27T07:00:00Z', 60, 1.2, 1.1); // Tuesday, GMT: 07:00 UTC is before the open
    feedMinutes(t, '2026-10-27T08:00:00Z', 15, 1.166, 1.163);
    const ldn = t.sessions.london;
    assert.equal(ldn.date, '2026-10-27');
    assert.equal(ldn.startMs, utc('2026-10-27T08:00:00Z'));
    assert.equal(ldn.openingRange.state, 'complete');
    assert.equal(ldn.openingRange.high, 1.166);
    assert.equal(ldn.openingRange.low, 1.163);
    // New York (still on summer time until 2026-11-01) opens at 12:00 UTC that week.
    feedMinutes(t, '2026-10-27T12:00:00Z', 15, 1.17, 1.169);
    assert.equal(t.sessions.new_york.startMs, utc('2026-10-27T12:00:00Z'));
    assert.equal(t.sessions.new_york.openingRange.high, 1.17);
    // ... and at 13:00 UTC after the US change.
    feedMinutes(t, '2026-11-03T13:00:00Z', 1, 1.17, 1.169);
    assert.equal(t.sessions.new_york.startMs, utc('2026-11-03T13:00:00Z'));
  });

  it('takes its length from the options and marks a window without bars as missed', () => {
    const t = new OpeningRangeTracker({ minutes: 30 });
    feedMinutes(t, '2026-03-10T08:00:00Z', 20, 1.16, 1.15);
    assert.equal(t.sessions.london.openingRange.state, 'forming');
    feedMinutes(t, '2026-03-10T08:20:00Z', 10, 1.17, 1.155);
    assert.equal(t.sessions.london.openingRange.state, 'complete');
    assert.equal(t.sessions.london.openingRange.high, 1.17);
    assert.equal(t.sessions.london.openingRange.low, 1.15);
    // Next day's first bar comes at 09:00: London's range window passed empty.
    t.update(bar('2026-03-11T09:00:00Z', 1.16, 1.16, 1.16, 1.16));
    assert.equal(t.sessions.london.date, '2026-03-11');
    assert.equal(t.sessions.london.openingRange.state, 'missed');
    assert.throws(() => new OpeningRangeTracker({ minutes: 0 }), /minutes/);
  });

  it('uses the mid of bid/ask OHLC for quote-only bars', () => {
    const t = new OpeningRangeTracker();
    const b = new Bar();
    b.reset(utc('2026-03-10T08:00:00Z'), 60_000);
    b.bid.open = 1.1;
    b.bid.high = 1.1002;
    b.bid.low = 1.0998;
    b.bid.close = 1.1;
    b.ask.open = 1.1002;
    b.ask.high = 1.1004;
    b.ask.low = 1.1;
    b.ask.close = 1.1002;
    t.update(b);
    // mid high (1.1002 + 1.1004)/2 = 1.1003; mid low (1.0998 + 1.1000)/2 = 1.0999.
    assert.ok(Math.abs(t.sessions.london.openingRange.high - 1.1003) < 1e-12);
    assert.ok(Math.abs(t.sessions.london.openingRange.low - 1.0999) < 1e-12);
  });
});

describe('OpeningRangeTracker: Asian range', () => {
  it('runs from 00:00 UTC (Tokyo open) to the London open at 08:00 UTC in winter', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-03-09T23:59:00Z', 1.2, 1.2, 1.0, 1.1)); // before Tokyo opens: excluded
    t.update(bar('2026-03-10T00:00:00Z', 1.1, 1.103, 1.101, 1.102));
    t.update(bar('2026-03-10T07:59:00Z', 1.102, 1.1035, 1.1025, 1.1034));
    assert.equal(t.asianDate, '2026-03-10');
    assert.equal(t.asian.startMs, utc('2026-03-10T00:00:00Z'));
    assert.equal(t.asian.endMs, utc('2026-03-10T08:00:00Z'));
    assert.equal(t.asian.state, 'complete'); // the 07:59 bar ends at 08:00
    assert.equal(t.asian.high, 1.1035);
    assert.equal(t.asian.low, 1.101);
  });

  it('ends at 07:00 UTC once London is on summer time', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-04-01T00:00:00Z', 1.1, 1.103, 1.101, 1.102));
    t.update(bar('2026-04-01T06:30:00Z', 1.1, 1.104, 1.101, 1.102));
    assert.equal(t.asian.endMs, utc('2026-04-01T07:00:00Z'));
    assert.equal(t.asian.state, 'forming');
    t.update(bar('2026-04-01T07:00:00Z', 1.1, 1.2, 1.0, 1.102)); // London's first bar: not in the range
    assert.equal(t.asian.state, 'complete');
    assert.equal(t.asian.high, 1.104);
    assert.equal(t.asian.low, 1.101);
  });
});

describe('OpeningRangeTracker: prior FX day and prior sessions', () => {
  it('rolls the FX day at 17:00 New York (21:00 UTC in March 2026 after the US change)', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-03-10T13:00:00Z', 1.105, 1.11, 1.1, 1.105));
    t.update(bar('2026-03-10T20:59:00Z', 1.108, 1.108, 1.108, 1.108));
    assert.equal(t.fxDay.date, '2026-03-10');
    assert.equal(t.fxDay.endMs, utc('2026-03-10T21:00:00Z'));
    assert.equal(t.fxDay.startMs, utc('2026-03-09T21:00:00Z'));
    assert.ok(Number.isNaN(t.priorDay.high));
    t.update(bar('2026-03-10T21:00:00Z', 1.108, 1.109, 1.107, 1.108));
    assert.equal(t.fxDay.date, '2026-03-11');
    assert.equal(t.priorDay.date, '2026-03-10');
    assert.equal(t.priorDay.open, 1.105);
    assert.equal(t.priorDay.high, 1.11);
    assert.equal(t.priorDay.low, 1.1);
    assert.equal(t.priorDay.close, 1.108);
  });

  it('rolls at 22:00 UTC the week before, and over a weekend keeps Friday as the prior day', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-03-04T21:30:00Z', 1.1, 1.101, 1.099, 1.1)); // 16:30 EST: still March 4
    assert.equal(t.fxDay.date, '2026-03-04');
    assert.equal(t.fxDay.endMs, utc('2026-03-04T22:00:00Z'));
    t.update(bar('2026-03-06T21:59:00Z', 1.12, 1.121, 1.119, 1.1205)); // Friday's last minute
    t.update(bar('2026-03-08T21:00:00Z', 1.12, 1.12, 1.12, 1.12)); // Sunday 17:00 EDT: Monday's FX day
    assert.equal(t.priorDay.date, '2026-03-06');
    assert.equal(t.priorDay.close, 1.1205);
    assert.equal(t.fxDay.date, '2026-03-09');
  });

  it('lets onDayBegin decide the prior day once a day, before anything reads it', () => {
    const calls: string[] = [];
    const t = new OpeningRangeTracker({
      onDayBegin: (date, prior) => {
        calls.push(`${date} ${prior.date}`);
        // On 11 March the prior day comes from elsewhere: 1.2 / 1.19 / 1.195, open unknown.
        if (date === '2026-03-11') prior.setLevels('2026-03-10', 1, 2, 1.2, 1.19, 1.195);
      },
    });
    t.update(bar('2026-03-10T13:00:00Z', 1.105, 1.11, 1.1, 1.105));
    t.update(bar('2026-03-10T13:01:00Z', 1.105, 1.111, 1.1, 1.105));
    t.update(bar('2026-03-10T21:00:00Z', 1.108, 1.109, 1.107, 1.108)); // 17:00 New York: 11 March
    t.update(bar('2026-03-10T21:01:00Z', 1.108, 1.109, 1.107, 1.108));
    // Called at the first bar of each FX day only: none before 10 March, then the 10th as given.
    assert.deepEqual(calls, ['2026-03-10 ', '2026-03-11 2026-03-10']);
    assert.equal(t.isReady, true);
    assert.equal(t.priorDay.high, 1.2);
    assert.equal(t.priorDay.low, 1.19);
    assert.equal(t.priorDay.close, 1.195);
    assert.ok(Number.isNaN(t.priorDay.open));
    assert.equal(t.priorDay.endMs, 2);
  });

  it('keeps each centre’s last finished session as its prior session', () => {
    const t = new OpeningRangeTracker();
    // London, Tuesday 2026-03-10: 08:00–17:00 UTC.
    t.update(bar('2026-03-10T09:00:00Z', 1.1, 1.105, 1.098, 1.1));
    t.update(bar('2026-03-10T16:59:00Z', 1.1, 1.102, 1.1, 1.101));
    // The 16:59 bar ends at 17:00, the London close: it finishes the session.
    assert.equal(t.sessions.london.phase, 'closed');
    assert.equal(t.sessions.london.priorHigh, 1.105);
    assert.equal(t.sessions.london.priorLow, 1.098);
    assert.equal(t.sessions.london.priorClose, 1.101);
    assert.equal(t.sessions.london.priorDate, '2026-03-10');
    // Wednesday's session: the prior stays Tuesday's while it runs.
    t.update(bar('2026-03-11T08:00:00Z', 1.11, 1.12, 1.109, 1.115));
    assert.equal(t.sessions.london.date, '2026-03-11');
    assert.equal(t.sessions.london.phase, 'open');
    assert.equal(t.sessions.london.priorHigh, 1.105);
    assert.equal(t.sessions.london.high, 1.12);
    t.update(bar('2026-03-11T17:00:00Z', 1.11, 1.11, 1.11, 1.11));
    assert.equal(t.sessions.london.priorHigh, 1.12);
    assert.equal(t.sessions.london.priorDate, '2026-03-11');
  });

  it('skips weekend sessions: on Sunday evening Sydney is in Monday’s session, London still on Friday’s', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-03-13T15:00:00Z', 1.1, 1.101, 1.099, 1.1)); // Friday London session
    t.update(bar('2026-03-15T22:00:00Z', 1.1, 1.1, 1.1, 1.1)); // Sunday 18:00 EDT: the FX week opens
    // Monday 07:00 AEDT = Sunday 20:00 UTC.
    assert.equal(t.sessions.sydney.date, '2026-03-16');
    assert.equal(t.sessions.sydney.startMs, utc('2026-03-15T20:00:00Z'));
    assert.equal(t.sessions.sydney.phase, 'open');
    assert.equal(t.sessions.sydney.openingRange.state, 'missed'); // 20:00–20:15 UTC had no bars
    assert.equal(t.sessions.london.date, '2026-03-13');
    assert.equal(t.sessions.london.priorHigh, 1.101);
    assert.equal(t.sessions.london.priorDate, '2026-03-13');
  });

  it('reset forgets everything', () => {
    const t = new OpeningRangeTracker();
    t.update(bar('2026-03-10T08:00:00Z', 1.1, 1.105, 1.098, 1.1));
    t.reset();
    assert.equal(t.sessions.london.date, '');
    assert.ok(Number.isNaN(t.fxDay.high));
    assert.ok(Number.isNaN(t.lastBarMs));
    t.update(bar('2026-03-10T08:01:00Z', 1.1, 1.106, 1.097, 1.1));
    assert.equal(t.sessions.london.openingRange.high, 1.106);
  });
});

it('weekend quotes do not become the prior FX day', () => {
  const tr = new OpeningRangeTracker();
  const bar = (iso: string, h: number, l: number, c: number) => {
    const b = new Bar();
    b.reset(Date.parse(iso), 60_000);
    b.open = c;
    b.high = h;
    b.low = l;
    b.close = c;
    return b;
  };
  // Friday 2026-03-13 (US on summer time: the FX day ends 21:00 UTC): high 1.12, low 1.09.
  tr.update(bar('2026-03-13T14:00:00Z', 1.12, 1.09, 1.1));
  // Sunday 20:00 and 20:05 UTC (16:00 New York): a spot feed's early quotes.
  tr.update(bar('2026-03-15T20:00:00Z', 1.1154, 1.1152, 1.1153));
  tr.update(bar('2026-03-15T20:05:00Z', 1.1154, 1.1152, 1.1153));
  // Sunday 21:00 UTC: Monday's FX day begins; its prior day is Friday's.
  tr.update(bar('2026-03-15T21:00:00Z', 1.1155, 1.115, 1.1152));
  assert.equal(tr.priorDay.date, '2026-03-13');
  assert.equal(tr.priorDay.high, 1.12);
  assert.equal(tr.priorDay.low, 1.09);
});
