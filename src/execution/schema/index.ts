/**
 * The execution layer's configuration schema, for the `scalper` configuration: importing this loads
 * no broker, queue model or trader.
 */
export { ExecutionConfigSchema } from '../config-schema.js';
