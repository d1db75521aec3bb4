/**
 * The intraday activity profile `cme` (scenario `activity.profile`): how busy CME FX futures are
 * by hour, as activity multipliers on the clocks of the centres whose traders make the volume, so
 * that each daylight-saving change moves its own part of the day (the US and Europe change on
 * different Sundays in March and autumn, Tokyo never).
 *
 * A profile is a table of 24 weights for each of one or more IANA time zones; the activity of a
 * minute is the sum over the zones of the weight of the minute's local hour there (a geographical
 * model of FX activity: Dacorogna, Müller, Nagler, Olsen & Pictet 1993, *A geographical model for
 * the daily and weekly seasonal volatility in the foreign exchange market*, J. International
 * Money and Finance 12(4); Masry, Dupuis, Olsen & Tsang 2013, *Time zone normalization of FX
 * seasonality*, Quantitative Finance 13(7): the seasonality comes from traders in different time
 * zones, each active in their own working hours). Weights are activity multipliers like the
 * `sessions` profile's levels: 1 is `baseEventRate` events a second in the medium regime.
 *
 * Minutes when Globex is closed (the daily 16:00–17:00 Chicago break, Friday 16:00 Chicago to
 * Sunday 17:00) carry no activity whatever the table says: the scheduler skips them.
 *
 * What the `cme` table rests on (no published hour-by-hour table of 6E volume was found; the
 * weights are an assumption shaped to these figures):
 * - CME Group, *Unlocking potential during Asian trading hours with CME FX futures* (2023): in the
 *   Asian hours, 00:00–09:00 GMT, more than 20 % of the G7 FX futures' daily volume trades
 *   (over 180,000 contracts a day as of 3 July 2023). The table puts 21 % of a standard-time day
 *   there and 25 % of a summer day (London's morning then falls in 06:00–09:00 GMT).
 * - CME Group, *Use case: Euro and Yen data on the FX Market Profile tool* (October 2020 data):
 *   CME FX futures are relatively more active in US trading hours than the spot platforms (EBS).
 * - EBS and Reuters Matching EUR/USD volume by hour (fxzoo.net, "Let's get ready to rumble"; Barclays
 *   BARX and EBS in FX Trader Magazine, "Forex volume trading strategy"): the day's largest volume
 *   is in the London afternoon, 13:00–16:00 GMT, when London, continental Europe and New York
 *   trade together; spikes at 13:30 (US data, 08:30 New York), 15:00 (the 10:00 New York option
 *   cut) and 16:00 (the WM/Reuters fix); the best liquidity 12:00–17:00 GMT.
 * - Ferguson, Mann & Schneck (1998), *Concentrated trading in the foreign exchange futures
 *   markets*, J. Futures Markets 18(3): volume of the European currencies' futures is higher while
 *   European banks trade than after London's close, and falls as the European night comes.
 * - Ito & Hashimoto (2006), J. Japanese and International Economies 20(4) (EBS EUR/USD and
 *   USD/JPY): activity rises at Tokyo's and London's opens and does not rise towards New York's
 *   close, on Fridays neither; so nothing is added before the Friday close.
 * - CME Globex hours: the break and the Friday close (above); the hour after the 17:00 Chicago
 *   reopening, when only Sydney and Wellington trade, is the day's quietest.
 *
 * On a standard-time day (Chicago UTC−6, London UTC+0, Tokyo UTC+9) the table's shares of the day
 * by UTC hour are those of `scalper activity --profile cme` (README, "Scenarios"); the busiest hour
 * is 15:00–16:00 UTC (12.4 %), the quietest the reopening 23:00–00:00 UTC (0.7 %); the weights
 * sum to 23 over the 23 open hours (a mean activity of 1; the `sessions` profile's day averages
 * 0.97–1.0), so a day carries about as many events under either profile.
 */
import { localTime } from '../core/index.js';

/** Weights by local hour (24, index 0 = 00:00–01:00) of each named IANA time zone. */
export type HourlyActivity = Readonly<Record<string, readonly number[]>>;

/** The `cme` profile (see the module comment for what it rests on). */
export const CME_HOURLY_ACTIVITY: HourlyActivity = Object.freeze({
  // The round-the-clock Globex book, on CME's clock: thin through the night, the US morning's
  // data (07:30 Chicago), open and option cut (09:00) the busiest, tailing off to the break.
  'America/Chicago': Object.freeze([
    0.07, 0.07, 0.1, 0.12, 0.15, 0.2, 0.4, 1.4, 1.9, 2, 1.3, 1, 0.8, 0.7, 0.6, 0.37, 0, 0.1, 0.1, 0.1, 0.1,
    0.1, 0.09, 0.08,
  ]),
  // European traders, on London's clock: Frankfurt from 07:00, London's open the European peak,
  // through the afternoon overlap and the 16:00 fix, then gone.
  'Europe/London': Object.freeze([
    0, 0, 0, 0, 0, 0, 0.1, 0.6, 1.14, 1.07, 0.92, 0.74, 0.68, 0.83, 0.83, 0.85, 0.81, 0.24, 0.07, 0.04, 0.02,
    0, 0, 0,
  ]),
  // Asian traders, on Tokyo's clock: Tokyo's open and the 09:55 fix, the afternoon lull.
  'Asia/Tokyo': Object.freeze([
    0, 0, 0, 0, 0, 0, 0, 0.05, 0.07, 0.3, 0.4, 0.3, 0.22, 0.18, 0.17, 0.2, 0.2, 0.12, 0.05, 0, 0, 0, 0, 0,
  ]),
});

/** Whether `name` is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The activity of the minute starting at `ms` under `table`: Σ over zones of the local hour's weight. */
export function hourlyLevel(ms: number, table: HourlyActivity): number {
  let level = 0;
  for (const zone in table) level += table[zone][localTime(ms, zone).hour];
  return level;
}
