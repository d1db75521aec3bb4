/**
 * NATS for the services tests (CONVENTIONS.md "Services in tests"): the machine's shared server at
 * 127.0.0.1:4222 for ordinary tests, each stream under a unique name and subject prefix and
 * deleted at the end; and servers of a test's own (`nats-server -js -sd DIR -p PORT`) for tests
 * that kill one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { inCi } from './browser.js';

/** The machine's NATS, as scripts/services.sh starts it. */
export const SHARED_NATS = 'nats://127.0.0.1:4222';

/** A prefix no other run uses: `t` and 10 random hex digits (also valid as a stream name part). */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Whether something accepts TCP connections at host:port within `ms`. */
export function portOpen(host: string, port: number, ms = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Null when the shared NATS answers, else why the tests that need it skip. In CI it never skips:
 * an unreachable server throws, failing the run.
 */
export async function sharedNatsSkip(
  env: NodeJS.ProcessEnv = process.env,
  port = 4222,
): Promise<string | undefined> {
  if (await portOpen('127.0.0.1', port)) return undefined;
  const why = `NATS is not answering on 127.0.0.1:${port} (run scripts/services.sh)`;
  if (inCi(env)) throw new Error(`${why}; CI runs the services tests, it does not skip them`);
  return why;
}

/** A nats-server of the test's own. */
export interface OwnNats {
  readonly url: string;
  readonly port: number;
  readonly proc: ChildProcess;
  /** Its log so far (stderr), for failure messages. */
  log(): string;
}

/** Starts `nats-server -js -sd storeDir -p port` on 127.0.0.1 and waits until it accepts connections. */
export async function startNats(storeDir: string, port: number, binary = 'nats-server'): Promise<OwnNats> {
  const proc = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const end = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nats-server exited ${proc.exitCode}: ${log}`);
    if (await portOpen('127.0.0.1', port, 200)) break;
    if (Date.now() > end) {
      proc.kill('SIGKILL');
      await exited;
      throw new Error(`nats-server did not listen on ${port} within 10 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, proc, log: () => log };
}

/** Kills a server of the test's own with `signal` and waits for it to exit. */
export async function stopNats(n: OwnNats, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (n.proc.exitCode !== null || n.proc.signalCode !== null) return;
  const exited = new Promise((r) => n.proc.once('exit', r));
  n.proc.kill(signal);
  await exited;
}
