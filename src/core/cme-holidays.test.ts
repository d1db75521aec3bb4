import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cmeHoliday, cmeHolidays, easterSunday } from './cme-holidays.js';

const days = (year: number) => cmeHolidays(year).map((h) => `${h.date} ${h.kind} ${h.haltMin ?? '-'}`);

describe('CME Globex FX holiday schedule', () => {
  it('gives 2026 as CME published it (EdgeClear "2026 CME Globex Trading Schedule")', () => {
    // 1 Jan 2026 is a Thursday. MLK: third Monday of January (the 19th); Presidents' Day: third
    // Monday of February (the 16th); Easter Sunday 5 April, so Good Friday 3 April; Memorial Day:
    // last Monday of May (the 25th); Juneteenth: Friday 19 June; 4 July is a Saturday, observed
    // Friday 3 July; Labor Day: first Monday of September (the 7th); Thanksgiving: fourth Thursday
    // of November (the 26th); Christmas Eve a Thursday, Christmas Day a Friday.
    assert.deepEqual(days(2026), [
      '2026-01-01 closed -',
      '2026-01-19 no_settlement 960',
      '2026-02-16 no_settlement 960',
      '2026-04-03 closed -',
      '2026-05-25 no_settlement 960',
      '2026-06-19 no_settlement 960',
      '2026-07-03 no_settlement 960',
      '2026-09-07 no_settlement 960',
      '2026-11-26 no_settlement 720',
      '2026-11-27 early_close 735',
      '2026-12-24 early_close 735',
      '2026-12-25 closed -',
    ]);
  });

  it('gives the 2024 holidays of CME’s calendar (Metro Trade’s copy of it)', () => {
    const dates = cmeHolidays(2024).map((h) => h.date);
    assert.deepEqual(dates, [
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-11-29',
      '2024-12-24',
      '2024-12-25',
    ]);
  });

  it('observes weekend holidays on the nearest weekday (2027)', () => {
    // Juneteenth 2027 is a Saturday → Friday 18 June; 4 July a Sunday → Monday 5 July; Christmas
    // a Saturday → Friday 24 December, so no Christmas Eve early close; Easter 28 March → Good
    // Friday 26 March.
    const h = new Map(cmeHolidays(2027).map((x) => [x.date, x]));
    assert.equal(h.get('2027-06-18')?.name, 'Juneteenth');
    assert.equal(h.get('2027-07-05')?.name, 'Independence Day');
    assert.equal(h.get('2027-12-24')?.kind, 'closed');
    assert.equal(h.get('2027-12-24')?.name, 'Christmas Day');
    assert.equal(h.get('2027-03-26')?.name, 'Good Friday');
    assert.equal(h.get('2027-11-25')?.name, 'Thanksgiving Day');
    assert.equal(h.size, 11);
  });

  it('does not observe New Year’s Day on a Saturday the Friday before (1 January 2028)', () => {
    assert.equal(cmeHoliday('2027-12-31'), undefined);
    assert.equal(cmeHoliday('2028-01-01'), undefined);
    // Christmas 2022 was a Sunday, observed Monday 26 December.
    assert.equal(cmeHoliday('2022-12-26')?.name, 'Christmas Day');
  });

  it('computes Easter Sunday for known years', () => {
    // Published Easter dates: 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28, 2000-04-23.
    const d = (y: number) => new Date(easterSunday(y)).toISOString().slice(0, 10);
    assert.deepEqual([2024, 2025, 2026, 2027, 2000].map(d), [
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
      '2000-04-23',
    ]);
  });
});
