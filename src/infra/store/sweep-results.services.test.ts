/**
 * The sweep results table against the machine's PostgreSQL, in a schema of its own dropped at the
 * end: a (sweep, point, day) is written once and the first row stays; a row holds a result or an
 * error, not both nor neither; workers opening it together make one table; a server that is not
 * there is named.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dropSchemas, requirePostgres, uniqueSchema } from '../../../test/pg.js';
import { freePort } from '../../../test/ports.js';
import { StateStoreError } from './errors.js';
import { openSweepResults } from './sweep-results.js';

const schemas: string[] = [];
after(() => dropSchemas(schemas));

const open = () => {
  const schema = uniqueSchema('sweeps');
  schemas.push(schema);
  return openSweepResults({ schema });
};

if ((await requirePostgres('sweep results')) === null) {
  describe('sweep results in PostgreSQL', () => {
    test('a job written twice keeps its first row; the second writer is told', async () => {
      const store = await open();
      try {
        const row = { sweepId: 's1', point: 0, day: '2026-11-24', jobHash: 'h', error: null };
        assert.equal(await store.put({ ...row, result: 'first', worker: 'a:1' }), true);
        assert.equal(await store.put({ ...row, result: 'second', worker: 'b:2' }), false);
        assert.equal(
          await store.put({ ...row, day: '2026-11-23', result: null, error: 'gone', worker: 'b:2' }),
          true,
        );
        assert.deepEqual(await store.read('s1'), [
          {
            sweepId: 's1',
            point: 0,
            day: '2026-11-23',
            jobHash: 'h',
            result: null,
            error: 'gone',
            worker: 'b:2',
          },
          {
            sweepId: 's1',
            point: 0,
            day: '2026-11-24',
            jobHash: 'h',
            result: 'first',
            error: null,
            worker: 'a:1',
          },
        ]);
        assert.equal(await store.has('s1', 0, '2026-11-24'), true);
        assert.equal(await store.has('s1', 1, '2026-11-24'), false);
        assert.deepEqual((await store.keys('s1')).length, 2);
        assert.deepEqual(await store.read('other'), []);
        assert.equal(await store.delete('s1'), 2);
        assert.deepEqual(await store.keys('s1'), []);
      } finally {
        await store.close();
      }
    });

    test('a row with both a result and an error, or neither, is refused', async () => {
      const store = await open();
      try {
        const row = { sweepId: 's', point: 0, day: '2026-11-24', jobHash: 'h' };
        await assert.rejects(store.put({ ...row, result: 'r', error: 'e' }), (e: unknown) => {
          return (
            e instanceof StateStoreError && e.code === 'STORE_FAILED' && /check constraint/.test(e.message)
          );
        });
        await assert.rejects(store.put({ ...row, result: null, error: null }), StateStoreError);
        await assert.rejects(
          store.put({ ...row, day: '24.11.2026', result: 'r', error: null }),
          StateStoreError,
        );
      } finally {
        await store.close();
      }
    });

    test('several openers at once make one table', async () => {
      const schema = uniqueSchema('sweeps');
      schemas.push(schema);
      const stores = await Promise.all([1, 2, 3, 4].map(() => openSweepResults({ schema })));
      try {
        const row = { sweepId: 's', point: 0, day: '2026-11-24', jobHash: 'h', result: 'r', error: null };
        const wrote = await Promise.all(stores.map((s) => s.put(row)));
        assert.deepEqual(wrote.filter(Boolean).length, 1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('no server: STORE_UNAVAILABLE names the database, password hidden', async () => {
      const port = await freePort();
      await assert.rejects(
        openSweepResults({ url: `postgres://u:secret@127.0.0.1:${port}/x`, retryForMs: 300 }),
        (e: unknown) =>
          e instanceof StateStoreError &&
          e.code === 'STORE_UNAVAILABLE' &&
          e.message.includes(`postgres://u:***@127.0.0.1:${port}/x`) &&
          !e.message.includes('secret'),
      );
    });
  });
}
