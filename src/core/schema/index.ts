/**
 * The number and flag fields every configuration schema is made of, each with its default, and the
 * checked number types the engine's other schemas (signals, model answers, model files) share. A zod
 * schema is an object built when its module loads, and `z._default(z.number().check(z.int(),
 * z.positive()), 3)` is five of them; the configuration holds some three hundred such fields, so
 * the checked number types are built once here and only the default is made per field: the
 * `scalper` command's start (`config check`) builds about half as many objects.
 *
 * The engine's schemas use zod's mini API (`zod/mini`: checks and wrappers are functions,
 * `z.optional(s)`, `s.check(z.gte(0))`), not the classic one (`zod`, methods on every schema): the
 * classic API is several times the code to load, and each of its schemas costs more to build. The
 * checks, messages and inferred types are the same. Every schema of the engine imports from here,
 * so the English messages set below are in place before any is parsed. Importing this loads zod's
 * mini API and nothing else.
 */
import * as z from 'zod/mini';
import { config } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

// Classic zod installs its English messages when its first schema is built; the mini API leaves the
// messages to its user, and without them every problem a user sees would read "Invalid input". A
// locale set before (by classic zod or the caller) is kept. `config` comes from zod's core, as in
// jitless.ts, and not through zod/mini's re-export of it.
if (config().localeError === undefined) config(en());

const POSITIVE = z.number().check(z.positive());
/** An integer > 0 (required). */
export const POSITIVE_INT = z.number().check(z.int(), z.positive());
const NON_NEGATIVE = z.number().check(z.nonnegative());
/** An integer ≥ 0 (required). */
export const NON_NEGATIVE_INT = z.number().check(z.int(), z.nonnegative());
/** A number in [0, 1] (required): a share, a probability, a confidence. */
export const UNIT = z.number().check(z.gte(0), z.lte(1));
const BOOLEAN = z.boolean();

/** A number > 0, `d` when absent. */
export const pos = (d: number) => z._default(POSITIVE, d);
/** An integer > 0, `d` when absent. */
export const posInt = (d: number) => z._default(POSITIVE_INT, d);
/** A number ≥ 0, `d` when absent. */
export const nonNeg = (d: number) => z._default(NON_NEGATIVE, d);
/** An integer ≥ 0, `d` when absent. */
export const nonNegInt = (d: number) => z._default(NON_NEGATIVE_INT, d);
/** A number in [0, 1], `d` when absent. */
export const unit = (d: number) => z._default(UNIT, d);
/** A boolean, `d` when absent. */
export const flag = (d: boolean) => z._default(BOOLEAN, d);
