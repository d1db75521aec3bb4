/**
 * The SQLite state store on real files, under each SQLite driver this Node loads: its schema and
 * migrations, what it refuses to open, and the state store contract (test/state-store-contract.ts:
 * client order ids, orders driven by the execution layer's own `Order` state machine, idempotent
 * fills, positions, decisions, risk state, concurrent writers) and the history store contract
 * (test/history-store-contract.ts: bars, feature snapshots and run fills).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { historyStoreContract } from '../../../test/history-store-contract.js';
import {
  isStoreError,
  SPEC,
  type StorePlace,
  stateStoreContract,
} from '../../../test/state-store-contract.js';
import { Order } from '../../execution/index.js';
import { openSqlite, SQLITE_DRIVERS, type SqliteDriverName, sqliteDriverProblem } from './driver.js';
import { MIGRATIONS, type Migration, migrate } from './schema.js';
import { openSqliteStore, type SqliteStateStore, STATE_FILE, stateStorePath } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'state-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A path in a folder of its own that does not exist yet. */
const freshPath = (): string => join(root, `case-${++n}`, 'data', STATE_FILE);

/** The engine's schema and one migration more. */
const NEXT = MIGRATIONS.length + 1;
const SCHEMA_V2: readonly Migration[] = [
  ...MIGRATIONS,
  {
    version: NEXT,
    name: 'notes',
    sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT',
  },
];

function schemaSuite(driver: SqliteDriverName): void {
  test('a new file is created with its folder and migrated from empty, in WAL mode', async () => {
    const path = freshPath();
    const store = openSqliteStore(path, { driver });
    assert.equal(store.driver, driver);
    await store.close();
    const db = openSqlite(path, driver);
    assert.deepEqual(
      db
        .prepare('SELECT version, name FROM schema_migrations')
        .all()
        .map((r) => ({ ...r })),
      [
        { version: 1n, name: 'runtime state' },
        { version: 2n, name: 'feed positions' },
        { version: 3n, name: 'bracket exits of entries' },
        { version: 4n, name: 'history: bars, feature snapshots, run fills' },
      ],
    );
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => r.name);
    assert.deepEqual(tables, [
      'bars',
      'client_order_sequences',
      'decisions',
      'feature_snapshots',
      'feed_positions',
      'fills',
      'kill_switch_events',
      'order_events',
      'orders',
      'positions',
      'risk_days',
      'run_fills',
      'schema_migrations',
    ]);
    // WAL is a property of the file: another connection sees it.
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    db.close();
  });

  test('a later migration applies on open to a store of an earlier version, once', async () => {
    const path = freshPath();
    await openSqliteStore(path, { driver }).close();
    const v2 = openSqliteStore(path, { driver, migrations: SCHEMA_V2 });
    await v2.close();
    await openSqliteStore(path, { driver, migrations: SCHEMA_V2 }).close();
    const db = openSqlite(path, driver);
    assert.deepEqual(
      db
        .prepare('SELECT version FROM schema_migrations ORDER BY version')
        .all()
        .map((r) => r.version),
      [...MIGRATIONS.map((m) => BigInt(m.version)), BigInt(NEXT)],
    );
    db.close();
  });

  test('a migration that fails leaves the store at its earlier version, with nothing of it applied', async () => {
    const path = freshPath();
    await openSqliteStore(path, { driver }).close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: NEXT,
        name: 'half',
        sql: 'CREATE TABLE half (a INTEGER) STRICT; CREATE TABLE oops (a NOSUCHTYPE) STRICT;',
      },
    ];
    assert.throws(
      () => openSqliteStore(path, { driver, migrations: broken }),
      isStoreError('STORE_OPEN', path, 'NOSUCHTYPE'),
    );
    const db = openSqlite(path, driver);
    assert.equal(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()?.v, BigInt(NEXT - 1));
    assert.equal(db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'`).get()?.n, 0n);
    db.close();
  });

  test('a store of a newer schema is refused, naming the file and both versions, and left as it was', async () => {
    const path = freshPath();
    await openSqliteStore(path, { driver, migrations: SCHEMA_V2 }).close();
    assert.throws(
      () => openSqliteStore(path, { driver }),
      isStoreError('STORE_VERSION', path, `version ${NEXT}`, `engine's ${NEXT - 1}`),
    );
    const db = openSqlite(path, driver);
    assert.equal(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()?.v, BigInt(NEXT));
    db.close();
  });

  test('a file that is not SQLite is refused naming its path, and not overwritten', () => {
    const path = join(root, `not-sqlite-${++n}.sqlite`);
    const junk = 'orders,fills\n1,2\n'.repeat(40);
    writeFileSync(path, junk);
    assert.throws(
      () => openSqliteStore(path, { driver }),
      isStoreError('STORE_OPEN', path, 'not a database'),
    );
    assert.equal(readFileSync(path, 'utf8'), junk);
  });

  test('a damaged page found later fails the call naming the store, not with a bare SQLite error', async () => {
    const path = freshPath();
    const s = openSqliteStore(path, { driver });
    const header = {
      instrument: '6EH6',
      snapshotTs: '2026-03-04T14:30:00.000000000Z',
      trigger: { kind: 'bar' },
      route: 'fast',
      approval: { approved: true, direction: 'long' as const, size: 1 },
    };
    for (let i = 0; i < 40; i++)
      await s.recordDecision({ ...header, id: `d${i}` }, JSON.stringify({ pad: 'y'.repeat(3000) }));
    await s.close();
    // The last page of the file holds the decisions written last; overwrite it with noise.
    const raw = openSqlite(path, driver);
    const page = Number(raw.prepare('PRAGMA page_size').get()?.page_size);
    raw.close();
    const bytes = readFileSync(path);
    for (let i = bytes.length - page; i < bytes.length; i++) bytes[i] = (i * 7) & 255;
    writeFileSync(path, bytes);
    const t = openSqliteStore(path, { driver });
    const errors: unknown[] = [];
    for (let i = 0; i < 40; i++) await t.decision(`d${i}`).catch((e: unknown) => errors.push(e));
    await t.close();
    assert.ok(errors.length > 0, 'no read met the damaged page');
    for (const e of errors)
      assert.ok(isStoreError('STORE_FAILED', path, 'decision failed', 'malformed')(e), String(e));
  });

  test('the store of a data folder is <folder>/state.sqlite', () => {
    assert.equal(stateStorePath(join('var', 'data')), join('var', 'data', 'state.sqlite'));
  });
  test('a store of version 2 opens with its orders, and new entries keep their brackets', async () => {
    const path = freshPath();
    // A store as version 2 of the schema left it, holding an entry sent then.
    mkdirSync(dirname(path), { recursive: true });
    const v2 = openSqlite(path, driver);
    migrate(v2, MIGRATIONS.slice(0, 2));
    v2.prepare(`INSERT INTO orders (client_id, instrument_id, side, type, quantity, limit_px, tif, post_only,
      role, decision_id, status, sent_ns, updated_ns)
      VALUES ('r1-1', 42, 'buy', 'limit', 5, 1085250000, 'GTC', 0, 'entry', 'd-1', 'pending-new', 1000, 1000)`).run();
    v2.close();
    const s = openSqliteStore(path, { driver });
    assert.deepEqual((await s.order('r1-1'))?.role, { role: 'entry', decisionId: 'd-1' });
    // New orders keep their bracket after the upgrade (the contract's test, on the migrated file).
    const bracket = { stopPx: 1_084_750_000, targetPx: 1_086_000_000, timeStopMs: 300_000 };
    await s.recordOrder(new Order({ ...SPEC, clientId: 'r1-2' }, 2_000n), { role: 'entry', bracket });
    assert.deepEqual((await s.order('r1-2'))?.role, { role: 'entry', bracket });
    await s.close();
  });
}

/** A place of the contract: a new file (under each test's own folder), counted through the driver. */
function place(driver: SqliteDriverName): StorePlace<SqliteStateStore> {
  const path = freshPath();
  return {
    open: async () => openSqliteStore(path, { driver }),
    count: async (table) => {
      const db = openSqlite(path, driver);
      try {
        return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);
      } finally {
        db.close();
      }
    },
  };
}

for (const driver of SQLITE_DRIVERS) {
  const problem = sqliteDriverProblem(driver);
  // A driver this Node cannot load is reported as a skipped test with the reason, not hidden.
  if (problem !== null) test(`state store on ${driver}`, { skip: problem }, () => {});
  else
    describe(`state store on ${driver}`, () => {
      describe('schema', () => schemaSuite(driver));
      stateStoreContract(`SQLite (${driver})`, { place: async () => place(driver) });
      historyStoreContract(`SQLite (${driver})`, { place: async () => place(driver) });
    });
}
