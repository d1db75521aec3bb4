/**
 * The simulated futures' specs, for configurations that name instruments (`scalper simulate`'s):
 * importing this loads no simulator.
 */
export { FUTURE_SPECS, type FutureSpec } from '../specs.js';
