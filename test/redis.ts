/**
 * Redis for the services tests (CONVENTIONS.md "Services in tests"): the machine's shared server
 * for ordinary tests, each test's keys under a unique prefix; a server of the test's own, on a free
 * port with no persistence, for the tests that kill or pause it. Without CI a missing server skips
 * the tests with the reason; with CI set it fails them, so a services run never passes by skipping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCi } from './browser.js';
import { freePort } from './ports.js';

/** The machine's Redis: `SCALPER_REDIS_URL`, default redis://127.0.0.1:6379. */
export function machineRedisUrl(): string {
  const v = process.env.SCALPER_REDIS_URL?.trim();
  return v === undefined || v === '' ? 'redis://127.0.0.1:6379' : v;
}

/** A key prefix no other run uses: `test:<what>:<pid>:<random>:`. */
export function uniquePrefix(what: string): string {
  return `test:${what}:${process.pid}:${randomUUID().slice(0, 8)}:`;
}

/**
 * Whether a Redis server answers PING at `url` within `ms`, over a bare socket (RESP by hand), so the
 * check does not depend on the client under test.
 */
export function redisAnswers(url: string, ms = 2000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    let got = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(got.startsWith('+PONG') || got.startsWith('-NOAUTH'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * The `skip` option of a services suite: false when `ready` holds; otherwise the reason to skip,
 * or, with CI set, an exception that fails the file with that reason.
 */
export function skipUnless(ready: boolean, reason: string): false | string {
  if (ready) return false;
  if (inCi())
    throw new Error(`${reason} (CI is set: services tests fail rather than skip; run scripts/services.sh)`);
  return reason;
}

/** `skip` for suites on the machine's Redis. */
export async function skipUnlessMachineRedis(): Promise<false | string> {
  const url = machineRedisUrl();
  return skipUnless(await redisAnswers(url), `no Redis answers at ${url}`);
}

/** `skip` for suites that start their own server: the `redis-server` binary must be there. */
export function skipUnlessRedisServerBinary(): false | string {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return skipUnless(r.status === 0, 'no redis-server binary on PATH (apt-get install redis-server)');
}

/** A `redis-server` of the test's own: no persistence, a temporary folder, one port kept across restarts. */
export class OwnRedisServer {
  readonly url: string;
  readonly #dir: string;
  #proc: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    dir: string,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = dir;
  }

  /** Starts a server on a free port and waits until it answers. */
  static async start(): Promise<OwnRedisServer> {
    const s = new OwnRedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'scalper-redis-')));
    await s.restart();
    return s;
  }

  /** Starts the server again (empty: nothing is saved) on the same port and waits until it answers. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.#proc = spawn('redis-server', [...args, '--dir', this.#dir], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    while (!(await redisAnswers(this.url, 500))) {
      if (Date.now() > end) throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `signal` to the server (SIGKILL: it dies; SIGSTOP / SIGCONT: it freezes and resumes). */
  signal(signal: NodeJS.Signals): void {
    this.#proc?.kill(signal);
  }

  /** Kills the server at once and waits until it has exited. */
  async kill(): Promise<void> {
    const p = this.#proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** Kills the server (resuming it first if stopped) and removes its folder. */
  async stop(): Promise<void> {
    this.#proc?.kill('SIGCONT');
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
