/**
 * Scheduled news in the simulated market (the `news` scenario, issue 22): at each release of an
 * economic calendar (core/economic-calendar.ts, the runtime's CSV) during the simulated window, on
 * each future whose currency the release concerns (6E: EUR or USD, 6B: GBP or USD, 6J: JPY or
 * USD):
 * - a spread blow-out from `minutes_before` the release to `NewsParams.afterMinutes` after it: the
 *   orders resting within `spreadTicks` of the touch are withdrawn as it starts, makers quote that
 *   much wider, smaller, and sometimes not at all, and noise traders stop improving the spread
 *   (populations/news.ts, makers.ts, noise.ts);
 * - a jump of the value at the release, normal with `jumpTicks` standard deviation in 6E ticks:
 *   a USD release moves every future by one draw scaled by its USD loading, as the scheduler's
 *   jumps do; a EUR, GBP or JPY release moves its own future by its volatility scale;
 * - `activity` times the events in the release's minute.
 * Releases outside the window, while Globex is closed, or in a currency no simulated future has,
 * do nothing. In the `null` market (`mid: martingale`) the jumps are whole ticks and there is no
 * blow-out, its book being recentred on the value after every event. The jumps are drawn from a stream of their own (seed, date), one per release of the
 * window, so the same calendar gives the same jumps whichever futures are simulated, and a day
 * without releases draws nothing.
 *
 * Without a calendar file the releases come from `NEWS_TEMPLATE`: the usual times of the regular
 * data releases, every weekday. It is a recurring template, not a real calendar: real releases
 * fall on some days only (payrolls on the first Friday, CPI once a month), holidays move them, and
 * they differ in importance.
 */
import {
  EconomicCalendar,
  type EconomicEvent,
  formatTimestamp,
  globexOpen,
  keyedSeed,
  Random,
  saltedSeed,
  zonedTimeToUtc,
} from '../core/index.js';
import type { InstrumentMarket } from './market.js';
import type { NewsParams } from './params.js';
import { NewsAction, type NewsSchedule } from './populations/index.js';
import type { TruthNewsEvent } from './truth.js';

/** A release of the recurring template: a local time in a centre's zone, every weekday there. */
export interface TemplateRelease {
  readonly zone: string;
  readonly hour: number;
  readonly minute: number;
  readonly currency: string;
  readonly event: string;
}

/**
 * The recurring template's releases: the local times at which each centre publishes its regular
 * data (US: 08:30 New York for payrolls, CPI, retail sales, claims, and 10:00 for ISM, consumer
 * confidence, new home sales; UK: 07:00 London, the ONS's release time for GDP and CPI; euro
 * area: 10:00 Frankfurt, the Ifo and the euro area's PMIs; Japan: 08:50 Tokyo, the Cabinet
 * Office's and the Ministry of Finance's release time for GDP, trade and the Tankan).
 */
export const NEWS_TEMPLATE: readonly TemplateRelease[] = [
  { zone: 'Asia/Tokyo', hour: 8, minute: 50, currency: 'JPY', event: 'Japan data (08:50 Tokyo)' },
  { zone: 'Europe/London', hour: 7, minute: 0, currency: 'GBP', event: 'UK data (07:00 London)' },
  { zone: 'Europe/Berlin', hour: 10, minute: 0, currency: 'EUR', event: 'euro-area data (10:00 Frankfurt)' },
  { zone: 'America/New_York', hour: 8, minute: 30, currency: 'USD', event: 'US data (08:30 New York)' },
  { zone: 'America/New_York', hour: 10, minute: 0, currency: 'USD', event: 'US data (10:00 New York)' },
];

/** The template's blackout window around each release, minutes (a risk filter's usual margins). */
export const TEMPLATE_MINUTES_BEFORE = 2;
export const TEMPLATE_MINUTES_AFTER = 5;

const DAY_MS = 86_400_000;

/** The template's releases in [fromMs, toMs), Monday to Friday in each release's own zone. */
export function templateCalendar(fromMs: number, toMs: number): EconomicCalendar {
  const events: EconomicEvent[] = [];
  // Local dates within a day of the UTC ones cover every zone's offset.
  for (let day = Math.floor(fromMs / DAY_MS) - 1; day <= Math.floor(toMs / DAY_MS) + 1; day++) {
    const d = new Date(day * DAY_MS);
    const weekday = d.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const r of NEWS_TEMPLATE) {
      const ts = zonedTimeToUtc(
        r.zone,
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        r.hour,
        r.minute,
      );
      if (ts >= fromMs && ts < toMs)
        events.push({
          tsMs: ts,
          currency: r.currency,
          event: r.event,
          minutesBefore: TEMPLATE_MINUTES_BEFORE,
          minutesAfter: TEMPLATE_MINUTES_AFTER,
        });
    }
  }
  return new EconomicCalendar(events, '<template>');
}

/** Salt of the news stream ("NEWS"), so its draws differ from the other streams of the same seed. */
const NEWS_SALT = 0x4e455753;

/** The window and day a news plan is for. */
export interface NewsWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** The run's seed and the date as YYYYMMDD: the jumps' stream. */
  readonly seed: number;
  readonly dateKey: number;
  /**
   * The `null` market's mid (martingale.ts): jumps in whole ticks, as its value walks, and no
   * blow-out, as its book is recentred after every event.
   */
  readonly wholeTicks: boolean;
}

/** The news of a day: each market's schedule and the truth file's record. */
export interface NewsDay {
  /** By market, in the order given; undefined for a market no release concerns. */
  readonly schedules: readonly (NewsSchedule | undefined)[];
  readonly truth: TruthNewsEvent[];
}

/** The size of a release's jump on `market` per unit of the 6E-tick draw (see the module comment). */
function jumpScale(market: InstrumentMarket, currency: string): number {
  const spec = market.contract.spec;
  if (currency === 'USD') return (spec.volScale * spec.usdLoading) / 0.8;
  return currency === spec.currency ? spec.volScale : 0;
}

/** One step of a schedule while it is built. */
interface Step {
  t: number;
  kind: number;
  ticks: number;
}

/**
 * Plans the releases of `calendar` (the template when null) that fall in the window: what each does
 * to each market, and its record for the truth file.
 */
export function planNews(
  p: NewsParams,
  calendar: EconomicCalendar | null,
  win: NewsWindow,
  markets: readonly InstrumentMarket[],
): NewsDay {
  const events = (calendar ?? templateCalendar(win.startMs, win.endMs)).between(win.startMs, win.endMs);
  const rnd = new Random(keyedSeed(saltedSeed(win.seed, NEWS_SALT), win.dateKey));
  const steps: Step[][] = markets.map(() => []);
  const activity = markets.map(() => new Map<number, number>());
  const truth: TruthNewsEvent[] = [];
  const nsOf = (ms: number) => (ms - win.startMs) * 1_000_000;
  for (const ev of events) {
    const z = rnd.normal();
    if (!globexOpen(ev.tsMs)) continue;
    const fromMs = ev.tsMs - ev.minutesBefore * 60_000;
    const toMs = ev.tsMs + p.afterMinutes * 60_000;
    const minute = Math.floor((ev.tsMs - win.startMs) / 60_000);
    const instruments: TruthNewsEvent['instruments'] = [];
    markets.forEach((m, k) => {
      const scale = jumpScale(m, ev.currency);
      if (scale === 0) return;
      const raw = z * p.jumpTicks * scale;
      // Four decimals, so the truth file holds the jump that was applied.
      const ticks = win.wholeTicks ? Math.round(raw) : Math.round(raw * 1e4) / 1e4;
      steps[k].push(
        { t: nsOf(fromMs), kind: NewsAction.START, ticks: 0 },
        { t: nsOf(ev.tsMs), kind: NewsAction.JUMP, ticks },
        { t: nsOf(toMs), kind: NewsAction.END, ticks: 0 },
      );
      activity[k].set(minute, Math.max(activity[k].get(minute) ?? 1, p.activity));
      instruments.push({ symbol: m.contract.rawSymbol, jump_ticks: ticks });
    });
    if (instruments.length === 0) continue;
    const iso = (ms: number) => formatTimestamp(BigInt(ms) * 1_000_000n)!;
    truth.push({
      ts: iso(ev.tsMs),
      currency: ev.currency,
      event: ev.event,
      blowout_start: iso(fromMs),
      blowout_end: iso(toMs),
      activity: p.activity,
      instruments,
    });
  }
  // The null market recentres its one-tick book after every event: a blow-out would only make
  // every event a withdrawal, so there the news brings jumps and busier minutes alone.
  const blowout = {
    spreadTicks: win.wholeTicks ? 0 : p.spreadTicks,
    sizeScale: p.sizeScale,
    pullProb: p.pullProb,
  };
  const schedules = steps.map((list, k): NewsSchedule | undefined => {
    if (list.length === 0) return undefined;
    // In time order; at one time a blow-out starts before the jump, and ends after it.
    list.sort((a, b) => a.t - b.t || a.kind - b.kind);
    return {
      t: Float64Array.from(list, (s) => s.t),
      kind: Uint8Array.from(list, (s) => s.kind),
      ticks: Float64Array.from(list, (s) => s.ticks),
      activity: activity[k],
      blowout,
    };
  });
  return { schedules, truth };
}
