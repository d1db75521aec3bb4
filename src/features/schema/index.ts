/**
 * The feature engine's defaults, for the `scalper` configuration: importing this loads no
 * calculator or book.
 */
export { DEFAULT_TICK_SIZE, DEFAULT_VPIN_BUCKET_VOLUME } from '../defaults.js';
