export * from './bars/index.js';
export * from './sessions.js';
