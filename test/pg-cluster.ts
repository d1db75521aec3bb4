/**
 * A private PostgreSQL server for tests that stop, kill or restart it (CONVENTIONS.md "Services in
 * tests"): a cluster made with the machine's `initdb` in a temporary folder, started with `pg_ctl`
 * on a free port of the loopback, and removed afterwards. The machine's shared server is never
 * touched. initdb refuses to run as root, so as root the folder is given to the `postgres` user and
 * every command runs as that user (`runuser`).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length === 0 ? null : join(root, versions[versions.length - 1], 'bin');
}

export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Starts the server and waits until it takes connections. */
  start(): Promise<void>;
  /** Stops it: `immediate` is a crash (no checkpoint, recovery at the next start), `fast` a clean stop. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops it if it runs and deletes its folder. */
  remove(): Promise<void>;
  /** The server's log so far. */
  log(): string;
}

/** Makes a cluster and starts it. */
export async function startCluster(): Promise<PgCluster> {
  const bin = postgresBin();
  if (bin === null)
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const port = await freePort();
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let running = false;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`;
      await as('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop(mode = 'immediate') {
      await as('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async remove() {
      if (running) await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  try {
    await cluster.start();
  } catch (e) {
    await cluster.remove();
    throw e;
  }
  return cluster;
}
