export * from './clock.js';
export * from './config.js';
export * from './errors.js';
export * from './instruments.js';
export * from './price.js';
export * from './random.js';
export * from './time.js';
export * from './validate.js';
