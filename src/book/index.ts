export { type Book, BookSet, type BookSetOptions } from './book-set.js';
export { BookSide, type BookView } from './book-view.js';
export {
  FeedHealth,
  type FeedHealthCounts,
  type FeedHealthEvent,
  type FeedHealthOptions,
  type LinkRecovery,
  type SequenceRule,
  TRUST_REASONS,
  type TrustReason,
} from './feed-health.js';
export { followLive, type LiveTrustOptions } from './feed-health-live.js';
export { L2_MAX_LEVELS, L2Book, LevelChanges } from './l2-book.js';
export { L3Book, type L3BookOptions, type RestingOrder } from './l3-book.js';
