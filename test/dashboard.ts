/**
 * Tests of the dashboard as a user reaches it: a `scalper` command that serves it (its URL from
 * the line it prints), the state it serves and its controls over HTTP.
 */
import type { DashboardState, SnapshotMessage } from '../src/server/index.js';
import { type RunningScalper, startScalper } from './fixtures.js';

/** A command serving the dashboard, and the page's URL it printed. */
export interface ServedDashboard {
  readonly running: RunningScalper;
  readonly url: string;
}

/** Starts `scalper ARGS` and waits (up to `ms`) for its `dashboard: URL` line. */
export async function serveDashboard(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  ms = 120_000,
): Promise<ServedDashboard> {
  const running = startScalper(args, { SCALPER_LOG_LEVEL: 'warn', ...env });
  try {
    const m = await running.waitFor(/dashboard: (http:\/\/\S+)/, ms);
    return { running, url: m[1] };
  } catch (err) {
    running.proc.kill('SIGKILL');
    throw err;
  }
}

/** `POST /api/control` with `body`, and the token when one is given. */
export function control(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}api/control`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

/** The state `GET /api/state` serves. */
export async function dashboardState(url: string): Promise<DashboardState> {
  return ((await (await fetch(`${url}api/state`)).json()) as SnapshotMessage).state;
}
