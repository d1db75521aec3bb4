import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type SimulatedSpan, simulatedSpan } from '../../test/sim-fixture.js';
import {
  CME_HOURLY_ACTIVITY,
  DEFAULT_NEWS_PARAMS,
  DEFAULT_PARAMS,
  DEFAULT_SPOT_PARAMS,
  SCENARIO_PRESET_NAMES,
  SCENARIO_PRESETS,
  type Scenario,
  ScenarioSchema,
  scenarioParams,
  type TruthFile,
  withNewsCalendar,
} from './index.js';

const scenario = (v: unknown): Scenario => ScenarioSchema.parse(v);

/** The paths and messages of the problems `v` has as a scenario. */
function problems(v: unknown): { path: string; message: string }[] {
  const r = ScenarioSchema.safeParse(v);
  assert.equal(r.success, false, `${JSON.stringify(v)} is accepted`);
  return r.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('scenario schema', () => {
  it('an empty scenario, and the default preset, are the default parameters', () => {
    for (const s of [scenario({}), scenario(undefined), scenario('default')]) {
      assert.equal(s.preset, 'default');
      const { params, spotParams } = scenarioParams(s);
      assert.deepEqual(params, DEFAULT_PARAMS);
      assert.deepEqual(spotParams, DEFAULT_SPOT_PARAMS);
      // Same key order too (the truth file's `params` is written from it).
      assert.equal(JSON.stringify({ ...DEFAULT_PARAMS, ...params }), JSON.stringify(DEFAULT_PARAMS));
    }
  });

  it('calm and volatile hold the regime: an identity transition matrix from the held state', () => {
    const identity = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const calm = scenarioParams(scenario('calm')).params;
    assert.deepEqual(calm.regimeTransition, identity);
    assert.equal(calm.initialRegime, 0);
    const volatile = scenarioParams(scenario('volatile')).params;
    assert.deepEqual(volatile.regimeTransition, identity);
    assert.equal(volatile.initialRegime, 2);
    // Nothing else moves.
    assert.deepEqual(
      { ...calm, regimeTransition: null, initialRegime: null },
      { ...DEFAULT_PARAMS, regimeTransition: null, initialRegime: null },
    );
  });

  it('news turns the releases of a calendar on and the built-in 08:30 release off', () => {
    const s = scenario('news');
    const p = scenarioParams(s).params;
    // No calendar named: the template (null); the other fields at their defaults.
    assert.deepEqual(p.news, {
      calendar: null,
      jumpTicks: 20,
      spreadTicks: 2,
      sizeScale: 0.3,
      pullProb: 0.3,
      activity: 4,
      afterMinutes: 1,
    });
    assert.deepEqual(p.news, DEFAULT_NEWS_PARAMS);
    assert.equal(p.announcementActivity, 1);
    assert.equal(p.announcementJumpTicks, 0);
    assert.deepEqual(
      { ...p, news: null, announcementActivity: null, announcementJumpTicks: null },
      { ...DEFAULT_PARAMS, news: null, announcementActivity: null, announcementJumpTicks: null },
    );
    // No other preset has news: its key is absent, not undefined.
    for (const name of SCENARIO_PRESET_NAMES.filter((n) => n !== 'news'))
      assert.equal(Object.hasOwn(scenarioParams(scenario(name)).params, 'news'), false, name);
    const own = scenarioParams(
      scenario({ preset: 'news', news: { calendar: 'cal.csv', jumpTicks: 8, pull: 0 } }),
    ).params.news;
    assert.deepEqual(own, { ...DEFAULT_NEWS_PARAMS, calendar: 'cal.csv', jumpTicks: 8, pullProb: 0 });
  });

  it('withNewsCalendar turns news on in any scenario, keeping its news parameters', () => {
    const toxic = withNewsCalendar(scenario('toxic'), 'a.csv');
    assert.equal(toxic.preset, 'toxic');
    assert.deepEqual(scenarioParams(toxic).params.news, { ...DEFAULT_NEWS_PARAMS, calendar: 'a.csv' });
    assert.equal(scenarioParams(toxic).params.episodeMinMin, 5);
    const news = withNewsCalendar(scenario({ preset: 'news', news: { spreadTicks: 3 } }), 'b.csv');
    assert.deepEqual(scenarioParams(news).params.news, {
      ...DEFAULT_NEWS_PARAMS,
      calendar: 'b.csv',
      spreadTicks: 3,
    });
  });

  it('toxic triples the episode rate, lengthens episodes and strengthens them by half', () => {
    const p = scenarioParams(scenario('toxic')).params;
    // Defaults: 0.004, 0.008, 0.02 per minute; 3 + 7 min; share 0.08, drift 2 ticks/min.
    assert.deepEqual(p.episodeRate, [0.012, 0.024, 0.06]);
    assert.equal(p.episodeMinMin, 5);
    assert.equal(p.episodeMeanExtraMin, 12);
    assert.equal(p.informedShareMax, 0.12);
    assert.equal(p.episodeDriftTicksPerMin, 3);
  });

  it('fields override the preset they name, field by field', () => {
    const s = scenario({ preset: 'toxic', informed: { share: 0.2 }, toxic: { minMinutes: 4 } });
    assert.equal(s.preset, 'toxic');
    const p = scenarioParams(s).params;
    assert.equal(p.informedShareMax, 0.2);
    assert.equal(p.episodeMinMin, 4);
    // The rest of the preset's toxic group stays.
    assert.equal(p.episodeMeanExtraMin, 12);
    assert.deepEqual(p.episodeRate, [0.012, 0.024, 0.06]);
    const spot = scenarioParams(
      scenario({ spot: { lagMeanMs: 50 }, latency: { spot: { minMs: 1 } } }),
    ).spotParams;
    assert.deepEqual(spot, { ...DEFAULT_SPOT_PARAMS, lagMeanMs: 50, recvLatencyMinMs: 1 });
  });

  it('a bad field is a problem naming its path', () => {
    assert.deepEqual(
      problems({ informed: { share: 2 } }).map((p) => p.path),
      ['informed.share'],
    );
    assert.deepEqual(
      problems({ toxic: { ratee: [0, 0, 0] } }).map((p) => p.path),
      ['toxic'],
    );
    assert.match(problems({ toxic: { ratee: [0, 0, 0] } })[0].message, /ratee/);
    assert.deepEqual(
      problems({ preset: 'stormy' }).map((p) => p.path),
      ['preset'],
    );
    assert.deepEqual(
      problems({ preset: 'news', news: { spreadTicks: 1.5, calendar: '', pull: -1 } }).map((p) => p.path),
      ['news.calendar', 'news.spreadTicks', 'news.pull'],
    );
    assert.deepEqual(problems('stormy'), [
      { path: '', message: 'expected a scenario: default, calm, volatile, toxic, news, null' },
    ]);
    // A transition row 0.5 + 0.4 + 0 does not sum to 1.
    assert.deepEqual(
      problems({
        regimes: {
          transition: [
            [0.5, 0.4, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
        },
      }).map((p) => p.path),
      ['regimes.transition.0'],
    );
  });

  it('the activity profile is sessions unless it says cme; only cme sets an hourly table', () => {
    const sessions = scenarioParams(scenario({ activity: { profile: 'sessions' } })).params;
    assert.equal('hourlyActivity' in sessions, false, 'the default parameters gain no field');
    const cme = scenarioParams(scenario({ activity: { profile: 'cme' } })).params;
    assert.equal(cme.hourlyActivity, CME_HOURLY_ACTIVITY);
    assert.deepEqual({ ...cme, hourlyActivity: undefined }, { ...DEFAULT_PARAMS, hourlyActivity: undefined });
    // A user's table replaces CME's; over a preset, the preset's other fields stay.
    const utc = { UTC: Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 17 ? 2 : 0.5)) };
    const own = scenarioParams(
      scenario({ preset: 'calm', activity: { profile: 'cme', hourly: utc } }),
    ).params;
    assert.deepEqual(own.hourlyActivity, utc);
    assert.equal(own.initialRegime, 0);
  });

  it('a bad activity profile or hourly table is a problem naming its path', () => {
    const day = (w: number) => new Array(24).fill(w);
    assert.deepEqual(problems({ activity: { hourly: { UTC: day(1) } } }), [
      {
        path: 'activity.hourly',
        message: "an hourly table is the cme profile's: set activity.profile to cme",
      },
    ]);
    assert.deepEqual(problems({ activity: { profile: 'cme', hourly: { 'Europe/Londn': day(1) } } }), [
      {
        path: 'activity.hourly.Europe/Londn',
        message: '"Europe/Londn" is not an IANA time zone (America/Chicago, Europe/London, UTC)',
      },
    ]);
    assert.deepEqual(
      problems({ activity: { profile: 'cme', hourly: { UTC: new Array(23).fill(1) } } }).map((p) => p.path),
      ['activity.hourly.UTC'],
    );
    assert.deepEqual(
      problems({ activity: { profile: 'cme', hourly: { UTC: [...day(1).slice(1), -1] } } }).map(
        (p) => p.path,
      ),
      ['activity.hourly.UTC.23'],
    );
    assert.deepEqual(problems({ activity: { profile: 'cme', hourly: { UTC: day(0) } } }), [
      { path: 'activity.hourly', message: 'no weight above 0: the market would never trade' },
    ]);
    assert.deepEqual(
      problems({ activity: { profile: 'nyse' } }).map((p) => p.path),
      ['activity.profile'],
    );
  });

  it('a scenario may name its contracts, each once, among 6E, 6B and 6J', () => {
    assert.deepEqual(scenario({ instruments: ['6B', '6J'] }).instruments, ['6B', '6J']);
    assert.equal(scenario('toxic').instruments, undefined, 'no preset names contracts');
    assert.deepEqual(
      problems({ instruments: ['6E', 'XX'] }).map((p) => p.path),
      ['instruments.1'],
    );
    assert.deepEqual(problems({ instruments: ['6E', '6E'] }), [
      { path: 'instruments', message: 'a product is named twice' },
    ]);
    assert.deepEqual(
      problems({ instruments: [] }).map((p) => p.path),
      ['instruments'],
    );
  });

  it('every preset has a one-line description', () => {
    assert.deepEqual(SCENARIO_PRESET_NAMES, ['default', 'calm', 'volatile', 'toxic', 'news', 'null']);
    for (const name of SCENARIO_PRESET_NAMES) {
      const d = SCENARIO_PRESETS[name].description;
      assert.ok(d.length > 10 && !d.includes('\n'), name);
    }
  });
});

/** sha-256 of each file of a folder, by name. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort())
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

const truthOf = (span: SimulatedSpan): TruthFile => JSON.parse(readFileSync(span.day.files.truth, 'utf8'));

/** Minutes of [start, end) covered by at least one toxic episode, clipped to the window. */
function episodeMinutes(truth: TruthFile, fromMs: number, toMs: number): number {
  const covered = new Set<number>();
  for (const e of truth.episodes) {
    const a = Math.max(Date.parse(e.start), fromMs);
    const b = Math.min(Date.parse(e.end), toMs);
    for (let m = Math.floor(a / 60_000); m * 60_000 < b; m++) covered.add(m);
  }
  return covered.size;
}

// Tuesday 24 November 2026, 13:00–14:00 UTC: the London–New York overlap, the busiest hour.
const FROM = '2026-11-24T13:00:00Z';
const FROM_MS = Date.parse(FROM);
const TO_MS = FROM_MS + 60 * 60_000;

describe('scenario default: the same bytes as no scenario', () => {
  const plain = simulatedSpan({ seed: 11, from: FROM, minutes: 20, prefix: 'scen-plain-' });
  const dflt = simulatedSpan({
    seed: 11,
    from: FROM,
    minutes: 20,
    prefix: 'scen-default-',
    scenario: scenario('default'),
  });

  it('every market data file has the same hash; the truth file only adds its scenario', () => {
    const a = hashes(plain.dir);
    const b = hashes(dflt.dir);
    assert.deepEqual(Object.keys(b), Object.keys(a));
    const truthName = Object.keys(a).find((f) => f.startsWith('truth-'))!;
    for (const f of Object.keys(a)) if (f !== truthName) assert.equal(b[f], a[f], f);
    const before = readFileSync(plain.day.files.truth, 'utf8');
    const withScenario: TruthFile = JSON.parse(readFileSync(dflt.day.files.truth, 'utf8'));
    assert.equal(withScenario.scenario?.name, 'default');
    assert.equal(withScenario.scenario?.parameters.informed.share, DEFAULT_PARAMS.informedShareMax);
    assert.equal(JSON.parse(before).scenario, undefined);
    assert.equal('hourlyActivity' in withScenario.params, false);
    // The scenario is the last field: without it, the file is the old one byte for byte.
    delete withScenario.scenario;
    assert.equal(`${JSON.stringify(withScenario, null, 1)}\n`, before);
  });
});

describe('scenarios calm and volatile: the truth records the held regime', () => {
  const calm = simulatedSpan({
    seed: 5,
    from: FROM,
    minutes: 30,
    prefix: 'scen-calm-',
    scenario: scenario('calm'),
  });
  const volatile = simulatedSpan({
    seed: 5,
    from: FROM,
    minutes: 30,
    prefix: 'scen-volatile-',
    scenario: scenario('volatile'),
  });

  it('calm has every minute in the low regime, volatile in the high one', () => {
    const c = truthOf(calm);
    const v = truthOf(volatile);
    // 30 open minutes in the window.
    assert.equal(c.minutes.length, 30);
    assert.equal(v.minutes.length, 30);
    assert.deepEqual(new Set(c.minutes.map((m) => m.regime)), new Set(['low']));
    assert.deepEqual(new Set(v.minutes.map((m) => m.regime)), new Set(['high']));
    assert.equal(c.scenario?.name, 'calm');
    assert.equal(c.scenario?.parameters.regimes.hold, 'low');
    assert.equal(v.scenario?.parameters.regimes.hold, 'high');
  });
});

describe('scenario toxic: more toxic minutes than default on the same seeds', () => {
  // One episode at a time per instrument. In this hour (overlap, activity 1.9, mostly the medium
  // regime) default starts one at ~0.008 × 1.9 ≈ 0.015 per free minute and it lasts 3 + 7 min on
  // average; toxic starts ~0.046 per free minute and lasts 5 + 12: toxic covers roughly 0.4–0.5 of
  // the hour against default's ~0.13, so three seeds are well apart.
  const seeds = [1, 2, 3];
  const runs = seeds.map((seed) => ({
    dflt: simulatedSpan({ seed, from: FROM, minutes: 60, prefix: 'scen-d-', spot: false }),
    toxic: simulatedSpan({
      seed,
      from: FROM,
      minutes: 60,
      prefix: 'scen-t-',
      spot: false,
      scenario: scenario('toxic'),
    }),
  }));

  it('toxic episodes cover more minutes of the same hours under toxic', () => {
    let d = 0;
    let t = 0;
    for (const r of runs) {
      d += episodeMinutes(truthOf(r.dflt), FROM_MS, TO_MS);
      t += episodeMinutes(truthOf(r.toxic), FROM_MS, TO_MS);
    }
    assert.ok(t > d, `toxic ${t} episode minutes, default ${d}`);
    assert.ok(t >= 2 * d, `toxic ${t} episode minutes, default ${d}: expected several times as many`);
  });
});

describe('a scenario that names its contracts', () => {
  // Two minutes of the overlap are enough to see which contracts a day holds.
  const named = simulatedSpan({
    seed: 3,
    from: FROM,
    minutes: 2,
    prefix: 'scen-contracts-',
    spot: false,
    scenario: scenario({ instruments: ['6B', '6J'] }),
  });
  const overridden = simulatedSpan({
    seed: 3,
    from: FROM,
    minutes: 2,
    prefix: 'scen-contracts-opt-',
    spot: false,
    instruments: ['6E'],
    scenario: scenario({ instruments: ['6B', '6J'] }),
  });

  it('simulates them when the options name none, and the options’ contracts when they do', () => {
    // The front contracts on 24 November 2026: December 2026 (Z6).
    assert.deepEqual(
      truthOf(named).instruments.map((i) => i.symbol),
      ['6BZ6', '6JZ6'],
    );
    assert.deepEqual(truthOf(named).scenario?.parameters.instruments, ['6B', '6J']);
    assert.deepEqual(
      truthOf(overridden).instruments.map((i) => i.symbol),
      ['6EZ6'],
    );
  });
});
