import { EngineError } from '../../core/index.js';

/**
 * Why a feature snapshot could not be encoded or decoded:
 * - `FEATURE_ENCODE`: the snapshot cannot be written in the encoding (a timestamp outside uint64, an
 *   instrument id that is not a uint32, a missing column, a symbol over 255 bytes);
 * - `FEATURE_DECODE`: the stored bytes are not a snapshot of this encoding (truncated, another
 *   version, another column count, trailing bytes, an unknown session, a symbol that is not UTF-8).
 */
export type FeatureCodecErrorCode = 'FEATURE_ENCODE' | 'FEATURE_DECODE';

/** A snapshot that does not fit the encoding, or bytes that are not one; `where` names the key or instrument. */
export class FeatureCodecError extends EngineError {
  declare readonly code: FeatureCodecErrorCode;
  constructor(
    code: FeatureCodecErrorCode,
    readonly where: string,
    detail: string,
  ) {
    super(code, `feature snapshot ${JSON.stringify(where)}: ${detail}`);
  }
}
