import { EngineError } from '../../core/index.js';

/** A record or metadata given to the encoder cannot be written; the message names the field. */
export class DbnEncodeError extends EngineError {
  constructor(message: string) {
    super('DBN_ENCODE', message);
  }
}

/**
 * The DBN module used outside its contract: a decoder iterated twice, a record batch over a view
 * that does not start at its buffer's first byte, or a record layout table that does not add up.
 */
export class DbnUsageError extends EngineError {
  constructor(message: string) {
    super('DBN_USAGE', message);
  }
}

/** Why a DBN input could not be read. */
export type DbnErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'TRUNCATED_HEADER'
  | 'TRUNCATED_RECORD'
  | 'BAD_RECORD_LENGTH'
  | 'BAD_METADATA'
  | 'CORRUPT_ZSTD'
  | 'IO';

/**
 * A DBN input is malformed. Names the source (file path or stream label) and the byte offset:
 * in the decompressed DBN stream for DBN errors, in the compressed input for zstd errors.
 */
export class DbnError extends EngineError {
  override readonly code: DbnErrorCode;
  readonly source: string;
  readonly offset: number;

  constructor(
    code: DbnErrorCode,
    source: string,
    offset: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    // An I/O error at the start of a file has no meaningful position.
    const where = code === 'IO' && offset === 0 ? '' : ` (at byte ${offset})`;
    super(code, `${source}: ${detail}${where}`, options);
    this.code = code;
    this.source = source;
    this.offset = offset;
  }
}

/**
 * No zstd library can be used: the one `SCALPER_ZSTD` names is missing, or neither Node's
 * built-in zstd (Node >= 22.15) nor the optional zstd-napi package is there. The message says
 * what to install or unset.
 */
export class ZstdUnavailableError extends EngineError {
  override readonly code = 'ZSTD_UNAVAILABLE';
  /** The library that was asked for: `builtin`, `napi`, or `auto` (any). */
  readonly backend: string;

  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super('ZSTD_UNAVAILABLE', message, options);
    this.backend = backend;
  }
}
