/**
 * Bundles the `scalper` command (package.json `bin`) from the compiled tree: `node
 * scripts/build-cli.mjs`, after `tsc` (npm run build). The entry and every module it loads, with
 * commander, zod and the YAML parser, become a few ES modules in dist/cli/: Node resolves, reads
 * and compiles ~240 small files before `config check` runs, and a dozen in a fraction of the time.
 * Code splitting keeps the catalogue's lazy loading: each command's module, and what only it
 * uses, is a chunk loaded when that command is chosen. The other packages (model SDKs, pino, the
 * zstd binding, the progress bar) stay in node_modules, loaded at the point of use as before.
 *
 * Every `import.meta.url` of the compiled modules is rewritten to name the module's own file in
 * dist/src, so that what is found beside a module is found as it is without the bundle: worker
 * threads' entry points, the analysts' modules handed to a worker pool, package.json, packages
 * loaded with `createRequire`. The bundle needs dist/src beside it; both come from the same build.
 *
 * dist/cli/meta.json is esbuild's metafile: which compiled modules each chunk holds
 * (src/cli/startup.test.ts reads it to name the modules a command loads).
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Packages carried in the bundle; every other dependency is loaded from node_modules. */
const BUNDLED = ['commander', 'zod', 'js-yaml'];

/** Rewrites `import.meta.url` in the compiled modules to the URL of the module's own file. */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(build) {
    const compiled = join(root, 'dist', 'src') + sep;
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(compiled)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // Every chunk lies in outdir itself, so the module's file is this path from any of them.
      const own = relative(outdir, args.path).split(sep).join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { scalper: 'dist/src/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Less text for Node to read and compile; names are kept, so stack traces still name functions, and
  // the source maps (--enable-source-maps) lead back to src/.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  external: [
    ...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((d) => !BUNDLED.includes(d)),
  ],
  // commander, a CommonJS package, requires Node's modules; a chunk makes its `require` at the first
  // call (most never call it).
  banner: {
    js: [
      "import { createRequire as __cliCreateRequire } from 'node:module';",
      'let __cliRequire;',
      'const require = (id) => (__cliRequire ??= __cliCreateRequire(import.meta.url))(id);',
    ].join('\n'),
  },
  plugins: [ownUrls],
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
chmodSync(join(outdir, 'scalper.js'), 0o755);
