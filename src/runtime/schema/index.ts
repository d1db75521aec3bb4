/** The `runtime:` configuration section's schema alone: importing this loads no feed or broker. */
export {
  CONTROL_TOKEN_ENV,
  FEED_KINDS,
  type FeedKind,
  type RuntimeConfig,
  RuntimeConfigSchema,
} from '../config-schema.js';
