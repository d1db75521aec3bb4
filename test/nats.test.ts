/** The services tests' NATS check: a reason to skip outside CI, an error in CI, never a silent skip. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedNatsSkip } from './nats.js';
import { freePort } from './ports.js';

test('an unreachable NATS is a reason to skip outside CI and an error in CI', async () => {
  const port = await freePort();
  assert.equal(
    await sharedNatsSkip({}, port),
    `NATS is not answering on 127.0.0.1:${port} (run scripts/services.sh)`,
  );
  await assert.rejects(
    sharedNatsSkip({ CI: 'true' }, port),
    new RegExp(`127\\.0\\.0\\.1:${port}.*CI runs the services tests, it does not skip them`),
  );
});
