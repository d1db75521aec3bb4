/**
 * `scalper live --venue fix --confirm ACCOUNT`: live trading through a FIX 4.4 broker, on
 * Databento's live gateway as the feed. It refuses to start unless `--confirm` names the account
 * the configuration trades (`execution.fix.account`), and says which venue and account it trades.
 *
 * On start it connects, reads the venue's own positions and working orders and reconciles them
 * with the state store's (execution.reconcile: `wait` refuses to trade on any difference and lists
 * them, `adopt` takes the venue's, `flatten` cancels and closes them); then it trades as `paper`
 * does, every order in the store before it is sent, until SIGINT/SIGTERM ends it gracefully.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { tradesOf, writeRunFiles } from '../backtest/index.js';
import { FeedHealth } from '../book/index.js';
import {
  type Clock,
  CME_FX_FUTURES,
  ConfigError,
  componentLogger,
  formatTimestamp,
  wallClock,
} from '../core/index.js';
import { FixBroker, fixBrokerOptions } from '../execution/fix/index.js';
import { type ExecutionConfig, feedHealthOptions } from '../execution/index.js';
import { openSqliteStore, stateStorePath } from '../infra/index.js';
import { createProvider } from '../llm/index.js';
import {
  DatabentoFeed,
  FeedRecorder,
  reconciledResume,
  recordedFeed,
  resumeOf,
  type SessionStatus,
  TradingSession,
} from '../runtime/index.js';
import { summary } from './commands.js';
import { runOf, type ScalperConfig } from './config.js';
import { backtestSetup } from './decide.js';
import { endOnSignals, sessionFolder, sessionOptions, statusLine, watched } from './paper.js';
import { readRegimeModel } from './regime-files.js';

/** The venue and account a live session trades, as the configuration names them. */
export function liveVenue(cfg: ScalperConfig): { readonly account: string; readonly description: string } {
  const fix = cfg.execution.fix;
  if (fix === undefined)
    throw new ConfigError(
      'scalper live --venue fix needs execution.fix in the configuration (host, port, senderCompId, targetCompId, account, symbology)',
    );
  return {
    account: fix.account,
    description: `FIX 4.4 at ${fix.host}:${fix.port} as ${fix.senderCompId} → ${fix.targetCompId}, account ${fix.account}`,
  };
}

/** The tick of a FIX instrument: its CME FX future's, from the symbology's symbol (6E, 6EZ6 …). */
function fixTick(ex: ExecutionConfig, defaultTick: number) {
  return (id: number): number | undefined => {
    const s = ex.fix?.symbology[String(id)];
    if (s === undefined) return undefined;
    const symbol = 'symbol' in s ? s.symbol : undefined;
    const root = symbol?.slice(0, 2);
    return root !== undefined && root in CME_FX_FUTURES ? CME_FX_FUTURES[root].tickRaw : defaultTick;
  };
}

/** Runs a live session until `signal`; returns it and its folder once it has ended. */
export async function runLive(
  cfg: ScalperConfig,
  o: {
    readonly confirm?: string;
    readonly signal: AbortSignal;
    readonly status?: (s: SessionStatus) => void;
    /** The session's clock (default the wall clock). */
    readonly clock?: Clock;
  },
): Promise<{ session: TradingSession; folder: string }> {
  const clock = o.clock ?? wallClock;
  const venue = liveVenue(cfg);
  if (o.confirm !== venue.account)
    throw new ConfigError(
      `scalper live sends real orders: ${venue.description}. To trade it, run again with --confirm ${venue.account}${o.confirm === undefined ? '' : ` (--confirm named "${o.confirm}")`}`,
    );
  const rt = cfg.runtime;
  const db = rt.databento;
  if (db.symbols.length === 0)
    throw new ConfigError(
      'runtime.databento.symbols: the symbols to subscribe to (6EZ6, or 6E.FUT with stypeIn: parent) are needed for live trading',
    );
  // Everything that can be checked is, before the venue is touched.
  if ((process.env.DATABENTO_API_KEY ?? '') === '')
    throw new ConfigError(
      'DATABENTO_API_KEY is not set: the live feed (runtime.databento) needs the API key',
    );
  const log = componentLogger('live');
  const runId = 'live';
  const store = openSqliteStore(stateStorePath(rt.dataDir));
  const broker = new FixBroker(
    fixBrokerOptions(
      cfg.execution.fix as NonNullable<ExecutionConfig['fix']>,
      fixTick(cfg.execution, cfg.engine.defaultTickSize),
      { logger: log, clock },
    ),
  );
  try {
    const nowNs = BigInt(clock.now()) * 1_000_000n;
    const first = await resumeOf(store, {
      runId,
      feed: 'databento',
      nowNs,
      venue: true,
    });
    process.stderr.write(`trading live: ${venue.description}\n`);
    await broker.connect();
    const resume = await reconciledResume({
      broker,
      resume: first,
      store,
      policy: cfg.execution.reconcile,
      runId,
      nowNs,
      log,
    });
    const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
    const setup = backtestSetup(cfg, { llm: createProvider(cfg.llm, {}), regime, runId, warmUp: true });
    const folder = sessionFolder(rt.dataDir, 'live', Date.now());
    const health = new FeedHealth(feedHealthOptions(cfg.execution));
    const feed = new DatabentoFeed({
      health,
      live: { dataset: db.dataset, ...(db.gateway !== undefined ? { gateway: db.gateway } : {}) },
      subscriptions: db.schemas.map((schema) => ({ schema, symbols: db.symbols, stypeIn: db.stypeIn })),
      signal: o.signal,
      clock,
      onEvent: (e) => {
        if (e.type !== 'heartbeat') log.info({ event: e.type }, 'databento');
      },
    });
    const recorder = rt.record
      ? await FeedRecorder.open({
          dir: join(folder, 'feed'),
          streams: db.schemas.map((schema) => ({ dataset: db.dataset, schema })),
        })
      : null;
    const session = new TradingSession({
      setup,
      feed: recorder === null ? feed : recordedFeed(feed, recorder),
      health,
      broker,
      runId,
      flattenOnStop: rt.flattenOnStop,
      stopGraceMs: rt.stopGraceMs,
      store,
      resume,
      feedName: 'databento',
    });
    log.info(
      {
        folder,
        venue: venue.description,
        state: store.location,
        resumedFills: resume.trader.fills.length,
        at: formatTimestamp(nowNs),
      },
      'live session started',
    );
    try {
      await watched(session, cfg, { ...o, log, name: 'live' });
    } finally {
      await recorder?.close();
    }
    writeRunFiles(folder, session.trader, session.loop.decisions, tradesOf(session.trader), null);
    return { session, folder };
  } finally {
    await broker.close();
    await store.close();
  }
}

/** Registers `live`. */
export function registerLive(program: Command): void {
  const cmd = program
    .command('live')
    .description(summary('live'))
    .requiredOption('--venue <venue>', 'the venue to trade through: fix (a FIX 4.4 broker, execution.fix)')
    .option(
      '--confirm <account>',
      'the account to trade, as the configuration names it: nothing is sent without it',
    )
    .action(async (o: { venue: string; confirm?: string }, self: Command) => {
      if (o.venue !== 'fix') throw new ConfigError(`--venue must be fix, got "${o.venue}"`);
      const run = runOf(self);
      const ctl = endOnSignals();
      const tty = process.stderr.isTTY === true;
      const { session, folder } = await runLive(run.config, {
        confirm: o.confirm,
        signal: ctl.signal,
        status: tty ? (s) => process.stderr.write(`\r\x1b[2K${statusLine(s)}`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${statusLine(session.status())}\nsession folder: ${folder}\n`);
    });
  sessionOptions(cmd);
}
