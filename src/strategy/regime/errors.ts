import { EngineError } from '../../core/index.js';

/** Stable codes of `RegimeError`. */
export type RegimeErrorCode =
  | 'REGIME_BAD_INPUT'
  | 'REGIME_TOO_FEW'
  | 'REGIME_CONSTANT'
  | 'REGIME_NUMERIC'
  | 'REGIME_BAD_MODEL'
  | 'REGIME_BAD_IV';

/** Where a `RegimeError` was found: observation row/column, file line, or model field. */
export interface RegimeErrorDetails {
  readonly file?: string;
  readonly line?: number;
  readonly row?: number;
  readonly column?: number | string;
  readonly field?: string;
}

/**
 * A regime model could not be fitted, loaded or fed: degenerate observations (too few, constant,
 * non-finite), a numerically impossible fit, a bad `model.json` or a bad implied-volatility CSV.
 */
export class RegimeError extends EngineError {
  declare readonly code: RegimeErrorCode;
  readonly details: RegimeErrorDetails;
  constructor(
    code: RegimeErrorCode,
    message: string,
    details: RegimeErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.details = details;
  }
}
