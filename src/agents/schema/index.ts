/**
 * The agents' configuration schema and the analysts' names, for configurations that embed them
 * (the pipeline's, the `scalper` command's): importing this loads no analyst, worker or runner.
 */
export { AgentsConfigSchema } from '../config-schema.js';
export { AGENT_NAMES, type AgentName } from '../names.js';
