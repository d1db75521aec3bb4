/**
 * `scalper serve [FILES...]`: the web dashboard on a replay. DBN files (simulated days, a recorded
 * session) go through a paper trading session at `--speed` times real time; the page at
 * http://127.0.0.1:9465/ shows the market, the analysts, the decisions and the account as they
 * happen, and, with SCALPER_CONTROL_TOKEN set, its controls pause trading, pull the kill switch,
 * change the pace and move about in the replay. Without files a simulated 6E day (with EUR/USD
 * spot quotes) is made first, so that the command needs no data, key or network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { componentLogger } from '../core/index.js';
import { TradingSession } from '../runtime/index.js';
import { type DashboardServer, ReplayBackend, SessionModel, sessionControls } from '../server/index.js';
import { simulateDay } from '../sim/index.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, runOf } from './config.js';
import { controlToken, dashboardLine, startDashboard } from './dashboard.js';
import { backtestSetup } from './decide.js';
import { commandInputs } from './inputs.js';
import { openModel } from './model.js';
import { endOnSignals } from './paper.js';
import { readRegimeModel } from './regime-files.js';

/** The simulated day `serve` replays without files. */
const SIM_DATE = '2026-11-24';
const SIM_FROM = '2026-11-24T13:00:00Z';
const SIM_SEED = 7;

/** Simulates `minutes` of a 6E day from 13:00 UTC, with its spot quotes, into `dir`. */
async function simulatedFiles(dir: string, minutes: number, say: (line: string) => void): Promise<string[]> {
  const startMs = Date.parse(SIM_FROM);
  say(`simulating ${minutes} minutes of 6E and EUR/USD on ${SIM_DATE} from 13:00 UTC (seed ${SIM_SEED})…`);
  const day = await simulateDay({
    seed: SIM_SEED,
    instruments: ['6E'],
    date: SIM_DATE,
    out: dir,
    zstd: false,
    window: { startMs, endMs: startMs + minutes * 60_000 },
  });
  const f = day.files;
  return [f.definition, f.mbp10, f.trades, ...(f.spotMbp1 === null ? [] : [f.spotMbp1])];
}

/** Registers `serve`. */
export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description(summary('serve'))
    .argument(
      '[files...]',
      'DBN files (MBP-10 or MBO, trades, spot quotes, definitions) or folders of them to replay; none: a simulated 6E day',
    )
    .option('--speed <x>', 'replay at x times real time (default 10; the page changes it)', positiveNumber)
    .option(
      '--minutes <n>',
      'without files: minutes of the simulated day to replay, from 13:00 UTC (default 120)',
      positiveInt,
    )
    .option(
      '--port <n>',
      'port of the page on runtime.dashboard.host (default 9465; 0: any free port)',
      nonNegativeInt,
    )
    .action(async (paths: string[], o: { speed?: number; minutes?: number }, self: Command) => {
      const run = runOf(self);
      const cfg = run.config;
      const log = componentLogger('serve');
      const say = (line: string) => process.stdout.write(`${line}\n`);
      let temp: string | null = null;
      const ctl = endOnSignals();
      const model = await openModel(cfg.llm, log);
      let backend: ReplayBackend | null = null;
      let server: DashboardServer | null = null;
      try {
        let files: string[];
        if (paths.length > 0) files = (await commandInputs(paths, {})).files;
        else {
          temp = mkdtempSync(join(tmpdir(), 'scalper-serve-'));
          files = await simulatedFiles(temp, o.minutes ?? 120, say);
        }
        const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
        const speed = o.speed ?? 10;
        backend = await ReplayBackend.start({
          files,
          speed,
          name: paths.length > 0 ? `replay of ${files.length} file(s)` : `simulated 6E ${SIM_DATE}`,
          controls: controlToken() !== null,
          logger: log,
          session: (feed) =>
            new TradingSession({
              setup: backtestSetup(cfg, { llm: model.llm, regime, runId: 'dashboard', warmUp: true }),
              feed,
              runId: 'dashboard',
              stopGraceMs: cfg.runtime.stopGraceMs,
            }),
          model: (session, view) => new SessionModel({ session, view }),
          sessionControl: (session, req) => sessionControls(session)(req),
        });
        server = await startDashboard(backend, cfg, { title: 'scalper-engine', logger: log });
        say(dashboardLine(server));
        say(`replaying ${files.length} file(s) at ${speed}x real time; Ctrl-C to stop`);
        await new Promise<void>((resolve) =>
          ctl.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      } finally {
        await server?.close();
        await backend?.close();
        await model.close();
        if (temp !== null) rmSync(temp, { recursive: true, force: true });
      }
    });
  configFlags(cmd, { port: 'runtime.dashboard.port' });
}
