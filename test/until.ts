/** Waiting in tests for what another process, socket or timer brings about. */
import assert from 'node:assert/strict';

/**
 * Resolves once `check` holds, looking every 10 ms; fails the test naming `what` when it still does
 * not after `ms` (default 5 s).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 5_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
