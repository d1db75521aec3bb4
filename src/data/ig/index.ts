/** IG Markets: the REST trading API and the Lightstreamer price and trade stream. */
export {
  IG_BASE_URLS,
  IG_ENV_VARS,
  type IgConfig,
  type IgConfigInput,
  IgConfigSchema,
  type IgMarket,
  igMarketSymbol,
} from './config-schema.js';
export { dealRejected, describeDealReason, IgError, type IgErrorCode, isExpiredSession } from './errors.js';
export { RateLimiter } from './limiter.js';
export { pointsToRaw, rawToPoints } from './points.js';
export {
  type AmendWorkingOrderRequest,
  type ClosePositionRequest,
  credentialsFromEnv,
  type IgCredentials,
  IgRest,
  type IgRestOptions,
  type OpenPositionRequest,
  type PriceHistory,
  type PriceQuery,
  type StreamingLogin,
  type WorkingOrderRequest,
} from './rest.js';
export type {
  Account,
  Allowance,
  Confirm,
  Direction,
  MarketDetails,
  MarketSummary,
  OpenPosition,
  PositionUpdate,
  PriceBar,
  WorkingOrder,
  WorkingOrderUpdate,
} from './schemas.js';
export {
  type ChartCandle,
  type ChartTick,
  IgStream,
  type IgStreamOptions,
  linkOf,
  type MarketUpdate,
  type Ohlc,
  parseTradeField,
  type StreamLink,
  type StreamSubscription,
  type TradeEvent,
} from './stream.js';
