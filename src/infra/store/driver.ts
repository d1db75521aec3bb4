/**
 * The one seam between the state store and SQLite: open a file, prepare, run, get, all, exec and
 * a transaction, over either of two drivers.
 *
 * - `better-sqlite3` (a maintained binding that bundles its own SQLite, built from source at
 *   `npm ci`) is preferred: it is the fastest synchronous binding and has no experimental flag on
 *   any Node. Its addon is built for the Node that ran `npm ci`, so it fails to load under another
 *   major version (ERR_DLOPEN_FAILED).
 * - `node:sqlite` (`DatabaseSync`, built into Node, unflagged from 22.13 and in 24) serves where
 *   the addon cannot load. Node 20 has none.
 *
 * Both run statements synchronously and in process; both read every integer column as a `bigint`
 * here (nanosecond timestamps exceed 2^53), and the store narrows quantities to `number` itself.
 * Each driver is probed once, on first need.
 */
import { createRequire } from 'node:module';
import { StateStoreError } from './errors.js';

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

/** Every driver this code can use, in order of preference. */
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['better-sqlite3', 'node:sqlite'];

/** A value bound to or read from a statement. */
export type SqlValue = null | bigint | number | string;
export type SqlRow = Readonly<Record<string, SqlValue>>;

/** A prepared statement. Integers come back as `bigint`. */
export interface SqlStatement {
  /** Runs it; returns the number of rows changed. */
  run(...params: SqlValue[]): number;
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

/** An open SQLite database. */
export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (the write lock taken at the start, so two
   * writers never deadlock upgrading a read lock); rolls back and rethrows if it throws.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

// The parts of each driver's API used here, declared locally: better-sqlite3 ships no types, and
// @types/node for Node 20 has no node:sqlite.
interface Bs3Statement {
  readonly reader: boolean;
  safeIntegers(on: boolean): Bs3Statement;
  run(...params: SqlValue[]): { changes: number };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}
interface Bs3Database {
  exec(sql: string): void;
  prepare(sql: string): Bs3Statement;
  close(): void;
}
type Bs3Constructor = new (path: string) => Bs3Database;

interface NodeSqliteStatement {
  setReadBigInts(on: boolean): void;
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}
interface NodeSqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatement;
  close(): void;
}
type NodeSqliteConstructor = new (path: string) => NodeSqliteDatabase;

/** Runs `fn` in an immediate transaction on a connection that has `exec`. */
function inTransaction<T>(exec: (sql: string) => void, fn: () => T): T {
  exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    exec('COMMIT');
    return out;
  } catch (e) {
    // A failed COMMIT (disk full, say) may already have rolled back; the ROLLBACK then fails too.
    try {
      exec('ROLLBACK');
    } catch {}
    throw e;
  }
}

/** A database of either driver, with its statements made to read 64-bit integers as bigints. */
interface RawDatabase<S> {
  exec(sql: string): void;
  prepare(sql: string): S;
  close(): void;
}

/** One connection over either driver: `statement` adapts a driver's statement to `SqlStatement`. */
class Connection<S> implements SqliteConnection {
  constructor(
    readonly driver: SqliteDriverName,
    readonly db: RawDatabase<S>,
    readonly statement: (s: S) => SqlStatement,
  ) {}
  exec(sql: string): void {
    this.db.exec(sql);
  }
  prepare(sql: string): SqlStatement {
    return this.statement(this.db.prepare(sql));
  }
  transaction<T>(fn: () => T): T {
    return inTransaction((sql) => this.db.exec(sql), fn);
  }
  close(): void {
    this.db.close();
  }
}

function bs3Statement(s: Bs3Statement): SqlStatement {
  if (s.reader) s.safeIntegers(true);
  return { run: (...p) => s.run(...p).changes, get: (...p) => s.get(...p), all: (...p) => s.all(...p) };
}

function nodeStatement(s: NodeSqliteStatement): SqlStatement {
  s.setReadBigInts(true);
  return {
    run: (...p) => Number(s.run(...p).changes),
    get: (...p) => s.get(...p),
    all: (...p) => s.all(...p),
  };
}

type Opener = (path: string) => SqliteConnection;
const probed = new Map<SqliteDriverName, Opener | Error>();

/** Loads `name` and opens an in-memory database with it once, so that a broken addon shows now. */
function load(name: SqliteDriverName): Opener {
  const require = createRequire(import.meta.url);
  if (name === 'better-sqlite3') {
    const Database = require('better-sqlite3') as Bs3Constructor;
    const open: Opener = (path) => new Connection(name, new Database(path), bs3Statement);
    open(':memory:').close();
    return open;
  }
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: NodeSqliteConstructor };
  const open: Opener = (path) => new Connection(name, new DatabaseSync(path), nodeStatement);
  open(':memory:').close();
  return open;
}

function probe(name: SqliteDriverName): Opener | Error {
  let p = probed.get(name);
  if (p === undefined) {
    try {
      p = load(name);
    } catch (e) {
      p = e instanceof Error ? e : new Error(String(e));
    }
    probed.set(name, p);
  }
  return p;
}

/** The drivers that load in this process, preferred first. */
export function sqliteDrivers(): SqliteDriverName[] {
  return SQLITE_DRIVERS.filter((n) => !(probe(n) instanceof Error));
}

/** Why `name` cannot be used in this process, or null when it can. */
export function sqliteDriverProblem(name: SqliteDriverName): string | null {
  const p = probe(name);
  return p instanceof Error ? `${name}: ${oneLine(p.message)}` : null;
}

/** An error message on one line (the addon loader's spans several). */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Opens `path` (a file, or `:memory:`) with `driver`, or with the first driver that loads. Throws
 * `StateStoreError` (`STORE_DRIVER`) naming why each driver could not be used.
 */
export function openSqlite(path: string, driver?: SqliteDriverName): SqliteConnection {
  const names = driver === undefined ? SQLITE_DRIVERS : [driver];
  const reasons: string[] = [];
  for (const name of names) {
    const p = probe(name);
    if (!(p instanceof Error)) return p(path);
    reasons.push(`${name}: ${oneLine(p.message)}`);
  }
  throw new StateStoreError(
    'STORE_DRIVER',
    path,
    `no SQLite driver can be used on Node ${process.version} (${reasons.join('; ')}); ` +
      'run `npm ci` with this Node to build better-sqlite3, or use Node >= 22.13 for node:sqlite',
  );
}
