/** The `ig:` configuration section's schema alone: importing this loads no client. */
export {
  IG_BASE_URLS,
  IG_ENV_VARS,
  type IgConfig,
  IgConfigSchema,
  type IgMarket,
  IgMarketSchema,
} from '../config-schema.js';
