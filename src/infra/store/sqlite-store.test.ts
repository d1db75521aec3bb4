/**
 * The SQLite state store on real files, under each SQLite driver this Node loads: schema and
 * migrations, reopening, refusals, client order ids, orders driven by the execution layer's own
 * `Order` state machine, idempotent fills, positions, decisions and risk state.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ClientOrderIds, Order, type OrderSpec } from '../../execution/index.js';
import { openSqlite, SQLITE_DRIVERS, type SqliteDriverName, sqliteDriverProblem } from './driver.js';
import type { StateStoreError } from './errors.js';
import { MIGRATIONS, type Migration, migrate } from './schema.js';
import { openSqliteStore, STATE_FILE, stateStorePath } from './sqlite-store.js';
import type { StoredFill, StoredTransition } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'state-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A path in a folder of its own that does not exist yet. */
const freshPath = (): string => join(root, `case-${++n}`, 'data', STATE_FILE);

const isStoreError =
  (code: string, ...parts: string[]) =>
  (e: unknown): boolean => {
    const s = e as StateStoreError;
    return s.code === code && parts.every((p) => s.message.includes(p));
  };

const SPEC: OrderSpec = {
  clientId: 'r1-1',
  instrumentId: 42,
  side: 'buy',
  type: 'limit',
  quantity: 5,
  limitPx: 1_085_250_000,
  tif: 'GTC',
};

/** A fill of `order` as the store takes it, from the order's own last transition. */
function fillOf(order: Order, fillId: string, fee = 1.2): [StoredFill, StoredTransition] {
  const t = order.history[order.history.length - 1];
  const fill: StoredFill = {
    fillId,
    clientId: order.clientId,
    instrumentId: order.spec.instrumentId,
    side: order.spec.side,
    quantity: t.quantity!,
    price: t.price!,
    fee,
    tsNs: t.atNs,
    liquidity: 'maker',
  };
  return [fill, t];
}

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
      ],
    );
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => r.name);
    assert.deepEqual(tables, [
      'client_order_sequences',
      'decisions',
      'feed_positions',
      'fills',
      'kill_switch_events',
      'order_events',
      'orders',
      'positions',
      'risk_days',
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
}

function idSuite(driver: SqliteDriverName): void {
  test('client order ids count from 1 per run and never repeat across reopening', async () => {
    const path = freshPath();
    const a = openSqliteStore(path, { driver });
    assert.deepEqual(await a.reserveClientOrderIds('r1'), ['r1-1']);
    assert.deepEqual(await a.reserveClientOrderIds('r1', 3), ['r1-2', 'r1-3', 'r1-4']);
    assert.deepEqual(await a.reserveClientOrderIds('other'), ['other-1']);
    await a.close();
    const b = openSqliteStore(path, { driver });
    assert.equal(await b.lastClientOrderSequence('r1'), 4);
    assert.equal(await b.lastClientOrderSequence('never'), 0);
    // The execution layer's ids, restarted from the last sequence, name the next id the same way.
    const ids = new ClientOrderIds('r1', await b.lastClientOrderSequence('r1'));
    assert.equal(ids.next(), 'r1-5');
    assert.deepEqual(await b.reserveClientOrderIds('r1'), ['r1-5']);
    await b.close();
  });

  test('an order recorded under a run id that was never reserved moves its run past it', async () => {
    const path = freshPath();
    const a = openSqliteStore(path, { driver });
    await a.recordOrder({ spec: { ...SPEC, clientId: 'paper-7' }, sentNs: 1n });
    await a.recordOrder({ spec: { ...SPEC, clientId: 'paper-3' }, sentNs: 2n });
    // Not of the `<run>-<n>` form: no sequence.
    await a.recordOrder({ spec: { ...SPEC, clientId: 'manual' }, sentNs: 3n });
    await a.close();
    const b = openSqliteStore(path, { driver });
    assert.equal(await b.lastClientOrderSequence('paper'), 7);
    assert.equal(new ClientOrderIds('paper', await b.lastClientOrderSequence('paper')).next(), 'paper-8');
    assert.deepEqual(await b.reserveClientOrderIds('paper'), ['paper-8']);
    assert.equal(await b.lastClientOrderSequence('manual'), 0);
    await b.close();
  });

  test('a malformed run id or count is refused', async () => {
    const s = openSqliteStore(':memory:', { driver });
    await assert.rejects(s.reserveClientOrderIds('r 1'), isStoreError('STORE_INVALID', '"r 1"'));
    await assert.rejects(s.reserveClientOrderIds('r1', 0), isStoreError('STORE_INVALID', 'got 0'));
    await s.close();
    await assert.rejects(s.reserveClientOrderIds('r1'), isStoreError('STORE_CLOSED'));
  });
}

function orderSuite(driver: SqliteDriverName): void {
  test('an order keeps every state change in order, as the execution layer made them', async () => {
    const s = openSqliteStore(':memory:', { driver });
    const o = new Order(SPEC, 1_000n);
    await s.recordOrder(o, { role: 'entry', decisionId: 'd-7' });
    const last = () => o.history[o.history.length - 1];
    o.ack(1_010n);
    await s.recordTransition(o.clientId, last(), { venueId: 'V-99' });
    o.fill(1_020n, 2, SPEC.limitPx!);
    assert.equal(await s.recordFill(...fillOf(o, 'x1')), true);
    o.replace(1_030n, { quantity: 4 });
    await s.recordTransition(o.clientId, last());
    o.replaced(1_040n);
    await s.recordTransition(o.clientId, last(), { quantity: 4 });
    o.cancel(1_050n);
    await s.recordTransition(o.clientId, last());
    o.fill(1_060n, 1, SPEC.limitPx! - 250_000);
    assert.equal(await s.recordFill(...fillOf(o, 'x2')), true);
    o.cancelled(1_070n);
    await s.recordTransition(o.clientId, last());

    assert.deepEqual(await s.orderHistory(o.clientId), o.history);
    // By hand: send, ack, fill 2, replace, replaced (qty 4), cancel, fill 1, cancelled.
    assert.deepEqual(
      (await s.orderHistory(o.clientId)).map((t) => t.to),
      [
        'pending-new',
        'accepted',
        'partially-filled',
        'pending-replace',
        'partially-filled',
        'pending-cancel',
        'pending-cancel',
        'cancelled',
      ],
    );
    assert.deepEqual(await s.order(o.clientId), {
      spec: { ...SPEC, quantity: 4 },
      status: 'cancelled',
      filledQuantity: 3,
      sentNs: 1_000n,
      ackedNs: 1_010n,
      updatedNs: 1_070n,
      venueId: 'V-99',
      role: { role: 'entry', decisionId: 'd-7' },
    });
    assert.deepEqual(await s.openOrders(), []);
    await s.close();
  });

  test("an entry keeps its bracket's exits; a store of version 2 opens with its orders and takes them", async () => {
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
    const bracket = { stopPx: 1_084_750_000, targetPx: 1_086_000_000, timeStopMs: 300_000 };
    await s.recordOrder(new Order({ ...SPEC, clientId: 'r1-2' }, 2_000n), {
      role: 'entry',
      decisionId: 'd-2',
      bracket,
    });
    await s.recordOrder(
      new Order({ ...SPEC, clientId: 'r1-3', side: 'sell', type: 'stop', stopPx: 1 }, 3_000n),
      {
        role: 'exit',
        reason: 'stop',
      },
    );
    assert.deepEqual((await s.order('r1-2'))?.role, { role: 'entry', decisionId: 'd-2', bracket });
    assert.deepEqual((await s.order('r1-3'))?.role, { role: 'exit', reason: 'stop' });
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, clientId: 'r1-4' }, 4_000n), {
        role: 'entry',
        bracket: { ...bracket, stopPx: 1.5 },
      }),
      isStoreError('STORE_INVALID', 'r1-4', 'bracket stop price', '1.5'),
    );
    await s.close();
  });

  test('a fill recorded twice is stored once; the same id with other terms is refused', async () => {
    const path = freshPath();
    const s = openSqliteStore(path, { driver });
    const o = new Order(SPEC, 1n);
    await s.recordOrder(o);
    o.ack(2n);
    await s.recordTransition(o.clientId, o.history[1]);
    o.fill(3n, 2, SPEC.limitPx!);
    const [fill, t] = fillOf(o, 'exec-1');
    assert.equal(await s.recordFill(fill, t), true);
    await s.close();
    // Heard again after a restart (the venue replays its reports after a reconnect).
    const again = openSqliteStore(path, { driver });
    assert.equal(await again.recordFill(fill, t), false);
    assert.deepEqual(await again.fills(), [fill]);
    assert.equal((await again.order(o.clientId))?.filledQuantity, 2);
    assert.equal((await again.orderHistory(o.clientId)).length, 3);
    assert.deepEqual(await again.positions(), [{ instrumentId: 42, quantity: 2, updatedNs: 3n }]);
    await assert.rejects(
      again.recordFill({ ...fill, tsNs: fill.tsNs + 1n }, t),
      isStoreError('STORE_CONFLICT', '"exec-1"'),
    );
    await again.close();
  });

  test('positions are the signed sum of fills per instrument', async () => {
    const s = openSqliteStore(':memory:', { driver });
    // Buy 3 of 42, sell 5 of 42, sell 1 of 7: 42 is short 2, 7 is short 1.
    const legs = [
      { id: 'r1-1', instrumentId: 42, side: 'buy', quantity: 3 },
      { id: 'r1-2', instrumentId: 42, side: 'sell', quantity: 5 },
      { id: 'r1-3', instrumentId: 7, side: 'sell', quantity: 1 },
    ] as const;
    for (const [i, l] of legs.entries()) {
      const o = new Order(
        { ...SPEC, clientId: l.id, instrumentId: l.instrumentId, side: l.side, quantity: l.quantity },
        10n,
      );
      await s.recordOrder(o);
      o.ack(11n);
      await s.recordTransition(l.id, o.history[1]);
      o.fill(BigInt(20 + i), l.quantity, SPEC.limitPx!);
      await s.recordFill(...fillOf(o, `f${i}`));
    }
    assert.deepEqual(await s.positions(), [
      { instrumentId: 7, quantity: -1, updatedNs: 22n },
      { instrumentId: 42, quantity: -2, updatedNs: 21n },
    ]);
    await s.close();
  });

  test('every term of an order comes back as given', async () => {
    const s = openSqliteStore(':memory:', { driver });
    const specs: OrderSpec[] = [
      {
        clientId: 'r1-1',
        instrumentId: 42,
        side: 'sell',
        type: 'stop-limit',
        quantity: 2,
        stopPx: 1_084_000_000,
        limitPx: 1_083_900_000,
        tif: 'GTT',
        expireAtNs: 1_772_634_600_123_456_789n,
      },
      {
        clientId: 'r1-2',
        instrumentId: 7,
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPx: 5,
        tif: 'DAY',
        postOnly: true,
      },
      { clientId: 'r1-3', instrumentId: 7, side: 'buy', type: 'market', quantity: 9, tif: 'IOC' },
    ];
    for (const spec of specs) await s.recordOrder({ spec, sentNs: 3n });
    for (const spec of specs) assert.deepEqual((await s.order(spec.clientId))?.spec, spec);
    assert.equal(await s.order('r1-4'), undefined);
    assert.deepEqual(await s.orderHistory('r1-4'), []);
    await s.close();
  });

  test('open orders tell the acknowledged from the unacknowledged, oldest first', async () => {
    const s = openSqliteStore(':memory:', { driver });
    const a = new Order({ ...SPEC, clientId: 'r1-1' }, 5n);
    const b = new Order({ ...SPEC, clientId: 'r1-2' }, 6n);
    const c = new Order({ ...SPEC, clientId: 'r1-3' }, 7n);
    for (const o of [a, b, c]) await s.recordOrder(o);
    a.ack(8n);
    await s.recordTransition('r1-1', a.history[1]);
    c.reject(9n, 'post-only would cross');
    await s.recordTransition('r1-3', c.history[1]);
    const open = await s.openOrders();
    assert.deepEqual(
      open.map((o) => [o.spec.clientId, o.status, o.ackedNs]),
      [
        ['r1-1', 'accepted', 8n],
        ['r1-2', 'pending-new', null],
      ],
    );
    assert.deepEqual(await s.orderTimesSince(6n), [6n, 7n]);
    await s.close();
  });

  test('a transition that does not follow the stored status, or for an unknown order, is refused', async () => {
    const s = openSqliteStore(':memory:', { driver });
    const o = new Order(SPEC, 1n);
    await s.recordOrder(o);
    o.ack(2n);
    await s.recordTransition(o.clientId, o.history[1]);
    await assert.rejects(
      s.recordTransition(o.clientId, o.history[1]),
      isStoreError('STORE_CONFLICT', 'is accepted'),
    );
    await assert.rejects(
      s.recordTransition('r9-9', o.history[1]),
      isStoreError('STORE_UNKNOWN_ORDER', '"r9-9"'),
    );
    const fill: StoredTransition = { event: 'fill', from: 'accepted', to: 'filled', atNs: 3n, quantity: 5 };
    await assert.rejects(
      s.recordTransition(o.clientId, fill),
      isStoreError('STORE_INVALID', 'recorded with its fill'),
    );
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, side: 'sell' }, 4n)),
      isStoreError('STORE_CONFLICT', '"r1-1"'),
    );
    await s.recordOrder(o);
    assert.equal((await s.orderHistory(o.clientId)).length, 2);
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, clientId: 'r1-2', quantity: 1.5 }, 1n)),
      isStoreError('STORE_INVALID', '1.5'),
    );
    await s.close();
  });
}

function decisionAndRiskSuite(driver: SqliteDriverName): void {
  const header = {
    id: 'd-1',
    instrument: '6EH6',
    snapshotTs: '2026-03-04T14:30:00.000000000Z',
    trigger: { kind: 'bar' },
    route: 'fast',
    approval: { approved: true, direction: 'long' as const, size: 2 },
  };
  const audit = JSON.stringify({ ...header, verdicts: [{ check: 'spread', pass: true }] });

  test('a decision keeps its audit record; recorded twice it is stored once', async () => {
    const s = openSqliteStore(':memory:', { driver });
    assert.equal(await s.recordDecision(header, audit), true);
    assert.equal(await s.recordDecision(header, audit), false);
    assert.deepEqual(await s.decision('d-1'), {
      id: 'd-1',
      instrument: '6EH6',
      snapshotTs: '2026-03-04T14:30:00.000000000Z',
      trigger: 'bar',
      route: 'fast',
      approved: true,
      direction: 'long',
      size: 2,
      audit,
    });
    await assert.rejects(s.recordDecision(header, '{}'), isStoreError('STORE_CONFLICT', '"d-1"'));
    await assert.rejects(
      s.recordDecision({ ...header, id: 'd-2' }, '{oops'),
      isStoreError('STORE_INVALID', 'd-2'),
    );
    assert.equal(await s.decision('d-2'), undefined);
    await s.close();
  });

  test('risk state and the kill switch survive reopening; every kill switch change is kept', async () => {
    const path = freshPath();
    const s = openSqliteStore(path, { driver });
    assert.deepEqual(await s.killSwitch(), { engaged: false, reason: '', atNs: 0n });
    const day = {
      tradingDate: '2026-03-04',
      startEquity: 100_000,
      pnl: -150.5,
      high: 40,
      halted: null,
      updatedNs: 9n,
    };
    await s.saveRiskDay(day);
    await s.saveRiskDay({ ...day, pnl: -2_000, halted: 'DAILY_LOSS', updatedNs: 10n });
    await s.setKillSwitch({ engaged: true, reason: 'operator', atNs: 11n });
    await s.setKillSwitch({ engaged: false, reason: 'reset by operator', atNs: 12n });
    await s.setKillSwitch({ engaged: true, reason: 'venue disconnected', atNs: 13n });
    await assert.rejects(
      s.saveRiskDay({ ...day, tradingDate: '4/3/2026' }),
      isStoreError('STORE_INVALID', '"4/3/2026"'),
    );
    await assert.rejects(s.saveRiskDay({ ...day, pnl: Number.NaN }), isStoreError('STORE_INVALID', 'NaN'));
    await s.close();
    const t = openSqliteStore(path, { driver });
    assert.deepEqual(await t.riskDay('2026-03-04'), {
      ...day,
      pnl: -2_000,
      halted: 'DAILY_LOSS',
      updatedNs: 10n,
    });
    assert.equal(await t.riskDay('2026-03-05'), undefined);
    assert.deepEqual(await t.killSwitch(), { engaged: true, reason: 'venue disconnected', atNs: 13n });
    await t.close();
    const db = openSqlite(path, driver);
    assert.equal(db.prepare('SELECT count(*) AS n FROM kill_switch_events').get()?.n, 3n);
    db.close();
  });

  test('a feed position only moves forward and survives reopening', async () => {
    const path = freshPath();
    const s = openSqliteStore(path, { driver });
    assert.equal(await s.feedPosition('files'), null);
    await s.saveFeedPosition('files', 1_000n);
    await s.saveFeedPosition('files', 5_000n);
    // A late save of an earlier position (a slower writer) does not move it back.
    await s.saveFeedPosition('files', 3_000n);
    await s.saveFeedPosition('databento', 7n);
    await assert.rejects(s.saveFeedPosition('', 1n), isStoreError('STORE_INVALID', 'name'));
    await s.close();
    const t = openSqliteStore(path, { driver });
    assert.equal(await t.feedPosition('files'), 5_000n);
    assert.equal(await t.feedPosition('databento'), 7n);
    await t.close();
  });
}

for (const driver of SQLITE_DRIVERS) {
  const problem = sqliteDriverProblem(driver);
  // A driver this Node cannot load is reported as a skipped test with the reason, not hidden.
  if (problem !== null) test(`state store on ${driver}`, { skip: problem }, () => {});
  else
    describe(`state store on ${driver}`, () => {
      describe('schema', () => schemaSuite(driver));
      describe('client order ids', () => idSuite(driver));
      describe('orders, fills and positions', () => orderSuite(driver));
      describe('decisions and risk state', () => decisionAndRiskSuite(driver));
    });
}
