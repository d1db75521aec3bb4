export * from './bars/index.js';
export * from './flow/index.js';
export * from './sessions.js';
