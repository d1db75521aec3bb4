/**
 * The store's schema as an ordered list of migrations. `schema_migrations` records each one
 * applied; on open, the ones not yet applied run in order inside one transaction, so a store is
 * never left half migrated, and a store written by a newer engine (a version above the last one
 * known here) is refused rather than misread. A migration, once released, is never edited: a
 * change is a new migration at the end of the list.
 *
 * Tables are STRICT (a fractional quantity or a text price is an error, not a silent conversion),
 * and the checks below state what a consistent store holds, so a write that would break it fails
 * inside its transaction.
 */
import type { SqliteConnection } from './driver.js';

export interface Migration {
  /** 1, 2, 3, … in order. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const STATUSES = `('pending-new','accepted','partially-filled','filled','cancelled','rejected','expired','pending-cancel','pending-replace')`;

const V1 = `
CREATE TABLE client_order_sequences (
  run_id TEXT PRIMARY KEY,
  last INTEGER NOT NULL CHECK (last >= 0)
) STRICT;

CREATE TABLE orders (
  client_id TEXT PRIMARY KEY,
  instrument_id INTEGER NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  type TEXT NOT NULL CHECK (type IN ('market','limit','stop','stop-limit')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  limit_px INTEGER,
  stop_px INTEGER,
  tif TEXT NOT NULL CHECK (tif IN ('DAY','GTC','IOC','FOK','GTT')),
  expire_at_ns INTEGER,
  post_only INTEGER NOT NULL CHECK (post_only IN (0,1)),
  role TEXT CHECK (role IN ('entry','exit')),
  role_reason TEXT,
  decision_id TEXT,
  status TEXT NOT NULL CHECK (status IN ${STATUSES}),
  filled_quantity INTEGER NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  venue_id TEXT,
  sent_ns INTEGER NOT NULL,
  acked_ns INTEGER,
  updated_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_open ON orders (sent_ns)
  WHERE status NOT IN ('filled','cancelled','rejected','expired');
CREATE INDEX orders_sent ON orders (sent_ns);

CREATE TABLE order_events (
  client_id TEXT NOT NULL REFERENCES orders (client_id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  event TEXT NOT NULL,
  from_status TEXT NOT NULL CHECK (from_status IN ${STATUSES}),
  to_status TEXT NOT NULL CHECK (to_status IN ${STATUSES}),
  at_ns INTEGER NOT NULL,
  quantity INTEGER,
  price INTEGER,
  reason TEXT,
  PRIMARY KEY (client_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE fills (
  fill_id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES orders (client_id),
  instrument_id INTEGER NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  price INTEGER NOT NULL,
  fee REAL NOT NULL CHECK (fee >= 0),
  liquidity TEXT CHECK (liquidity IN ('maker','taker')),
  ts_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_order ON fills (client_id);

CREATE TABLE positions (
  instrument_id INTEGER PRIMARY KEY,
  quantity INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  instrument TEXT NOT NULL,
  snapshot_ts TEXT NOT NULL,
  trigger TEXT NOT NULL,
  route TEXT NOT NULL,
  approved INTEGER NOT NULL CHECK (approved IN (0,1)),
  direction TEXT NOT NULL CHECK (direction IN ('long','short','flat')),
  size REAL NOT NULL,
  audit TEXT NOT NULL CHECK (json_valid(audit))
) STRICT;

CREATE TABLE risk_days (
  trading_date TEXT PRIMARY KEY CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  start_equity REAL NOT NULL,
  pnl REAL NOT NULL,
  high REAL NOT NULL,
  halted TEXT,
  updated_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE kill_switch_events (
  seq INTEGER PRIMARY KEY,
  engaged INTEGER NOT NULL CHECK (engaged IN (0,1)),
  reason TEXT NOT NULL,
  at_ns INTEGER NOT NULL
) STRICT;
`;

/** Where each feed of a session had got to (ts_recv of the last record acted on), to resume from. */
const V2 = `
CREATE TABLE feed_positions (
  feed TEXT PRIMARY KEY CHECK (length(feed) > 0),
  last_ns INTEGER NOT NULL CHECK (last_ns >= 0)
) STRICT;
`;

/**
 * The exits an entry was sent with (stop and target prices, time stop), so that a restarted
 * session protects its position again with them. An entry has all three; an exit, and an order
 * recorded by an earlier version, none.
 */
const V3 = `
ALTER TABLE orders ADD COLUMN bracket_stop_px INTEGER;
ALTER TABLE orders ADD COLUMN bracket_target_px INTEGER;
ALTER TABLE orders ADD COLUMN bracket_time_stop_ms INTEGER
  CHECK (bracket_time_stop_ms IS NULL OR bracket_time_stop_ms > 0);
`;

/**
 * The history (HistoryStore): bars, feature snapshots (their values as JSON text) and the fills of
 * runs, each keyed by what a reader filters on and its time, with an index on the time alone. The
 * PostgreSQL store has the same tables, split by day.
 */
const V4 = `
CREATE TABLE bars (
  instrument_id INTEGER NOT NULL,
  interval_s INTEGER NOT NULL CHECK (interval_s > 0),
  ts_ns INTEGER NOT NULL CHECK (ts_ns >= 0),
  open INTEGER NOT NULL,
  high INTEGER NOT NULL,
  low INTEGER NOT NULL,
  close INTEGER NOT NULL,
  volume INTEGER NOT NULL CHECK (volume >= 0),
  PRIMARY KEY (instrument_id, interval_s, ts_ns)
) STRICT, WITHOUT ROWID;
CREATE INDEX bars_time ON bars (ts_ns);

CREATE TABLE feature_snapshots (
  instrument_id INTEGER NOT NULL,
  ts_ns INTEGER NOT NULL CHECK (ts_ns >= 0),
  features TEXT NOT NULL CHECK (json_valid(features)),
  PRIMARY KEY (instrument_id, ts_ns)
) STRICT, WITHOUT ROWID;
CREATE INDEX feature_snapshots_time ON feature_snapshots (ts_ns);

CREATE TABLE run_fills (
  run_id TEXT NOT NULL,
  fill_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  instrument_id INTEGER NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  price INTEGER NOT NULL,
  fee REAL NOT NULL CHECK (fee >= 0),
  liquidity TEXT CHECK (liquidity IN ('maker','taker')),
  ts_ns INTEGER NOT NULL CHECK (ts_ns >= 0),
  PRIMARY KEY (run_id, fill_id, ts_ns)
) STRICT, WITHOUT ROWID;
CREATE INDEX run_fills_time ON run_fills (ts_ns);
`;

/** Every migration of the store, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'runtime state', sql: V1 },
  { version: 2, name: 'feed positions', sql: V2 },
  { version: 3, name: 'bracket exits of entries', sql: V3 },
  { version: 4, name: 'history: bars, feature snapshots, run fills', sql: V4 },
];

/** The highest version a schema has (0 for none). */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/**
 * A store's schema version is above what this engine knows: `found` against `known`. Caught by
 * the store and reported with its location.
 */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`schema version ${found} is newer than this engine's ${known}`);
  }
}

/**
 * Brings the schema of `db` to the last of `migrations`; returns the versions applied (none when
 * it is up to date). Throws `NewerSchemaError` for a store from a newer engine, changing nothing.
 */
export function migrate(db: SqliteConnection, migrations: readonly Migration[] = MIGRATIONS): number[] {
  for (let i = 0; i < migrations.length; i++) {
    if (migrations[i].version !== i + 1)
      throw new RangeError(`migration ${i} has version ${migrations[i].version}, expected ${i + 1}`);
  }
  const known = latestVersion(migrations);
  return db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT`);
    const row = db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get();
    const current = Number(row?.v ?? 0n);
    if (current > known) throw new NewerSchemaError(current, known);
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      db.exec(m.sql);
      record.run(m.version, m.name);
      applied.push(m.version);
    }
    return applied;
  });
}
