export * from './sessions.js';
export * from './bars/index.js';
