/**
 * The feature engine's defaults, for the `scalper` configuration: importing this loads no
 * calculator or book.
 */
export {
  DAILY_VPIN_BUCKET_VOLUME,
  DAILY_VPIN_WINDOW_BUCKETS,
  DEFAULT_TICK_SIZE,
  DEFAULT_VPIN_BUCKET_VOLUME,
  DEFAULT_VPIN_WINDOW_BUCKETS,
} from '../defaults.js';
