/** Paper and live trading: feeds, the trading session and the recording of what it saw. */
export { type FeedSink, type FeedSummary, FileFeed, type FileFeedOptions, ReplayClock } from './file-feed.js';
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
export {
  type Feed,
  type SessionOptions,
  type SessionSetup,
  type SessionStatus,
  type SessionSummary,
  TradingSession,
} from './session.js';
