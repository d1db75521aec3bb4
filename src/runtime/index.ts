/**
 * Paper and live trading: feeds, the trading session, its state in the store, its recording, the
 * metrics and control endpoint, and the kill switch.
 */
export { combinedFeed } from './combined-feed.js';
export { CONTROL_TOKEN_ENV, type FeedKind } from './config-schema.js';
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
export {
  answerClientError,
  BearerToken,
  HttpError,
  type HttpHandler,
  type HttpRoutes,
  pathOf,
  readBody,
  routeOf,
  sendFailure,
  sendJson,
} from './http.js';
export { IgFeed, type IgFeedEvent, type IgFeedOptions } from './ig-feed.js';
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
  datasetPrefix,
  type EarlierRecording,
  FeedRecorder,
  RECORDING_FILE,
  type RecordedStream,
  type RecorderOptions,
  RecordingError,
  type RecordingSummary,
  recordedFeed,
  repairRecording,
  streamsOf,
} from './recorder.js';
export * from './services/index.js';
export {
  type Feed,
  type FeedCount,
  FeedCounter,
  riskState,
  type SessionOptions,
  type SessionSetup,
  type SessionStatus,
  type SessionSummary,
  TradingSession,
} from './session.js';
export { reconciledResume } from './venue-start.js';
