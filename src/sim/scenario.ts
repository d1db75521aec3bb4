/**
 * Market scenarios: the simulator's parameters (params.ts, spot-params.ts) grouped as a user thinks
 * of the market (issue 22): the contracts simulated, the intraday activity profile, the trader
 * populations (noise traders, market makers, informed traders, value traders, walls), toxic
 * episodes, the regime schedule, jumps, spot's lead and basis, the feed latency, scheduled news
 * (news.ts) and how the mid moves (martingale.ts). Every field is optional and defaults to
 * `DEFAULT_PARAMS` / `DEFAULT_SPOT_PARAMS` (and news to none), so an empty scenario is the
 * default market.
 *
 * A scenario starts from a preset (`default` unless `preset` names another) and overrides fields
 * of it: `"toxic"`, `{ preset: "toxic", informed: { share: 0.2 } }` and
 * `{ regimes: { hold: "low" } }` are all scenarios. This module holds the schema and the presets
 * alone (no simulator is loaded), for the `scalper` configuration.
 */
import * as z from 'zod/mini';
import { mergeConfig } from '../core/index.js';
import { nonNeg, nonNegInt, pos, posInt, UNIT, unit } from '../core/schema/index.js';
import { CME_HOURLY_ACTIVITY, isTimeZone } from './activity.js';
import {
  DEFAULT_NEWS_PARAMS as N,
  DEFAULT_PARAMS as P,
  REGIMES,
  type Regime,
  type SimParams,
} from './params.js';
import { FUTURE_SPECS } from './specs.js';
import { DEFAULT_SPOT_PARAMS as S, type SpotParams } from './spot-params.js';

/** A preset: what it is for, and the fields it sets (the rest are the defaults). */
export interface ScenarioPreset {
  readonly description: string;
  readonly fields: ScenarioInput;
}

/** The presets' names, in the order `scalper simulate --list-scenarios` prints them. */
export const SCENARIO_PRESET_NAMES = ['default', 'calm', 'volatile', 'toxic', 'news', 'null'] as const;
/** A preset's name. */
export type ScenarioPresetName = (typeof SCENARIO_PRESET_NAMES)[number];

/** The presets by name. */
export const SCENARIO_PRESETS: Readonly<Record<ScenarioPresetName, ScenarioPreset>> = {
  default: {
    description: "today's market: the simulator's default parameters, the same bytes as without a scenario",
    fields: {},
  },
  calm: {
    description: 'a quiet market: the regime held in its low-volatility state all day',
    fields: { regimes: { hold: 'low' } },
  },
  volatile: {
    description: 'a busy, volatile market: the regime held in its high-volatility state all day',
    fields: { regimes: { hold: 'high' } },
  },
  toxic: {
    description:
      'heavy informed flow: three times the toxic episodes, longer (5 + 12 min mean) and stronger (1.5x informed share and drift)',
    fields: {
      toxic: {
        rate: [0.012, 0.024, 0.06],
        minMinutes: 5,
        meanExtraMinutes: 12,
        driftTicksPerMin: 3,
      },
      informed: { share: 0.12 },
    },
  },
  news: {
    description:
      'scheduled news: jumps (20 ticks sd), spread blow-outs (2 ticks each side, from minutes_before to 1 min after) and 4x busier minutes at the releases of an economic calendar (news.calendar or --calendar F; none: a recurring weekday template, US 08:30 and 10:00 New York, UK 07:00 London, euro area 10:00 Frankfurt, Japan 08:50 Tokyo); the built-in 08:30 release off',
    fields: {
      news: {},
      // The calendar's US releases replace the scheduler's own 08:30 New York one.
      activity: { announcement: 1 },
      jumps: { announcementTicks: 0 },
    },
  },
  null: {
    description:
      'the control: no informed traders, no toxic episodes, no value traders; the mid a fair-coin tick walk the book follows at once, so neither the flow nor the book predicts it; spot follows the future with no lag (informed.share > 0 lets in traders who know the next step: a dial of predictability)',
    fields: {
      mid: 'martingale',
      informed: { share: 0 },
      toxic: { rate: [0, 0, 0] },
      value: { tradeProb: 0, staleCancelProb: 0 },
      spot: { lagMinMs: 0, lagMeanMs: 0 },
    },
  },
};

/** How the mid moves: see `ScenarioInput.mid`. */
export const MID_PROCESSES = ['value', 'martingale'] as const;

const num3 = (d: readonly [number, number, number], s = z.number().check(z.nonnegative())) =>
  z._default(z.tuple([s, s, s]), () => [d[0], d[1], d[2]] as [number, number, number]);

const ROW = z
  .tuple([UNIT, UNIT, UNIT])
  .check(z.refine((r) => Math.abs(r[0] + r[1] + r[2] - 1) < 1e-9, 'a row of probabilities must sum to 1'));

/**
 * The intraday activity profiles: `sessions`, a level per FX session (`sessions`, `lateAsia`;
 * today's market), or `cme`, weights by hour on the clocks of the trading centres (activity.ts:
 * CME FX futures' volume, quietest around the daily break).
 */
export const ACTIVITY_PROFILES = ['sessions', 'cme'] as const;

/**
 * An hourly table: IANA time zone → 24 weights by local hour (index 0 = 00:00–01:00); a minute's
 * activity is the sum over the zones. One zone keyed `UTC` gives weights by UTC hour; several
 * zones follow each centre's daylight-saving changes.
 */
const HOURLY = z.record(z.string(), z.array(z.number().check(z.nonnegative())).check(z.length(24))).check(
  z.superRefine((t, ctx) => {
    for (const zone of Object.keys(t))
      if (!isTimeZone(zone))
        ctx.issues.push({
          code: 'custom',
          message: `"${zone}" is not an IANA time zone (America/Chicago, Europe/London, UTC)`,
          input: zone,
          path: [zone],
        });
  }),
  z.refine(
    (t) => Object.values(t).some((w) => w.some((x) => x > 0)),
    'no weight above 0: the market would never trade',
  ),
);

const activityFields = z.strictObject({
  /** `sessions` (default, today's market) or `cme` (see `ACTIVITY_PROFILES`). */
  profile: z._default(z.enum(ACTIVITY_PROFILES), 'sessions'),
  /** The `cme` profile's table, replacing CME's (activity.ts `CME_HOURLY_ACTIVITY`). */
  hourly: z.optional(HOURLY),
  /** Events per second at session activity 1 in the medium regime. */
  baseEventRate: pos(P.baseEventRate),
  /** Activity multiplier by FX session. */
  sessions: z.prefault(
    z.strictObject({
      sydney: nonNeg(P.sessionActivity.sydney),
      tokyo: nonNeg(P.sessionActivity.tokyo),
      london: nonNeg(P.sessionActivity.london),
      new_york: nonNeg(P.sessionActivity.new_york),
      overlap: nonNeg(P.sessionActivity.overlap),
      closed: nonNeg(P.sessionActivity.closed),
    }),
    {},
  ),
  /** Activity of the late Asian session (the Tokyo afternoon lull). */
  lateAsia: nonNeg(P.lateAsiaActivity),
  /** How many times busier the minute of a US data release is. */
  announcement: pos(P.announcementActivity),
});

const activity = activityFields.check(
  z.refine((a) => a.hourly === undefined || a.profile === 'cme', {
    message: "an hourly table is the cme profile's: set activity.profile to cme",
    path: ['hourly'],
  }),
);

/** The products a scenario may simulate (specs.ts). */
const PRODUCTS = Object.keys(FUTURE_SPECS) as [string, ...string[]];

const noise = z.strictObject({
  /** Shares of the uninformed event mix (normalised). */
  mix: z.prefault(
    z
      .strictObject({
        limit: nonNeg(P.mix.limit),
        cancel: nonNeg(P.mix.cancel),
        market: nonNeg(P.mix.market),
        modify: nonNeg(P.mix.modify),
        requote: nonNeg(P.mix.requote),
      })
      .check(
        z.refine((m) => m.limit + m.cancel + m.market + m.modify + m.requote > 0, 'the mix is all zeros'),
      ),
    {},
  ),
  targetOrders: posInt(P.targetNoiseOrders),
  depthDecay: unit(P.noiseDepthDecay),
  maxDepth: posInt(P.noiseMaxDepth),
  improveProb: unit(P.improveProb),
  highVolImproveScale: unit(P.highVolImproveScale),
  meanSize: nonNeg(P.noiseMeanSize),
  largeOrderProb: unit(P.largeOrderProb),
  marketMeanSize: nonNeg(P.marketMeanSize),
  roundSnapProb: unit(P.roundSnapProb),
  roundSnapTicks: nonNeg(P.roundSnapTicks),
  roundSizeMult: pos(P.roundSizeMult),
});

const makers = z.strictObject({
  /** Market makers per instrument. */
  count: posInt(P.makers),
  size: posInt(P.makerSize),
  toxicityTauS: pos(P.toxicityTauS),
  widenAt: unit(P.toxicWiden),
  pullAt: unit(P.toxicPull),
  skewTicks: nonNeg(P.makerSkewTicks),
  widenTicks: nonNeg(P.makerWidenTicks),
});

const informed = z.strictObject({
  /**
   * Share of events that are informed during an episode of intensity 1; when the mid is a
   * martingale (`mid: martingale`), of the events in the 10 s before each step of the walk, which
   * they know: the dial of the `null` market's predictability (0 there).
   */
  share: unit(P.informedShareMax),
  meanSize: nonNeg(P.informedMeanSize),
  sweepProb: unit(P.sweepProb),
});

const value = z.strictObject({
  tradeProb: unit(P.valueTradeProb),
  staleCancelProb: unit(P.staleCancelProb),
  staleApproachTicks: nonNeg(P.staleApproachTicks),
  meanSize: nonNeg(P.valueMeanSize),
  edge: nonNeg(P.valueEdge),
});

const walls = z.strictObject({
  /** Arrivals per minute per instrument. */
  rate: nonNeg(P.wallRate),
  meanLifeMin: pos(P.wallMeanLifeMin),
  /** Size range, lots. */
  size: z._default(
    z
      .tuple([z.number().check(z.int(), z.positive()), z.number().check(z.int(), z.positive())])
      .check(z.refine((s) => s[0] <= s[1], 'the smallest size exceeds the largest')),
    () => [P.wallSize[0], P.wallSize[1]] as [number, number],
  ),
});

const toxic = z.strictObject({
  /** Episode arrivals per minute per instrument by regime (low, medium, high), at activity 1. */
  rate: num3(P.episodeRate),
  /**
   * An episode lasts `minMinutes` plus an exponential part of mean `meanExtraMinutes`: the horizon
   * over which the informed traders' information pays.
   */
  minMinutes: pos(P.episodeMinMin),
  meanExtraMinutes: nonNeg(P.episodeMeanExtraMin),
  /** Drift of the value during an episode of intensity 1, ticks per minute (with `informed.share`, its strength). */
  driftTicksPerMin: nonNeg(P.episodeDriftTicksPerMin),
});

const REGIME = z.enum(REGIMES);

const regimes = z.strictObject({
  /** Event-rate multiplier per regime (low, medium, high). */
  rate: num3(P.regimeRate, z.number().check(z.positive())),
  /** Volatility of the value per regime, 6E ticks per √minute. */
  vol: num3(P.regimeVol, z.number().check(z.positive())),
  /** Per-minute transition matrix (rows from, columns to). */
  transition: z._default(
    z.tuple([ROW, ROW, ROW]),
    () => P.regimeTransition.map((r) => [r[0], r[1], r[2]]) as SimParams['regimeTransition'],
  ),
  /** The regime of a run's first minute. */
  initial: z._default(REGIME, REGIMES[P.initialRegime]),
  /** Holds the regime in this state all day (replaces `transition` and `initial`). */
  hold: z.optional(REGIME),
});

const jumps = z.strictObject({
  /** Unscheduled jumps per minute, with a normal size of `ticks` standard deviation. */
  rate: unit(P.jumpRate),
  ticks: nonNeg(P.jumpTicks),
  /** Standard deviation of the jump at each US data release, ticks. */
  announcementTicks: nonNeg(P.announcementJumpTicks),
});

const spot = z.strictObject({
  tickRate: pos(S.tickRate),
  /** The future's lead over spot: fixed and exponential parts of spot's lag, ms. */
  lagMinMs: nonNeg(S.lagMinMs),
  lagMeanMs: nonNeg(S.lagMeanMs),
  markupPips: nonNeg(S.markupPips),
  /** The basis's deviation around carry: standard deviation (pips) and time constant (minutes). */
  basisNoisePips: nonNeg(S.basisNoisePips),
  basisTauMin: pos(S.basisTauMin),
  quoteNoisePips: nonNeg(S.quoteNoisePips),
  quoteNoiseTauS: pos(S.quoteNoiseTauS),
});

const latency = z.strictObject({
  /** Futures `ts_recv − ts_event`: min + exponential(mean), ns. */
  futures: z.prefault(
    z.strictObject({ minNs: nonNeg(P.recvLatencyMinNs), meanNs: nonNeg(P.recvLatencyMeanNs) }),
    {},
  ),
  /** Spot `ts_recv − ts_event`: min + exponential(mean), ms. */
  spot: z.prefault(
    z.strictObject({ minMs: nonNeg(S.recvLatencyMinMs), meanMs: nonNeg(S.recvLatencyMeanMs) }),
    {},
  ),
});

/** Scheduled news (news.ts); the whole group absent (the default) means none. */
const news = z.strictObject({
  /** An economic-calendar CSV (`ts,currency,event,minutes_before,minutes_after`); none = the recurring template. */
  calendar: z.optional(z.string().check(z.minLength(1))),
  /** Standard deviation of the value's jump at a release, 6E ticks. */
  jumpTicks: nonNeg(N.jumpTicks),
  /** Ticks each side the spread opens by, from `minutes_before` the release to `afterMinutes` after. */
  spreadTicks: nonNegInt(N.spreadTicks),
  /** Factor on the makers' quote size in the blow-out. */
  size: unit(N.sizeScale),
  /** Probability that a maker re-quoting in the blow-out pulls both quotes. */
  pull: unit(N.pullProb),
  /** Event-rate multiplier of the release's minute. */
  activity: pos(N.activity),
  afterMinutes: nonNeg(N.afterMinutes),
});

const fields = z.strictObject({
  /** The preset the other fields override. */
  preset: z._default(z.enum(SCENARIO_PRESET_NAMES), 'default'),
  /**
   * The CME FX futures simulated, each with CME's tick and contract size (specs.ts); absent, those
   * the command or the options name (`--instruments`, `simulate.instruments`), else 6E.
   */
  instruments: z.optional(
    z.array(z.enum(PRODUCTS)).check(
      z.minLength(1),
      z.refine((l) => new Set(l).size === l.length, 'a product is named twice'),
    ),
  ),
  /**
   * How the mid moves. `value`: the book follows a fundamental value through the traders who know
   * it (value traders, stale-quote withdrawals, informed traders, makers), so the flow and the
   * book foretell the mid, as in real markets. `martingale`: the value is a fair-coin walk of whole
   * ticks that the book follows in the same event (martingale.ts); nothing predicts the mid, and
   * episodes' drift does not move it.
   */
  mid: z._default(z.enum(MID_PROCESSES), 'value'),
  activity: z.prefault(activity, {}),
  noise: z.prefault(noise, {}),
  makers: z.prefault(makers, {}),
  informed: z.prefault(informed, {}),
  value: z.prefault(value, {}),
  walls: z.prefault(walls, {}),
  toxic: z.prefault(toxic, {}),
  regimes: z.prefault(regimes, {}),
  jumps: z.prefault(jumps, {}),
  spot: z.prefault(spot, {}),
  latency: z.prefault(latency, {}),
  news: z.optional(news),
});

/**
 * A preset's name, or an object of fields over a preset (`preset`, default `default`): the preset's
 * fields are merged under the object's (objects field by field, arrays replaced) before validation,
 * so an error names the path the user wrote.
 */
export const ScenarioSchema = z.pipe(
  z.transform((v: unknown, ctx) => {
    if (v === undefined) return {};
    if (typeof v === 'string' && !Object.hasOwn(SCENARIO_PRESETS, v)) {
      // Reported here, at the path the name was given at, rather than at `preset`.
      ctx.issues.push({
        code: 'custom',
        message: `expected a scenario: ${SCENARIO_PRESET_NAMES.join(', ')}`,
        input: v,
      });
      // The issue fails the parse; `z.NEVER` would bring zod's core barrel, JSON-schema code
      // included, into the configuration's bundle (cli/startup.test.ts).
      return v;
    }
    const o = typeof v === 'string' ? { preset: v } : v;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
    const name = (o as { preset?: unknown }).preset ?? 'default';
    const preset = Object.hasOwn(SCENARIO_PRESETS, name as string)
      ? SCENARIO_PRESETS[name as ScenarioPresetName]
      : undefined;
    return preset ? mergeConfig(preset.fields, o) : o;
  }),
  fields,
);

/** A resolved scenario: every field set. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** What a scenario may be written as: every field optional. */
export type ScenarioInput = z.input<typeof fields>;

/** The simulator's parameters of a scenario. */
export function scenarioParams(s: Scenario): { params: SimParams; spotParams: SpotParams } {
  const { activity: a, noise: n, makers: m, informed: i, value: v, walls: w, toxic: t, regimes: r } = s;
  const held = r.hold === undefined ? -1 : REGIMES.indexOf(r.hold);
  const transition = (
    held < 0 ? r.transition : [0, 1, 2].map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0)))
  ) as SimParams['regimeTransition'];
  const params: SimParams = {
    baseEventRate: a.baseEventRate,
    // In DEFAULT_PARAMS's key order, so that the truth file's `params` reads the same.
    sessionActivity: {
      sydney: a.sessions.sydney,
      tokyo: a.sessions.tokyo,
      london: a.sessions.london,
      new_york: a.sessions.new_york,
      overlap: a.sessions.overlap,
      closed: a.sessions.closed,
    },
    lateAsiaActivity: a.lateAsia,
    ...(a.profile === 'cme' ? { hourlyActivity: a.hourly ?? CME_HOURLY_ACTIVITY } : {}),
    regimeRate: [...r.rate],
    regimeVol: [...r.vol],
    regimeTransition: transition,
    initialRegime: held < 0 ? REGIMES.indexOf(r.initial as Regime) : held,
    jumpRate: s.jumps.rate,
    jumpTicks: s.jumps.ticks,
    announcementJumpTicks: s.jumps.announcementTicks,
    announcementActivity: a.announcement,
    mix: {
      limit: n.mix.limit,
      cancel: n.mix.cancel,
      market: n.mix.market,
      modify: n.mix.modify,
      requote: n.mix.requote,
    },
    targetNoiseOrders: n.targetOrders,
    noiseDepthDecay: n.depthDecay,
    noiseMaxDepth: n.maxDepth,
    improveProb: n.improveProb,
    highVolImproveScale: n.highVolImproveScale,
    noiseMeanSize: n.meanSize,
    largeOrderProb: n.largeOrderProb,
    marketMeanSize: n.marketMeanSize,
    roundSnapProb: n.roundSnapProb,
    roundSnapTicks: n.roundSnapTicks,
    roundSizeMult: n.roundSizeMult,
    makers: m.count,
    makerSize: m.size,
    toxicityTauS: m.toxicityTauS,
    toxicWiden: m.widenAt,
    toxicPull: m.pullAt,
    makerSkewTicks: m.skewTicks,
    makerWidenTicks: m.widenTicks,
    valueTradeProb: v.tradeProb,
    staleCancelProb: v.staleCancelProb,
    staleApproachTicks: v.staleApproachTicks,
    valueMeanSize: v.meanSize,
    valueEdge: v.edge,
    episodeRate: [...t.rate],
    episodeMinMin: t.minMinutes,
    episodeMeanExtraMin: t.meanExtraMinutes,
    informedShareMax: i.share,
    episodeDriftTicksPerMin: t.driftTicksPerMin,
    informedMeanSize: i.meanSize,
    sweepProb: i.sweepProb,
    wallRate: w.rate,
    wallMeanLifeMin: w.meanLifeMin,
    wallSize: [...w.size],
    recvLatencyMinNs: s.latency.futures.minNs,
    recvLatencyMeanNs: s.latency.futures.meanNs,
    // Absent unless set, so that a default run's truth file reads as before.
    ...(s.mid === 'martingale' ? { martingaleMid: true } : {}),
    ...(s.news === undefined
      ? {}
      : {
          news: {
            calendar: s.news.calendar ?? null,
            jumpTicks: s.news.jumpTicks,
            spreadTicks: s.news.spreadTicks,
            sizeScale: s.news.size,
            pullProb: s.news.pull,
            activity: s.news.activity,
            afterMinutes: s.news.afterMinutes,
          },
        }),
  };
  const spotParams: SpotParams = {
    ...S,
    ...s.spot,
    coreHoursUk: [S.coreHoursUk[0], S.coreHoursUk[1]],
    recvLatencyMinMs: s.latency.spot.minMs,
    recvLatencyMeanMs: s.latency.spot.meanMs,
  };
  return { params, spotParams };
}

/**
 * `s` with its news releases read from the economic calendar `path` (`--calendar F`): news on, with
 * the scenario's news parameters or, when it has none, the defaults.
 */
export function withNewsCalendar(s: Scenario, path: string): Scenario {
  return { ...s, news: { ...(s.news ?? news.parse({})), calendar: path } };
}
