/**
 * zod without its compiled parsers for the rest of the process: a command parses its configuration
 * once or a few times, and zod's compiled parsers (code generated per object schema) cost more to
 * build than they save, ~20 ms of every command's start-up. Imported for this effect alone, before
 * any schema is parsed.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });
