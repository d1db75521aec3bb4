/**
 * The `runtime:` configuration section: where paper and live sessions keep their state and
 * recordings, how they end, and how they are watched and stopped. Importing it loads no feed,
 * broker or server.
 */
import * as z from 'zod/mini';
import { flag, nonNeg, posInt } from '../core/schema/index.js';

/** The environment variable holding the token the control endpoint asks for (never in a file). */
export const CONTROL_TOKEN_ENV = 'SCALPER_CONTROL_TOKEN';

const NON_EMPTY = z.string().check(z.minLength(1));

/** Where a session's records can come from. */
export const FEED_KINDS = ['files', 'databento', 'ig'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export const RuntimeConfigSchema = z.strictObject({
  /** The data folder: the state store, the kill file and one folder per session (recordings, journals). */
  dataDir: z._default(NON_EMPTY, 'scalper-data'),
  /**
   * Where a session's records come from: `files` (DBN files replayed at `speed`), `databento` (the
   * live gateway, `databento` below) or `ig` (IG's streaming prices of `ig.markets`); the live
   * feeds combine (`[databento, ig]`: futures depth beside spot quotes). Default: `files` for
   * `scalper paper` given files; for `scalper live` the venue's (FIX: databento; IG: ig).
   */
  feeds: z.optional(z.array(z.enum(FEED_KINDS)).check(z.minLength(1))),
  /** A replayed feed's pace: multiple of real time (0: as fast as the files are read). */
  speed: nonNeg(1),
  /** Close every position at the end of a session (else working orders are cancelled, positions kept). */
  flattenOnStop: flag(false),
  /** How long the end of a session waits for the broker to confirm its cancels and closes, ms. */
  stopGraceMs: posInt(5_000),
  /** The status line's refresh on a terminal, ms. */
  statusEveryMs: posInt(1_000),
  /** A file whose appearance pulls the kill switch (default `<dataDir>/KILL`); its text is the reason. */
  killFile: z.optional(NON_EMPTY),
  /**
   * The engine as services (`scalper run`, `ingest`, `featurize`, `decide --bus`, `execute`): the
   * adapters they use. Connection URLs come from the environment: SCALPER_NATS_URL (default
   * nats://127.0.0.1:4222), SCALPER_REDIS_URL (redis://127.0.0.1:6379), SCALPER_PG_URL
   * (postgres://127.0.0.1:5432/test).
   */
  services: z.prefault(
    z.strictObject({
      /** The bus of `scalper run`: `memory` (one process) or `nats` (JetStream); the others use NATS. */
      bus: z._default(z.enum(['memory', 'nats']), 'memory'),
      /** The JetStream stream of a run: one per replay, as a restarted service reads it again from the start. */
      stream: z._default(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/)), 'SCALPER'),
      /** Where featurize keeps the latest snapshot of each instrument: `memory` or `redis`. */
      featureStore: z._default(z.enum(['memory', 'redis']), 'memory'),
      /** Where execute keeps orders, fills and decisions: `none` or `postgres`. */
      history: z._default(z.enum(['none', 'postgres']), 'none'),
      /** The PostgreSQL schema of that history (default the server's search path). */
      historySchema: z.optional(z.string().check(z.regex(/^[a-z_][a-z0-9_]*$/))),
    }),
    {},
  ),
  /**
   * The HTTP endpoint: Prometheus metrics (`/metrics`), readiness (`/health`), the status (`/status`)
   * and the kill switch (`POST /kill`, with the token in SCALPER_CONTROL_TOKEN). Port 0: no endpoint.
   */
  http: z.prefault(
    z.strictObject({
      host: z._default(NON_EMPTY, '127.0.0.1'),
      port: z._default(z.number().check(z.int(), z.gte(0), z.lte(65_535)), 9464),
    }),
    {},
  ),
  /**
   * The web dashboard (`scalper serve`; `--dashboard` on `paper`, `live`): where it listens and how
   * often it updates the page. Its controls (pause, kill, replay speed and seeking) take the token in
   * SCALPER_CONTROL_TOKEN; without it the page is read-only.
   */
  dashboard: z.prefault(
    z.strictObject({
      /** Serve the dashboard beside a paper or live session (`scalper serve` always does). */
      enabled: flag(false),
      host: z._default(NON_EMPTY, '127.0.0.1'),
      port: z._default(z.number().check(z.int(), z.gte(0), z.lte(65_535)), 9465),
      /** Updates a second at most (the page never gets one per market event). */
      updateHz: z._default(z.number().check(z.gt(0), z.lte(60)), 10),
    }),
    {},
  ),
  /**
   * Databento's live gateway as the feed (`scalper live`, `scalper paper --feed databento`): the
   * dataset, the symbols and schemas subscribed; the key comes from DATABENTO_API_KEY.
   */
  databento: z.prefault(
    z.strictObject({
      dataset: z._default(NON_EMPTY, 'GLBX.MDP3'),
      /** Raw symbols (`6EZ6`), or parents (`6E.FUT`) with `stypeIn: parent`. */
      symbols: z._default(z.array(NON_EMPTY), []),
      stypeIn: z._default(z.enum(['raw_symbol', 'parent', 'continuous', 'instrument_id']), 'raw_symbol'),
      schemas: z._default(
        z.array(z.enum(['mbp-10', 'mbo', 'trades', 'mbp-1', 'definition'])).check(z.minLength(1)),
        ['mbp-10', 'trades'],
      ),
      /** `host:port` of the gateway (default: the dataset's own). */
      gateway: z.optional(NON_EMPTY),
    }),
    {},
  ),
  /** Record what the session saw (the feed as DBN files, decisions, orders, fills) in its folder. */
  record: flag(true),
});

export type RuntimeConfig = z.output<typeof RuntimeConfigSchema>;
