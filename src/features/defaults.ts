/**
 * Defaults of the feature engine, apart from engine.ts so that a configuration can name them without
 * loading the engine.
 */

/** 6E's tick, 0.00005, in raw 1e-9 units: the default when no definition record gives one. */
export const DEFAULT_TICK_SIZE = 50_000;

/**
 * Default VPIN bucket volume: 6E futures' daily volume of order 200,000 contracts (MICROSTRUCTURE.md
 * §VPIN and §6E volume: "150–250k") divided by 50 buckets a day.
 */
export const DEFAULT_VPIN_BUCKET_VOLUME = 200_000 / 50;
