/**
 * `scalper live --venue fix|ig --confirm ACCOUNT`: live trading through a FIX 4.4 broker (the CME
 * futures the decisions are taken on, Databento's live gateway as the feed) or through IG (the
 * futures' spot pairs, `execution.tradeOn: spot`, IG's streaming prices as the feed, beside
 * Databento's depth when `runtime.feeds` names both). It refuses to start unless `--confirm` names
 * the account the configuration trades (`execution.fix.account`, `ig.accountId`), and says which
 * venue and account it trades.
 *
 * On start it connects, reads the venue's own positions and working orders and reconciles them
 * with the state store's (execution.reconcile: `wait` refuses to trade on any difference and lists
 * them, `adopt` takes the venue's, `flatten` cancels and closes them); then it trades as `paper`
 * does, every order in the store before it is sent, until SIGINT/SIGTERM ends it gracefully.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { tradesOf, writeRunFiles } from '../backtest/index.js';
import {
  type Clock,
  CME_FX_FUTURES,
  ConfigError,
  componentLogger,
  formatTimestamp,
  wallClock,
} from '../core/index.js';
import { IG_BASE_URLS, IgRest, igMarketSymbol } from '../data/ig/index.js';
import { FixBroker, fixBrokerOptions } from '../execution/fix/index.js';
import { IgBroker } from '../execution/ig/index.js';
import type { ExecutionConfig, VenueBroker } from '../execution/index.js';
import { openSqliteStore, stateStorePath } from '../infra/index.js';
import {
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
import { checkLiveFeeds, feedKinds, type LiveFeeds, liveFeeds } from './feeds.js';
import { type OpenedModel, openModel } from './model.js';
import { endOnSignals, feedList, sessionFolder, sessionOptions, statusLine, watched } from './paper.js';
import { readRegimeModel } from './regime-files.js';

/** The venues `scalper live` trades through. */
export const LIVE_VENUES = ['fix', 'ig'] as const;
export type LiveVenueName = (typeof LIVE_VENUES)[number];

/** The venue and account a live session trades, as the configuration names them. */
export function liveVenue(
  cfg: ScalperConfig,
  venue: LiveVenueName = 'fix',
): { readonly account: string; readonly description: string } {
  if (venue === 'ig') {
    const ig = cfg.ig;
    if (ig === undefined || ig.markets.length === 0)
      throw new ConfigError(
        'scalper live --venue ig needs ig in the configuration: environment, accountId and the markets traded (epic, instrumentId, pointRaw, tickRaw)',
      );
    if (ig.accountId === undefined)
      throw new ConfigError(
        'ig.accountId: the IG account to trade must be named in the configuration for live trading',
      );
    const where = ig.baseUrl ?? IG_BASE_URLS[ig.environment];
    const markets = ig.markets.map((m) => `${igMarketSymbol(m)} (${m.epic})`).join(', ');
    return {
      account: ig.accountId,
      description: `IG ${ig.environment} at ${where}, account ${ig.accountId}, trading ${markets}`,
    };
  }
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

/** The venue's broker, and the IG session an IG feed shares with it. */
function venueBroker(
  venue: LiveVenueName,
  cfg: ScalperConfig,
  clock: Clock,
  log: ReturnType<typeof componentLogger>,
): { broker: VenueBroker; igRest?: IgRest } {
  const nowNs = () => BigInt(Math.round(clock.now())) * 1_000_000n;
  if (venue === 'ig') {
    const ig = cfg.ig as NonNullable<ScalperConfig['ig']>;
    const igRest = IgRest.fromConfig(ig);
    const broker = new IgBroker({
      rest: igRest,
      markets: ig.markets,
      stream: ig.stream,
      confirmFallbackMs: ig.confirmFallbackMs,
      now: nowNs,
    });
    return { broker, igRest };
  }
  const broker = new FixBroker(
    fixBrokerOptions(
      cfg.execution.fix as NonNullable<ExecutionConfig['fix']>,
      fixTick(cfg.execution, cfg.engine.defaultTickSize),
      { logger: log, clock },
    ),
  );
  return { broker };
}

/** Runs a live session until `signal`; returns it and its folder once it has ended. */
export async function runLive(
  cfg: ScalperConfig,
  o: {
    /** The venue (default fix). */
    readonly venue?: LiveVenueName;
    readonly confirm?: string;
    readonly signal: AbortSignal;
    readonly status?: (s: SessionStatus) => void;
    /** The session's clock (default the wall clock). */
    readonly clock?: Clock;
  },
): Promise<{ session: TradingSession; folder: string }> {
  const clock = o.clock ?? wallClock;
  const venueName = o.venue ?? 'fix';
  const venue = liveVenue(cfg, venueName);
  if (o.confirm !== venue.account)
    throw new ConfigError(
      `scalper live sends real orders: ${venue.description}. To trade it, run again with --confirm ${venue.account}${o.confirm === undefined ? '' : ` (--confirm named "${o.confirm}")`}`,
    );
  const rt = cfg.runtime;
  // IG deals in spot pairs: its decisions, taken on the futures, are traded on them.
  const traded: ScalperConfig =
    venueName === 'ig' ? { ...cfg, execution: { ...cfg.execution, tradeOn: 'spot' } } : cfg;
  const kinds = feedKinds(cfg, venueName === 'ig' ? ['ig'] : ['databento']);
  // Everything that can be checked is, before the venue is touched.
  checkLiveFeeds(kinds, cfg);
  const log = componentLogger('live');
  const runId = 'live';
  const store = openSqliteStore(stateStorePath(rt.dataDir));
  const { broker, igRest } = venueBroker(venueName, cfg, clock, log);
  let feeds: LiveFeeds | null = null;
  let model: OpenedModel | null = null;
  try {
    feeds = liveFeeds(kinds, cfg, { signal: o.signal, log, clock, igRest });
    const nowNs = BigInt(Math.round(clock.now())) * 1_000_000n;
    const first = await resumeOf(store, { runId, feed: feeds.name, nowNs, venue: true });
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
    model = await openModel(cfg.llm, log);
    const setup = backtestSetup(traded, { llm: model.llm, regime, runId, warmUp: true });
    const folder = sessionFolder(rt.dataDir, 'live', Date.now());
    const recorder = rt.record
      ? await FeedRecorder.open({ dir: join(folder, 'feed'), streams: feeds.streams })
      : null;
    const session = new TradingSession({
      setup,
      feed: recorder === null ? feeds.feed : recordedFeed(feeds.feed, recorder),
      health: feeds.health,
      broker,
      runId,
      flattenOnStop: rt.flattenOnStop,
      stopGraceMs: rt.stopGraceMs,
      store,
      resume,
      feedName: feeds.name,
    });
    log.info(
      {
        folder,
        venue: venue.description,
        feed: feeds.name,
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
    feeds?.close();
    await store.close();
    await model?.close();
  }
}

/** Registers `live`. */
export function registerLive(program: Command): void {
  const cmd = program
    .command('live')
    .description(summary('live'))
    .requiredOption(
      '--venue <venue>',
      'the venue to trade through: fix (a FIX 4.4 broker, execution.fix) or ig (IG, the ig section)',
    )
    .option(
      '--confirm <account>',
      'the account to trade, as the configuration names it: nothing is sent without it',
    )
    .action(async (o: { venue: string; confirm?: string }, self: Command) => {
      if (!(LIVE_VENUES as readonly string[]).includes(o.venue))
        throw new ConfigError(`--venue must be ${LIVE_VENUES.join(' or ')}, got "${o.venue}"`);
      const run = runOf(self);
      const ctl = endOnSignals();
      const tty = process.stderr.isTTY === true;
      const { session, folder } = await runLive(run.config, {
        venue: o.venue as LiveVenueName,
        confirm: o.confirm,
        signal: ctl.signal,
        status: tty ? (s) => process.stderr.write(`\r\x1b[2K${statusLine(s)}`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${statusLine(session.status())}\nsession folder: ${folder}\n`);
    });
  sessionOptions(cmd, { feed: 'runtime.feeds' });
  cmd.option(
    '--feed <feeds>',
    "the live feeds: databento (runtime.databento), ig (ig.markets) or databento,ig (default: the venue's)",
    feedList,
  );
}
