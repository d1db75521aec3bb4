#!/usr/bin/env node
/**
 * The `scalper` command (program.ts), behind Node's compile cache where Node has one.
 */
import module from 'node:module';

// Node >= 22.1 keeps the code it compiles in a cache on disk (os.tmpdir()/node-compile-cache) and
// reuses it in the next run; enabled before the program is imported so that every module after this
// point is cached (an ES module's static imports are compiled before its body runs). Older Nodes
// have no such cache and start as before.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

await import('./program.js');
