import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CentreBit,
  centreSessionUtc,
  frontMonth,
  frontMonthByVolume,
  fxFutureLastTradeMs,
  fxSession,
  fxWeekOpen,
  globexCloseAround,
  globexOpen,
  isTradingDate,
  localTime,
  nextCentreOpenMs,
  nextGlobexOpenMs,
  openCentres,
  overlapUtc,
  parseTimeBound,
  rollDate,
  tradingDateOf,
  tradingDates,
  tradingDatesBefore,
  tradingDayBounds,
  zonedTimeToUtc,
} from './calendar.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

// 2026 clock changes, worked by hand: 1 Jan 2026 is a Thursday, so 1 March and 1 November are
// Sundays. US: DST from Sunday 8 March (second Sunday) to Sunday 1 November (first Sunday).
// EU/UK: from Sunday 29 March to Sunday 25 October (last Sundays). Sydney: AEDT (UTC+11) until
// Sunday 5 April, AEST (UTC+10) until Sunday 4 October. Tokyo: always UTC+9.

describe('FX sessions across daylight-saving changes', () => {
  it('puts the London–New York overlap at 13:00–17:00 UTC when both are on standard time', () => {
    // Wed 4 March 2026: NY 08:00 EST = 13:00 UTC, London 17:00 GMT = 17:00 UTC.
    const o = overlapUtc('2026-03-04');
    assert.equal(iso(o.startMs), '2026-03-04T13:00:00.000Z');
    assert.equal(iso(o.endMs), '2026-03-04T17:00:00.000Z');
  });

  it('lengthens the overlap to 12:00–17:00 UTC in the March weeks when only the US has changed', () => {
    // Wed 11 March 2026: NY 08:00 EDT = 12:00 UTC, London still GMT: 17:00 UTC.
    const o = overlapUtc('2026-03-11');
    assert.equal(iso(o.startMs), '2026-03-11T12:00:00.000Z');
    assert.equal(iso(o.endMs), '2026-03-11T17:00:00.000Z');
    assert.equal(fxSession(utc('2026-03-11T12:30:00Z')), 'overlap');
    assert.equal(fxSession(utc('2026-03-04T12:30:00Z')), 'london');
  });

  it('puts the overlap at 12:00–16:00 UTC when both are on summer time', () => {
    // Wed 1 April 2026: NY 08:00 EDT = 12:00 UTC, London 17:00 BST = 16:00 UTC.
    const o = overlapUtc('2026-04-01');
    assert.equal(iso(o.startMs), '2026-04-01T12:00:00.000Z');
    assert.equal(iso(o.endMs), '2026-04-01T16:00:00.000Z');
    assert.equal(fxSession(utc('2026-04-01T16:30:00Z')), 'new_york');
  });

  it('lengthens the overlap again in the week between the European and US autumn changes', () => {
    // Wed 28 October 2026: London back on GMT (17:00 UTC close), NY still EDT (12:00 UTC open).
    const o = overlapUtc('2026-10-28');
    assert.equal(iso(o.startMs), '2026-10-28T12:00:00.000Z');
    assert.equal(iso(o.endMs), '2026-10-28T17:00:00.000Z');
    // Wed 4 November 2026: both on standard time again.
    const n = overlapUtc('2026-11-04');
    assert.equal(iso(n.startMs), '2026-11-04T13:00:00.000Z');
  });

  it('opens Sydney at 20:00 UTC under AEDT and 21:00 UTC under AEST; Tokyo never moves', () => {
    // Sydney 07:00 AEDT (UTC+11) on Wed 11 March = 20:00 UTC on Tue 10 March.
    assert.equal(iso(centreSessionUtc('sydney', '2026-03-11').startMs), '2026-03-10T20:00:00.000Z');
    // 07:00 AEST (UTC+10) on Wed 8 April = 21:00 UTC on 7 April.
    assert.equal(iso(centreSessionUtc('sydney', '2026-04-08').startMs), '2026-04-07T21:00:00.000Z');
    // Tokyo 09:00–18:00 JST = 00:00–09:00 UTC.
    const t = centreSessionUtc('tokyo', '2026-07-15');
    assert.equal(iso(t.startMs), '2026-07-15T00:00:00.000Z');
    assert.equal(iso(t.endMs), '2026-07-15T09:00:00.000Z');
  });

  it('reports open centres as a bitmask and labels the Asian hours', () => {
    // Wed 4 March 2026 03:00 UTC: Tokyo 12:00 JST, Sydney 14:00 AEDT, London 03:00, NY 22:00 (Tue).
    assert.equal(openCentres(utc('2026-03-04T03:00:00Z')), CentreBit.tokyo | CentreBit.sydney);
    assert.equal(fxSession(utc('2026-03-04T03:00:00Z')), 'tokyo');
    assert.equal(fxSession(utc('2026-03-04T09:30:00Z')), 'london');
  });

  it('converts local wall time to UTC on the day of a change', () => {
    // Sunday 8 March 2026, the US change at 02:00: 17:00 CDT (UTC-5) = 22:00 UTC.
    assert.equal(iso(zonedTimeToUtc('America/Chicago', 2026, 3, 8, 17, 0)), '2026-03-08T22:00:00.000Z');
    // 01:00 CST that morning is still UTC-6.
    assert.equal(iso(zonedTimeToUtc('America/Chicago', 2026, 3, 8, 1, 0)), '2026-03-08T07:00:00.000Z');
    // 02:30 does not exist that day (02:00 CST jumps to 03:00 CDT): 03:30 CDT = 08:30 UTC.
    assert.equal(iso(zonedTimeToUtc('America/Chicago', 2026, 3, 8, 2, 30)), '2026-03-08T08:30:00.000Z');
    // 01:30 happens twice on Sunday 1 November: the first, on CDT, is 06:30 UTC.
    assert.equal(iso(zonedTimeToUtc('America/Chicago', 2026, 11, 1, 1, 30)), '2026-11-01T06:30:00.000Z');
  });
});

describe('CME Globex trading day and FX week', () => {
  it('starts Monday 9 March 2026 at Sunday 17:00 CDT = 22:00 UTC and ends 16:00 CDT = 21:00 UTC', () => {
    const b = tradingDayBounds('2026-03-09');
    assert.equal(iso(b.startMs), '2026-03-08T22:00:00.000Z');
    assert.equal(iso(b.endMs), '2026-03-09T21:00:00.000Z');
  });

  it('starts Friday 6 March 2026 at Thursday 17:00 CST = 23:00 UTC', () => {
    const b = tradingDayBounds('2026-03-06');
    assert.equal(iso(b.startMs), '2026-03-05T23:00:00.000Z');
    assert.equal(iso(b.endMs), '2026-03-06T22:00:00.000Z');
  });

  it('follows the US autumn change: 30 October on CDT, 2 November on CST', () => {
    const f = tradingDayBounds('2026-10-30');
    assert.equal(iso(f.startMs), '2026-10-29T22:00:00.000Z');
    assert.equal(iso(f.endMs), '2026-10-30T21:00:00.000Z');
    const m = tradingDayBounds('2026-11-02');
    assert.equal(iso(m.startMs), '2026-11-01T23:00:00.000Z');
    assert.equal(iso(m.endMs), '2026-11-02T22:00:00.000Z');
  });

  it('closes in the daily break and at weekends', () => {
    // Wed 4 March 2026 (CST): break 16:00–17:00 CT = 22:00–23:00 UTC.
    assert.equal(globexOpen(utc('2026-03-04T21:59:00Z')), true);
    assert.equal(globexOpen(utc('2026-03-04T22:00:00Z')), false);
    assert.equal(globexOpen(utc('2026-03-04T22:59:00Z')), false);
    assert.equal(globexOpen(utc('2026-03-04T23:00:00Z')), true);
    // Friday 16:00 CST = 22:00 UTC until Sunday 17:00 CST = 23:00 UTC.
    assert.equal(globexOpen(utc('2026-03-06T22:00:00Z')), false);
    assert.equal(globexOpen(utc('2026-03-07T12:00:00Z')), false);
    assert.equal(globexOpen(utc('2026-03-01T22:59:00Z')), false);
    assert.equal(globexOpen(utc('2026-03-01T23:00:00Z')), true);
  });

  it('names the trading date of a moment and none in the break', () => {
    assert.equal(tradingDateOf(utc('2026-03-04T23:30:00Z')), '2026-03-05');
    assert.equal(tradingDateOf(utc('2026-03-04T21:30:00Z')), '2026-03-04');
    assert.equal(tradingDateOf(utc('2026-03-04T22:30:00Z')), null);
    assert.equal(tradingDateOf(utc('2026-03-01T23:30:00Z')), '2026-03-02');
  });

  it('runs the FX week from Sunday 17:00 to Friday 17:00 New York', () => {
    // Sunday 1 March 2026 17:00 EST = 22:00 UTC; Friday 6 March 17:00 EST = 22:00 UTC.
    assert.equal(fxWeekOpen(utc('2026-03-01T21:59:00Z')), false);
    assert.equal(fxWeekOpen(utc('2026-03-01T22:00:00Z')), true);
    assert.equal(fxWeekOpen(utc('2026-03-06T21:59:00Z')), true);
    assert.equal(fxWeekOpen(utc('2026-03-06T22:00:00Z')), false);
    assert.equal(fxSession(utc('2026-03-07T12:00:00Z')), 'closed');
  });

  it('counts trading dates over weekends', () => {
    assert.deepEqual(tradingDates('2026-03-05', 4), ['2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10']);
    assert.deepEqual(tradingDates('2026-03-07', 1), ['2026-03-09']);
    assert.deepEqual(tradingDates('2026-03-05', 0), []);
    assert.throws(() => tradingDates('2026-02-30', 1), /does not exist/);
  });

  it('counts trading dates back over weekends, the date itself excluded', () => {
    // 2026-03-10 is a Tuesday: Monday the 9th, then Friday the 6th and Thursday the 5th.
    assert.deepEqual(tradingDatesBefore('2026-03-10', 3), ['2026-03-05', '2026-03-06', '2026-03-09']);
    // From a Sunday: the Friday and Thursday before it.
    assert.deepEqual(tradingDatesBefore('2026-03-08', 2), ['2026-03-05', '2026-03-06']);
    assert.deepEqual(tradingDatesBefore('2026-03-10', 0), []);
  });
});

describe('next opening times', () => {
  it('finds the next Globex open, 17:00 Chicago (23:00 UTC in winter, 22:00 UTC in summer)', () => {
    const nov = Date.UTC(2026, 10, 24, 12, 0);
    assert.equal(nextGlobexOpenMs(nov), Date.UTC(2026, 10, 24, 23, 0));
    assert.equal(nextGlobexOpenMs(Date.UTC(2026, 10, 24, 23, 0)), Date.UTC(2026, 10, 25, 23, 0));
    assert.equal(nextGlobexOpenMs(Date.UTC(2026, 6, 14, 12, 0)), Date.UTC(2026, 6, 14, 22, 0));
  });

  it('finds the next opening of an FX centre in its local time', () => {
    // London is on GMT in November, BST (UTC+1) in July.
    assert.equal(nextCentreOpenMs('london', Date.UTC(2026, 10, 24, 3, 0)), Date.UTC(2026, 10, 24, 8, 0));
    assert.equal(nextCentreOpenMs('london', Date.UTC(2026, 6, 14, 3, 0)), Date.UTC(2026, 6, 14, 7, 0));
    assert.equal(nextCentreOpenMs('new_york', Date.UTC(2026, 10, 24, 3, 0)), Date.UTC(2026, 10, 24, 13, 0));
  });
});

describe('quarterly contracts and the front month', () => {
  it('puts the last trade at 09:16 Chicago two business days before the third Wednesday', () => {
    // March 2026: the 1st is a Sunday, so the third Wednesday is the 18th; two business days
    // before it is Monday the 16th; Chicago is on CDT (UTC−5) since 8 March: 14:16 UTC.
    assert.equal(iso(fxFutureLastTradeMs(2026, 3)), '2026-03-16T14:16:00.000Z');
    // December 2026: the 1st is a Tuesday, third Wednesday the 16th, Monday the 14th, CST (UTC−6).
    assert.equal(iso(fxFutureLastTradeMs(2026, 12)), '2026-12-14T15:16:00.000Z');
  });

  it('rolls to the next quarter four business days before the last trade', () => {
    // 6EH6 trades until Monday 16 March; four trading dates before it (13, 12, 11, 10) the
    // front month is M6: on 9 March still H6, on 10 March M6.
    assert.equal(frontMonth('6E', '2026-03-04').symbol, '6EH6');
    assert.equal(frontMonth('6E', '2026-03-09').symbol, '6EH6');
    assert.equal(frontMonth('6E', '2026-03-10').symbol, '6EM6');
    // Late in the year the next contract is March of the next year: 6BH7 (digit 7 for 2027).
    const m = frontMonth('6B', '2026-12-28');
    assert.deepEqual([m.symbol, m.year, m.month], ['6BH7', 2027, 3]);
  });
});

describe('parseTimeBound', () => {
  it('reads a date as a CME trading date and a date-time as a UTC instant', () => {
    // Trading date Tue 24 Nov 2026: 17:00 CST Monday (23:00 UTC) to 16:00 CST Tuesday (22:00 UTC).
    assert.equal(parseTimeBound('2026-11-24', 'from'), BigInt(utc('2026-11-23T23:00:00Z')) * 1_000_000n);
    assert.equal(parseTimeBound('2026-11-24', 'to'), BigInt(utc('2026-11-24T22:00:00Z')) * 1_000_000n);
    assert.equal(
      parseTimeBound('2026-11-24T14:30', 'from'),
      BigInt(utc('2026-11-24T14:30:00Z')) * 1_000_000n,
    );
    assert.equal(
      parseTimeBound('2026-11-24T14:30:00.000000001Z', 'to'),
      BigInt(utc('2026-11-24T14:30:00Z')) * 1_000_000n + 1n,
    );
  });

  it('names the option and the value it cannot read', () => {
    assert.throws(
      () => parseTimeBound('2026-11-28', 'from'),
      /^ConfigError: --from 2026-11-28: not a CME trading date/,
    );
    assert.throws(
      () => parseTimeBound('2026-02-30', 'to'),
      /--to 2026-02-30: Date "2026-02-30" does not exist/,
    );
    assert.throws(() => parseTimeBound('yesterday', 'to'), /--to yesterday: expected a trading date/);
  });
});

describe('localTime', () => {
  const formats = new Map<string, Intl.DateTimeFormat>();
  /** The wall clock as Intl gives it, read here field by field. */
  function reference(ms: number, zone: string): number[] {
    let f = formats.get(zone);
    if (f === undefined) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
      });
      formats.set(zone, f);
    }
    const parts = f.formatToParts(ms);
    const get = (t: string) => parts.find((p) => p.type === t)!.value;
    const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
    return [+get('year'), +get('month'), +get('day'), +get('hour'), +get('minute'), +get('second'), wd];
  }
  /** `localTime` gives the wall clock Intl gives. */
  function agrees(ms: number, zone: string): void {
    const t = localTime(ms, zone);
    assert.deepEqual(
      [t.year, t.month, t.day, t.hour, t.minute, t.second, t.weekday],
      reference(ms, zone),
      `${zone} at ${new Date(ms).toISOString()}`,
    );
  }

  it('matches Intl every 31 seconds across each 2026 clock change of the sessions’ zones', () => {
    const zones = ['Europe/London', 'America/New_York', 'America/Chicago', 'Asia/Tokyo', 'Australia/Sydney'];
    // Days of the 2026 changes: Sydney 5 Apr and 4 Oct, New York and Chicago 8 Mar and 1 Nov,
    // London 29 Mar and 25 Oct (Tokyo has none: a control).
    const days = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'];
    let checked = 0;
    for (const zone of zones) {
      for (const day of days) {
        const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
        for (let ms = start; ms < start + 2 * 86_400_000; ms += 31_000) {
          agrees(ms + 123, zone);
          checked++;
        }
      }
    }
    assert.ok(checked > 5 * 6 * 5000);
  });

  it('matches Intl when asked at the pace of minute, hourly and irregular rows, forwards and backwards', () => {
    // Each zone's offset is remembered over spans of quarter hours: read at steps of a minute, an
    // hour and an uneven 7 min 13 s, the spans meet every clock change of 2026 on the way.
    const zones = ['Europe/London', 'America/New_York', 'America/Chicago', 'Asia/Tokyo', 'Australia/Sydney'];
    const start = Date.parse('2026-01-01T00:00:00Z');
    const end = Date.parse('2027-01-01T00:00:00Z');
    let checked = 0;
    for (const step of [3_600_000, 433_000, -5_400_000]) {
      for (let ms = step > 0 ? start : end; ms >= start && ms <= end; ms += step) {
        for (const zone of zones) {
          agrees(ms + 59_999, zone);
          checked++;
        }
      }
    }
    for (const zone of ['America/New_York', 'Europe/London']) {
      // Minute by minute over the day of each change.
      for (const day of ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01']) {
        const d0 = Date.parse(`${day}T00:00:00Z`);
        for (let ms = d0; ms < d0 + 86_400_000; ms += 60_000) {
          agrees(ms, zone);
          checked++;
        }
      }
    }
    assert.ok(checked > 5 * (8760 + 72_000 + 5800) + 2 * 4 * 1440);
  });
});

describe('CME holidays in the trading calendar', () => {
  it('skips Thanksgiving Day 2026 and ends the Friday after at 12:15 CT', () => {
    assert.equal(isTradingDate('2026-11-26'), false);
    assert.equal(isTradingDate('2026-11-27'), true);
    assert.deepEqual(tradingDates('2026-11-24', 4), ['2026-11-24', '2026-11-25', '2026-11-27', '2026-11-30']);
    assert.deepEqual(tradingDatesBefore('2026-11-30', 2), ['2026-11-25', '2026-11-27']);
    // Trade date 27 Nov holds Thanksgiving's session: Wednesday 25 Nov 17:00 CST = 23:00 UTC, to
    // Friday 12:15 CST = 18:15 UTC.
    const b = tradingDayBounds('2026-11-27');
    assert.equal(iso(b.startMs), '2026-11-25T23:00:00.000Z');
    assert.equal(iso(b.endMs), '2026-11-27T18:15:00.000Z');
  });

  it('trades Thanksgiving morning for the next trading date and halts at 12:00 CT', () => {
    // Thursday 26 Nov 2026: 11:59 CST = 17:59 UTC open, 12:00 CST = 18:00 UTC halted until 17:00.
    assert.equal(globexOpen(utc('2026-11-26T17:59:00Z')), true);
    assert.equal(tradingDateOf(utc('2026-11-26T17:59:00Z')), '2026-11-27');
    assert.equal(globexOpen(utc('2026-11-26T18:00:00Z')), false);
    assert.equal(globexOpen(utc('2026-11-26T22:59:00Z')), false);
    assert.equal(tradingDateOf(utc('2026-11-26T23:00:00Z')), '2026-11-27');
    // Friday 27 Nov: open at 12:14 CST, closed from 12:15 CST.
    assert.equal(globexOpen(utc('2026-11-27T18:14:00Z')), true);
    assert.equal(globexOpen(utc('2026-11-27T18:15:00Z')), false);
    assert.equal(globexOpen(utc('2026-11-27T21:30:00Z')), false);
  });

  it('closes on Christmas Day and Good Friday from the evening before', () => {
    // Christmas Eve 2026 (Thursday) ends 12:15 CST; no session Thursday evening or Friday.
    assert.equal(globexOpen(utc('2026-12-24T18:14:00Z')), true);
    assert.equal(globexOpen(utc('2026-12-24T23:30:00Z')), false);
    assert.equal(globexOpen(utc('2026-12-25T15:00:00Z')), false);
    assert.equal(isTradingDate('2026-12-25'), false);
    // Good Friday 3 April 2026 (CDT, UTC−5): Thursday 17:00 CDT = 22:00 UTC stays closed.
    assert.equal(globexOpen(utc('2026-04-02T22:30:00Z')), false);
    assert.equal(globexOpen(utc('2026-04-03T14:00:00Z')), false);
    assert.equal(tradingDayBounds('2026-04-06').startMs, utc('2026-04-05T22:00:00Z'));
    // New Year's Day 2026 (Thursday): closed until 17:00 CST = 23:00 UTC, then trade date 2 Jan.
    assert.equal(globexOpen(utc('2026-01-01T15:00:00Z')), false);
    assert.equal(tradingDateOf(utc('2026-01-01T23:00:00Z')), '2026-01-02');
  });

  it('gives a Monday holiday’s session to Tuesday (Martin Luther King Day 2026)', () => {
    // Sunday 18 Jan 17:00 CST = 23:00 UTC opens trade date Tuesday 20 Jan; Monday trades until
    // its 16:00 halt, reopens 17:00 for the same date.
    assert.equal(isTradingDate('2026-01-19'), false);
    assert.equal(tradingDateOf(utc('2026-01-19T15:00:00Z')), '2026-01-20');
    assert.equal(tradingDateOf(utc('2026-01-19T23:30:00Z')), '2026-01-20');
    assert.equal(iso(tradingDayBounds('2026-01-20').startMs), '2026-01-18T23:00:00.000Z');
    // From Friday 16 Jan the next trading date starts Sunday 18 Jan 23:00 UTC (no session opens on
    // Friday evening), and Monday's 17:00 reopening starts none: the next is Tuesday 17:00 CST.
    assert.equal(nextGlobexOpenMs(utc('2026-01-16T12:00:00Z')), utc('2026-01-18T23:00:00Z'));
    assert.equal(nextGlobexOpenMs(utc('2026-01-17T12:00:00Z')), utc('2026-01-18T23:00:00Z'));
    assert.equal(nextGlobexOpenMs(utc('2026-01-19T12:00:00Z')), utc('2026-01-20T23:00:00Z'));
  });

  it('gives a Friday holiday’s session to the Monday after (Independence Day observed 3 July 2026)', () => {
    assert.equal(tradingDateOf(utc('2026-07-03T14:00:00Z')), '2026-07-06');
    // Thursday 2 July 17:00 CDT = 22:00 UTC to Monday 6 July 16:00 CDT = 21:00 UTC.
    const b = tradingDayBounds('2026-07-06');
    assert.equal(iso(b.startMs), '2026-07-02T22:00:00.000Z');
    assert.equal(iso(b.endMs), '2026-07-06T21:00:00.000Z');
  });

  it('refuses a holiday as a --from date', () => {
    assert.throws(() => parseTimeBound('2026-11-26', 'from'), /not a CME trading date/);
  });
});

describe('the Globex close ahead', () => {
  it('is the daily break on an ordinary day, the halt and the long closure around holidays', () => {
    const at = (ms: number) => {
      const c = globexCloseAround(ms);
      return [iso(c.closeMs), iso(c.reopenMs)];
    };
    // Wednesday 4 March 2026 10:00 CST: the 16:00–17:00 break (22:00–23:00 UTC); inside it, the same.
    assert.deepEqual(at(utc('2026-03-04T16:00:00Z')), [
      '2026-03-04T22:00:00.000Z',
      '2026-03-04T23:00:00.000Z',
    ]);
    assert.deepEqual(at(utc('2026-03-04T22:30:00Z')), [
      '2026-03-04T22:00:00.000Z',
      '2026-03-04T23:00:00.000Z',
    ]);
    // Thanksgiving 2026 morning: the 12:00 CST halt (18:00 UTC) until 17:00 CST (23:00 UTC).
    assert.deepEqual(at(utc('2026-11-26T15:00:00Z')), [
      '2026-11-26T18:00:00.000Z',
      '2026-11-26T23:00:00.000Z',
    ]);
    // The Friday after: the 12:15 CST close until Sunday 17:00 CST.
    assert.deepEqual(at(utc('2026-11-27T15:00:00Z')), [
      '2026-11-27T18:15:00.000Z',
      '2026-11-29T23:00:00.000Z',
    ]);
    // Christmas Eve 2026 (Thursday): 12:15 CST until Sunday 27 December 17:00 CST (Christmas Day closed).
    assert.deepEqual(at(utc('2026-12-24T15:00:00Z')), [
      '2026-12-24T18:15:00.000Z',
      '2026-12-27T23:00:00.000Z',
    ]);
    // Maundy Thursday 2 April 2026 (CDT): 16:00 until Sunday 5 April 17:00 (Good Friday closed).
    assert.deepEqual(at(utc('2026-04-02T15:00:00Z')), [
      '2026-04-02T21:00:00.000Z',
      '2026-04-05T22:00:00.000Z',
    ]);
  });
});

describe('contract rolls', () => {
  it('rolls 6EH7 four business days before its last trade, on Tuesday 9 March 2027', () => {
    // March 2027: the 1st is a Monday, Wednesdays 3, 10, 17: third Wednesday the 17th; two
    // business days before it, Monday 15 March, 09:16 CDT (DST from 14 March) = 14:16 UTC. Four
    // trading dates before the 15th: Friday 12, Thursday 11, Wednesday 10, Tuesday 9.
    assert.equal(iso(fxFutureLastTradeMs(2027, 3)), '2027-03-15T14:16:00.000Z');
    assert.equal(rollDate(2027, 3), '2027-03-09');
    assert.equal(frontMonth('6E', '2027-03-08').symbol, '6EH7');
    assert.equal(frontMonth('6E', '2027-03-09').symbol, '6EM7');
    // Six business days: Monday 8, Friday 5 March.
    assert.equal(rollDate(2027, 3, 6), '2027-03-05');
    assert.equal(frontMonth('6E', '2027-03-04', 6).symbol, '6EH7');
    assert.equal(frontMonth('6E', '2027-03-05', 6).symbol, '6EM7');
    assert.equal(rollDate(2027, 3, 0), '2027-03-15');
  });

  it('picks the contract with the larger previous-day volume', () => {
    const v = (h: number, m: number) =>
      new Map([
        ['6EH7', h],
        ['6EM7', m],
      ]);
    // Thursday 4 March, before the calendar roll: volume moved already.
    assert.equal(frontMonthByVolume('6E', '2027-03-04', v(150_000, 160_000)).symbol, '6EM7');
    assert.equal(frontMonthByVolume('6E', '2027-03-10', v(150_000, 90_000)).symbol, '6EH7');
    // Equal (or no) volumes: the roll date decides.
    assert.equal(frontMonthByVolume('6E', '2027-03-10', new Map()).symbol, '6EM7');
    // After 6EH7's last trade date it is not a candidate.
    assert.equal(frontMonthByVolume('6E', '2027-03-16', v(150_000, 90_000)).symbol, '6EM7');
  });
});
