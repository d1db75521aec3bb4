/**
 * The shapes of IG's REST answers and streamed trade messages (zod/mini), as the clients check
 * them: only the fields the engine reads are required; IG adds fields over time and those pass
 * through. Field names are IG's (labs.ig.com REST reference).
 */
import * as z from 'zod/mini';

const str = z.string();
const num = z.number();
const optStr = z.optional(z.nullable(z.string()));
const optNum = z.optional(z.nullable(z.number()));
/** BUY or SELL. */
export const DirectionSchema = z.enum(['BUY', 'SELL']);
export type Direction = z.infer<typeof DirectionSchema>;

/** Login v2 body (the tokens come in the CST and X-SECURITY-TOKEN headers). */
export const SessionV2Schema = z.looseObject({
  currentAccountId: str,
  lightstreamerEndpoint: str,
  accountType: optStr,
  clientId: optStr,
});

/** OAuth tokens of login v3 and of `POST /session/refresh-token`; `expires_in` is seconds, sent as text. */
export const OAuthTokenSchema = z.looseObject({
  access_token: str,
  refresh_token: str,
  token_type: str,
  expires_in: z.union([str, num]),
  scope: optStr,
});
export type OAuthToken = z.infer<typeof OAuthTokenSchema>;

/** Login v3 body. */
export const SessionV3Schema = z.looseObject({
  accountId: str,
  clientId: optStr,
  lightstreamerEndpoint: str,
  oauthToken: OAuthTokenSchema,
});

/** `GET /session` (with or without `fetchSessionTokens`). */
export const SessionDetailsSchema = z.looseObject({
  accountId: str,
  clientId: optStr,
  lightstreamerEndpoint: str,
  currency: optStr,
});

/** `GET /accounts`. */
export const AccountsSchema = z.looseObject({
  accounts: z.array(
    z.looseObject({
      accountId: str,
      accountName: optStr,
      accountType: optStr,
      preferred: z.optional(z.boolean()),
      status: optStr,
      currency: optStr,
      balance: z.optional(
        z.nullable(
          z.looseObject({ balance: optNum, deposit: optNum, profitLoss: optNum, available: optNum }),
        ),
      ),
    }),
  ),
});
export type Account = z.infer<typeof AccountsSchema>['accounts'][number];

/** One market of `GET /markets?searchTerm=`. */
export const MarketSummarySchema = z.looseObject({
  epic: str,
  instrumentName: str,
  instrumentType: optStr,
  expiry: optStr,
  bid: optNum,
  offer: optNum,
  marketStatus: optStr,
  scalingFactor: optNum,
  streamingPricesAvailable: z.optional(z.boolean()),
});
export type MarketSummary = z.infer<typeof MarketSummarySchema>;
export const MarketSearchSchema = z.looseObject({ markets: z.array(MarketSummarySchema) });

const valueUnit = z.optional(z.nullable(z.looseObject({ unit: optStr, value: optNum })));

/** `GET /markets/{epic}`: the instrument, its dealing rules and a snapshot of its prices. */
export const MarketDetailsSchema = z.looseObject({
  instrument: z.looseObject({
    epic: str,
    name: str,
    type: optStr,
    expiry: optStr,
    lotSize: optNum,
    onePipMeans: optStr,
    valueOfOnePip: optStr,
    contractSize: optStr,
    currencies: z.optional(
      z.nullable(z.array(z.looseObject({ code: str, isDefault: z.optional(z.boolean()) }))),
    ),
  }),
  dealingRules: z.looseObject({ minDealSize: valueUnit, minStepDistance: valueUnit }),
  snapshot: z.looseObject({
    marketStatus: str,
    bid: optNum,
    offer: optNum,
    decimalPlacesFactor: optNum,
    scalingFactor: optNum,
    updateTime: optStr,
  }),
});
export type MarketDetails = z.infer<typeof MarketDetailsSchema>;

const bidAsk = z.looseObject({ bid: optNum, ask: optNum, lastTraded: optNum });

/** One bar of `GET /prices/{epic}` (v3). */
export const PriceBarSchema = z.looseObject({
  snapshotTime: str,
  snapshotTimeUTC: optStr,
  openPrice: bidAsk,
  closePrice: bidAsk,
  highPrice: bidAsk,
  lowPrice: bidAsk,
  lastTradedVolume: optNum,
});
export type PriceBar = z.infer<typeof PriceBarSchema>;

/** The historical-data allowance IG sends with every price answer. */
export const AllowanceSchema = z.looseObject({
  remainingAllowance: num,
  totalAllowance: num,
  allowanceExpiry: num,
});
export type Allowance = z.infer<typeof AllowanceSchema>;

/** `GET /prices/{epic}` (v3). */
export const PricesSchema = z.looseObject({
  prices: z.array(PriceBarSchema),
  instrumentType: optStr,
  metadata: z.looseObject({
    allowance: AllowanceSchema,
    size: optNum,
    pageData: z.optional(z.nullable(z.looseObject({ pageSize: num, pageNumber: num, totalPages: num }))),
  }),
});
export type Prices = z.infer<typeof PricesSchema>;

/** `{ dealReference }`: what every dealing call answers. */
export const DealReferenceSchema = z.looseObject({ dealReference: str });

/** One open position of `GET /positions` (v2). */
export const OpenPositionSchema = z.looseObject({
  position: z.looseObject({
    dealId: str,
    dealReference: optStr,
    direction: DirectionSchema,
    size: num,
    level: num,
    currency: optStr,
    createdDateUTC: optStr,
  }),
  market: z.looseObject({ epic: str, expiry: optStr, bid: optNum, offer: optNum, marketStatus: optStr }),
});
export type OpenPosition = z.infer<typeof OpenPositionSchema>;
export const PositionsSchema = z.looseObject({ positions: z.array(OpenPositionSchema) });

/** One working order of `GET /working-orders` (v2). */
export const WorkingOrderSchema = z.looseObject({
  workingOrderData: z.looseObject({
    dealId: str,
    direction: DirectionSchema,
    epic: str,
    orderSize: num,
    orderLevel: num,
    orderType: z.enum(['LIMIT', 'STOP']),
    timeInForce: str,
    goodTillDateISO: optStr,
    currencyCode: optStr,
    createdDateUTC: optStr,
  }),
  marketData: z.optional(z.nullable(z.looseObject({ epic: optStr, bid: optNum, offer: optNum }))),
});
export type WorkingOrder = z.infer<typeof WorkingOrderSchema>;
export const WorkingOrdersSchema = z.looseObject({ workingOrders: z.array(WorkingOrderSchema) });

/**
 * A deal confirmation: `GET /confirms/{dealReference}` and the TRADE stream's CONFIRMS field.
 * `dealStatus` says whether IG took the deal; `reason` why not (`MARKET_CLOSED_WITH_EDITS`, …).
 */
export const ConfirmSchema = z.looseObject({
  dealReference: str,
  dealStatus: z.enum(['ACCEPTED', 'REJECTED']),
  dealId: optStr,
  status: optStr,
  reason: optStr,
  epic: optStr,
  direction: z.optional(z.nullable(DirectionSchema)),
  level: optNum,
  size: optNum,
  date: optStr,
  affectedDeals: z.optional(z.nullable(z.array(z.looseObject({ dealId: str, status: str })))),
});
export type Confirm = z.infer<typeof ConfirmSchema>;

/** An open position update (TRADE stream, OPU). */
export const PositionUpdateSchema = z.looseObject({
  dealReference: optStr,
  dealId: str,
  dealIdOrigin: optStr,
  epic: str,
  direction: DirectionSchema,
  status: z.enum(['OPEN', 'UPDATED', 'DELETED']),
  dealStatus: optStr,
  level: num,
  size: num,
  timestamp: optStr,
});
export type PositionUpdate = z.infer<typeof PositionUpdateSchema>;

/** A working order update (TRADE stream, WOU). */
export const WorkingOrderUpdateSchema = z.looseObject({
  dealReference: optStr,
  dealId: str,
  epic: str,
  direction: DirectionSchema,
  status: z.enum(['OPEN', 'UPDATED', 'DELETED']),
  dealStatus: optStr,
  level: num,
  size: num,
  orderType: optStr,
  timestamp: optStr,
});
export type WorkingOrderUpdate = z.infer<typeof WorkingOrderUpdateSchema>;

/** An error body: `{ "errorCode": "error.security.invalid-details" }`. */
export const ErrorBodySchema = z.looseObject({ errorCode: str });
