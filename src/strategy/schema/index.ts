/**
 * The techniques' configuration schema and the regime fit's defaults, for the `scalper`
 * configuration: importing this loads no technique and no regime fitter.
 */
export { DEFAULT_RESTARTS } from '../regime/defaults.js';
export { TechniquesConfigSchema } from '../techniques/config-schema.js';
