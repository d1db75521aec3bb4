import assert from 'node:assert/strict';
import { test } from 'node:test';

test('importing the output helpers installs no process-wide handler', async () => {
  const before = process.stdout.listenerCount('error');
  const output = await import('./output.js');
  assert.equal(process.stdout.listenerCount('error'), before);
  assert.equal(typeof output.endQuietlyOnClosedStdout, 'function');
});
