export * from './regime/index.js';
