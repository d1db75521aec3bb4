/**
 * `scalper serve [FILES...]`: the web dashboard on a replay. DBN files (simulated days, a recorded
 * session) go through a paper trading session at `--speed` times real time; the page at
 * http://127.0.0.1:9465/ shows the market, the analysts, the decisions and the account as they
 * happen, and, with SCALPER_CONTROL_TOKEN set, its controls pause trading, pull the kill switch,
 * change the pace and move about in the replay. Without files a simulated 6E day (with EUR/USD
 * spot quotes) is made first, so that the command needs no data, key or network. `--backtest DIR`
 * runs a finished backtest again from its folder (its inputs, checked against their hashes, and
 * its configuration) at the page's pace, and says at the end whether its fills are the folder's.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, componentLogger, hashFile } from '../core/index.js';
import { TradingSession } from '../runtime/index.js';
import {
  backtestReplay,
  type DashboardServer,
  fileReplay,
  ReplayBackend,
  type ReplayOptions,
  replayRange,
} from '../server/index.js';
import { simulateDay } from '../sim/index.js';
import type { RegimeModelFile } from '../strategy/index.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt } from './args.js';
import { summary } from './commands.js';
import { configFlags, configFrom, runOf, type ScalperConfig } from './config.js';
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

function regimeOf(cfg: ScalperConfig): RegimeModelFile | null {
  return cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
}

/** A finished backtest's inputs (checked against their hashes), configuration and fills. */
export async function finishedBacktest(
  dir: string,
): Promise<{ readonly files: string[]; readonly config: ScalperConfig; readonly fills: string | null }> {
  const path = join(dir, 'result.json');
  let result: { config?: unknown; inputs?: unknown };
  try {
    result = JSON.parse(readFileSync(path, 'utf8')) as typeof result;
  } catch (err) {
    throw new ConfigError(
      `${path}: not a backtest's result (${(err as Error).message}); scalper backtest --out ${dir} writes one`,
    );
  }
  if (typeof result.config !== 'object' || result.config === null || !Array.isArray(result.inputs))
    throw new ConfigError(`${path}: no "config" and "inputs": not a backtest's result.json`);
  const config = configFrom(result.config as Record<string, unknown>, `${path} config`);
  const files: string[] = [];
  for (const [i, input] of (result.inputs as unknown[]).entries()) {
    const e = input as { path?: unknown; sha256?: unknown };
    if (typeof e?.path !== 'string' || typeof e.sha256 !== 'string')
      throw new ConfigError(`${path}: inputs[${i}] has no path and sha256`);
    if (!existsSync(e.path))
      throw new ConfigError(
        `${path}: the backtest's input ${e.path} is not there (a relative path is read from where the backtest ran)`,
      );
    const now = await hashFile(e.path);
    if (now.sha256 !== e.sha256)
      throw new ConfigError(
        `${path}: ${e.path} is not the file the backtest read (sha256 ${now.sha256.slice(0, 12)}…, the backtest's ${e.sha256.slice(0, 12)}…)`,
      );
    files.push(e.path);
  }
  const fillsPath = join(dir, 'fills.csv');
  return { files, config, fills: existsSync(fillsPath) ? readFileSync(fillsPath, 'utf8') : null };
}

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
    .option(
      '--speed <x>',
      'replay at x times real time (default 10; 0: as fast as it reads; the page changes it)',
      nonNegativeNumber,
    )
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
    .option(
      '--backtest <dir>',
      "a finished backtest's folder (scalper backtest --out DIR): its inputs and configuration run again at the page's pace, its fills compared at the end",
    )
    .action(
      async (paths: string[], o: { speed?: number; minutes?: number; backtest?: string }, self: Command) => {
        const cfg = runOf(self).config;
        const log = componentLogger('serve');
        const say = (line: string) => process.stdout.write(`${line}\n`);
        if (o.backtest !== undefined && paths.length > 0)
          throw new ConfigError(
            `scalper serve --backtest replays the backtest's own inputs and takes no files (got ${paths[0]})`,
          );
        let temp: string | null = null;
        const ctl = endOnSignals();
        let backend: ReplayBackend | null = null;
        let server: DashboardServer | null = null;
        let model: Awaited<ReturnType<typeof openModel>> | null = null;
        try {
          const speed = o.speed ?? 10;
          const controls = controlToken() !== null;
          let open: ReplayOptions['open'];
          let files: string[];
          let name: string;
          if (o.backtest !== undefined) {
            const bt = await finishedBacktest(o.backtest);
            files = bt.files;
            name = `backtest ${o.backtest}`;
            model = await openModel(bt.config.llm, log);
            const llm = model.llm;
            const regime = regimeOf(bt.config);
            open = backtestReplay(
              files,
              () =>
                backtestSetup(bt.config, {
                  llm,
                  regime,
                  runId: 'bt',
                  decisionLatencyMs: bt.config.backtest.decisionLatencyMs,
                }),
              bt.fills,
            );
          } else {
            if (paths.length > 0) files = (await commandInputs(paths, {})).files;
            else {
              temp = mkdtempSync(join(tmpdir(), 'scalper-serve-'));
              files = await simulatedFiles(temp, o.minutes ?? 120, say);
            }
            name = paths.length > 0 ? `replay of ${files.length} file(s)` : `simulated 6E ${SIM_DATE}`;
            model = await openModel(cfg.llm, log);
            const llm = model.llm;
            const regime = regimeOf(cfg);
            open = fileReplay(
              files,
              (feed) =>
                new TradingSession({
                  setup: backtestSetup(cfg, { llm, regime, runId: 'dashboard', warmUp: true }),
                  feed,
                  runId: 'dashboard',
                  stopGraceMs: cfg.runtime.stopGraceMs,
                }),
            );
          }
          backend = ReplayBackend.start({
            mode: o.backtest === undefined ? 'replay' : 'backtest',
            range: await replayRange(files),
            speed,
            name,
            controls,
            open,
            logger: log,
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
          await model?.close();
          if (temp !== null) rmSync(temp, { recursive: true, force: true });
        }
      },
    );
  configFlags(cmd, { port: 'runtime.dashboard.port' });
}
