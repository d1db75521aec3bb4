/** Paper and live trading: feeds, the trading session, its state and its safety. */
export { DatabentoFeed, type DatabentoFeedOptions } from './databento-feed.js';
export { type FeedSink, type FeedSummary, FileFeed, type FileFeedOptions, ReplayClock } from './file-feed.js';
export { type Resume, resumeOf, SessionJournal } from './journal.js';
export {
  type Feed,
  type SessionOptions,
  type SessionSetup,
  type SessionStatus,
  type SessionSummary,
  TradingSession,
} from './session.js';
