/**
 * The engine as services (runtime/services): `scalper ingest`, `scalper featurize`, `scalper decide
 * --bus`, `scalper execute`, each a process on NATS JetStream, and `scalper run`, the four in one
 * process over the in-process bus (or over NATS with `--bus`). A replay's services end when its
 * end has gone through them; on a live feed they run until Ctrl-C.
 *
 * NATS comes from `--bus` or SCALPER_NATS_URL (default nats://127.0.0.1:4222), the stream from
 * `--stream` (default SCALPER): give each replay a stream of its own, as a restarted service reads
 * its stream again from the start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { WorkerPool } from '../agents/index.js';
import { tradesOf, writeRunFiles } from '../backtest/index.js';
import { ConfigError, componentLogger, type Logger, rootLogger } from '../core/index.js';
import {
  type EventBus,
  type FeatureStore,
  JetStreamBus,
  MemoryBus,
  MemoryFeatureStore,
  natsUrl,
  openPgStore,
  type PgStateStore,
  RedisFeatureStore,
  redactUrl,
} from '../infra/index.js';
import { summarizeDecisions } from '../pipeline/index.js';
import {
  DecideService,
  ExecuteService,
  FeaturizeService,
  type FeedKind,
  type IngestSummary,
  ingestFeed,
  ingestFiles,
  ReplayClock,
  ServiceMetrics,
  type ServiceView,
} from '../runtime/index.js';
import { nonNegativeInt, nonNegativeNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, runOf, type ScalperConfig } from './config.js';
import { backtestSetup, executionLines, executionSummary, summaryLines } from './decide.js';
import { checkLiveFeeds, liveFeeds } from './feeds.js';
import { commandInputs } from './inputs.js';
import { openModel } from './model.js';
import { n, outputFolder } from './output.js';
import { endOnSignals, feedList, sessionFolder } from './paper.js';
import { readRegimeModel } from './regime-files.js';

/** The NATS URL: `--bus`, else SCALPER_NATS_URL, else the machine's server; checked. */
function busUrl(given?: string): string {
  const url = given ?? natsUrl();
  if (!/^(nats|tls):\/\/[^\s/]+/.test(url))
    throw new ConfigError(`NATS URL ${JSON.stringify(redactUrl(url))} must look like nats://host:port`);
  return url;
}

interface BusFlags {
  readonly bus?: string;
  readonly stream?: string;
  readonly port?: number;
}

/** Why the bus is not connected, or null. */
function busDown(bus: EventBus): string | null {
  return bus instanceof JetStreamBus ? bus.down : null;
}

/** The service's metrics endpoint when `--port` asks for one. */
async function serveMetrics(port: number | undefined, view: ServiceView): Promise<ServiceMetrics | null> {
  if (port === undefined) return null;
  const m = await ServiceMetrics.serve(view, port);
  process.stderr.write(`metrics and health: ${m.url}/metrics, ${m.url}/health\n`);
  return m;
}

/** `--bus` and `--stream` (and `--port` for a long-running service). */
function busOptions(cmd: Command, inProcess = false, service = false): Command {
  if (service)
    cmd.option(
      '--port <n>',
      'serve /metrics (consumer lag, in flight, counts, stage latencies) and /health on 127.0.0.1:<n>',
      nonNegativeInt,
    );
  cmd
    .option(
      '--bus <url>',
      inProcess
        ? 'run the stages over NATS JetStream at this URL (default: the in-process bus)'
        : 'NATS JetStream server (default SCALPER_NATS_URL, else nats://127.0.0.1:4222)',
    )
    .option('--stream <name>', 'the JetStream stream of this run (runtime.services.stream, default SCALPER)');
  configFlags(cmd, { stream: 'runtime.services.stream' });
  return cmd;
}

/** Execute's history store (`runtime.services.history`), or null. */
async function openHistory(cfg: ScalperConfig, log: Logger): Promise<PgStateStore | null> {
  const svc = cfg.runtime.services;
  if (svc.history === 'none') return null;
  const store = await openPgStore({ schema: svc.historySchema, logger: log });
  process.stderr.write(`history: PostgreSQL at ${store.location}\n`);
  return store;
}

/** Connects to the bus the flags name: NATS JetStream, or null for the in-process bus. */
async function openBus(
  o: BusFlags,
  cfg: ScalperConfig,
  name: string,
  inProcessDefault = false,
): Promise<EventBus> {
  const svc = cfg.runtime.services;
  if (inProcessDefault && o.bus === undefined && svc.bus === 'memory')
    return new MemoryBus({ maxMessages: 50_000_000, maxBytes: 2 ** 33 });
  const url = busUrl(o.bus);
  try {
    return await JetStreamBus.connect({
      servers: url,
      stream: svc.stream,
      name: `scalper-${name}`,
      connectTimeoutMs: 10_000,
      logger: rootLogger().child({ service: name }),
    });
  } catch (e) {
    throw new ConfigError(
      `cannot reach NATS JetStream at ${redactUrl(url)} (${(e as Error).message}); start nats-server with -js, or give --bus`,
      { cause: e },
    );
  }
}

/** The setup of a replay's services: the backtest's, from the configuration. */
function setupOf(cfg: ScalperConfig, log: Logger, pool?: WorkerPool) {
  if (cfg.execution.tradeOn === 'spot')
    throw new ConfigError(
      'execution.tradeOn: spot is not available to the services yet; run `scalper backtest` or `scalper paper` for it',
    );
  const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
  return backtestSetup(cfg, {
    regime,
    log,
    pool,
    llm: null,
    runId: 'svc',
    decisionLatencyMs: cfg.backtest.decisionLatencyMs,
  });
}

/** Runs until `ended` resolves or a signal stops it; returns whether it ended. */
async function untilEnded(ended: Promise<void>, signal: AbortSignal): Promise<boolean> {
  const stopped = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false)));
  return Promise.race([ended.then(() => true as const), stopped]);
}

function feature(kind: string | undefined, log: Logger): Promise<FeatureStore> | FeatureStore {
  if (kind === undefined || kind === 'memory') return new MemoryFeatureStore();
  if (kind === 'redis') return RedisFeatureStore.open({ logger: log });
  throw new ConfigError(`--feature-store ${JSON.stringify(kind)}: memory or redis`);
}

/** Registers `ingest`. */
export function registerIngest(program: Command): void {
  const cmd = program
    .command('ingest')
    .description(summary('ingest'))
    .argument('[files...]', "DBN files or folders of them, merged by ts_recv (the simulator's or recorded)")
    .option(
      '--feed <feeds>',
      'publish a live feed instead of files until Ctrl-C: databento (runtime.databento), ig (ig.markets), or databento,ig',
      feedList,
    )
    .option(
      '--speed <x>',
      'replay files at x times real time (default 0: as fast as the bus takes them)',
      nonNegativeNumber,
    )
    .action(async (paths: string[], o: BusFlags & { speed?: number; feed?: string[] }, self: Command) => {
      const cfg = runOf(self).config;
      const log = componentLogger('ingest');
      if ((o.feed === undefined) === (paths.length === 0))
        throw new ConfigError('ingest: give DBN files, or --feed databento|ig for a live feed (not both)');
      const kinds = o.feed as FeedKind[] | undefined;
      if (kinds !== undefined) checkLiveFeeds(kinds, cfg);
      const files = paths.length > 0 ? (await commandInputs(paths, {})).files : [];
      const bus = await openBus(o, cfg, 'ingest');
      const t0 = performance.now();
      let r: IngestSummary;
      try {
        if (kinds === undefined) r = await ingestFiles({ bus, files, speed: o.speed, logger: log });
        else {
          const ctl = endOnSignals();
          const live = liveFeeds(kinds, cfg, { signal: ctl.signal, log });
          try {
            r = await ingestFeed({ bus, feed: live.feed, logger: log });
          } finally {
            live.close();
          }
        }
      } finally {
        await bus.close();
      }
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(
        `ingested ${n(r.records)} records of ${r.products.join(', ') || 'no product'} in ${s.toFixed(1)} s (${n(Math.round(r.records / s))} records/s): ${n(r.stored)} messages stored, ${n(r.duplicates)} already on the stream\n`,
      );
    });
  busOptions(cmd);
}

/** Registers `featurize`. */
export function registerFeaturize(program: Command): void {
  const cmd = program
    .command('featurize')
    .description(summary('featurize'))
    .option('--products <list>', 'products to featurize, e.g. 6E,6B (default every one)', list)
    .option(
      '--feature-store <kind>',
      'where the latest snapshots go: memory or redis (runtime.services.featureStore; Redis at SCALPER_REDIS_URL)',
    )
    .action(async (o: BusFlags & { products?: string[]; featureStore?: string }, self: Command) => {
      const cfg = runOf(self).config;
      const log = componentLogger('featurize');
      const setup = setupOf(cfg, log);
      const store = await feature(cfg.runtime.services.featureStore, log);
      const bus = await openBus(o, cfg, 'featurize');
      const ctl = endOnSignals();
      let metrics: ServiceMetrics | null = null;
      const svc = new FeaturizeService({ bus, loop: setup.loop, products: o.products, store, logger: log });
      try {
        await svc.start();
        metrics = await serveMetrics(o.port, {
          name: 'featurize',
          subscriptions: () => svc.subscriptions(),
          counts: () => ({ ...svc.counts }),
          unhealthy: () => busDown(bus),
        });
        const ended = await untilEnded(svc.ended, ctl.signal);
        const c = svc.counts;
        process.stdout.write(
          `featurize ${ended ? 'reached the end' : 'stopped'}: ${n(c.records)} records, ${n(c.published)} grid messages\n`,
        );
      } finally {
        await metrics?.close();
        await svc.stop();
        await bus.close();
        await store.close();
      }
    });
  busOptions(cmd, false, true);
  configFlags(cmd, { featureStore: 'runtime.services.featureStore' });
}

/** `decide --bus`: the decide service (decide.ts registers the command). */
export async function runDecideService(
  cfg: ScalperConfig,
  o: BusFlags & { products?: string[] },
): Promise<void> {
  const log = componentLogger('decide');
  const pool = cfg.decide.workers > 0 ? new WorkerPool({ size: cfg.decide.workers }) : undefined;
  const setup = setupOf(cfg, log, pool);
  const model = await openModel(cfg.llm, log);
  const bus = await openBus(o, cfg, 'decide');
  const ctl = endOnSignals();
  let metrics: ServiceMetrics | null = null;
  const svc = new DecideService({
    bus,
    tier1: setup.tier1,
    pipeline: setup.pipeline,
    llm: model.llm,
    products: o.products,
    logger: log,
  });
  try {
    await svc.start();
    metrics = await serveMetrics(o.port, {
      name: 'decide',
      subscriptions: () => svc.subscriptions(),
      counts: () => ({ decisions: svc.decisions }),
      unhealthy: () => busDown(bus),
    });
    const ended = await untilEnded(svc.ended, ctl.signal);
    process.stdout.write(`decide ${ended ? 'reached the end' : 'stopped'}: ${n(svc.decisions)} decisions\n`);
  } finally {
    await metrics?.close();
    await svc.stop();
    await bus.close();
    await pool?.close();
    await model.close();
  }
}

/** The stage latencies as lines: p50 / p99 / max, ms. */
function latencyLines(svc: ExecuteService): string[] {
  const f = (x: { p50: number; p99: number; max: number }) =>
    `${x.p50.toFixed(3)} / ${x.p99.toFixed(3)} / ${x.max.toFixed(3)}`;
  const lines: string[] = [];
  for (const [what, l] of [
    ['grid seconds acted on', svc.secondLatency],
    ['decisions that sent orders', svc.latency],
  ] as const) {
    const s = l.summary();
    if (s.count === 0) continue;
    lines.push(
      `latency of the ${n(s.count)} ${what}, ms p50 / p99 / max:`,
      `  featurize      ${f(s.featurize)}  (the second's last record on the bus → its triggers on the bus)`,
      `  decide         ${f(s.decide)}  (→ its decisions on the bus)`,
      `  execute        ${f(s.execute)}  (→ acted on, the order sent)`,
      `  tick-to-order  ${f(s.tickToOrder)}`,
    );
  }
  return lines;
}

/** What execute writes at a replay's end. */
function writeOutputs(svc: ExecuteService, out: string, stats?: string): void {
  for (const line of latencyLines(svc)) process.stdout.write(`${line}\n`);
  if (stats !== undefined) {
    const json = { seconds: svc.secondLatency.summary(), orders: svc.latency.summary() };
    writeFileSync(stats, `${JSON.stringify(json, null, 2)}\n`);
  }
  writeRunFiles(out, svc.trader, svc.decisions, tradesOf(svc.trader), null);
  for (const line of summaryLines(summarizeDecisions(svc.decisions))) process.stdout.write(`  ${line}\n`);
  for (const line of executionLines(executionSummary(svc.trader, svc.decisions)))
    process.stdout.write(`  ${line}\n`);
  process.stdout.write(
    `wrote ${join(out, 'orders.csv')}, fills.csv, trades.csv, equity.csv, decisions.jsonl\n`,
  );
}

/** Registers `execute`. */
export function registerExecute(program: Command): void {
  const cmd = program
    .command('execute')
    .description(summary('execute'))
    .option(
      '--out <dir>',
      'folder of orders.csv, fills.csv, trades.csv, equity.csv, decisions.jsonl (default a new session folder)',
    )
    .option(
      '--stats <file>',
      'write the stage latencies (every grid second; the decisions that sent orders) as JSON',
    )
    .action(async (o: BusFlags & { out?: string; stats?: string }, self: Command) => {
      const cfg = runOf(self).config;
      const log = componentLogger('execute');
      const setup = setupOf(cfg, log);
      const history = await openHistory(cfg, log);
      const bus = await openBus(o, cfg, 'execute');
      const ctl = endOnSignals();
      let metrics: ServiceMetrics | null = null;
      const svc = new ExecuteService({
        bus,
        execution: setup.execution,
        decisionLatencyMs: setup.loop?.decisionLatencyMs,
        history,
        logger: log,
      });
      try {
        await svc.start();
        metrics = await serveMetrics(o.port, {
          name: 'execute',
          subscriptions: () => svc.subscriptions(),
          counts: () => ({
            records: svc.records,
            decisions: svc.decisions.length,
            orders: svc.trader.orderCount,
            fills: svc.trader.fillCount,
          }),
          stages: () => {
            const x = svc.secondLatency.summary();
            return {
              featurize: x.featurize,
              decide: x.decide,
              execute: x.execute,
              tick_to_order: x.tickToOrder,
            };
          },
          unhealthy: () => busDown(bus),
        });
        const ended = await untilEnded(svc.ended, ctl.signal);
        process.stdout.write(
          `execute ${ended ? 'reached the end' : 'stopped'}: ${n(svc.records)} records, ${n(svc.decisions.length)} decisions, ${n(svc.trader.orderCount)} orders, ${n(svc.trader.fillCount)} fills\n`,
        );
        const out =
          o.out !== undefined
            ? outputFolder(o.out)
            : sessionFolder(cfg.runtime.dataDir, 'execute', Date.now());
        writeOutputs(svc, out, o.stats);
      } finally {
        await metrics?.close();
        await svc.stop();
        await bus.close();
        await history?.close();
      }
    });
  busOptions(cmd, false, true);
}

/** Registers `run`. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(summary('run'))
    .argument('<files...>', 'DBN files or folders of them, merged by ts_recv')
    .option(
      '--out <dir>',
      'folder of orders.csv, fills.csv, trades.csv, equity.csv, decisions.jsonl (default a new session folder)',
    )
    .option('--speed <x>', 'replay at x times real time (default 0: as fast as it goes)', nonNegativeNumber)
    .option(
      '--stats <file>',
      'write the stage latencies (every grid second; the decisions that sent orders) as JSON',
    )
    .option(
      '--dashboard',
      'serve the web dashboard of the run (runtime.dashboard); its controls pace the replay',
    )
    .option('--dashboard-port <n>', 'port of the dashboard (default 9465; 0: any free port)', nonNegativeInt)
    .action(
      async (
        paths: string[],
        o: BusFlags & { out?: string; speed?: number; stats?: string },
        self: Command,
      ) => {
        const cfg = runOf(self).config;
        const log = componentLogger('run');
        const { files } = await commandInputs(paths, {});
        const setup = setupOf(cfg, log);
        const model = await openModel(cfg.llm, log);
        const history = await openHistory(cfg, log);
        const bus = await openBus(o, cfg, 'run', true);
        const featurize = new FeaturizeService({ bus, loop: setup.loop, logger: log });
        const decide = new DecideService({
          bus,
          tier1: setup.tier1,
          pipeline: setup.pipeline,
          llm: model.llm,
          logger: log,
        });
        // With the dashboard, the replay is paced by a clock its controls move.
        const watched = cfg.runtime.dashboard.enabled ? await import('./dashboard.js') : null;
        const clock = watched === null ? undefined : new ReplayClock(o.speed ?? 0);
        const view =
          watched === null || clock === undefined ? null : watched.servicesView(setup.execution, clock);
        const execute = new ExecuteService({
          bus,
          execution: setup.execution,
          decisionLatencyMs: setup.loop?.decisionLatencyMs,
          history,
          logger: log,
          ...(view === null ? {} : { watch: view.session.watch }),
        });
        view?.session.attach(featurize, execute);
        const ctl = endOnSignals();
        let dashboard: { close(): Promise<void> } | null = null;
        try {
          if (view !== null && watched !== null) {
            const server = await watched.servicesDashboard(view, cfg, log);
            dashboard = server;
            process.stderr.write(`${watched.dashboardLine(server)}\n`);
          }
          await featurize.start();
          await decide.start();
          await execute.start();
          const t0 = performance.now();
          const ingest = await ingestFiles({
            bus,
            files,
            speed: o.speed,
            clock,
            signal: ctl.signal,
            logger: log,
          });
          const ended = await untilEnded(
            Promise.all([featurize.ended, decide.ended, execute.ended]).then(() => {}),
            ctl.signal,
          );
          const s = (performance.now() - t0) / 1000;
          process.stdout.write(
            `run ${ended ? 'done' : 'stopped'}: ${n(ingest.records)} records through ingest, featurize, decide and execute in ${s.toFixed(1)} s; ${n(execute.decisions.length)} decisions, ${n(execute.trader.orderCount)} orders, ${n(execute.trader.fillCount)} fills\n`,
          );
          const out =
            o.out !== undefined ? outputFolder(o.out) : sessionFolder(cfg.runtime.dataDir, 'run', Date.now());
          writeOutputs(execute, out, o.stats);
        } finally {
          await dashboard?.close();
          await Promise.all([featurize.stop(), decide.stop(), execute.stop()]);
          await bus.close();
          await history?.close();
          await model.close();
        }
      },
    );
  busOptions(cmd, true);
  configFlags(cmd, { dashboard: 'runtime.dashboard.enabled', dashboardPort: 'runtime.dashboard.port' });
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
