export * from './errors.js';
export * from './price.js';
export * from './time.js';
