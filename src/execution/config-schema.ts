/**
 * Configuration of the execution layer (the `execution:` section of a configuration file),
 * validated with zod: how an approved decision becomes orders, the risk limits, the windows in
 * which no new risk is taken, what toxicity does to open positions, and the paper broker's queue,
 * latency and fee models. Every value has a documented default; a bad value is a `ConfigError`
 * naming the field and the source. This module holds the schema alone (what the `scalper`
 * configuration loads); `config.ts` adds the defaults and parsers.
 */
import * as z from 'zod/mini';
import { FX_SESSION_NAMES } from '../core/index.js';
import { flag, nonNeg, pos, posInt, unit } from '../core/schema/index.js';

const NON_EMPTY = z.string().check(z.minLength(1));
const HHMM = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM'));

/** Per-contract, per-side fees of a futures product, USD (fees.ts has the sources of the defaults). */
const contractFees = (exchange: number, regulatory: number, broker: number) =>
  z.prefault(
    z.strictObject({
      exchange: nonNeg(exchange),
      clearing: nonNeg(0),
      regulatory: nonNeg(regulatory),
      broker: nonNeg(broker),
    }),
    {},
  );

/** A daily window in a time zone, on some weekdays (0 = Sunday), in which no new risk is taken. */
const NoTradeWindow = z.strictObject({
  from: HHMM,
  to: HHMM,
  zone: z._default(NON_EMPTY, 'America/Chicago'),
  /** Weekdays the window applies on, 0 = Sunday … 6 = Saturday; all when absent. */
  days: z.optional(z.array(z.number().check(z.int(), z.gte(0), z.lte(6))).check(z.minLength(1))),
  /** What a rejection says (a news release, the CME break …). */
  reason: z._default(NON_EMPTY, 'no-trade window'),
});
export type NoTradeWindow = z.output<typeof NoTradeWindow>;

/** How a FIX counterparty names one of our instruments (src/execution/fix/wire.ts). */
const FixSymbology = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Symbol(55) + MaturityMonthYear(200) + SecurityExchange(207). */
    kind: z.literal('symbol'),
    symbol: NON_EMPTY,
    /** YYYYMM, YYYYMMDD or YYYYMMwN. */
    maturityMonthYear: z
      .string()
      .check(z.regex(/^\d{6}(\d{2}|w[1-5])?$/, 'expected YYYYMM, YYYYMMDD or YYYYMMwN')),
    securityExchange: NON_EMPTY,
  }),
  z.strictObject({
    /** SecurityID(48) + SecurityIDSource(22), with a Symbol(55) when the counterparty wants one. */
    kind: z.literal('security-id'),
    securityId: NON_EMPTY,
    securityIdSource: NON_EMPTY,
    symbol: z.optional(NON_EMPTY),
  }),
]);

/** A FIX 4.4 order-entry session (src/execution/fix): where, who, and how instruments are named. */
const FixSection = z.strictObject({
  host: NON_EMPTY,
  port: z.number().check(z.int(), z.gte(1), z.lte(65_535)),
  senderCompId: NON_EMPTY,
  targetCompId: NON_EMPTY,
  /** HeartBtInt(108), seconds. */
  heartbeatSeconds: posInt(30),
  username: z.optional(NON_EMPTY),
  password: z.optional(NON_EMPTY),
  /** Account(1) on every order and request. */
  account: NON_EMPTY,
  /** Where the session's sequence numbers are kept across restarts. */
  storeDirectory: z._default(NON_EMPTY, 'var/fix'),
  /** Our instrument id (as a key) → how this counterparty names it. */
  symbology: z
    .record(z.string().check(z.regex(/^\d+$/, 'expected an instrument id')), FixSymbology)
    .check(z.refine((r) => Object.keys(r).length > 0, 'at least one instrument')),
  /** Waits before reconnecting: initialMs, times factor per failed attempt, at most maxMs. */
  reconnect: z.prefault(
    z
      .strictObject({
        initialMs: posInt(500),
        maxMs: posInt(30_000),
        factor: z._default(z.number().check(z.gte(1)), 2),
      })
      .check(z.refine((b) => b.maxMs >= b.initialMs, 'maxMs must be at least initialMs')),
    {},
  ),
  /** How long to wait for the Logon answer and for the venue's state, ms. */
  timeoutMs: posInt(10_000),
});
export type FixSection = z.output<typeof FixSection>;

export const ExecutionConfigSchema = z.strictObject({
  /**
   * What a decision is traded on: `future`, the CME future it was taken on, or `spot`, that
   * future's spot pair (6E → EUR/USD, 6B → GBP/USD, 6J → USD/JPY, sold where the yen future is
   * bought), as IG trades it. Decisions are taken on the futures' depth and trades either way; on
   * `spot` the bracket's prices move by the basis between the two, sizes become lots of 100,000 of
   * the pair's base currency, and the spot quotes must be in the feed. `scalper live --venue ig`
   * trades `spot`.
   */
  tradeOn: z._default(z.enum(['future', 'spot']), 'future'),
  /** How an approved decision enters. */
  entry: z.prefault(
    z.strictObject({
      /** `market`, or `limit` at the first price `limitAt` names that the decision has. */
      type: z._default(z.enum(['market', 'limit']), 'market'),
      /**
       * Where a limit entry goes, in order of preference: the market-making analyst's passive price,
       * the best setup's entry; without either it joins the best bid (buy) or offer (sell).
       */
      limitAt: z._default(z.array(z.enum(['passive', 'setup'])).check(z.minLength(1)), ['passive', 'setup']),
      /** A limit entry not filled within this many ms is cancelled (it expires, GTT). */
      expireMs: posInt(30_000),
    }),
    {},
  ),
  /** Where the bracket's stop and target go, and how long a position may live. */
  exits: z.prefault(
    z.strictObject({
      /** Without a setup's stop: this many ATRs (atr_7) from the entry. */
      stopAtr: pos(1.5),
      /** Without a setup's target: this many ATRs from the entry. */
      targetAtr: pos(2),
      /** Stops and targets at least this many ticks from the entry (also when ATR is unknown). */
      minTicks: posInt(4),
      /** A position still open this long after its entry filled is closed at the market, ms (scalping: 5 min). */
      timeStopMs: posInt(300_000),
    }),
    {},
  ),
  /** Flat before the CME daily break (16:00 Chicago) and the weekend (Friday's close). */
  flat: z.prefault(
    z.strictObject({
      /** Minutes before the daily break at which working orders are cancelled and positions closed (0: off). */
      beforeBreakMin: nonNeg(5),
      /** Minutes before Friday's close and any longer closure: a CME holiday, an early halt (0: off). */
      beforeWeekendMin: nonNeg(15),
    }),
    {},
  ),
  /** Pre-trade risk limits: an order that breaks one is refused with its reason code. */
  risk: z.prefault(
    z.strictObject({
      /** Largest single order, contracts (lots for spot). */
      maxOrderSize: posInt(10),
      /** Largest |position| per instrument. */
      maxPosition: posInt(10),
      /** Largest Σ |position| over instruments. */
      maxGrossPosition: posInt(20),
      /** Orders in any 60 s. */
      maxOrdersPerMinute: posInt(30),
      /** The day's P&L at or below −this (USD): no new risk for the rest of the day. */
      dailyLossLimit: pos(2_000),
      /** Equity this far below the day's high (USD): no new risk for the rest of the day. */
      maxDrawdown: pos(3_000),
      /** Market data older than this is stale, ms. */
      staleAfterMs: posInt(5_000),
      /** Widest spread at which new risk is taken, ticks (of a future). */
      maxSpreadTicks: pos(4),
      /** Widest spread of a spot pair (IG) at which new risk is taken, pips (0.0001; 0.01 for JPY). */
      maxSpotSpreadPips: pos(2),
      /** VPIN CDF at or above which new risk is vetoed. */
      toxicityVeto: unit(0.95),
      /** FX sessions in which new risk may be taken (calendar.ts); all when absent. */
      sessions: z.optional(z.array(z.enum(FX_SESSION_NAMES)).check(z.minLength(1))),
      /** Daily windows without new risk (news, the minutes around the CME break). */
      noTradeWindows: z._default(z.array(NoTradeWindow), [
        { from: '15:55', to: '17:05', zone: 'America/Chicago', reason: 'the CME daily break' },
      ]),
      /**
       * An economic-calendar CSV (`ts,currency,event,minutes_before,minutes_after`,
       * core/economic-calendar.ts): no new risk on an instrument of a release's currency inside
       * the release's window. None when absent.
       */
      economicCalendar: z.optional(NON_EMPTY),
      /** When market data is trusted (src/book/feed-health.ts): no new risk while it is not. */
      feed: z.prefault(
        z.strictObject({
          /**
           * What a jump in `sequence` means: `channel` (Databento CME: one counter per channel, so a
           * stream of some instruments skips numbers; only a step back is evidence), `contiguous`
           * (each instrument numbered on its own: a jump is a gap) or `none`.
           */
          sequence: z._default(z.enum(['channel', 'contiguous', 'none']), 'channel'),
          /** No record of an instrument for this long while Globex is open: the feed is stale, ms. */
          staleAfterMs: posInt(5_000),
          /** MBO books are trusted only once a snapshot built them. */
          requireSnapshot: flag(true),
          /** A crossed or locked book untrusts its instrument until it uncrosses. */
          crossedUntrusts: flag(true),
        }),
        {},
      ),
    }),
    {},
  ),
  /** What a risk-off flag or a sweep alert from the toxicity analyst does to open positions. */
  toxicity: z.prefault(
    z.strictObject({
      /** `flatten`: close at the market; `tighten`: move stops to `tightenTicks` from the price; `hold`: nothing. */
      policy: z._default(z.enum(['flatten', 'tighten', 'hold']), 'tighten'),
      tightenTicks: posInt(2),
    }),
    {},
  ),
  /** The paper broker (backtests, the demo, paper trading). */
  paper: z.prefault(
    z.strictObject({
      /** Queue model of resting orders on MBP data (MBO data is always exact FIFO). */
      queue: z._default(z.enum(['risk-averse', 'power', 'log']), 'risk-averse'),
      /** Exponent of the power queue model. */
      queuePower: pos(2),
      latency: z.prefault(
        z.strictObject({
          /** `constant` delays, or the `feed`'s own recorded ts_recv − ts_event (with `floorMs`). */
          kind: z._default(z.enum(['constant', 'feed']), 'constant'),
          entryMs: nonNeg(5),
          modifyMs: nonNeg(5),
          cancelMs: nonNeg(5),
          ackMs: nonNeg(5),
          floorMs: nonNeg(1),
        }),
        {},
      ),
      /** Share of its level our resting order may reach before reports warn of it. */
      largeShare: unit(0.5),
    }),
    {},
  ),
  /** A FIX 4.4 broker, when one is used. */
  fix: z.optional(FixSection),
  /** Costs. */
  fees: z.prefault(
    z.strictObject({
      /** CME futures, per contract per side (defaults: fees.ts, with their sources). */
      futures: z.prefault(
        z.strictObject({
          '6E': contractFees(1.6, 0.02, 0.85),
          '6B': contractFees(1.6, 0.02, 0.85),
          '6J': contractFees(1.6, 0.02, 0.85),
        }),
        {},
      ),
      /** IG spot FX. */
      spot: z.prefault(
        z.strictObject({
          /** Pips added to each fill when the quotes do not hold the broker's spread. */
          markupPips: nonNeg(0),
          /** Pips by which market and stop fills are worse than the quote. */
          slippagePips: nonNeg(0.2),
          /** IG's admin fee on positions held overnight, % a year. */
          adminPct: nonNeg(0.8),
          /** Interest differential credited to longs, % a year (shorts pay it). */
          tomNextPct: z._default(z.number(), 0),
          /** Smallest deal, lots (IG's dealingRules.minDealSize for the epic). */
          minLots: posInt(1),
        }),
        {},
      ),
    }),
    {},
  ),
  /**
   * What happens when, on start or after a reconnect, the venue's positions or working orders are
   * not ours: `wait` (no new orders until the trader decides), `adopt` (ours become the venue's) or
   * `flatten` (the venue's orders cancelled and its positions closed at the market).
   */
  reconcile: z._default(z.enum(['wait', 'adopt', 'flatten']), 'wait'),
});

/** Validated execution parameters. */
export type ExecutionConfig = z.output<typeof ExecutionConfigSchema>;
/** What a configuration file may contain (every field optional). */
export type ExecutionConfigInput = z.input<typeof ExecutionConfigSchema>;
