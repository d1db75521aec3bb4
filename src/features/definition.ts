/** What the feature calculators read from an instrument definition record. */
import type { DbnRecord } from '../data/dbn/index.js';

/** The tick (`min_price_increment`, raw 1e-9 units) a definition gives; undefined when it gives none. */
export function definitionTick(rec: DbnRecord): number | undefined {
  const inc = rec.min_price_increment;
  if (typeof inc !== 'bigint' && typeof inc !== 'number') return undefined;
  const tick = Number(inc);
  return tick > 0 && tick < 1e18 ? tick : undefined;
}
