/** The runtime's state store: the interface, and its embedded SQLite implementation. */

export { SQLITE_DRIVERS, type SqliteDriverName, sqliteDriverProblem, sqliteDrivers } from './driver.js';
export { StateStoreError, type StateStoreErrorCode } from './errors.js';
export {
  openSqliteStore,
  SqliteStateStore,
  type SqliteStoreOptions,
  STATE_FILE,
  stateStorePath,
} from './sqlite-store.js';
export type {
  DecisionHeader,
  KillSwitch,
  NewOrder,
  OrderChange,
  RiskDay,
  StateStore,
  StoredBracket,
  StoredDecision,
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
