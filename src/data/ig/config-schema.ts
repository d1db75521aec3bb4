/**
 * The `ig:` section of the configuration (optional: only IG trading and data need it): which IG
 * environment to reach, how to log in, the request allowances to keep within, the streaming
 * link's timings, and each traded market's epic with its mapping to the engine's instrument and
 * price units. The API key, identifier and password are never configuration: they are read from
 * `IG_API_KEY`, `IG_IDENTIFIER` and `IG_PASSWORD` when the client is made.
 */
import * as z from 'zod/mini';
import { nonNegInt, posInt } from '../../core/schema/index.js';

/** The environment variables the credentials are read from. */
export const IG_ENV_VARS = Object.freeze({
  apiKey: 'IG_API_KEY',
  identifier: 'IG_IDENTIFIER',
  password: 'IG_PASSWORD',
});

/** IG's gateways (labs.ig.com REST trading guide). */
export const IG_BASE_URLS = Object.freeze({
  demo: 'https://demo-api.ig.com/gateway/deal',
  live: 'https://api.ig.com/gateway/deal',
});

const NON_EMPTY = z.string().check(z.minLength(1));
const POSITIVE_INT = z.number().check(z.int(), z.positive());

/** One market traded through IG. */
export const IgMarketSchema = z.strictObject({
  /** IG's epic, e.g. `CS.D.EURUSD.MINI.IP`. */
  epic: z.string().check(z.regex(/^[A-Za-z0-9._-]+$/, 'expected an IG epic such as CS.D.EURUSD.MINI.IP')),
  /** The engine's instrument id for it. */
  instrumentId: z.number().check(z.int(), z.nonnegative()),
  /**
   * The instrument's name in the engine, as IG's price files name it (`EUR/USD`); default: the pair
   * an FX epic carries (`CS.D.EURUSD.MINI.IP` → `EUR/USD`), else the epic itself.
   */
  symbol: z.optional(NON_EMPTY),
  /**
   * Raw 1e-9 units in one IG point: 100000 when IG quotes EUR/USD as 10812.5 (scaling factor
   * 10,000; see `GET /markets/{epic}` snapshot.scalingFactor), 1000000000 for a decimal quote.
   */
  pointRaw: POSITIVE_INT,
  /** The instrument's tick in raw units (EUR/USD at IG: 0.00001 = 10000). */
  tickRaw: POSITIVE_INT,
  /** `-` for CFDs, `DFB` for daily spread bets. */
  expiry: z._default(NON_EMPTY, '-'),
  /** The deal currency (`instrument.currencies` of the market). */
  currencyCode: z._default(
    z.string().check(z.regex(/^[A-Z]{3}$/, 'expected a currency code such as USD')),
    'USD',
  ),
  /** Engine quantity in one IG size unit (1: engine quantities are IG lots). */
  quantityPerSize: posInt(1),
});
export type IgMarket = z.output<typeof IgMarketSchema>;

/** The engine's name of an IG market: its `symbol`, else the FX pair of its epic, else the epic. */
export function igMarketSymbol(m: Pick<IgMarket, 'epic' | 'symbol'>): string {
  if (m.symbol !== undefined) return m.symbol;
  const fx = /^[A-Z]{2}\.D\.([A-Z]{3})([A-Z]{3})\./.exec(m.epic);
  return fx === null ? m.epic : `${fx[1]}/${fx[2]}`;
}

export const IgConfigSchema = z.strictObject({
  /** `demo` or `live`: picks IG's gateway. */
  environment: z._default(z.enum(['demo', 'live']), 'demo'),
  /** Another gateway address (overrides `environment`). */
  baseUrl: z.optional(z.url({ protocol: /^https?$/ })),
  /** Login version: 2 (CST and X-SECURITY-TOKEN) or 3 (OAuth, refreshed). */
  login: z._default(z.literal([2, 3]), 2),
  /** The account to trade (default: the one IG logs into). */
  accountId: z.optional(NON_EMPTY),
  /** Requests per minute the client keeps within (IG: My Account → API shows the account's). */
  allowances: z.prefault(
    z.strictObject({
      /** Everything but dealing (IG: 30 a minute per account). */
      nonTradingPerMinute: posInt(30),
      /** Dealing: opening, closing, working orders (IG: 60 a minute per account, some say 100). */
      tradingPerMinute: posInt(60),
    }),
    {},
  ),
  /** A REST call unanswered after this long fails, ms. */
  timeoutMs: posInt(10_000),
  /** A deal not confirmed on the stream within this long is looked up with `GET /confirms`, ms. */
  confirmFallbackMs: posInt(1_000),
  /** The streaming link (Lightstreamer). */
  stream: z.prefault(
    z.strictObject({
      /**
       * Pause before reconnecting after a failed attempt, ms. Lightstreamer's client also gives a new
       * WebSocket this long to open before it falls back to HTTP for the session.
       */
      retryDelayMs: posInt(4_000),
      /** Silence after which the link is STALLED, ms. */
      stalledTimeoutMs: posInt(2_000),
      /** Silence after a stall before the link is dropped and reopened, ms. */
      reconnectTimeoutMs: posInt(3_000),
      /** How long the client tries to resume a dropped session before opening a new one, ms (0: never). */
      sessionRecoveryTimeoutMs: nonNegInt(15_000),
    }),
    {},
  ),
  /** The markets traded. */
  markets: z._default(z.array(IgMarketSchema), []),
});

/** A validated `ig:` section. */
export type IgConfig = z.output<typeof IgConfigSchema>;
export type IgConfigInput = z.input<typeof IgConfigSchema>;
