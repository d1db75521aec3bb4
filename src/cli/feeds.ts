/**
 * The live feeds of `scalper paper --feed …` and `scalper live`: Databento's gateway
 * (`runtime.databento`), IG's streaming prices (`ig.markets`), or both together (futures depth
 * beside spot quotes). What each needs (symbols, markets, keys in the environment) is checked
 * before anything connects, and each problem names its configuration path or variable.
 */
import { FeedHealth } from '../book/index.js';
import { type Clock, ConfigError, type Logger, wallClock } from '../core/index.js';
import { credentialsFromEnv, IgRest } from '../data/ig/index.js';
import { feedHealthOptions } from '../execution/index.js';
import {
  combinedFeed,
  DatabentoFeed,
  type Feed,
  type FeedKind,
  IgFeed,
  type RecordedStream,
} from '../runtime/index.js';
import type { ScalperConfig } from './config.js';

/** The dataset IG's quotes are recorded under (CONVENTIONS.md: `ig-fx-*.mbp-1` files). */
const IG_DATASET = 'IG.FX';

export interface LiveFeeds {
  readonly feed: Feed;
  /** The feed's name in the state store: `databento`, `ig`, `databento+ig`. */
  readonly name: string;
  /** What its recording keeps, stream by stream. */
  readonly streams: RecordedStream[];
  /** The feed-health monitor the feeds tell of drops (the session's). */
  readonly health: FeedHealth;
  /** Lets go of what the feeds opened (an IG session they logged in). */
  close(): void;
}

/** The feeds a session takes: the configured ones, else `fallback`. */
export function feedKinds(cfg: ScalperConfig, fallback: readonly FeedKind[]): readonly FeedKind[] {
  return cfg.runtime.feeds ?? fallback;
}

/** Throws a `ConfigError` naming what is missing for `kinds` to run. */
export function checkLiveFeeds(kinds: readonly FeedKind[], cfg: ScalperConfig): void {
  for (const k of kinds) {
    if (k === 'files')
      throw new ConfigError(
        'runtime.feeds: files are replayed on their own clock and cannot run beside a live feed (databento, ig)',
      );
    if (k === 'databento') {
      if (cfg.runtime.databento.symbols.length === 0)
        throw new ConfigError(
          'runtime.databento.symbols: the symbols to subscribe to (6EZ6, or 6E.FUT with stypeIn: parent) are needed for the Databento feed',
        );
      if ((process.env.DATABENTO_API_KEY ?? '') === '')
        throw new ConfigError('DATABENTO_API_KEY is not set: the Databento feed needs the API key');
    }
    if (k === 'ig') {
      if (cfg.ig === undefined || cfg.ig.markets.length === 0)
        throw new ConfigError(
          'ig.markets: the IG feed needs the markets to stream (epic, instrumentId, pointRaw, tickRaw)',
        );
      credentialsFromEnv();
    }
  }
}

/**
 * The live feeds `kinds` as one feed, stopped by `signal`; an IG feed logs in with `igRest` when
 * given (the IG broker's own session), else with a session of its own.
 */
export function liveFeeds(
  kinds: readonly FeedKind[],
  cfg: ScalperConfig,
  o: { readonly signal: AbortSignal; readonly log: Logger; readonly clock?: Clock; readonly igRest?: IgRest },
): LiveFeeds {
  checkLiveFeeds(kinds, cfg);
  const clock = o.clock ?? wallClock;
  const health = new FeedHealth(feedHealthOptions(cfg.execution));
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (o.signal.aborted) stop.abort();
  else o.signal.addEventListener('abort', abort, { once: true });
  const feeds: Feed[] = [];
  const streams: RecordedStream[] = [];
  let ownRest: IgRest | null = null;
  for (const k of new Set(kinds)) {
    if (k === 'ig') {
      const ig = cfg.ig as NonNullable<ScalperConfig['ig']>;
      const rest = o.igRest ?? IgRest.fromConfig(ig);
      if (o.igRest === undefined) ownRest = rest;
      feeds.push(
        new IgFeed({
          rest,
          markets: ig.markets,
          stream: ig.stream,
          health,
          signal: stop.signal,
          clock,
          onEvent: (e) => {
            if (e.type === 'problem') o.log.warn({ problem: e.message }, 'ig feed');
            else if (e.type === 'link') o.log.info({ link: e.link.status }, 'ig feed');
            else o.log.info({ epic: e.epic, state: e.state }, 'ig market state');
          },
        }),
      );
      // First: a Databento mbp-1 stream names no instruments and would take IG's quotes too.
      streams.unshift({
        dataset: IG_DATASET,
        schema: 'mbp-1',
        instrumentIds: ig.markets.map((m) => m.instrumentId),
      });
    } else if (k === 'databento') {
      const db = cfg.runtime.databento;
      feeds.push(
        new DatabentoFeed({
          health,
          live: { dataset: db.dataset, ...(db.gateway !== undefined ? { gateway: db.gateway } : {}) },
          subscriptions: db.schemas.map((schema) => ({ schema, symbols: db.symbols, stypeIn: db.stypeIn })),
          signal: stop.signal,
          clock,
          onEvent: (e) => {
            if (e.type !== 'heartbeat') o.log.info({ event: e.type }, 'databento');
          },
        }),
      );
      streams.push(...db.schemas.map((schema) => ({ dataset: db.dataset, schema })));
    }
  }
  return {
    feed: combinedFeed(feeds, stop),
    name: [...new Set(kinds)].sort().join('+'),
    streams,
    health,
    close: () => {
      o.signal.removeEventListener('abort', abort);
      ownRest?.close();
    },
  };
}
