/**
 * The number and flag fields every configuration schema is made of, each with its default. A zod
 * schema is an object built when its module loads, and `z.number().int().positive().default(3)` is
 * four of them; the configuration holds some three hundred such fields, so the checked number
 * types are built once here and only the default is made per field: the `scalper` command's start
 * (`config check`) builds about half as many objects. Importing this loads zod and nothing else.
 */
import * as z from 'zod';

const POSITIVE = z.number().positive();
const POSITIVE_INT = z.number().int().positive();
const NON_NEGATIVE = z.number().nonnegative();
const NON_NEGATIVE_INT = z.number().int().nonnegative();
const UNIT = z.number().min(0).max(1);
const BOOLEAN = z.boolean();

/** A number > 0, `d` when absent. */
export const pos = (d: number) => POSITIVE.default(d);
/** An integer > 0, `d` when absent. */
export const posInt = (d: number) => POSITIVE_INT.default(d);
/** A number ≥ 0, `d` when absent. */
export const nonNeg = (d: number) => NON_NEGATIVE.default(d);
/** An integer ≥ 0, `d` when absent. */
export const nonNegInt = (d: number) => NON_NEGATIVE_INT.default(d);
/** A number in [0, 1], `d` when absent. */
export const unit = (d: number) => UNIT.default(d);
/** A boolean, `d` when absent. */
export const flag = (d: boolean) => BOOLEAN.default(d);
