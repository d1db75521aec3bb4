/**
 * What an activity profile makes of given trading days before any randomness: each hour's share
 * of the days' activity, the quantity the Poisson flow's event count follows in expectation (the
 * scheduler's rate is `baseEventRate × activity × regime rate`, and the regime's rate does not
 * depend on the hour). `scalper activity --profile` prints it beside measured volume.
 */
import { globexOpen, localTime, tradingDayBounds } from '../core/index.js';
import { CME_HOURLY_ACTIVITY } from './activity.js';
import { DEFAULT_PARAMS, type SimParams } from './params.js';
import { minuteActivity } from './scheduler.js';

/** The simulator's parameters of an activity profile by name, the others the defaults. */
export function profileParams(profile: 'sessions' | 'cme'): SimParams {
  return profile === 'cme' ? { ...DEFAULT_PARAMS, hourlyActivity: CME_HOURLY_ACTIVITY } : DEFAULT_PARAMS;
}

/**
 * Each local hour's (of `zone`) share of the activity of `dates` (CME trading dates) under `p`,
 * minute by minute over the Globex-open minutes, the 08:30 New York release's minute counted
 * `announcementActivity` times.
 */
export function profileHourShares(dates: readonly string[], p: SimParams, zone = 'UTC'): Float64Array {
  const byHour = new Float64Array(24);
  let total = 0;
  for (const date of dates) {
    const { startMs, endMs } = tradingDayBounds(date);
    for (let ms = startMs; ms < endMs; ms += 60_000) {
      if (!globexOpen(ms)) continue;
      const a = minuteActivity(ms, p).activity;
      byHour[localTime(ms, zone).hour] += a;
      total += a;
    }
  }
  if (total > 0) for (let h = 0; h < 24; h++) byHour[h] /= total;
  return byHour;
}
