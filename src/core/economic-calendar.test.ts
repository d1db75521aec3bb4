import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigProblemsError } from './config-file.js';
import {
  EconomicCalendar,
  EconomicCalendarError,
  parseEconomicCalendar,
  readEconomicCalendar,
} from './economic-calendar.js';

/** The problems `text` has as a calendar named `f.csv`, as the error lists them. */
function problems(text: string): string[] {
  try {
    parseEconomicCalendar(text, 'f.csv');
  } catch (e) {
    assert.ok(e instanceof EconomicCalendarError, String(e));
    assert.equal(e.code, 'ECONOMIC_CALENDAR');
    return [...e.problems];
  }
  assert.fail('the calendar was accepted');
}

const MIN = 60_000;

describe('economic-calendar CSV', () => {
  it('reads the columns in any order beside extra ones, and sorts the events by time', () => {
    const cal = parseEconomicCalendar(
      [
        'importance,minutes_after,event,ts,currency,minutes_before',
        'high,10,"Non-farm payrolls, revised",2026-11-24T13:30:00Z,USD,5',
        'low,3,Ifo business climate,2026-11-24T09:00:00Z,eur,0',
        '',
        'high,2.5,CPI (y/y),2026-11-24T13:30:00.250+00:00,USD,1.5',
      ].join('\r\n'),
      'cal.csv',
    );
    assert.equal(cal.source, 'cal.csv');
    assert.deepEqual(cal.events, [
      // 09:00 comes first; the two 13:30 releases keep their file order (line 2 before line 5).
      {
        tsMs: Date.UTC(2026, 10, 24, 9, 0),
        currency: 'EUR',
        event: 'Ifo business climate',
        minutesBefore: 0,
        minutesAfter: 3,
        line: 3,
      },
      {
        tsMs: Date.UTC(2026, 10, 24, 13, 30),
        currency: 'USD',
        event: 'Non-farm payrolls, revised',
        minutesBefore: 5,
        minutesAfter: 10,
        line: 2,
      },
      {
        tsMs: Date.UTC(2026, 10, 24, 13, 30) + 250,
        currency: 'USD',
        event: 'CPI (y/y)',
        minutesBefore: 1.5,
        minutesAfter: 2.5,
        line: 5,
      },
    ]);
  });

  it('a header alone is an empty calendar; a quoted event may span lines, later lines counted right', () => {
    assert.deepEqual(parseEconomicCalendar('ts,currency,event,minutes_before,minutes_after\n').events, []);
    const cal = parseEconomicCalendar(
      'ts,currency,event,minutes_before,minutes_after\n2026-01-05T07:00Z,GBP,"Two\nlines",1,1\n2026-01-05T08:00:00Z,GBP,x,1,1\n',
    );
    assert.deepEqual(
      cal.events.map((e) => [e.event, e.line, e.tsMs]),
      [
        ['Two\nlines', 2, Date.UTC(2026, 0, 5, 7)],
        ['x', 4, Date.UTC(2026, 0, 5, 8)],
      ],
    );
  });

  it('names every bad cell with its file, line and column', () => {
    const text = [
      'ts,currency,event,minutes_before,minutes_after',
      '2026-11-24 13:30,USD,no zone,5,5',
      '2026-11-24T08:30:00-05:00,USD,New York time,5,5',
      '2026-02-30T10:00:00Z,EUR,no such day,5,5',
      '2026-11-24T24:00:00Z,EUR,no such hour,5,5',
      'yesterday,EUR,not a time,5,5',
      '2026-11-24T13:30:00Z,,empty currency,5,5',
      '2026-11-24T13:30:00Z,EUD,typo,5,5',
      '2026-11-24T13:30:00Z,USD,negative,-5,5',
      '2026-11-24T13:30:00Z,USD,not a number,5,ten',
      '2026-11-24T13:30:00Z,USD,,5,',
      '2026-11-24T13:30:00Z,USD',
      '2026-11-24T13:30:00Z,USD,fine,5,5',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'f.csv:2: ts: "2026-11-24 13:30" has no zone: give the UTC time with Z (2026-11-24T13:30:00Z)',
      'f.csv:3: ts: "2026-11-24T08:30:00-05:00" is not in UTC: give the UTC time with Z',
      'f.csv:4: ts: "2026-02-30T10:00:00Z" is not a valid date and time',
      'f.csv:5: ts: "2026-11-24T24:00:00Z" is not a valid date and time',
      'f.csv:6: ts: "yesterday" is not an ISO-8601 UTC time (2026-11-24T13:30:00Z)',
      'f.csv:7: currency: empty: give a three-letter code such as USD',
      'f.csv:8: currency: unknown currency "EUD" (known: USD, EUR, JPY, GBP, CNY, AUD, CAD, CHF, HKD, SGD, SEK, KRW, NOK, NZD, INR, MXN, TWD, ZAR, BRL, DKK)',
      'f.csv:9: minutes_before: "-5" is negative: give minutes ≥ 0',
      'f.csv:10: minutes_after: "ten" is not a number of minutes ≥ 0',
      'f.csv:11: event: empty: name the release',
      'f.csv:11: minutes_after: missing: give a number of minutes ≥ 0',
      'f.csv:12: 2 fields, expected at least 5 (as the header)',
    ]);
  });

  it('a missing or repeated column is reported at the header, and no row is read', () => {
    assert.deepEqual(problems('ts,currency,event,minutes_before\n2026-11-24T13:30:00Z,USD,x,5\n'), [
      'f.csv:1: missing column "minutes_after" (the header needs ts, currency, event, minutes_before, minutes_after)',
    ]);
    assert.deepEqual(problems('\n\nTS,Currency,event,minutes_before,minutes_after,ts\n'), [
      'f.csv:3: column "ts" appears twice',
    ]);
    // A first data row in place of the header misses every column.
    assert.equal(problems('2026-11-24T13:30:00Z,USD,x,5,5\n').length, 5);
    assert.deepEqual(problems(''), [
      'f.csv:1: empty file: expected a header with ts, currency, event, minutes_before, minutes_after',
    ]);
    assert.deepEqual(
      problems('ts,currency,event,minutes_before,minutes_after\n2026-11-24T13:30:00Z,USD,"open,5,5\n'),
      ['f.csv:2: a quoted field is never closed'],
    );
  });

  it('lists twenty problems and counts the rest', () => {
    const rows = Array.from({ length: 25 }, () => 'x,USD,e,1,1');
    const p = problems(['ts,currency,event,minutes_before,minutes_after', ...rows].join('\n'));
    assert.equal(p.length, 21);
    assert.match(p[19], /^f\.csv:21: ts:/);
    assert.equal(p[20], 'f.csv: 5 more problems not listed');
  });

  it('between() and blackoutAt() find releases and the windows around them', () => {
    const t = Date.UTC(2026, 10, 24, 13, 30);
    const cal = new EconomicCalendar([
      { tsMs: t, currency: 'USD', event: 'NFP', minutesBefore: 5, minutesAfter: 10 },
      { tsMs: t - 4 * 3_600_000, currency: 'EUR', event: 'Ifo', minutesBefore: 0, minutesAfter: 2 },
      { tsMs: t + 30 * MIN, currency: 'JPY', event: 'late', minutesBefore: 60, minutesAfter: 0 },
    ]);
    assert.deepEqual(
      cal.events.map((e) => e.event),
      ['Ifo', 'NFP', 'late'],
    );
    assert.deepEqual(
      cal.between(t - 4 * 3_600_000, t).map((e) => e.event),
      ['Ifo'],
    );
    assert.deepEqual(
      cal.between(t, t + 30 * MIN + 1).map((e) => e.event),
      ['NFP', 'late'],
    );
    // NFP's window is [13:25, 13:40): its first and last minute count, 13:40 does not.
    assert.equal(cal.blackoutAt(t - 5 * MIN, ['EUR', 'USD'])?.event, 'NFP');
    assert.equal(cal.blackoutAt(t + 10 * MIN - 1, ['EUR', 'USD'])?.event, 'NFP');
    assert.equal(cal.blackoutAt(t + 10 * MIN, ['EUR', 'USD']), undefined);
    assert.equal(cal.blackoutAt(t - 5 * MIN - 1, ['EUR', 'USD']), undefined);
    // GBP/USD is blacked out by USD news too; EUR/GBP is not.
    assert.equal(cal.blackoutAt(t, ['GBP', 'USD'])?.event, 'NFP');
    assert.equal(cal.blackoutAt(t, ['EUR', 'GBP']), undefined);
    // The JPY release 30 minutes later blacks out the hour before it, which holds 13:30.
    assert.equal(cal.blackoutAt(t, ['JPY'])?.event, 'late');
    assert.equal(cal.blackoutAt(t + 30 * MIN, ['JPY']), undefined);
    // A window of zero minutes after holds nothing after the release; Ifo's holds 2 minutes.
    assert.equal(cal.blackoutAt(t - 4 * 3_600_000 + 2 * MIN - 1, ['EUR'])?.event, 'Ifo');
  });
});

describe('readEconomicCalendar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'econ-cal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in errors; a missing file is a configuration problem', () => {
    const good = join(dir, 'good.csv');
    writeFileSync(
      good,
      'ts,currency,event,minutes_before,minutes_after\n2026-11-24T13:30:00Z,USD,NFP,5,10\n',
    );
    assert.equal(readEconomicCalendar(good).events.length, 1);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'ts,currency,event,minutes_before,minutes_after\n2026-11-24T13:30:00Z,USD,NFP,5,-1\n');
    assert.throws(() => readEconomicCalendar(bad), {
      message: `${bad}:2: minutes_after: "-1" is negative: give minutes ≥ 0`,
    });
    const missing = join(dir, 'none.csv');
    assert.throws(
      () => readEconomicCalendar(missing),
      (e: unknown) =>
        e instanceof ConfigProblemsError &&
        e.message === `${missing}: cannot read the economic calendar (file not found)`,
    );
  });
});
