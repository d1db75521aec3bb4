/**
 * One factory for the seven tier-1 analysts. Each analyst is a pure function
 * `(input, params) => AgentSignal` in its own module, described by an `AnalystSpec` (its name, the
 * section of `AgentsConfig` holding its parameters, the snapshot fields it reads, and where a
 * worker thread finds the function); `defineAnalyst` turns a spec and its parameters into an
 * `Agent` the runner can schedule.
 */
import type { FeatureColumn, FeatureSnapshot } from '../features/index.js';
import { checkAbort } from './common.js';
import { type AgentsConfig, DEFAULT_AGENTS_CONFIG } from './config.js';
import type { Agent, AgentInput, AgentName, AgentSignal } from './types.js';

/** A field of the snapshot an analyst may read: a feature column or the FX session. */
export type SnapshotField = FeatureColumn | Extract<keyof FeatureSnapshot, 'session'>;

/** What makes one analyst: its pure function and what it reads. */
export interface AnalystSpec<K extends keyof AgentsConfig = keyof AgentsConfig> {
  readonly name: AgentName;
  /** The section of `AgentsConfig` with its parameters (`budgetMs`, `horizonSec`, …). */
  readonly configKey: K;
  /**
   * The snapshot fields the analysis reads, all of them: its signal depends on no other field, and
   * its evidence carries each of these with the snapshot's value (NaN as null).
   */
  readonly reads: readonly SnapshotField[];
  /** The analysis (pure: the same input and parameters give the same signal). */
  analyze(input: AgentInput, params: AgentsConfig[K]): AgentSignal;
  /** The ES module (its `import.meta.url`) exporting the analysis as `exportName`, for worker threads. */
  readonly module: string;
  readonly exportName: string;
}

/** An analyst made by `defineAnalyst`: an `Agent` that answers synchronously. */
export interface Analyst extends Agent {
  readonly reads: readonly SnapshotField[];
  /** Throws the signal's reason when it has aborted (the runner has given up on it). */
  analyze(input: AgentInput, signal?: AbortSignal): AgentSignal;
}

/** The analyst of `spec` with `params` (default: its section of `DEFAULT_AGENTS_CONFIG`). */
export function defineAnalyst<K extends keyof AgentsConfig>(
  spec: AnalystSpec<K>,
  params: AgentsConfig[K] = DEFAULT_AGENTS_CONFIG[spec.configKey],
): Analyst {
  return Object.freeze({
    name: spec.name,
    budgetMs: params.budgetMs,
    reads: spec.reads,
    analyze(input: AgentInput, signal?: AbortSignal): AgentSignal {
      checkAbort(signal);
      return spec.analyze(input, params);
    },
  });
}
