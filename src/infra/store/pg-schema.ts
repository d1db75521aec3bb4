/**
 * The PostgreSQL store's schema: the same tables as the SQLite store's (schema.ts), with
 * PostgreSQL's types (BIGINT for ns times and raw prices, DOUBLE PRECISION for money, BOOLEAN for
 * flags, an identity `seq` where SQLite orders by rowid), then the history tables: bars, feature
 * snapshots and the fills of runs, written in bulk and read by time.
 *
 * History tables are split by time. With TimescaleDB installed in the database they are
 * hypertables with one-day chunks, and hourly bars are a continuous aggregate; otherwise they use PostgreSQL's own declarative partitioning by range of `ts_ns`, one
 * partition per UTC day, made when a write first reaches that day (pg-history.ts). The choice is
 * made once, when the history migration runs, and kept in `store_settings`.
 *
 * As in the SQLite store, `schema_migrations` records each migration applied; the ones not yet
 * applied run in order inside one transaction (PostgreSQL's DDL is transactional), under an
 * advisory lock so that two processes opening a new database do not both migrate it.
 */

/** How history tables are split by time. */
export type HistoryLayout = 'partitioned' | 'timescaledb';

/** Where history goes: the layout, and for TimescaleDB the schema its functions are installed in. */
export type HistoryTarget =
  | { readonly layout: 'partitioned' }
  | { readonly layout: 'timescaledb'; readonly timescaleSchema: string };

export interface PgMigration {
  /** 1, 2, 3, … in order. */
  readonly version: number;
  readonly name: string;
  /** The statements, for the history target chosen. */
  readonly sql: (target: HistoryTarget) => string;
}

const STATUSES = `('pending-new','accepted','partially-filled','filled','cancelled','rejected','expired','pending-cancel','pending-replace')`;

const V1 = `
CREATE TABLE client_order_sequences (
  run_id TEXT PRIMARY KEY,
  last BIGINT NOT NULL CHECK (last >= 0)
);

CREATE TABLE orders (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  client_id TEXT PRIMARY KEY,
  instrument_id BIGINT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  type TEXT NOT NULL CHECK (type IN ('market','limit','stop','stop-limit')),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  limit_px BIGINT,
  stop_px BIGINT,
  tif TEXT NOT NULL CHECK (tif IN ('DAY','GTC','IOC','FOK','GTT')),
  expire_at_ns BIGINT,
  post_only BOOLEAN NOT NULL,
  role TEXT CHECK (role IN ('entry','exit')),
  role_reason TEXT,
  decision_id TEXT,
  status TEXT NOT NULL CHECK (status IN ${STATUSES}),
  filled_quantity BIGINT NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  venue_id TEXT,
  sent_ns BIGINT NOT NULL,
  acked_ns BIGINT,
  updated_ns BIGINT NOT NULL
);
CREATE INDEX orders_open ON orders (sent_ns, seq)
  WHERE status NOT IN ('filled','cancelled','rejected','expired');
CREATE INDEX orders_sent ON orders (sent_ns);

CREATE TABLE order_events (
  client_id TEXT NOT NULL REFERENCES orders (client_id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  event TEXT NOT NULL,
  from_status TEXT NOT NULL CHECK (from_status IN ${STATUSES}),
  to_status TEXT NOT NULL CHECK (to_status IN ${STATUSES}),
  at_ns BIGINT NOT NULL,
  quantity BIGINT,
  price BIGINT,
  reason TEXT,
  PRIMARY KEY (client_id, seq)
);

CREATE TABLE fills (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  fill_id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES orders (client_id),
  instrument_id BIGINT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  price BIGINT NOT NULL,
  fee DOUBLE PRECISION NOT NULL CHECK (fee >= 0),
  liquidity TEXT CHECK (liquidity IN ('maker','taker')),
  ts_ns BIGINT NOT NULL
);
CREATE INDEX fills_order ON fills (client_id, seq);

CREATE TABLE positions (
  instrument_id BIGINT PRIMARY KEY,
  quantity BIGINT NOT NULL,
  updated_ns BIGINT NOT NULL
);

CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  instrument TEXT NOT NULL,
  snapshot_ts TEXT NOT NULL,
  trigger TEXT NOT NULL,
  route TEXT NOT NULL,
  approved BOOLEAN NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('long','short','flat')),
  size DOUBLE PRECISION NOT NULL,
  audit TEXT NOT NULL CHECK ((audit::jsonb) IS NOT NULL)
);

CREATE TABLE risk_days (
  trading_date TEXT PRIMARY KEY CHECK (trading_date ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
  start_equity DOUBLE PRECISION NOT NULL,
  pnl DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  halted TEXT,
  updated_ns BIGINT NOT NULL
);

CREATE TABLE kill_switch_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  engaged BOOLEAN NOT NULL,
  reason TEXT NOT NULL,
  at_ns BIGINT NOT NULL
);
`;

const V2 = `
CREATE TABLE feed_positions (
  feed TEXT PRIMARY KEY CHECK (length(feed) > 0),
  last_ns BIGINT NOT NULL CHECK (last_ns >= 0)
);
`;

const V3 = `
ALTER TABLE orders ADD COLUMN bracket_stop_px BIGINT;
ALTER TABLE orders ADD COLUMN bracket_target_px BIGINT;
ALTER TABLE orders ADD COLUMN bracket_time_stop_ms BIGINT
  CHECK (bracket_time_stop_ms IS NULL OR bracket_time_stop_ms > 0);
`;

/** One UTC day in ns: the partition (or chunk) of history tables. */
export const DAY_NS = 86_400_000_000_000n;

/**
 * The history tables. Their primary keys lead with what a reader filters on and end with the
 * time; each table also has an index on the time alone, for range scans across instruments. A
 * partitioned table's indexes are made on each of its partitions.
 */
function historyTables(split: string): string {
  return `
CREATE TABLE bars (
  instrument_id BIGINT NOT NULL,
  interval_s INTEGER NOT NULL CHECK (interval_s > 0),
  ts_ns BIGINT NOT NULL CHECK (ts_ns >= 0),
  open BIGINT NOT NULL,
  high BIGINT NOT NULL,
  low BIGINT NOT NULL,
  close BIGINT NOT NULL,
  volume BIGINT NOT NULL CHECK (volume >= 0),
  PRIMARY KEY (instrument_id, interval_s, ts_ns)
)${split};
CREATE INDEX bars_time ON bars (ts_ns);

CREATE TABLE feature_snapshots (
  instrument_id BIGINT NOT NULL,
  ts_ns BIGINT NOT NULL CHECK (ts_ns >= 0),
  features JSONB NOT NULL,
  PRIMARY KEY (instrument_id, ts_ns)
)${split};
CREATE INDEX feature_snapshots_time ON feature_snapshots (ts_ns);

CREATE TABLE run_fills (
  run_id TEXT NOT NULL,
  fill_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  instrument_id BIGINT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  price BIGINT NOT NULL,
  fee DOUBLE PRECISION NOT NULL CHECK (fee >= 0),
  liquidity TEXT CHECK (liquidity IN ('maker','taker')),
  ts_ns BIGINT NOT NULL CHECK (ts_ns >= 0),
  PRIMARY KEY (run_id, fill_id, ts_ns)
)${split};
CREATE INDEX run_fills_time ON run_fills (ts_ns);

CREATE TABLE store_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
}

/**
 * TimescaleDB's form of the history tables: hypertables chunked by day on `ts_ns` (an integer
 * time, so TimescaleDB is told how to read "now" in ns), and hourly bars from the 1-minute ones as
 * a continuous aggregate refreshed by a policy. Its functions are named with the schema it is
 * installed in (`ts`), which need not be on the store's search path.
 */
function timescale(ts: string): string {
  const tables = `unnest(ARRAY['bars', 'feature_snapshots', 'run_fills']::regclass[]) AS t`;
  return `
CREATE FUNCTION history_now_ns() RETURNS BIGINT LANGUAGE SQL STABLE AS
  $$ SELECT (extract(epoch FROM now()) * 1000000000)::BIGINT $$;
SELECT ${ts}.create_hypertable(t, 'ts_ns', chunk_time_interval => ${DAY_NS}::BIGINT) FROM ${tables};
SELECT ${ts}.set_integer_now_func(t, 'history_now_ns'::regproc) FROM ${tables};
CREATE MATERIALIZED VIEW bars_1h WITH (timescaledb.continuous) AS
  SELECT instrument_id, ${ts}.time_bucket(3600000000000::BIGINT, ts_ns) AS ts_ns,
    ${ts}.first(open, ts_ns) AS open, max(high) AS high, min(low) AS low,
    ${ts}.last(close, ts_ns) AS close, sum(volume) AS volume
  FROM bars WHERE interval_s = 60
  GROUP BY instrument_id, ${ts}.time_bucket(3600000000000::BIGINT, ts_ns)
  WITH NO DATA;
SELECT ${ts}.add_continuous_aggregate_policy('bars_1h'::regclass,
  start_offset => (7 * ${DAY_NS})::BIGINT, end_offset => 3600000000000::BIGINT,
  schedule_interval => INTERVAL '5 minutes');
INSERT INTO store_settings (key, value) VALUES ('history_layout', 'timescaledb');
`;
}

function history(target: HistoryTarget): string {
  if (target.layout === 'timescaledb') return historyTables('') + timescale(target.timescaleSchema);
  return `${historyTables(' PARTITION BY RANGE (ts_ns)')}
INSERT INTO store_settings (key, value) VALUES ('history_layout', 'partitioned');`;
}

/** Every migration of the PostgreSQL store, in order; 1–3 match the SQLite store's. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'runtime state', sql: () => V1 },
  { version: 2, name: 'feed positions', sql: () => V2 },
  { version: 3, name: 'bracket exits of entries', sql: () => V3 },
  { version: 4, name: 'history: bars, feature snapshots, run fills', sql: history },
];
