export * from './regime/index.js';
export * from './techniques/index.js';
