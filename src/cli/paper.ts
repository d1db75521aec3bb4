/**
 * `scalper paper [FILES...]`: paper trading, the paper broker on a live feed. The feed is a replay
 * of DBN files (simulated days, a recorded session) at `--speed` times real time. The session runs
 * until the feed ends or SIGINT/SIGTERM, then ends gracefully (runtime/session.ts) and writes its
 * orders, fills, round trips, equity and decisions, in the backtest's formats, into its folder
 * under the data folder (`<dataDir>/sessions/<start>-paper/`), so that `scalper backtest` on the
 * same data can be set beside it.
 *
 * On a terminal a status line shows market time, feed lag, positions, P&L, orders and risk; logs
 * go to stderr as pino JSON.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { tradesOf, writeRunFiles } from '../backtest/index.js';
import { ConfigError, componentLogger, formatTimestamp } from '../core/index.js';
import { openSqliteStore, type SqliteStateStore, stateStorePath } from '../infra/index.js';
import { summarizeDecisions } from '../pipeline/index.js';
import {
  FeedRecorder,
  FileFeed,
  killFilePath,
  type ReplayClock,
  recordedFeed,
  resumeOf,
  type SessionStatus,
  startSessionControl,
  streamsOf,
  TradingSession,
} from '../runtime/index.js';
import { nonNegativeInt, nonNegativeNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, runOf, type ScalperConfig } from './config.js';
import { backtestSetup, executionLines, executionSummary, summaryLines } from './decide.js';
import { checkLiveFeeds, feedKinds, type LiveFeeds, liveFeeds } from './feeds.js';
import { commandInputs } from './inputs.js';
import { openModel } from './model.js';
import { n, outputFolder } from './output.js';
import { readRegimeModel } from './regime-files.js';

/** The files a session writes into its folder (the backtest's, less its report). */
export const SESSION_FILES = [
  'orders.csv',
  'fills.csv',
  'trades.csv',
  'equity.csv',
  'decisions.jsonl',
] as const;

/**
 * A new session's folder: `<dataDir>/sessions/<UTC start, compact>-<kind>`, made now; a second
 * session started in the same second gets `-2` after it (then `-3` …), never the first's folder.
 */
export function sessionFolder(dataDir: string, kind: string, startMs: number): string {
  const stamp = new Date(startMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const parent = outputFolder(join(dataDir, 'sessions'), 'runtime.dataDir');
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? `${stamp}-${kind}` : `${stamp}-${kind}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new ConfigError(`runtime.dataDir: cannot create ${dir} (${(err as Error).message})`);
    }
  }
}

/** The status line: market time, feed lag, positions, P&L, orders, risk. */
export function statusLine(s: SessionStatus): string {
  const t = Number.isFinite(s.nowMs)
    ? (formatTimestamp(BigInt(s.nowMs) * 1_000_000n) ?? '–').slice(0, 19)
    : '–';
  const lag = Number.isFinite(s.feedLagMs) ? `${(s.feedLagMs / 1000).toFixed(1)}s` : '–';
  const pos = Object.entries(s.positions)
    .map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`)
    .join(' ');
  const bad = Object.keys(s.untrusted);
  return [
    t.replace('T', ' '),
    `lag ${lag}`,
    pos === '' ? 'flat' : pos,
    `P&L ${s.dayPnl >= 0 ? '+' : ''}${s.dayPnl.toFixed(2)}`,
    `orders ${s.orders} (${s.openOrders} open)`,
    `fills ${s.fills}`,
    `decisions ${s.decisions}`,
    s.risk,
    ...(bad.length > 0 ? [`untrusted ${bad.join(',')}`] : []),
  ].join(' | ');
}

/**
 * Runs a paper session on `files` (a replay), or on the live feeds the configuration names
 * (`runtime.feeds`: databento, ig); returns the session and its folder once it has ended.
 */
export async function runPaper(
  files: readonly string[],
  cfg: ScalperConfig,
  o: {
    readonly signal: AbortSignal;
    readonly status?: (s: SessionStatus) => void;
    readonly startMs?: number;
  },
): Promise<{ session: TradingSession; folder: string }> {
  const rt = cfg.runtime;
  const kinds = feedKinds(cfg, ['files']);
  const replay = kinds.includes('files');
  if (replay && files.length === 0)
    throw new ConfigError(
      'scalper paper needs DBN files to replay, or a live feed: --feed databento, --feed ig (runtime.feeds)',
    );
  if (!replay && files.length > 0)
    throw new ConfigError(
      `scalper paper --feed ${kinds.join(',')} trades on a live feed and takes no files (got ${files[0]})`,
    );
  if (!replay || kinds.length > 1) checkLiveFeeds(kinds, cfg);
  const startMs = o.startMs ?? Date.now();
  const folder = sessionFolder(rt.dataDir, 'paper', startMs);
  const log = componentLogger('paper');
  const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
  // One run id for every paper session of a data folder: its client order sequence goes on across restarts.
  const runId = 'paper';
  const model = await openModel(cfg.llm, log);
  let store: SqliteStateStore | null = null;
  let live: LiveFeeds | null = null;
  try {
    const setup = backtestSetup(cfg, { llm: model.llm, regime, runId, warmUp: true });
    store = openSqliteStore(stateStorePath(rt.dataDir));
    live = replay ? null : liveFeeds(kinds, cfg, { signal: o.signal, log });
    const feedName = live?.name ?? 'files';
    const resume = await resumeOf(store, {
      runId,
      feed: feedName,
      ...(live === null ? {} : { nowNs: BigInt(Date.now()) * 1_000_000n }),
    });
    const feed =
      live?.feed ??
      new FileFeed(files, {
        speed: rt.speed,
        signal: o.signal,
        resumeNs: resume.feedNs === null ? undefined : resume.feedNs + 1n,
      });
    const recorder = rt.record
      ? await FeedRecorder.open({
          dir: join(folder, 'feed'),
          streams: live?.streams ?? (await streamsOf(files)),
        })
      : null;
    const session = new TradingSession({
      setup,
      feed: recorder === null ? feed : recordedFeed(feed, recorder),
      runId,
      flattenOnStop: rt.flattenOnStop,
      stopGraceMs: rt.stopGraceMs,
      store,
      resume,
      feedName,
      ...(live === null ? {} : { health: live.health }),
    });
    if (resume.feedNs !== null)
      log.warn(
        {
          state: store.location,
          resumeAt: formatTimestamp(resume.feedNs),
          fills: resume.trader.fills.length,
          killSwitch: resume.trader.killed,
          ended: resume.ended,
        },
        'resuming the session of this data folder',
      );
    log.info(
      { folder, feed: feedName, ...(live === null ? { files, speed: rt.speed } : {}), state: store.location },
      'paper session started',
    );
    try {
      await watched(session, cfg, {
        ...o,
        log,
        name: 'paper',
        replay: live === null ? (feed as FileFeed).clock : null,
      });
    } finally {
      await recorder?.close();
    }
    writeRunFiles(folder, session.trader, session.loop.decisions, tradesOf(session.trader), null);
    return { session, folder };
  } finally {
    live?.close();
    await store?.close();
    await model.close();
  }
}

/**
 * Runs `session` with its control endpoint (metrics, health, status, kill), the kill file and the
 * status line, until it ends; then closes them.
 */
export async function watched(
  session: TradingSession,
  cfg: ScalperConfig,
  o: {
    readonly signal: AbortSignal;
    readonly status?: (s: SessionStatus) => void;
    readonly log: ReturnType<typeof componentLogger>;
    readonly name: string;
    /** The clock of a replayed feed, which the dashboard's controls may pace (null: a live feed). */
    readonly replay?: ReplayClock | null;
  },
): Promise<void> {
  const rt = cfg.runtime;
  const control = await startSessionControl(session, rt, {
    trust: session.health,
    staleAfterMs: cfg.execution.risk.feed.staleAfterMs,
  });
  if (control.server !== null) o.log.info({ url: control.server.url }, 'metrics, health and kill endpoint');
  let dashboard: { close(): Promise<void> } | null = null;
  if (rt.dashboard.enabled) {
    try {
      const { dashboardLine, sessionDashboard } = await import('./dashboard.js');
      const server = await sessionDashboard(session, cfg, {
        name: o.name,
        replay: o.replay ?? null,
        killFile: killFilePath(rt),
        logger: o.log,
      });
      dashboard = server;
      process.stderr.write(`${dashboardLine(server)}\n`);
    } catch (err) {
      await control.close();
      throw err;
    }
  }
  const timer =
    o.status === undefined ? null : setInterval(() => o.status?.(session.status()), rt.statusEveryMs);
  try {
    const end = await session.run(o.signal);
    o.log.info(
      { records: end.feed.records, stopped: end.feed.stopped, unconfirmed: end.unconfirmed },
      `${o.name} session ended`,
    );
  } finally {
    if (timer !== null) clearInterval(timer);
    await dashboard?.close();
    await control.close();
  }
}

/**
 * SIGINT and SIGTERM end a session gracefully (its working orders cancelled); a second one quits at
 * once. Returns the controller they abort.
 */
export function endOnSignals(): AbortController {
  const ctl = new AbortController();
  let signals = 0;
  const stop = (sig: string) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`\n${sig}: ending the session, cancelling working orders (again to quit at once)\n`);
    ctl.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return ctl;
}

/** `--feed databento,ig` as its list (the configuration checks the names). */
export function feedList(text: string): string[] {
  return text.split(',').map((s) => s.trim());
}

/** Registers `paper`. */
export function registerPaper(program: Command): void {
  const cmd = program
    .command('paper')
    .description(summary('paper'))
    .argument(
      '[files...]',
      'DBN files (MBP-10 or MBO, trades, definitions) or folders of them, replayed as a live feed',
    )
    .option(
      '--feed <feeds>',
      'trade on live prices instead of files: databento (runtime.databento), ig (ig.markets), or databento,ig',
      feedList,
    )
    .option(
      '--speed <x>',
      'replay at x times real time (0: as fast as the files are read)',
      nonNegativeNumber,
    )
    .action(async (paths: string[], _o: unknown, self: Command) => {
      const run = runOf(self);
      const { files } = paths.length === 0 ? { files: [] } : await commandInputs(paths, {});
      const ctl = endOnSignals();
      const tty = process.stderr.isTTY === true;
      const { session, folder } = await runPaper(files, run.config, {
        signal: ctl.signal,
        status: tty ? (s) => process.stderr.write(`\r\x1b[2K${statusLine(s)}`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      const s = session.status();
      process.stdout.write(`${statusLine(s)}\n`);
      process.stdout.write(`${n(s.decisions)} decisions\n`);
      for (const line of summaryLines(summarizeDecisions(session.loop.decisions)))
        process.stdout.write(`  ${line}\n`);
      for (const line of executionLines(executionSummary(session.trader, session.loop.decisions)))
        process.stdout.write(`  ${line}\n`);
      process.stdout.write(`session folder: ${folder} (${SESSION_FILES.join(', ')})\n`);
    });
  sessionOptions(cmd, { speed: 'runtime.speed', feed: 'runtime.feeds' });
}

/**
 * The options every trading session takes (`--flatten-on-stop`, `--data-dir`, `--port`), bound to
 * their configuration paths with `flags`' own.
 */
export function sessionOptions(cmd: Command, flags: Readonly<Record<string, string>> = {}): void {
  cmd
    .option('--flatten-on-stop', 'close every position when the session ends')
    .option('--data-dir <dir>', 'the data folder: sessions, state and the kill file')
    .option(
      '--port <n>',
      'port of the metrics, health and kill endpoint on 127.0.0.1 (0: none)',
      nonNegativeInt,
    )
    .option('--dashboard', 'serve the web dashboard of the session (runtime.dashboard)')
    .option('--dashboard-port <n>', 'port of the dashboard (default 9465; 0: any free port)', nonNegativeInt);
  configFlags(cmd, {
    ...flags,
    flattenOnStop: 'runtime.flattenOnStop',
    dataDir: 'runtime.dataDir',
    port: 'runtime.http.port',
    dashboard: 'runtime.dashboard.enabled',
    dashboardPort: 'runtime.dashboard.port',
  });
}
