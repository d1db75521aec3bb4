/**
 * Defaults of the feature engine, apart from engine.ts so that a configuration can name them without
 * loading the engine.
 */

/** 6E's tick, 0.00005, in raw 1e-9 units: the default when no definition record gives one. */
export const DEFAULT_TICK_SIZE = 50_000;

/**
 * The paper's daily VPIN (MICROSTRUCTURE.md §11): buckets of ADV/50, 6E futures' daily volume of
 * order 200,000 contracts ("150–250k") divided by 50 buckets a day, over a window of 50 buckets: a
 * one-day average, kept as context (`vpin_daily`).
 */
export const DAILY_VPIN_BUCKET_VOLUME = 200_000 / 50;
export const DAILY_VPIN_WINDOW_BUCKETS = 50;

/**
 * The intraday VPIN the toxicity analyst and its trigger read (`vpin`): a volume clock that reacts
 * inside a toxic episode of 10–30 minutes. Buckets of 100 contracts over a window of 20 buckets:
 * 2,000 contracts, some 15 minutes of 6E at its average pace (200,000 a day over 23 hours) and a few
 * minutes when an episode speeds it up. Chosen on training days: the best P&L after costs of
 * `scalper sweep` over bucket volumes 100–4,000 and windows 10–50 on three simulated days that no
 * test or demo test day reads (README, "Toxicity: the intraday VPIN", gives the command and table).
 */
export const DEFAULT_VPIN_BUCKET_VOLUME = 100;
export const DEFAULT_VPIN_WINDOW_BUCKETS = 20;
