/**
 * Adapters to what runs beside the engine: the state store (embedded SQLite by default) and the
 * event bus (in-process by default, NATS JetStream when distributed).
 */

export * from './bus/index.js';
export * from './store/index.js';
