/**
 * The simulated futures' specs and the market scenarios' schema and presets, for configurations
 * that name instruments and scenarios (`scalper simulate`'s): importing this loads no simulator.
 */
export {
  SCENARIO_PRESET_NAMES,
  SCENARIO_PRESETS,
  type Scenario,
  type ScenarioInput,
  type ScenarioPresetName,
  ScenarioSchema,
  withNewsCalendar,
} from '../scenario.js';
export { FUTURE_SPECS, type FutureSpec } from '../specs.js';
