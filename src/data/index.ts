export * from './dbn/index.js';
export { type InputOptions, type ResolvedInputs, resolveInputs } from './inputs.js';
export {
  type OpenedInputs,
  openInputs,
  type ReplayOptions,
  type ReplaySink,
  type ReplaySummary,
  replay,
} from './replay.js';
