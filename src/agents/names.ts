/**
 * The analysts' names, apart from their signal's schema (types.ts): a configuration that names
 * analysts (vote weights) builds no schema of theirs.
 */

/** The seven specialists. */
export const AGENT_NAMES = [
  'momentum',
  'technical',
  'microstructure',
  'toxicity',
  'regime',
  'market_making',
  'session',
] as const;
export type AgentName = (typeof AGENT_NAMES)[number];
