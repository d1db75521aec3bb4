export { CME_HOURLY_ACTIVITY, type HourlyActivity, hourlyLevel, isTimeZone } from './activity.js';
export { ASK, BID, type EngineOutput, MatchingEngine, Owner } from './engine.js';
export { SimConfigError } from './errors.js';
export {
  definitionRecord,
  FUTURE_SPECS,
  type FutureContract,
  type FutureSpec,
  frontContract,
  futureSpec,
  instrumentIdFor,
} from './instruments.js';
export {
  NEWS_TEMPLATE,
  type NewsDay,
  type NewsWindow,
  planNews,
  TEMPLATE_MINUTES_AFTER,
  TEMPLATE_MINUTES_BEFORE,
  type TemplateRelease,
  templateCalendar,
} from './news.js';
export {
  DEFAULT_NEWS_PARAMS,
  DEFAULT_PARAMS,
  type NewsParams,
  REGIMES,
  type Regime,
  type SimParams,
} from './params.js';
export { profileHourShares, profileParams } from './profile.js';
export { type EmitCounts, type EmitTarget, RecordEmitter } from './records.js';
export {
  ACTIVITY_PROFILES,
  SCENARIO_PRESET_NAMES,
  SCENARIO_PRESETS,
  type Scenario,
  type ScenarioInput,
  type ScenarioPreset,
  type ScenarioPresetName,
  ScenarioSchema,
  scenarioParams,
  withNewsCalendar,
} from './scenario.js';
export { type MinuteActivity, minuteActivity } from './scheduler.js';
export {
  type SimDayOptions,
  type SimDayResult,
  type SimProgress,
  type SimulateOptions,
  simulate,
  simulateDay,
  type TruthEpisode,
  type TruthFile,
  type TruthMinute,
  type TruthNewsEvent,
  type TruthScenario,
} from './simulator.js';
export { FolderSink, MemorySink, type RecordSink } from './sink.js';
export {
  BookPath,
  CCY_RATES,
  DEFAULT_SPOT_PARAMS,
  igPriceHistory,
  pairCode,
  SPOT_SPECS,
  type SpotBar,
  type SpotDayResult,
  type SpotFiles,
  type SpotParams,
  type SpotSpec,
  spotSpec,
  ukSnapshotTime,
} from './spot.js';
