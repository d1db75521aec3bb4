/** The errors of the Databento historical client. */
import { EngineError } from '../../core/index.js';

/** What went wrong with a request to the historical API. */
export type DatabentoErrorCode =
  | 'DATABENTO_NO_KEY'
  | 'DATABENTO_AUTH'
  | 'DATABENTO_REQUEST'
  | 'DATABENTO_RATE_LIMIT'
  | 'DATABENTO_SERVER'
  | 'DATABENTO_NETWORK'
  | 'DATABENTO_BODY'
  /** 404: no such job, file or endpoint. */
  | 'DATABENTO_NOT_FOUND'
  /** A download cut short more times than the client may resume it. */
  | 'DATABENTO_INTERRUPTED'
  /** A resumed get_range stream does not continue the records written before the cut. */
  | 'DATABENTO_RESUME'
  /** A downloaded batch file's SHA-256 is not the one `batch.list_files` gave. */
  | 'DATABENTO_CHECKSUM';

/**
 * A failed request to the historical API: `endpoint` (`metadata.get_cost`), the HTTP `status`
 * (0 when none came), the API's own `detail` message and `case` when it sent them, and the
 * `request-id` header to quote to Databento's support.
 */
export class DatabentoError extends EngineError {
  override readonly code: DatabentoErrorCode;
  readonly endpoint: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly case: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    code: DatabentoErrorCode,
    message: string,
    facts: {
      endpoint: string;
      status?: number;
      detail?: string;
      case?: string;
      requestId?: string;
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: facts.cause });
    this.code = code;
    this.endpoint = facts.endpoint;
    this.status = facts.status ?? 0;
    this.detail = facts.detail;
    this.case = facts.case;
    this.requestId = facts.requestId;
  }
}
