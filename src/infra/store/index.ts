/**
 * The runtime's state store: the interface, its embedded SQLite implementation and its PostgreSQL
 * one (which also keeps the history: bars, feature snapshots and the fills of runs); the results of
 * distributed sweeps in PostgreSQL.
 */

export { SQLITE_DRIVERS, type SqliteDriverName, sqliteDriverProblem, sqliteDrivers } from './driver.js';
export { StateStoreError, type StateStoreErrorCode } from './errors.js';
export {
  DAY_NS,
  type HistoryLayout,
  type HistoryTarget,
  PG_MIGRATIONS,
  type PgMigration,
} from './pg-schema.js';
export { DEFAULT_PG_URL, PG_URL_ENV, pgUrl, type RetryPolicy, withUser } from './pg-session.js';
export {
  openPgStore,
  PgStateStore,
  type PgStoreOptions,
  type TimescaleStatus,
  timescaleStatus,
} from './pg-store.js';
export {
  openSqliteStore,
  SqliteStateStore,
  type SqliteStoreOptions,
  STATE_FILE,
  stateStorePath,
} from './sqlite-store.js';
export {
  openSweepResults,
  type SweepResultRow,
  SweepResultStore,
  type SweepResultStoreOptions,
  workerName,
} from './sweep-results.js';
export type {
  BulkMethod,
  DecisionHeader,
  HistoryStore,
  KillSwitch,
  NewOrder,
  OrderChange,
  RiskDay,
  StateStore,
  StoredBar,
  StoredBracket,
  StoredDecision,
  StoredFeatureSnapshot,
  StoredFill,
  StoredOrder,
  StoredOrderEvent,
  StoredOrderRole,
  StoredOrderSpec,
  StoredOrderStatus,
  StoredOrderType,
  StoredPosition,
  StoredSide,
  StoredTimeInForce,
  StoredTransition,
} from './types.js';
