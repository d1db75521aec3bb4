/**
 * CME Globex FX futures (6E, 6B, 6J …) on US exchange holidays: which days trade, which trade
 * without being a trading date of their own, and which end early.
 *
 * Source: CME Group's "Holiday Calendar" (cmegroup.com/tools-information/holiday-calendar.html,
 * which since 2023 publishes each holiday's hours on its Globex trading-hours page) and the
 * holiday schedules vendors copy from it: DTN's "President's Day 2023 Holiday Schedule" and
 * "July 4th 2024 Holiday Exchange Schedule" (CME Globex FX and cryptocurrency: trading halt at
 * 16:00 CT on the holiday, halted products resume at 17:00 CT for the next trade date), EdgeClear's
 * "2026 CME Globex Trading Schedule" (FX on Martin Luther King Day 2026: open Sunday 17:00 CT, halt
 * Monday 16:00 CT, reopen 17:00 CT, for trade date Tuesday 20 January), CME's Thanksgiving 2024
 * notice as reported by ForexLive (halt 12:00 CT on Thanksgiving Day), CME's Good Friday and
 * Christmas notices (Globex closed on the day).
 *
 * Three kinds of day, each named for the calendar day in Chicago:
 * - `closed`: Globex FX does not trade that day: the evening session before it does not open, and
 *   trading resumes at 17:00 CT on the day for the next trading date (or on Sunday 17:00 CT when
 *   the day is a Friday). New Year's Day, Good Friday, Christmas Day.
 * - `no_settlement`: Globex FX trades its usual session (from 17:00 CT the evening before) until
 *   `haltMin`, resumes at 17:00 CT, and the day is no trading date: CME settles the session with
 *   the next trading date, so it belongs to that date. Martin Luther King Day, Presidents Day,
 *   Memorial Day, Juneteenth, Independence Day, Labor Day (halt 16:00 CT, the usual close, as
 *   CME's notices give for FX since 2023), Thanksgiving Day (halt 12:00 CT).
 * - `early_close`: an ordinary trading date that ends at `haltMin` instead of 16:00 CT: the Friday
 *   after Thanksgiving and Christmas Eve on a weekday (12:15 CT).
 *
 * Derived conventions, where the sources above give equity and interest-rate hours but not FX's:
 * Thanksgiving Day's 12:00 CT halt follows the equity, interest-rate and cryptocurrency halt of
 * CME's 2024 notice (FX has shared cryptocurrency's holiday hours in every notice cited above); the
 * 12:15 CT early close of the Friday after Thanksgiving and of Christmas Eve is CME Globex's
 * equity, interest-rate and FX early close of Christmas Eve 2013 (ZeroHedge's schedule, from
 * RanSquawk). New Year's Eve trades its usual hours. A Good Friday on which the US employment
 * report is released (CME has then opened interest rates and FX for a short morning session) is
 * modelled as closed.
 *
 * Observance: a fixed-date holiday falling on a Saturday is observed on the Friday before, one on
 * a Sunday on the Monday after (the federal rule CME follows), except New Year's Day on a Saturday,
 * which is not observed (as on NYSE and CME in 2022: Friday 31 December 2021 traded). Juneteenth is
 * observed from 2022, the first year CME observed it. Christmas Eve's early close applies when
 * 24 December is a weekday and not itself the observed Christmas holiday.
 *
 * The rules give every year; the tests check them against the dates of CME's published calendars
 * for 2024–2027. A one-off closure (the National Day of Mourning of 9 January 2025 left FX at its
 * usual hours) goes into `CME_SPECIAL_DAYS`.
 */

/** How Globex FX trades on a holiday (see the module comment). */
export type CmeHolidayKind = 'closed' | 'no_settlement' | 'early_close';

/** One calendar day of the CME holiday schedule. */
export interface CmeHoliday {
  /** The calendar day in Chicago, YYYY-MM-DD. */
  readonly date: string;
  /** The holiday's name (`Thanksgiving Day`, `Day after Thanksgiving`, …). */
  readonly name: string;
  readonly kind: CmeHolidayKind;
  /** Halt time of a `no_settlement` or `early_close` day, minutes after midnight Chicago time. */
  readonly haltMin?: number;
}

/** The usual daily close of Globex FX, 16:00 CT, in minutes after midnight. */
export const GLOBEX_CLOSE_MIN = 16 * 60;
/** Halt of Thanksgiving Day, 12:00 CT. */
export const THANKSGIVING_HALT_MIN = 12 * 60;
/** Early close of the Friday after Thanksgiving and of Christmas Eve, 12:15 CT. */
export const EARLY_CLOSE_MIN = 12 * 60 + 15;

/** One-off days outside the rules (none affect FX so far); they replace a rule's day. */
export const CME_SPECIAL_DAYS: readonly CmeHoliday[] = [];

const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The `n`-th (1-based) `weekday` (0 = Sunday) of a month; `n` = -1 for the last. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n < 0) {
    const last = Date.UTC(year, month, 0);
    return last - ((new Date(last).getUTCDay() - weekday + 7) % 7) * DAY_MS;
  }
  const first = Date.UTC(year, month - 1, 1);
  return first + (((weekday - new Date(first).getUTCDay() + 7) % 7) + 7 * (n - 1)) * DAY_MS;
}

/** Easter Sunday of the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" algorithm). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** A fixed-date holiday's observed day: Saturday → Friday, Sunday → Monday. */
function observed(ms: number): number {
  const wd = new Date(ms).getUTCDay();
  return wd === 6 ? ms - DAY_MS : wd === 0 ? ms + DAY_MS : ms;
}

/** The schedule of `year` by the rules of the module comment, in date order. */
export function cmeHolidays(year: number): CmeHoliday[] {
  const out: CmeHoliday[] = [];
  const add = (ms: number, name: string, kind: CmeHolidayKind, haltMin?: number): void => {
    out.push(haltMin === undefined ? { date: iso(ms), name, kind } : { date: iso(ms), name, kind, haltMin });
  };
  const newYear = Date.UTC(year, 0, 1);
  if (new Date(newYear).getUTCDay() !== 6) add(observed(newYear), "New Year's Day", 'closed');
  add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day', 'no_settlement', GLOBEX_CLOSE_MIN);
  add(nthWeekday(year, 2, 1, 3), "Presidents' Day", 'no_settlement', GLOBEX_CLOSE_MIN);
  add(easterSunday(year) - 2 * DAY_MS, 'Good Friday', 'closed');
  add(nthWeekday(year, 5, 1, -1), 'Memorial Day', 'no_settlement', GLOBEX_CLOSE_MIN);
  if (year >= 2022) add(observed(Date.UTC(year, 5, 19)), 'Juneteenth', 'no_settlement', GLOBEX_CLOSE_MIN);
  add(observed(Date.UTC(year, 6, 4)), 'Independence Day', 'no_settlement', GLOBEX_CLOSE_MIN);
  add(nthWeekday(year, 9, 1, 1), 'Labor Day', 'no_settlement', GLOBEX_CLOSE_MIN);
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  add(thanksgiving, 'Thanksgiving Day', 'no_settlement', THANKSGIVING_HALT_MIN);
  add(thanksgiving + DAY_MS, 'Day after Thanksgiving', 'early_close', EARLY_CLOSE_MIN);
  const christmas = observed(Date.UTC(year, 11, 25));
  const eve = Date.UTC(year, 11, 24);
  const eveDay = new Date(eve).getUTCDay();
  if (eveDay >= 1 && eveDay <= 5 && eve !== christmas)
    add(eve, 'Christmas Eve', 'early_close', EARLY_CLOSE_MIN);
  add(christmas, 'Christmas Day', 'closed');
  // New Year's Day of next year observed on 31 December never happens (see the module comment).
  for (const s of CME_SPECIAL_DAYS) {
    if (!s.date.startsWith(`${year}-`)) continue;
    const i = out.findIndex((h) => h.date === s.date);
    if (i >= 0) out[i] = s;
    else out.push(s);
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const byYear = new Map<number, ReadonlyMap<string, CmeHoliday>>();

/** The schedule of `date` (YYYY-MM-DD), or undefined on an ordinary day. */
export function cmeHoliday(date: string): CmeHoliday | undefined {
  const year = Number(date.slice(0, 4));
  let days = byYear.get(year);
  if (days === undefined) {
    days = new Map(cmeHolidays(year).map((h) => [h.date, h]));
    byYear.set(year, days);
  }
  return days.get(date);
}
