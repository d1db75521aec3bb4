/**
 * The SQLite seam under each driver this Node can load: which ones load (and why one does not),
 * integers read back exactly as `bigint`, transactions that roll back as a whole, STRICT columns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSqlite, SQLITE_DRIVERS, sqliteDriverProblem, sqliteDrivers } from './driver.js';

const [major, minor] = process.versions.node.split('.').map(Number);
/** Node's own SQLite is unflagged from 22.13 (and in 23.4+, 24): https://nodejs.org/api/sqlite.html */
const nodeHasSqlite = major > 23 || (major === 22 && minor >= 13) || (major === 23 && minor >= 4);

describe('which SQLite drivers load', () => {
  test('node:sqlite loads exactly on the Node versions that have it unflagged', () => {
    assert.equal(
      sqliteDriverProblem('node:sqlite') === null,
      nodeHasSqlite,
      String(sqliteDriverProblem('node:sqlite')),
    );
  });

  test('better-sqlite3 loads, or fails only because its addon was built for another Node', () => {
    const problem = sqliteDriverProblem('better-sqlite3');
    if (problem !== null) assert.match(problem, /compiled against a different Node\.js version/);
  });

  const available = sqliteDrivers();
  test(`on Node ${process.version} the store runs on ${available.join(' and ') || 'no driver'}, the first by default`, () => {
    assert.ok(available.length > 0, SQLITE_DRIVERS.map(sqliteDriverProblem).join('; '));
    const db = openSqlite(':memory:');
    assert.equal(db.driver, available[0]);
    db.close();
  });

  test('asking for a driver that does not load names it and why', (t) => {
    const missing = SQLITE_DRIVERS.find((n) => sqliteDriverProblem(n) !== null);
    if (missing === undefined) return t.skip('every driver loads on this Node');
    assert.throws(
      () => openSqlite(':memory:', missing),
      (e: Error & { code?: string }) =>
        e.code === 'STORE_DRIVER' && e.message.includes(missing) && e.message.includes(process.version),
    );
  });
});

for (const name of SQLITE_DRIVERS) {
  const problem = sqliteDriverProblem(name);
  // A driver this Node cannot load is reported as a skipped test with the reason, not hidden.
  if (problem !== null) test(`SQLite driver "${name}"`, { skip: problem }, () => {});
  else
    describe(`SQLite driver "${name}"`, () => {
      test('integers come back exactly as bigint, reals as number, text as string', () => {
        const db = openSqlite(':memory:', name);
        db.exec('CREATE TABLE t (ns INTEGER, fee REAL, s TEXT) STRICT');
        // 2026-03-04T14:30:00.123456789Z in ns: above 2^53, so a double would round it.
        const ns = 1_772_634_600_123_456_789n;
        assert.equal(db.prepare('INSERT INTO t VALUES (?, ?, ?)').run(ns, 0.25, 'x'), 1);
        assert.deepEqual({ ...db.prepare('SELECT * FROM t').get() }, { ns, fee: 0.25, s: 'x' });
        db.close();
      });

      test('a transaction that throws leaves nothing of itself', () => {
        const db = openSqlite(':memory:', name);
        db.exec('CREATE TABLE t (a INTEGER NOT NULL) STRICT');
        const insert = db.prepare('INSERT INTO t VALUES (?)');
        assert.throws(() =>
          db.transaction(() => {
            insert.run(1);
            insert.run(null);
          }),
        );
        assert.equal(
          db.transaction(() => insert.run(2)),
          1,
        );
        assert.deepEqual(
          db
            .prepare('SELECT a FROM t')
            .all()
            .map((r) => r.a),
          [2n],
        );
        db.close();
      });

      test('a STRICT integer column refuses a fractional number', () => {
        const db = openSqlite(':memory:', name);
        db.exec('CREATE TABLE t (q INTEGER) STRICT');
        assert.throws(
          () => db.prepare('INSERT INTO t VALUES (?)').run(1.5),
          /cannot store REAL value in INTEGER column/,
        );
        db.close();
      });
    });
}
