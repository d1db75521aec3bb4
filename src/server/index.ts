/**
 * The dashboard's server side: the protocol it speaks with the page, the one function both apply
 * updates with, the model and backend a source implements, and a trading session's model and
 * controls.
 */
export { appendKept, applyUpdate, emptyState, KEEP } from './apply.js';
export { backtestReplay, PacedBacktest } from './paced-backtest.js';
export {
  type DashboardAsset,
  type DashboardHtmlOptions,
  dashboardAssets,
  dashboardHtml,
} from './page/html.js';
export * from './protocol.js';
export {
  fileReplay,
  ReplayBackend,
  type ReplayOptions,
  type ReplayStart,
  replayRange,
  type SessionViewOf,
} from './replay.js';
export { DashboardServer, type DashboardServerOptions, parseControl } from './server.js';
export { ServicesSession } from './services-session.js';
export { SessionBackend, type SessionBackendOptions } from './session-backend.js';
export {
  boardView,
  type DashboardSession,
  decisionOutcome,
  type SessionInfo,
  SessionModel,
  type SessionModelOptions,
  sessionControls,
  WALL_MULTIPLE,
} from './session-model.js';
export { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';
