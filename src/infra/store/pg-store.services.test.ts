/**
 * The PostgreSQL store against the machine's PostgreSQL (never a mock): the state store and
 * history store contracts (test/state-store-contract.ts, test/history-store-contract.ts),
 * migrations, history tables partitioned per day with their time indexes, TimescaleDB detection,
 * and a server that is not there. Each store lives in a schema of its own, dropped at the end.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { historyStoreContract } from '../../../test/history-store-contract.js';
import { dropSchemas, PG_URL, pgClient, requirePostgres, uniqueSchema } from '../../../test/pg.js';
import { freePort } from '../../../test/ports.js';
import { isStoreError, stateStoreContract } from '../../../test/state-store-contract.js';
import { PG_MIGRATIONS, type PgMigration } from './pg-schema.js';
import { openPgStore, type PgStoreOptions, timescaleStatus } from './pg-store.js';
import type { StoredBar } from './types.js';

const schemas: string[] = [];
after(() => dropSchemas(schemas));

/** A new schema, dropped after the file's tests. */
function schema(): string {
  const s = uniqueSchema('store');
  schemas.push(s);
  return s;
}

/** Rows of `table` in schema `s`, counted by another connection. */
async function count(s: string, table: string): Promise<number> {
  const c = await pgClient();
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${s}.${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

/** One query's rows, on a connection of its own. */
async function rows(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = await pgClient();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

const open = (s: string, o: PgStoreOptions = {}) => openPgStore({ url: PG_URL, schema: s, ...o });

/** ns of a UTC time: worked from Date.UTC, not from the store. */
const utcNs = (y: number, mo: number, d: number, h = 0, mi = 0) =>
  BigInt(Date.UTC(y, mo - 1, d, h, mi)) * 1_000_000n;

const SCHEMA_V5: readonly PgMigration[] = [
  ...PG_MIGRATIONS,
  { version: 5, name: 'notes', sql: () => 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)' },
];

if ((await requirePostgres('PostgreSQL state store')) === null) {
  const place = async () => {
    const s = schema();
    return { open: () => open(s), count: (table: string) => count(s, table) };
  };
  stateStoreContract('PostgreSQL', { place });
  historyStoreContract('PostgreSQL', { place });

  describe('PostgreSQL store: schema', () => {
    test('a new schema is migrated from empty: the state tables, the history tables, every migration', async () => {
      const s = schema();
      await (await open(s)).close();
      assert.deepEqual(
        (await rows(`SELECT version, name FROM ${s}.schema_migrations ORDER BY version`)).map((r) => [
          r.version,
          r.name,
        ]),
        [
          [1, 'runtime state'],
          [2, 'feed positions'],
          [3, 'bracket exits of entries'],
          [4, 'history: bars, feature snapshots, run fills'],
        ],
      );
      const tables = await rows(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
        [s],
      );
      assert.deepEqual(
        tables.map((r) => r.relname),
        [
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
          'store_settings',
        ],
      );
    });

    test('a later migration applies on open, once; one that fails leaves nothing of itself', async () => {
      const s = schema();
      await (await open(s)).close();
      await (await open(s, { migrations: SCHEMA_V5 })).close();
      await (await open(s, { migrations: SCHEMA_V5 })).close();
      assert.deepEqual(
        (await rows(`SELECT version FROM ${s}.schema_migrations ORDER BY version`)).map((r) => r.version),
        [1, 2, 3, 4, 5],
      );
      const broken: PgMigration[] = [
        ...SCHEMA_V5,
        {
          version: 6,
          name: 'half',
          sql: () => 'CREATE TABLE half (a INTEGER); CREATE TABLE oops (a NOSUCHTYPE);',
        },
      ];
      await assert.rejects(open(s, { migrations: broken }), isStoreError('STORE_OPEN', s, 'nosuchtype'));
      assert.deepEqual(await rows(`SELECT max(version) AS v FROM ${s}.schema_migrations`), [{ v: 5 }]);
      assert.deepEqual(await rows(`SELECT to_regclass('${s}.half') AS t`), [{ t: null }]);
    });

    test('a schema of a newer engine is refused naming the store and both versions', async () => {
      const s = schema();
      await (await open(s, { migrations: SCHEMA_V5 })).close();
      await assert.rejects(open(s), isStoreError('STORE_VERSION', s, 'version 5', "engine's 4"));
    });

    test('two stores opening one new schema at once both open it, migrated once', async () => {
      const s = schema();
      const [a, b] = await Promise.all([open(s), open(s)]);
      assert.equal(await count(s, 'schema_migrations'), 4);
      assert.deepEqual(await a.reserveClientOrderIds('r'), ['r-1']);
      assert.deepEqual(await b.reserveClientOrderIds('r'), ['r-2']);
      await a.close();
      await b.close();
    });

    test('the location is the URL without its password, with the schema', async () => {
      const s = schema();
      const u = new URL(PG_URL);
      u.username ||= (await rows('SELECT current_user AS u'))[0].u as string;
      u.password = 'hunter2';
      const store = await openPgStore({ url: u.toString(), schema: s });
      assert.ok(!store.location.includes('hunter2'), store.location);
      assert.ok(
        store.location.includes(`${u.hostname}:${u.port}`) && store.location.includes(s),
        store.location,
      );
      await store.close();
      await assert.rejects(store.order('x'), isStoreError('STORE_CLOSED', s));
    });

    test('a server that does not answer fails the open with STORE_UNAVAILABLE, in the time allowed', async () => {
      const port = await freePort();
      const url = `postgres://nobody@127.0.0.1:${port}/test`;
      const t0 = Date.now();
      await assert.rejects(
        openPgStore({ url, retryForMs: 500 }),
        isStoreError('STORE_UNAVAILABLE', `127.0.0.1:${port}`, 'cannot be reached'),
      );
      // 100 + 200 ms of waits and four refused connections: well under the 5 s a hang would take.
      assert.ok(Date.now() - t0 < 3_000, `${Date.now() - t0} ms`);
    });
  });

  describe('PostgreSQL store: history', () => {
    const bar = (instrumentId: number, tsNs: bigint, close: number): StoredBar => ({
      instrumentId,
      intervalS: 60,
      tsNs,
      open: 1_085_000_000,
      high: 1_085_500_000,
      low: 1_084_750_000,
      close,
      volume: 12,
    });

    test('bars either side of midnight UTC land in one partition per day, each with its time index', async () => {
      const s = schema();
      const store = await open(s);
      assert.equal(store.historyLayout, 'partitioned');
      const bars = [
        bar(1, utcNs(2026, 3, 4, 23, 59), 1_085_250_000),
        bar(1, utcNs(2026, 3, 5, 0, 0), 1_085_000_000),
        bar(1, utcNs(2026, 3, 5, 0, 1), 1_084_750_000),
      ];
      assert.equal(await store.writeBars(bars), 3);
      const parts = await rows(
        `SELECT c.relname, (SELECT count(*) FROM pg_indexes i WHERE i.schemaname = $1 AND i.tablename = c.relname
           AND i.indexdef LIKE '%(ts_ns)') AS time_indexes
         FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_class p ON p.oid = h.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = 'bars' ORDER BY 1`,
        [s],
      );
      assert.deepEqual(
        parts.map((r) => [r.relname, Number(r.time_indexes)]),
        [
          ['bars_d20260304', 1],
          ['bars_d20260305', 1],
        ],
      );
      assert.deepEqual(
        (
          await rows(
            `SELECT c.relname, count(*) AS n FROM ${s}.bars b JOIN pg_class c ON c.oid = b.tableoid GROUP BY 1 ORDER BY 1`,
          )
        ).map((r) => [r.relname, Number(r.n)]),
        [
          ['bars_d20260304', 1],
          ['bars_d20260305', 2],
        ],
      );
      // A range within 5 March reads its day's partition only.
      const plan = JSON.stringify(
        await rows(`EXPLAIN (FORMAT JSON) SELECT * FROM ${s}.bars WHERE ts_ns >= $1 AND ts_ns < $2`, [
          utcNs(2026, 3, 5),
          utcNs(2026, 3, 6),
        ]),
      );
      assert.ok(plan.includes('bars_d20260305') && !plan.includes('bars_d20260304'), plan);
      assert.deepEqual(await store.bars(1, 60, utcNs(2026, 3, 5), utcNs(2026, 3, 6)), bars.slice(1));
      await store.close();
    });

    test('TimescaleDB is detected from the server, and used only when it is installed', async () => {
      const s = schema();
      const store = await open(s);
      const c = await pgClient();
      const found = await timescaleStatus(c);
      // Asked independently: is the extension installed in this database (where), does the server have it?
      const installed = await c.query(
        `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'timescaledb'`,
      );
      const available = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
      assert.deepEqual(found, {
        installed: installed.rows.length === 1,
        available: available.rows.length === 1,
        schema: installed.rows[0]?.nspname ?? null,
      });
      const kind = await c.query(
        `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = 'bars'`,
        [s],
      );
      await c.end();
      assert.equal(store.historyLayout, found.installed ? 'timescaledb' : 'partitioned');
      // A hypertable is a plain table with chunks; PostgreSQL's own partitioned table has relkind p.
      assert.equal(kind.rows[0].relkind, found.installed ? 'r' : 'p');
      await store.close();
      const off = schema();
      const plain = await open(off, { timescale: 'off' });
      assert.equal(plain.historyLayout, 'partitioned');
      await plain.close();
    });
  });
}
