/** Paper and live trading: feeds, the trading session, its state and its safety. */

export {
  ControlServer,
  type ControlServerOptions,
  type Readiness,
  readiness,
  type SessionControl,
  type SessionControlOptions,
  startSessionControl,
} from './control.js';
export { DatabentoFeed, type DatabentoFeedOptions } from './databento-feed.js';
export { type FeedSink, type FeedSummary, FileFeed, type FileFeedOptions, ReplayClock } from './file-feed.js';
export { type Resume, resumeOf, SessionJournal } from './journal.js';
export {
  clearKillFile,
  type KillFileConfig,
  KillFileWatcher,
  type KillFileWatcherOptions,
  killFilePath,
  killFilePresent,
  killFileReason,
  pullKillFile,
  sessionKillFile,
} from './kill-file.js';
export { reasonCode, SessionMetrics, type SessionMetricsOptions, type TrustView } from './metrics.js';
export {
  type Feed,
  type SessionOptions,
  type SessionSetup,
  type SessionStatus,
  type SessionSummary,
  TradingSession,
} from './session.js';
