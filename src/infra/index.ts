/** Adapters to what runs beside the engine: the state store (embedded SQLite by default). */

export * from './store/index.js';
