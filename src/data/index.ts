export * from './dbn/index.js';
export * from './replay.js';
