export * from './config.js';
export * from './consensus.js';
export * from './debate.js';
export * from './loop.js';
export * from './pipeline.js';
export * from './report.js';
export * from './validators.js';
