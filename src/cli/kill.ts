/**
 * `scalper kill [--reason TEXT] [--url URL] [--reset]`: the kill switch from a shell. Without
 * `--url` it writes the kill file of the configured data folder (`runtime.killFile`, default
 * `<runtime.dataDir>/KILL`), which every session on that folder watches and which keeps a session
 * started later killed too; `--reset` removes it. With `--url` it asks a running session's control
 * endpoint (`POST /kill`, `POST /kill/reset`) with the token in SCALPER_CONTROL_TOKEN.
 */
import type { Command } from 'commander';
import { EngineError } from '../core/index.js';
import { clearKillFile, killFilePath, pullKillFile } from '../runtime/kill/index.js';
import { CONTROL_TOKEN_ENV } from '../runtime/schema/index.js';
import { summary } from './commands.js';
import { runOf } from './config.js';

/** A control endpoint that could not be asked, or that said no. */
export class ControlRequestError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTROL_REQUEST', message, options);
  }
}

interface KillOptions {
  readonly reason?: string;
  readonly url?: string;
  readonly reset?: boolean;
}

/** Registers `kill`. */
export function registerKill(program: Command): void {
  program
    .command('kill')
    .description(summary('kill'))
    .option('--reason <text>', 'why: the kill file’s text, kept in the session’s journal and logs')
    .option(
      '--url <url>',
      `a running session’s control endpoint (e.g. http://127.0.0.1:9464), asked with the token in ${CONTROL_TOKEN_ENV}; without it the kill file is written`,
    )
    .option('--reset', 'clear the kill switch: remove the kill file (with --url: POST /kill/reset)')
    .action(async (o: KillOptions, self: Command) => {
      if (o.url !== undefined) {
        process.stdout.write(`${await askSession(o.url, o)}\n`);
        return;
      }
      const path = killFilePath(runOf(self).config.runtime);
      if (o.reset === true) {
        const removed = clearKillFile(path);
        process.stdout.write(removed ? `kill file removed: ${path}\n` : `no kill file at ${path}\n`);
        return;
      }
      const reason = o.reason ?? `scalper kill at ${new Date().toISOString()}`;
      pullKillFile(path, reason);
      process.stdout.write(
        `kill file written: ${path} (${reason})\nsessions on this data folder pull their kill switch within a second; scalper kill --reset removes it\n`,
      );
    });
}

/** POSTs to the session's control endpoint; returns what to print, throws what went wrong. */
async function askSession(base: string, o: KillOptions): Promise<string> {
  const token = process.env[CONTROL_TOKEN_ENV];
  if (!token)
    throw new ControlRequestError(`${CONTROL_TOKEN_ENV} is not set: the control endpoint asks for its token`);
  let url: URL;
  try {
    url = new URL(o.reset === true ? '/kill/reset' : '/kill', base);
  } catch {
    throw new ControlRequestError(`--url "${base}" is not a URL (e.g. http://127.0.0.1:9464)`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(o.reason === undefined ? {} : { reason: o.reason }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why =
      cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? (err as Error).message);
    throw new ControlRequestError(`cannot reach the session at ${url.origin}: ${why}`, { cause: err });
  }
  const text = (await res.text()).trim();
  let body: { error?: string; reason?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not the control endpoint's JSON: the text is quoted as it came.
  }
  if (!res.ok) throw new ControlRequestError(`${url.href} answered ${res.status}: ${body.error ?? text}`);
  return o.reset === true
    ? `kill switch cleared at ${url.origin}`
    : `kill switch pulled at ${url.origin}: ${body.reason ?? ''}`;
}
