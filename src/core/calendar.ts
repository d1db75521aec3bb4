/**
 * FX session calendar and the CME Globex trading day, from real time zones.
 *
 * Sessions are defined in each centre's LOCAL time and converted with the IANA zone database
 * through `Intl.DateTimeFormat`, so daylight-saving changes land on the dates each country uses
 * (the US changes clocks on the second Sunday of March and the first Sunday of November, Europe on
 * the last Sundays of March and October, Sydney on the first Sundays of October and April, Tokyo
 * never). Between those dates the London–New York overlap is an hour longer than usual.
 *
 * Local opening hours: the conventional FX trading-centre hours (Sydney 07:00–16:00, Tokyo
 * 09:00–18:00, London 08:00–17:00, New York 08:00–17:00 local, Monday to Friday), as tabulated by
 * retail FX references such as Investopedia's "Forex Market Hours" and BabyPips' session map.
 * They are conventions rather than exchange rules; the activity around them is documented by
 * Andersen & Bollerslev (1998) and Ito & Hashimoto (2006) (MICROSTRUCTURE.md §16).
 *
 * CME Globex (INTEGRATIONS.md, CONVENTIONS.md): Sunday 17:00 – Friday 16:00 America/Chicago, with a
 * daily break 16:00–17:00 CT. Trading date D runs from 17:00 CT on the calendar day before D to
 * 16:00 CT on D; trading dates are Monday to Friday except CME's holidays (cme-holidays.ts): a
 * `closed` holiday does not trade, a `no_settlement` holiday trades until its halt and belongs to
 * the next trading date (whose bounds then start at 17:00 CT before the holiday), an `early_close`
 * date ends at its halt. The FX week runs from Sunday 17:00 to Friday 17:00 America/New_York.
 *
 * Everything here is a pure function of its arguments (ms since the epoch unless the name says
 * ns); nothing reads a clock.
 */

import { cmeHoliday, GLOBEX_CLOSE_MIN } from './cme-holidays.js';
import { ConfigError } from './errors.js';
import { CME_FX_FUTURES, fxFutureRoot } from './instruments.js';
import { parseTimestamp } from './time.js';
import { requireNonNegativeInt } from './validate.js';

/** A trading centre of the FX day. */
export type FxCentre = 'sydney' | 'tokyo' | 'london' | 'new_york';

/** The session label of a moment: the most active open centre, `overlap` for London + New York. */
/** Every label `fxSession` gives. */
export const FX_SESSION_NAMES = ['sydney', 'tokyo', 'london', 'new_york', 'overlap', 'closed'] as const;
export type FxSessionName = (typeof FX_SESSION_NAMES)[number];

/** Local opening hours of one centre. */
export interface FxCentreHours {
  readonly zone: string;
  /** Opening and closing time, minutes after local midnight. */
  readonly openMin: number;
  readonly closeMin: number;
}

/** Opening hours by centre (local time; see the module comment for the source). */
export const FX_CENTRES: Readonly<Record<FxCentre, FxCentreHours>> = {
  sydney: { zone: 'Australia/Sydney', openMin: 7 * 60, closeMin: 16 * 60 },
  tokyo: { zone: 'Asia/Tokyo', openMin: 9 * 60, closeMin: 18 * 60 },
  london: { zone: 'Europe/London', openMin: 8 * 60, closeMin: 17 * 60 },
  new_york: { zone: 'America/New_York', openMin: 8 * 60, closeMin: 17 * 60 },
};

/** Bits of `openCentres`. */
export const CentreBit = { sydney: 1, tokyo: 2, london: 4, new_york: 8 } as const;

const CME_ZONE = 'America/Chicago';
const NY_ZONE = 'America/New_York';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Wall-clock fields of a moment in a zone. `weekday` 0 = Sunday … 6 = Saturday. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
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
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Each zone's UTC offset over a span of UTC quarter hours known to share it. Every zone's offset is
 * a multiple of 15 minutes and changes at a quarter hour of UTC, so within a span the wall clock
 * follows from the offset without asking `Intl` again (which costs microseconds a call). A span is
 * the quarter asked for, or, when the offset six hours later is the same, the quarters up to it: no
 * zone changes its offset and back within six hours (the tz database's changes are months apart).
 */
const QUARTER_HOUR = 15 * 60_000;
const SPAN_QUARTERS = 24;
const offsets = new Map<string, { from: number; to: number; offsetMs: number }>();

/** The wall-clock time in `zone` at `ms` (ms since the epoch). */
export function localTime(ms: number, zone: string): LocalTime {
  const quarter = Math.floor(ms / QUARTER_HOUR);
  const cached = offsets.get(zone);
  if (cached !== undefined && quarter >= cached.from && quarter <= cached.to) {
    const d = new Date(ms + cached.offsetMs);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  const t = intlLocalTime(ms, zone);
  const offsetMs = intlOffsetMs(t, ms);
  const end = (quarter + SPAN_QUARTERS) * QUARTER_HOUR;
  const to = intlOffsetMs(intlLocalTime(end, zone), end) === offsetMs ? quarter + SPAN_QUARTERS : quarter;
  offsets.set(zone, { from: quarter, to, offsetMs });
  return t;
}

/** The UTC offset (ms) of `t`, the wall clock at `ms`. */
function intlOffsetMs(t: LocalTime, ms: number): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

function intlLocalTime(ms: number, zone: string): LocalTime {
  const out: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of formatter(zone).formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value);
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAYS[p.value] ?? 0;
        break;
    }
  }
  return out;
}

/** Offset of `zone` from UTC at `ms`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(ms: number, zone: string): number {
  return intlOffsetMs(localTime(ms, zone), ms);
}

/**
 * The UTC instant (ms) of a local wall-clock time in `zone`. A time skipped by a spring-forward
 * change moves forward by the gap (02:30 → 03:30), a repeated time takes its first occurrence, as
 * Temporal's "compatible" disambiguation does.
 */
export function zonedTimeToUtc(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two fixed-point steps settle the offset on either side of a change.
  let guess = wall - zoneOffsetMs(wall, zone);
  const off2 = zoneOffsetMs(guess, zone);
  guess = wall - off2;
  const off3 = zoneOffsetMs(guess, zone);
  if (off3 !== off2) guess = wall - Math.min(off2, off3);
  return guess;
}

/** The last minute `openCentres` answered and its answer: sessions change on whole minutes only. */
let centresMinute = Number.NaN;
let centresMask = 0;

/** Bitmask (`CentreBit`) of the FX centres open at `ms`: local weekday Monday–Friday, within hours. */
export function openCentres(ms: number): number {
  // Every centre opens and closes on a whole local minute and every zone's offset is whole
  // minutes, so the answer holds for the whole UTC minute.
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute === centresMinute) return centresMask;
  let mask = 0;
  for (const name of Object.keys(FX_CENTRES) as FxCentre[]) {
    const c = FX_CENTRES[name];
    const t = localTime(ms, c.zone);
    if (t.weekday === 0 || t.weekday === 6) continue;
    const m = t.hour * 60 + t.minute;
    if (m >= c.openMin && m < c.closeMin) mask |= CentreBit[name];
  }
  centresMinute = minute;
  centresMask = mask;
  return mask;
}

/** The last minute `fxSession` checked against the FX week, and the answer (17:00 New York is a whole minute). */
let weekMinute = Number.NaN;
let weekOpen = false;

/**
 * The session label at `ms`: `closed` outside the FX week, else `overlap` when London and New York
 * are both open, else the open centre latest in the day's sequence (New York, London, Tokyo,
 * Sydney), else the centre that opened last (the quiet hours between New York's close and Sydney's
 * open count as late New York).
 */
export function fxSession(ms: number): FxSessionName {
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute !== weekMinute) {
    weekMinute = minute;
    weekOpen = fxWeekOpen(ms);
  }
  if (!weekOpen) return 'closed';
  const mask = openCentres(ms);
  if ((mask & CentreBit.london) !== 0 && (mask & CentreBit.new_york) !== 0) return 'overlap';
  if ((mask & CentreBit.new_york) !== 0) return 'new_york';
  if ((mask & CentreBit.london) !== 0) return 'london';
  if ((mask & CentreBit.tokyo) !== 0) return 'tokyo';
  if ((mask & CentreBit.sydney) !== 0) return 'sydney';
  return 'new_york';
}

/** The UTC interval [startMs, endMs) of a centre's session on the local date `date` (YYYY-MM-DD). */
export function centreSessionUtc(centre: FxCentre, date: string): { startMs: number; endMs: number } {
  const [y, m, d] = parseDate(date);
  const c = FX_CENTRES[centre];
  return {
    startMs: zonedTimeToUtc(c.zone, y, m, d, Math.floor(c.openMin / 60), c.openMin % 60),
    endMs: zonedTimeToUtc(c.zone, y, m, d, Math.floor(c.closeMin / 60), c.closeMin % 60),
  };
}

/** The London–New York overlap on `date` (both centres' local date): [NY open, London close). */
export function overlapUtc(date: string): { startMs: number; endMs: number } {
  const ny = centreSessionUtc('new_york', date);
  const ldn = centreSessionUtc('london', date);
  return { startMs: Math.max(ny.startMs, ldn.startMs), endMs: Math.min(ny.endMs, ldn.endMs) };
}

/** Inside the FX week: Sunday 17:00 to Friday 17:00 New York time. */
export function fxWeekOpen(ms: number): boolean {
  const t = localTime(ms, NY_ZONE);
  const m = t.hour * 60 + t.minute;
  if (t.weekday === 6) return false;
  if (t.weekday === 0) return m >= 17 * 60;
  if (t.weekday === 5) return m < 17 * 60;
  return true;
}

/**
 * CME Globex FX is open: Sunday 17:00 – Friday 16:00 CT, except the daily 16:00–17:00 CT break,
 * `closed` holidays (from 17:00 CT the evening before to 17:00 CT on the day) and the time after
 * the halt of a `no_settlement` or `early_close` day until 17:00 CT.
 */
export function globexOpen(ms: number): boolean {
  const t = localTime(ms, CME_ZONE);
  const m = t.hour * 60 + t.minute;
  if (m >= GLOBEX_CLOSE_MIN && m < 17 * 60) return false;
  // An evening (from 17:00) trades for the next calendar day's session.
  const evening = m >= 17 * 60;
  const wd = evening ? (t.weekday + 1) % 7 : t.weekday;
  if (wd === 0 || wd === 6) return false;
  const h = cmeHoliday(sessionDay(t, evening));
  if (h === undefined) return true;
  if (h.kind === 'closed') return false;
  return evening || m < (h.haltMin ?? GLOBEX_CLOSE_MIN);
}

/** YYYY-MM-DD of the calendar day whose session the wall-clock time `t` trades in. */
function sessionDay(t: LocalTime, evening: boolean): string {
  return formatDate(Date.UTC(t.year, t.month - 1, t.day) + (evening ? DAY_MS : 0));
}

/**
 * UTC bounds [startMs, endMs) of CME trading date `date` (YYYY-MM-DD): 17:00 CT the day before to
 * 16:00 CT (its halt on an early-close date). The sessions of `no_settlement` holidays just before
 * it (weekends between skipped) belong to it, so it then starts at 17:00 CT before the first of
 * them and the bounds hold the halts between (where `globexOpen` is false): the Friday after
 * Thanksgiving starts on Wednesday 17:00 CT. A date that is no trading date gets the plain bounds.
 */
export function tradingDayBounds(date: string): { startMs: number; endMs: number } {
  const [y, m, d] = parseDate(date);
  let first = Date.UTC(y, m - 1, d);
  if (isTradingDate(date)) {
    for (let t = first - DAY_MS; ; t -= DAY_MS) {
      const wd = new Date(t).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      if (cmeHoliday(formatDate(t))?.kind !== 'no_settlement') break;
      first = t;
    }
  }
  const prev = new Date(first - DAY_MS);
  const endMin = cmeHoliday(date)?.haltMin ?? GLOBEX_CLOSE_MIN;
  return {
    startMs: zonedTimeToUtc(
      CME_ZONE,
      prev.getUTCFullYear(),
      prev.getUTCMonth() + 1,
      prev.getUTCDate(),
      17,
      0,
    ),
    endMs: zonedTimeToUtc(CME_ZONE, y, m, d, Math.floor(endMin / 60), endMin % 60),
  };
}

/** The same bounds in ns since the epoch. */
export function tradingDayBoundsNs(date: string): { startNs: bigint; endNs: bigint } {
  const b = tradingDayBounds(date);
  return { startNs: BigInt(b.startMs) * 1_000_000n, endNs: BigInt(b.endMs) * 1_000_000n };
}

/**
 * The CME trading date (YYYY-MM-DD) `ms` belongs to, or null when Globex is closed (the daily
 * break, weekends, holidays, after a halt). A `no_settlement` holiday's session belongs to the next
 * trading date.
 */
export function tradingDateOf(ms: number): string | null {
  if (!globexOpen(ms)) return null;
  const t = localTime(ms, CME_ZONE);
  const day = sessionDay(t, t.hour >= 17);
  return isTradingDate(day) ? day : tradingDates(day, 1)[0];
}

/** Whether `date` (YYYY-MM-DD) is a trading date: Monday to Friday, not a CME holiday without one. */
export function isTradingDate(date: string): boolean {
  const [y, m, d] = parseDate(date);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  if (wd === 0 || wd === 6) return false;
  const h = cmeHoliday(date);
  return h === undefined || h.kind === 'early_close';
}

/**
 * `days` trading dates starting at `start` (`--start`, `--days N`): weekends and CME holidays are
 * skipped, and a start on one begins at the next trading date.
 */
export function tradingDates(start: string, days: number): string[] {
  requireNonNegativeInt('days', days);
  const out: string[] = [];
  const [y, m, d] = parseDate(start);
  for (let t = Date.UTC(y, m - 1, d); out.length < days; t += DAY_MS) {
    const date = formatDate(t);
    if (isTradingDate(date)) out.push(date);
  }
  return out;
}

/** The `days` trading dates before `date` (YYYY-MM-DD), oldest first (weekends and holidays skipped). */
export function tradingDatesBefore(date: string, days: number): string[] {
  requireNonNegativeInt('days', days);
  const out: string[] = [];
  const [y, m, d] = parseDate(date);
  for (let t = Date.UTC(y, m - 1, d) - DAY_MS; out.length < days; t -= DAY_MS) {
    const day = formatDate(t);
    if (isTradingDate(day)) out.unshift(day);
  }
  return out;
}

/** YYYYMMDD as Databento names files, from YYYY-MM-DD. */
export function compactDate(date: string): string {
  parseDate(date);
  return date.replaceAll('-', '');
}

/** Parses YYYY-MM-DD (also accepts YYYYMMDD) into [year, month, day], checking the calendar. */
export function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date);
  if (!m) throw new ConfigError(`Date "${date}" is not YYYY-MM-DD`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d)
    throw new ConfigError(`Date "${date}" does not exist`);
  return [y, mo, d];
}

/** YYYY-MM-DD of the UTC date of `ms`. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of the UTC minute containing `ms`. */
export function minuteFloor(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The first moment strictly after `ms` at which the wall clock in `zone` reads `hour:minute`. */
export function nextLocalTimeMs(zone: string, ms: number, hour: number, minute: number): number {
  const t = localTime(ms, zone);
  const today = zonedTimeToUtc(zone, t.year, t.month, t.day, hour, minute);
  if (today > ms) return today;
  const next = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
  return zonedTimeToUtc(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), hour, minute);
}

/**
 * The next start of a CME trading date strictly after `ms`: a Globex open at 17:00 America/Chicago
 * that begins a new trading date. Weekends and `closed` holidays open no date; the reopening after
 * a `no_settlement` holiday's halt continues the date its session belongs to.
 */
export function nextGlobexOpenMs(ms: number): number {
  let open = nextLocalTimeMs(CME_ZONE, ms, 17, 0);
  // Holidays and weekends never leave more than a few days without a trading date.
  for (let i = 0; i < 14; i++) {
    const date = tradingDateOf(open);
    if (date !== null && tradingDayBounds(date).startMs === open) return open;
    open = nextLocalTimeMs(CME_ZONE, open, 17, 0);
  }
  throw new ConfigError(`No CME trading date starts within 14 days after ${new Date(ms).toISOString()}`);
}

/**
 * The Globex close whose reopening is still ahead of `ms` (the one in progress when `ms` falls in
 * it), and that reopening: the daily 16:00 CT break, an early halt, the weekend, a holiday closure.
 * `reopenMs − closeMs` is an hour on an ordinary day and longer at a weekend or holiday.
 */
export function globexCloseAround(ms: number): { closeMs: number; reopenMs: number } {
  const t = localTime(ms, CME_ZONE);
  for (let day = Date.UTC(t.year, t.month - 1, t.day) - DAY_MS; ; day += DAY_MS) {
    const wd = new Date(day).getUTCDay();
    const h = cmeHoliday(formatDate(day));
    if (wd === 0 || wd === 6 || h?.kind === 'closed') continue;
    const halt = h?.haltMin ?? GLOBEX_CLOSE_MIN;
    const d = new Date(day);
    const closeMs = zonedTimeToUtc(
      CME_ZONE,
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      Math.floor(halt / 60),
      halt % 60,
    );
    let reopenMs = nextLocalTimeMs(CME_ZONE, closeMs, 17, 0);
    while (!globexOpen(reopenMs)) reopenMs = nextLocalTimeMs(CME_ZONE, reopenMs, 17, 0);
    if (reopenMs > ms) return { closeMs, reopenMs };
  }
}

/** The next local opening time of an FX centre strictly after `ms` (weekends included). */
export function nextCentreOpenMs(centre: FxCentre, ms: number): number {
  const c = FX_CENTRES[centre];
  return nextLocalTimeMs(c.zone, ms, Math.floor(c.openMin / 60), c.openMin % 60);
}

/** CME month codes of the quarterly (March) cycle. */
const QUARTER_CODES: Readonly<Record<number, string>> = { 3: 'H', 6: 'M', 9: 'U', 12: 'Z' };

/** Third Wednesday of a month, as a UTC date (ms at 00:00). */
function thirdWednesday(year: number, month: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((3 - first + 7) % 7) + 14;
  return Date.UTC(year, month - 1, day);
}

/**
 * Last trading moment of a CME FX quarterly contract: 09:16 CT on the second business day (CME
 * trading date) before the third Wednesday of the contract month (usually the Monday), ms since
 * the epoch.
 */
export function fxFutureLastTradeMs(year: number, month: number): number {
  const date = tradingDatesBefore(formatDate(thirdWednesday(year, month)), 2)[0];
  const [y, m, d] = parseDate(date);
  return zonedTimeToUtc(CME_ZONE, y, m, d, 9, 16);
}

/**
 * Trading dates before the last trade date on which the front month rolls to the next quarter:
 * liquidity moves to the next quarter about a week before expiry (INTEGRATIONS.md §1). Four
 * business days puts the roll on the Tuesday of the week before the usual Monday expiry (6EH7,
 * last trade Monday 15 March 2027, rolls on Tuesday 9 March), the date `frontMonth` has always
 * used; desks that roll on the Thursday or Friday a week before pass 6 or 7.
 */
export const ROLL_BUSINESS_DAYS = 4;

/** A quarterly contract of a product, e.g. 6E's March 2027 contract `6EH7`. */
export interface ContractMonth {
  /** CME raw symbol: product, month code, last digit of the year (`6EH7`). */
  readonly symbol: string;
  readonly year: number;
  /** 3, 6, 9 or 12. */
  readonly month: number;
  /** Last trading moment, ms since the epoch. */
  readonly lastTradeMs: number;
}

function contractMonth(product: string, year: number, month: number): ContractMonth {
  return {
    symbol: `${product}${QUARTER_CODES[month]}${year % 10}`,
    year,
    month,
    lastTradeMs: fxFutureLastTradeMs(year, month),
  };
}

/** The quarter after (`year`, `month`). */
function nextQuarter(year: number, month: number): [number, number] {
  return month === 12 ? [year + 1, 3] : [year, month + 3];
}

/**
 * The first trading date on which the quarter after contract (`year`, `month`) is the front month:
 * the trading date `rollBusinessDays` trading dates before the contract's last trade date (0: the
 * last trade date itself).
 */
export function rollDate(year: number, month: number, rollBusinessDays = ROLL_BUSINESS_DAYS): string {
  requireNonNegativeInt('rollBusinessDays', rollBusinessDays);
  const last = formatDate(zonedDayMs(fxFutureLastTradeMs(year, month)));
  return rollBusinessDays === 0 ? last : tradingDatesBefore(last, rollBusinessDays)[0];
}

/** 00:00 UTC of the Chicago calendar day of `ms`. */
function zonedDayMs(ms: number): number {
  const t = localTime(ms, CME_ZONE);
  return Date.UTC(t.year, t.month - 1, t.day);
}

/**
 * The front month of `product` (`6E`) on trading date `date` (YYYY-MM-DD) by the roll date: the
 * nearest March-cycle contract whose `rollDate` is after the date. This is what the product name
 * means where a command takes `6E` rather than a contract.
 */
export function frontMonth(
  product: string,
  date: string,
  rollBusinessDays = ROLL_BUSINESS_DAYS,
): ContractMonth {
  const [y, m] = parseDate(date);
  let year = y;
  let month = Math.ceil(m / 3) * 3;
  while (rollDate(year, month, rollBusinessDays) <= date) [year, month] = nextQuarter(year, month);
  return contractMonth(product, year, month);
}

/**
 * The front month of `product` on `date` by volume, as Databento's `6E.v.0` picks it: of the
 * nearest contract still trading on the date and the one after it, the one with the larger
 * previous-day volume (`previousDayVolume` by raw symbol; a symbol missing counts 0). Equal
 * volumes (none given, say) fall back to the roll date (`frontMonth`).
 */
export function frontMonthByVolume(
  product: string,
  date: string,
  previousDayVolume: ReadonlyMap<string, number>,
  rollBusinessDays = ROLL_BUSINESS_DAYS,
): ContractMonth {
  const [y, m] = parseDate(date);
  let year = y;
  let month = Math.ceil(m / 3) * 3;
  while (formatDate(zonedDayMs(fxFutureLastTradeMs(year, month))) < date)
    [year, month] = nextQuarter(year, month);
  const near = contractMonth(product, year, month);
  const far = contractMonth(product, ...nextQuarter(year, month));
  const vNear = previousDayVolume.get(near.symbol) ?? 0;
  const vFar = previousDayVolume.get(far.symbol) ?? 0;
  if (vNear === vFar) return frontMonth(product, date, rollBusinessDays);
  return vFar > vNear ? far : near;
}

/**
 * A `--from`/`--to` time of a command, in ns since the epoch: a date alone (`2026-11-24`) is that
 * CME trading date (from its 17:00 Chicago start the evening before, to its 16:00 Chicago end);
 * a date and time is that instant, in UTC (`2026-11-24T14:30`, `…:00Z`, up to 9 fractional
 * digits). `edge` says which end of a trading date a date alone stands for.
 */
export function parseTimeBound(text: string, edge: 'from' | 'to', option = `--${edge}`): bigint {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    let trading: boolean;
    try {
      trading = isTradingDate(t);
    } catch (e) {
      throw new ConfigError(`${option} ${text}: ${(e as Error).message}`);
    }
    if (!trading) throw new ConfigError(`${option} ${text}: not a CME trading date (weekend or CME holiday)`);
    const b = tradingDayBoundsNs(t);
    return edge === 'from' ? b.startNs : b.endNs;
  }
  try {
    return parseTimestamp(t);
  } catch {
    throw new ConfigError(
      `${option} ${text}: expected a trading date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM[:SS[.fffffffff]][Z])`,
    );
  }
}

/**
 * The product a command's instrument argument names, when it names one rather than a contract:
 * `6E` or Databento's calendar continuous symbol `6E.c.0` → `6E`; `6EZ6` or `EUR/USD` → undefined.
 */
export function productOf(requested: string): string | undefined {
  const m = /^(6[A-Z])(?:\.c\.0)?$/.exec(requested);
  return m !== null && CME_FX_FUTURES[m[1]] !== undefined ? m[1] : undefined;
}

/**
 * Whether contract `symbol` is `product`'s front month (`frontMonth`) at `ms`: what a product name
 * selects, so that `6E` follows 6EZ6 into 6EH7 across the roll.
 */
export function isFrontMonth(product: string, symbol: string, ms: number): boolean {
  if (fxFutureRoot(symbol) !== product) return false;
  const date = tradingDateOf(ms) ?? formatDate(ms);
  return frontMonth(product, date).symbol === symbol;
}
