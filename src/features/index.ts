export * from './bars/index.js';
export * from './basis-studies.js';
export * from './book/index.js';
export * from './engine.js';
export * from './flow/index.js';
export * from './micro/index.js';
export * from './predictability.js';
