/**
 * Adapters to what runs beside the engine: the state store (embedded SQLite by default,
 * PostgreSQL when configured).
 */

export * from './store/index.js';
