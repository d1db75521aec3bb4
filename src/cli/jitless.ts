/**
 * zod without its compiled parsers for the rest of the process: a command parses its configuration
 * once or a few times, and zod's compiled parsers (code generated per object schema) cost more to
 * build than they save, ~20 ms of every command's start-up. Imported for this effect alone, before
 * any schema is parsed.
 */
import { config } from 'zod/v4/core';

// Imported from zod's core: through zod/mini's re-export (`z.config`), the bundle (scripts/build-cli.mjs)
// counts zod's JSON-schema code, which only the model calls use, among what every command that
// reads its configuration loads.
config({ jitless: true });
