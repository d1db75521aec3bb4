import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CME_HOURLY_ACTIVITY, hourlyLevel, isTimeZone } from './activity.js';
import { DEFAULT_PARAMS } from './params.js';
import { profileHourShares, profileParams } from './profile.js';
import { minuteActivity } from './scheduler.js';

const at = (iso: string) => Date.parse(iso);

describe('hourly activity profiles', () => {
  it('a minute is the sum of each zone’s weight at its local hour, on that zone’s clock', () => {
    const t = CME_HOURLY_ACTIVITY;
    // Wednesday 4 March 2026, 15:30 UTC, before every DST change: Chicago 09:30 CST (2.00),
    // London 15:30 GMT (0.85), Tokyo 00:30 JST on Thursday (0): 2.85.
    assert.equal(hourlyLevel(at('2026-03-04T15:30:00Z'), t), 2 + 0.85);
    // A week later the US has moved its clocks (8 March) and Europe has not (29 March):
    // Chicago 10:30 CDT (1.30), London 15:30 GMT (0.85): 2.15.
    assert.equal(hourlyLevel(at('2026-03-11T15:30:00Z'), t), 1.3 + 0.85);
    // After both: 1 April, 15:30 UTC is Chicago 10:30 CDT (1.30), London 16:30 BST (0.81).
    assert.equal(hourlyLevel(at('2026-04-01T15:30:00Z'), t), 1.3 + 0.81);
    // 4 March 01:30 UTC: Chicago 19:30 CST on the 3rd (0.10), London 01:30 (0), Tokyo 10:30 (0.40).
    assert.equal(hourlyLevel(at('2026-03-04T01:30:00Z'), t), 0.1 + 0.4);
    // One table in UTC: the weight of the UTC hour.
    const utc = { UTC: Array.from({ length: 24 }, (_, h) => h) };
    assert.equal(hourlyLevel(at('2026-07-01T07:59:00Z'), utc), 7);
  });

  it('the scheduler takes the hourly table when one is set, and the sessions otherwise', () => {
    // 4 March 2026 06:30 UTC: the late Asian lull of the sessions profile (Tokyo open, Sydney
    // closed at 16:00 AEDT = 05:00 UTC, London not yet open): 0.12; under cme Chicago 00:30
    // (0.07), London 06:30 (0.10), Tokyo 15:30 (0.20): 0.37.
    const ms = at('2026-03-04T06:30:00Z');
    assert.equal(minuteActivity(ms, DEFAULT_PARAMS).level, 0.12);
    assert.equal(minuteActivity(ms, profileParams('cme')).level, 0.07 + 0.1 + 0.2);
    // 08:30 New York (13:30 UTC) is three times busier under either.
    const release = minuteActivity(at('2026-03-04T13:30:00Z'), profileParams('cme'));
    assert.equal(release.level, 1.4 + 0.83);
    assert.equal(release.activity, 3 * (1.4 + 0.83));
  });

  it('each hour’s share of a trading day counts the open minutes and the release minute three times', () => {
    // Weight 1 in every UTC hour. Trading date 4 March 2026: 23:00 UTC on the 3rd to 22:00 UTC,
    // 23 open hours of 60 minutes, the 13:30 UTC release minute counted 3 times: 1,382 in all.
    const flat = { ...DEFAULT_PARAMS, hourlyActivity: { UTC: new Array(24).fill(1) } };
    const s = profileHourShares(['2026-03-04'], flat);
    assert.equal(s[22], 0, 'the 16:00–17:00 Chicago break');
    assert.ok(Math.abs(s[13] - 62 / 1382) < 1e-12);
    for (const h of [23, 0, 8, 21]) assert.ok(Math.abs(s[h] - 60 / 1382) < 1e-12, `hour ${h}`);
    // In Chicago hours the break is 16:00 whatever the season.
    const ct = profileHourShares(['2026-07-01'], flat, 'America/Chicago');
    assert.equal(ct[16], 0);
    assert.ok(Math.abs(ct[17] - 60 / 1382) < 1e-12);
  });

  it('the cme table is quietest at the reopening after the break and busiest in the London–New York afternoon', () => {
    // Shares by UTC hour of a standard-time day, worked from the table: hour h is Chicago h − 6,
    // London h, Tokyo h + 9; 23 h of weights summing to 23.0, plus two extra release minutes
    // (2 × 2.23 / 60 of an hour at 13:30 UTC).
    const t = CME_HOURLY_ACTIVITY;
    const level = (h: number) =>
      t['America/Chicago'][(h + 18) % 24] + t['Europe/London'][h] + t['Asia/Tokyo'][(h + 9) % 24];
    let day = 0;
    for (let h = 0; h < 24; h++) if (h !== 22) day += level(h);
    assert.ok(Math.abs(day - 23) < 1e-9, `the day's weights sum to ${day}`);
    const total = day + (2 * level(13)) / 60;
    const s = profileHourShares(['2026-03-04'], profileParams('cme'));
    for (let h = 0; h < 24; h++) {
      const want = h === 22 ? 0 : (level(h) + (h === 13 ? (2 * level(13)) / 60 : 0)) / total;
      assert.ok(Math.abs(s[h] - want) < 1e-12, `hour ${h}: ${s[h]} against ${want}`);
    }
    const open = [...s.keys()].filter((h) => h !== 22);
    const quietest = open.reduce((a, b) => (s[b] < s[a] ? b : a));
    const busiest = open.reduce((a, b) => (s[b] > s[a] ? b : a));
    assert.equal(quietest, 23, 'the hour after the 17:00 Chicago reopening');
    assert.equal(busiest, 15);
    // CME Group (2023): more than 20 % of the G7 futures' volume in 00:00–09:00 GMT.
    let asia = 0;
    for (let h = 0; h < 9; h++) asia += s[h];
    assert.ok(asia > 0.2, `00:00–09:00 UTC ${asia}`);
  });

  it('knows IANA zones', () => {
    assert.ok(isTimeZone('America/Chicago'));
    assert.ok(isTimeZone('UTC'));
    assert.ok(!isTimeZone('Europe/Londn'));
    assert.ok(!isTimeZone(''));
  });
});
