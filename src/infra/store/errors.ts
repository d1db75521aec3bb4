import { EngineError } from '../../core/index.js';

/**
 * Why the state store refused or failed:
 * - `STORE_DRIVER`: no SQLite driver loads in this Node;
 * - `STORE_OPEN`: the file cannot be opened as a store (not SQLite, unreadable, corrupt);
 * - `STORE_VERSION`: the file's schema is newer than this engine knows;
 * - `STORE_CONFLICT`: a record under an id already stored with different content (a fill id, a
 *   decision id, a client order id);
 * - `STORE_UNKNOWN_ORDER`: a change to an order the store does not hold;
 * - `STORE_INVALID`: a value the store cannot keep as given (a fractional quantity, a fill
 *   recorded as a plain transition);
 * - `STORE_CLOSED`: a call after `close()`;
 * - `STORE_FAILED`: the database failed a call (a damaged page, a full disk, a lock held too
 *   long, a statement PostgreSQL refused); the call's transaction did not happen;
 * - `STORE_UNAVAILABLE`: the database server could not be reached, and still could not after
 *   retrying for the time allowed; or the connection was lost while a commit was under way, so
 *   whether it happened is unknown until the server is back.
 */
export type StateStoreErrorCode =
  | 'STORE_DRIVER'
  | 'STORE_OPEN'
  | 'STORE_VERSION'
  | 'STORE_CONFLICT'
  | 'STORE_UNKNOWN_ORDER'
  | 'STORE_INVALID'
  | 'STORE_CLOSED'
  | 'STORE_FAILED'
  | 'STORE_UNAVAILABLE';

/** A state store problem, naming the store's location (file path, `:memory:` or database URL). */
export class StateStoreError extends EngineError {
  declare readonly code: StateStoreErrorCode;
  constructor(
    code: StateStoreErrorCode,
    readonly location: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `state store ${JSON.stringify(location)}: ${detail}`, options);
  }
}
