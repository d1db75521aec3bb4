/**
 * Test helpers: where the shared fixtures are. Tests read real data from ../shared/fixtures
 * (relative to the repository root, or SCALPER_FIXTURES) and never copy it into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** The shared fixtures folder; throws with a hint when it is missing. */
export function fixturesDir(): string {
  const dir = process.env.SCALPER_FIXTURES ?? resolve(repoRoot(), '..', 'shared', 'fixtures');
  if (!existsSync(dir)) {
    throw new Error(
      `Fixtures not found at ${dir}: clone the repository beside shared/ or set SCALPER_FIXTURES`,
    );
  }
  return dir;
}

/** Path of a file under the fixtures folder, e.g. fixture('dbn', 'test_data.mbo.dbn'). */
export function fixture(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}

/**
 * The `scalper` command as package.json's `bin` names it: the bundle that `npm run build` writes
 * (scripts/build-cli.mjs), run by the tests as a user runs it.
 */
export function scalperBin(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    bin: { scalper: string };
  };
  return join(repoRoot(), pkg.bin.scalper);
}
