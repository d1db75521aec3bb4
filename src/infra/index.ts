/**
 * Adapters to what runs beside the engine: the state store (embedded SQLite by default,
 * PostgreSQL when configured), the event bus (in-process by default, NATS JetStream when
 * distributed), the feature store (in memory by default) and, when the engine is spread over
 * processes, Redis.
 */

export * from './bus/index.js';
export * from './features/index.js';
export * from './redis/index.js';
export * from './store/index.js';
export { redactUrl } from './url.js';
