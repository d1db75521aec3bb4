import { EngineError } from '../core/index.js';

/** Bad simulator options (unknown instrument, empty window, bad date), reported before any work. */
export class SimConfigError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIM_CONFIG', message, options);
  }
}

/** Two series that must pair up value by value have different lengths. */
export class SeriesLengthError extends EngineError {
  readonly xLength: number;
  readonly yLength: number;
  constructor(what: string, xLength: number, yLength: number) {
    super('SIM_SERIES_LENGTH', `${what}: x has ${xLength} values, y ${yLength}`);
    this.xLength = xLength;
    this.yLength = yLength;
  }
}
