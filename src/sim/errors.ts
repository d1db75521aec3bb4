import { EngineError } from '../core/index.js';

/** Bad simulator options (unknown instrument, empty window, bad date), reported before any work. */
export class SimConfigError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIM_CONFIG', message, options);
  }
}
