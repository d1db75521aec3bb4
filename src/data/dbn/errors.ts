import { EngineError } from '../../core/index.js';

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
