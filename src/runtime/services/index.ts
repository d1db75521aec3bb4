/**
 * The engine as services over the bus: `ingest` (files → market data), `featurize` (market data →
 * features and triggers), `decide` (triggers → decisions) and `execute` (decisions → risk →
 * broker → orders and fills), in one process over the in-process bus or as processes over NATS
 * JetStream, with the decisions, orders and fills of one process either way.
 */
export { type DecideOptions, DecideService } from './decide.js';
export { type ExecuteOptions, ExecuteService, StageLatency } from './execute.js';
export { type FeaturizeOptions, FeaturizeService } from './featurize.js';
export {
  type IngestFeedOptions,
  type IngestOptions,
  type IngestSummary,
  ingestFeed,
  ingestFiles,
} from './ingest.js';
export { productOf, recordSubject } from './market.js';
export { ServiceMetrics, type ServiceView } from './metrics.js';
export {
  decodeMessage,
  type EndMessage,
  encodeMessage,
  type GridMessage,
  type PortfolioMessage,
  type ServiceMessage,
  type SignalsMessage,
} from './wire.js';
