/** The browser tests' set-up: a missing Chromium that cannot be installed fails a CI run, never skips it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureChromium, inCi } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'browser-setup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Chromium set-up', () => {
  // An installer that fails as apt-get does without root or without the package.
  const installer = join(dir, 'install.sh');
  writeFileSync(installer, 'echo "E: Unable to locate package chromium" >&2\nexit 100\n');
  const executable = join(dir, 'no-chromium');

  test('outside CI a browser that cannot be installed is a reason to skip, naming why', () => {
    const why = ensureChromium({ executable, installer, env: { PATH: process.env.PATH } });
    assert.match(
      why ?? '',
      /no-chromium is missing and sh .*install\.sh could not install it \(exit 100: E: Unable to locate package chromium\)/,
    );
  });

  test('in CI it is an error with the same reason', () => {
    assert.throws(
      () => ensureChromium({ executable, installer, env: { PATH: process.env.PATH, CI: 'true' } }),
      /The browser tests need Debian's Chromium: .*no-chromium is missing.*exit 100/,
    );
  });

  test('an installed browser needs no installer', () => {
    writeFileSync(join(dir, 'chromium'), '');
    assert.equal(
      ensureChromium({ executable: join(dir, 'chromium'), installer: join(dir, 'absent.sh') }),
      null,
    );
  });

  test('CI is any value of CI but empty, 0 or false', () => {
    assert.deepEqual(
      ['true', '1', 'yes', '', '0', 'false', 'FALSE', undefined].map((v) =>
        inCi(v === undefined ? {} : { CI: v }),
      ),
      [true, true, true, false, false, false, false, false],
    );
  });
});
