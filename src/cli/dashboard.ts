/**
 * The dashboard's server for a command: on `runtime.dashboard` (host, port, update rate), the page
 * and its assets, the token from SCALPER_CONTROL_TOKEN. `scalper serve` serves a replay with it;
 * `scalper paper` and `scalper live` their session, with `--dashboard` (paper.ts `watched`).
 */
import type { Logger } from '../core/index.js';
import type { ExecutionConfig } from '../execution/index.js';
import {
  CONTROL_TOKEN_ENV,
  killFilePresent,
  type ReplayClock,
  type TradingSession,
} from '../runtime/index.js';
import {
  type DashboardBackend,
  DashboardServer,
  dashboardAssets,
  dashboardHtml,
  ServicesSession,
  SessionBackend,
  sessionControls,
} from '../server/index.js';
import type { ScalperConfig } from './config.js';

/** Serves `backend` on `runtime.dashboard` (host, port, update rate); the token from SCALPER_CONTROL_TOKEN. */
export function startDashboard(
  backend: DashboardBackend,
  cfg: ScalperConfig,
  o: { readonly title: string; readonly logger?: Logger },
): Promise<DashboardServer> {
  const d = cfg.runtime.dashboard;
  return DashboardServer.start({
    backend,
    html: dashboardHtml({ title: o.title }),
    assets: dashboardAssets(),
    host: d.host,
    port: d.port,
    updateHz: d.updateHz,
    token: controlToken(),
    logger: o.logger,
  });
}

/** The controls' token, or null when none is set (the page is read-only). */
export function controlToken(): string | null {
  const t = process.env[CONTROL_TOKEN_ENV];
  return t === undefined || t === '' ? null : t;
}

/** The line that tells a user where the page is and whether its controls work. */
export function dashboardLine(server: DashboardServer): string {
  return `dashboard: ${server.url} (${server.controls ? 'controls on' : `read-only: set ${CONTROL_TOKEN_ENV} for the controls`})`;
}

/**
 * Starts the dashboard of a paper or live session: its controls go to the session (a reset is
 * refused while the kill file is there: it would pull the switch again), a replayed feed's pace to
 * its clock.
 */
export async function sessionDashboard(
  session: TradingSession,
  cfg: ScalperConfig,
  o: {
    readonly name: string;
    readonly replay: ReplayClock | null;
    readonly killFile: string;
    readonly logger?: Logger;
  },
): Promise<DashboardServer> {
  const control = sessionControls(session);
  const backend = new SessionBackend({
    session,
    replay: o.replay,
    name: o.name,
    controls: controlToken() !== null,
    ended: () => session.trader.stopped,
    sessionControl: async (req) => {
      if (req.action === 'reset' && killFilePresent(o.killFile))
        return {
          ok: false,
          message: `the kill file ${o.killFile} is there: remove it (scalper kill --reset) to clear the switch`,
        };
      return control(req);
    },
  });
  return startDashboard(backend, cfg, { title: `scalper-engine ${o.name}`, logger: o.logger });
}

/** The services of `scalper run` as the dashboard sees them, and the clock their replay is paced by. */
export interface ServicesView {
  readonly session: ServicesSession;
  readonly clock: ReplayClock;
}

export function servicesView(execution: ExecutionConfig, clock: ReplayClock): ServicesView {
  return { session: new ServicesSession(execution, clock), clock };
}

/** Starts the dashboard of `scalper run`: the services' state, their controls, the replay's pace. */
export function servicesDashboard(
  view: ServicesView,
  cfg: ScalperConfig,
  logger?: Logger,
): Promise<DashboardServer> {
  const backend = new SessionBackend({
    session: view.session,
    replay: view.clock,
    name: 'run',
    controls: controlToken() !== null,
    ended: () => view.session.trader.stopped,
    sessionControl: sessionControls(view.session),
  });
  return startDashboard(backend, cfg, { title: 'scalper-engine run', logger });
}
