/**
 * The pipeline's configuration schema, for the `scalper` configuration: importing this loads no
 * tier, validator or loop.
 */
export { PipelineConfigSchema } from '../config-schema.js';
