/**
 * The economic calendar: scheduled releases (payrolls, CPI, central-bank decisions) around which
 * the runtime's risk filter stands aside and the simulator's `news` market moves, read from a CSV
 * with a header naming at least these columns, in any order (others are ignored):
 *
 *     ts,currency,event,minutes_before,minutes_after
 *     2026-11-24T13:30:00Z,USD,Non-farm payrolls,5,10
 *
 * - `ts`: the release time, ISO-8601 in UTC (`Z` or `+00:00`; seconds and a fraction optional);
 * - `currency`: the currency it concerns, a three-letter code among `CALENDAR_CURRENCIES`;
 * - `event`: its name (quoted when it holds a comma);
 * - `minutes_before`, `minutes_after`: the blackout window around it, minutes ≥ 0:
 *   [ts − minutes_before, ts + minutes_after).
 *
 * Every problem of a file is reported at once, each as `file:line: …`; events come out sorted by
 * time (ties in file order).
 */
import { ConfigProblemsError, readSettingsText } from './config-file.js';
import { CsvSyntaxError, csvRows } from './csv.js';

/** The columns an economic-calendar CSV must have. */
export const CALENDAR_COLUMNS = ['ts', 'currency', 'event', 'minutes_before', 'minutes_after'] as const;

/**
 * Currencies a calendar may name: the twenty most traded in the BIS Triennial Central Bank Survey
 * of 2022 (in its order), which cover every release an FX calendar lists for them. A code outside
 * them is most likely a typing error (`EUD`), so it is reported rather than silently matching
 * nothing.
 */
export const CALENDAR_CURRENCIES: readonly string[] = [
  'USD',
  'EUR',
  'JPY',
  'GBP',
  'CNY',
  'AUD',
  'CAD',
  'CHF',
  'HKD',
  'SGD',
  'SEK',
  'KRW',
  'NOK',
  'NZD',
  'INR',
  'MXN',
  'TWD',
  'ZAR',
  'BRL',
  'DKK',
];

/** One release of the calendar. */
export interface EconomicEvent {
  /** Release time, ms since the epoch (UTC). */
  readonly tsMs: number;
  /** Three-letter currency code, upper case. */
  readonly currency: string;
  readonly event: string;
  /** The blackout window: [tsMs − minutesBefore, tsMs + minutesAfter). */
  readonly minutesBefore: number;
  readonly minutesAfter: number;
  /** The line of the file it was read from (absent for events made in code). */
  readonly line?: number;
}

/** One problem of a calendar file. */
export interface CalendarIssue {
  readonly file: string;
  readonly line: number;
  /** The column the problem is in, when it is one cell's. */
  readonly column?: string;
  readonly message: string;
}

/** At most this many problems are listed; the rest are counted. */
const MAX_LISTED = 20;

/** A calendar file with problems: each one in `issues`, and as `file:line: …` in `problems`. */
export class EconomicCalendarError extends ConfigProblemsError {
  override readonly code = 'ECONOMIC_CALENDAR';
  readonly issues: readonly CalendarIssue[];

  constructor(issues: readonly CalendarIssue[]) {
    const lines = issues
      .slice(0, MAX_LISTED)
      .map((i) => `${i.file}:${i.line}: ${i.column !== undefined ? `${i.column}: ` : ''}${i.message}`);
    if (issues.length > MAX_LISTED)
      lines.push(`${issues[0].file}: ${issues.length - MAX_LISTED} more problems not listed`);
    super(lines);
    this.issues = Object.freeze([...issues]);
  }
}

/** Release times of a calendar, sorted, with the windows around them. */
export class EconomicCalendar {
  /** Where the events were read from (`<template>` or a path). */
  readonly source: string;
  /** Sorted by `tsMs`, ties in the order given. */
  readonly events: readonly EconomicEvent[];
  readonly #maxBeforeMs: number;
  readonly #maxAfterMs: number;

  /** Sorts `events` by time (a stable sort: equal times keep their order). */
  constructor(events: readonly EconomicEvent[], source = '<calendar>') {
    this.source = source;
    this.events = Object.freeze([...events].sort((a, b) => a.tsMs - b.tsMs));
    let before = 0;
    let after = 0;
    for (const e of events) {
      before = Math.max(before, e.minutesBefore * 60_000);
      after = Math.max(after, e.minutesAfter * 60_000);
    }
    this.#maxBeforeMs = before;
    this.#maxAfterMs = after;
  }

  /** Index of the first event at or after `ms`. */
  #firstFrom(ms: number): number {
    const ev = this.events;
    let lo = 0;
    let hi = ev.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ev[mid].tsMs < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The events released in [fromMs, toMs), in time order. */
  between(fromMs: number, toMs: number): EconomicEvent[] {
    const out: EconomicEvent[] = [];
    for (let i = this.#firstFrom(fromMs); i < this.events.length && this.events[i].tsMs < toMs; i++)
      out.push(this.events[i]);
    return out;
  }

  /**
   * The first event (in time order) of one of `currencies` whose blackout window holds `ms`, or
   * undefined: what a risk filter asks before it trades a pair (`['EUR', 'USD']` for EUR/USD).
   */
  blackoutAt(ms: number, currencies: readonly string[]): EconomicEvent | undefined {
    const ev = this.events;
    // Only events released within the longest windows of `ms` can hold it.
    for (let i = this.#firstFrom(ms - this.#maxAfterMs); i < ev.length; i++) {
      const e = ev[i];
      if (e.tsMs > ms + this.#maxBeforeMs) break;
      if (
        ms >= e.tsMs - e.minutesBefore * 60_000 &&
        ms < e.tsMs + e.minutesAfter * 60_000 &&
        currencies.includes(e.currency)
      )
        return e;
    }
    return undefined;
  }
}

const TS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MINUTES = /^\d+(\.\d+)?$/;

/** A release time in ms, or the reason it is not one. */
function parseTs(raw: string): number | string {
  const m = TS.exec(raw);
  if (m === null) return `"${raw}" is not an ISO-8601 UTC time (2026-11-24T13:30:00Z)`;
  const zone = m[8];
  if (zone === undefined) return `"${raw}" has no zone: give the UTC time with Z (2026-11-24T13:30:00Z)`;
  if (!/^(z|[+-]00:?00)$/i.test(zone)) return `"${raw}" is not in UTC: give the UTC time with Z`;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) + Number(`${m[7] ?? ''}000`.slice(0, 3));
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls impossible fields over (2026-02-30 is 2 March, 25:00 the next day): refuse them.
  if (
    h > 23 ||
    mi > 59 ||
    s > 59 ||
    t.getUTCFullYear() !== y ||
    t.getUTCMonth() !== mo - 1 ||
    t.getUTCDate() !== d
  )
    return `"${raw}" is not a valid date and time`;
  return ms;
}

/** A window length in minutes, or the reason it is not one. */
function parseMinutes(raw: string): number | string {
  if (raw === '') return 'missing: give a number of minutes ≥ 0';
  if (/^-/.test(raw) && Number.isFinite(Number(raw))) return `"${raw}" is negative: give minutes ≥ 0`;
  if (!MINUTES.test(raw)) return `"${raw}" is not a number of minutes ≥ 0`;
  return Number(raw);
}

/** The column indexes of the header row, or the problems with it. */
function headerColumns(
  cells: readonly string[],
  at: (column: string | undefined, message: string) => void,
): Record<(typeof CALENDAR_COLUMNS)[number], number> | null {
  const names = cells.map((c) => c.trim().toLowerCase());
  const cols = {} as Record<(typeof CALENDAR_COLUMNS)[number], number>;
  let ok = true;
  for (const c of CALENDAR_COLUMNS) {
    const i = names.indexOf(c);
    if (i < 0) {
      at(undefined, `missing column "${c}" (the header needs ${CALENDAR_COLUMNS.join(', ')})`);
      ok = false;
    } else if (names.indexOf(c, i + 1) >= 0) {
      at(undefined, `column "${c}" appears twice`);
      ok = false;
    }
    cols[c] = i;
  }
  return ok ? cols : null;
}

/** Parses an economic-calendar CSV (see the module comment); `file` names it in errors. */
export function parseEconomicCalendar(text: string, file = '<calendar.csv>'): EconomicCalendar {
  const issues: CalendarIssue[] = [];
  let rows: ReturnType<typeof csvRows>;
  try {
    rows = csvRows(text);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    throw new EconomicCalendarError([{ file, line: e.line, message: 'a quoted field is never closed' }]);
  }
  if (rows.length === 0)
    throw new EconomicCalendarError([
      { file, line: 1, message: `empty file: expected a header with ${CALENDAR_COLUMNS.join(', ')}` },
    ]);
  const cols = headerColumns(rows[0].cells, (column, message) =>
    issues.push({ file, line: rows[0].line, column, message }),
  );
  if (cols === null) throw new EconomicCalendarError(issues);
  const width = Math.max(...Object.values(cols)) + 1;
  const events: EconomicEvent[] = [];
  for (const row of rows.slice(1)) {
    const line = row.line;
    const bad = (column: string | undefined, message: string) => issues.push({ file, line, column, message });
    if (row.cells.length < width) {
      bad(undefined, `${row.cells.length} fields, expected at least ${width} (as the header)`);
      continue;
    }
    const cell = (c: (typeof CALENDAR_COLUMNS)[number]) => row.cells[cols[c]].trim();
    const problemsBefore = issues.length;
    const ts = parseTs(cell('ts'));
    if (typeof ts === 'string') bad('ts', ts);
    const currency = cell('currency').toUpperCase();
    if (currency === '') bad('currency', 'empty: give a three-letter code such as USD');
    else if (!CALENDAR_CURRENCIES.includes(currency))
      bad('currency', `unknown currency "${cell('currency')}" (known: ${CALENDAR_CURRENCIES.join(', ')})`);
    const event = cell('event');
    if (event === '') bad('event', 'empty: name the release');
    const before = parseMinutes(cell('minutes_before'));
    if (typeof before === 'string') bad('minutes_before', before);
    const after = parseMinutes(cell('minutes_after'));
    if (typeof after === 'string') bad('minutes_after', after);
    if (
      issues.length === problemsBefore &&
      typeof ts === 'number' &&
      typeof before === 'number' &&
      typeof after === 'number'
    )
      events.push({ tsMs: ts, currency, event, minutesBefore: before, minutesAfter: after, line });
  }
  if (issues.length > 0) throw new EconomicCalendarError(issues);
  return new EconomicCalendar(events, file);
}

/** Reads and parses an economic-calendar CSV file (see `parseEconomicCalendar`). */
export function readEconomicCalendar(path: string): EconomicCalendar {
  const text = readSettingsText(path, 'the economic calendar');
  return parseEconomicCalendar(text, path);
}
