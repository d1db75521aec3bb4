/**
 * A client of IG's REST trading API (labs.ig.com): login (v2 session tokens or v3 OAuth), accounts,
 * market search and details, price history, positions, working orders and deal confirmations.
 *
 * Every call carries `X-IG-API-KEY`, `Version`, and JSON `Content-Type`/`Accept` headers, and the
 * session's credentials: `CST` + `X-SECURITY-TOKEN` (v2) or `Authorization: Bearer` +
 * `IG-ACCOUNT-ID` (v3). Calls wait for room in the configured per-minute allowances (dealing
 * apart from everything else) rather than be refused by IG. A call refused because the session
 * ran out (`error.security.client-token-invalid`, `error.security.oauth-token-invalid`) renews it
 * once (v3: `POST /session/refresh-token`, else a new login) and is sent again; every other
 * failure is an `IgError` naming the call and IG's error code.
 */
import * as z from 'zod/mini';
import { IG_BASE_URLS, IG_ENV_VARS, type IgConfig } from './config-schema.js';
import { IgError, isExpiredSession } from './errors.js';
import { RateLimiter } from './limiter.js';
import {
  type Account,
  AccountsSchema,
  type Allowance,
  type Confirm,
  ConfirmSchema,
  DealReferenceSchema,
  type Direction,
  ErrorBodySchema,
  type MarketDetails,
  MarketDetailsSchema,
  MarketSearchSchema,
  type MarketSummary,
  type OAuthToken,
  OAuthTokenSchema,
  type OpenPosition,
  PositionsSchema,
  type PriceBar,
  PricesSchema,
  SessionDetailsSchema,
  SessionV2Schema,
  SessionV3Schema,
  type WorkingOrder,
  WorkingOrdersSchema,
} from './schemas.js';

/** Who logs in. */
export interface IgCredentials {
  readonly apiKey: string;
  readonly identifier: string;
  readonly password: string;
}

export interface IgRestOptions {
  /** The gateway, e.g. `https://demo-api.ig.com/gateway/deal` (a local server in tests). */
  readonly baseUrl: string;
  readonly credentials: IgCredentials;
  /** Login version: 2 (default) or 3. */
  readonly login?: 2 | 3;
  /** The account to trade (v3: sent as `IG-ACCOUNT-ID`); default the one IG logs into. */
  readonly accountId?: string;
  /** Requests per window: everything but dealing, and dealing (IG: 30 and 60 a minute). */
  readonly nonTradingPerWindow?: number;
  readonly tradingPerWindow?: number;
  /** The allowance window, ms (IG's is a minute). */
  readonly windowMs?: number;
  /** A call unanswered after this long fails, ms (10 s). */
  readonly timeoutMs?: number;
}

/** What a login gives the streaming client: where to connect and as whom. */
export interface StreamingLogin {
  readonly accountId: string;
  readonly lightstreamerEndpoint: string;
  /** The password Lightstreamer takes from IG: `CST-<cst>|XST-<xst>`. */
  readonly password: string;
}

/** A page of price history and the historical-data allowance left after it. */
export interface PriceHistory {
  readonly prices: PriceBar[];
  readonly allowance: Allowance;
  readonly pageData?: { pageSize: number; pageNumber: number; totalPages: number } | null;
}

/** A price-history request (v3): resolution and either a time range or a count. */
export interface PriceQuery {
  /** SECOND, MINUTE, MINUTE_2 … MINUTE_30, HOUR, HOUR_2 … DAY, WEEK, MONTH. */
  readonly resolution: string;
  /** UTC `yyyy-MM-ddTHH:mm:ss`. */
  readonly from?: string;
  readonly to?: string;
  readonly max?: number;
  readonly pageSize?: number;
  readonly pageNumber?: number;
}

/** `POST /positions/otc` (v2). Levels are IG points. */
export interface OpenPositionRequest {
  readonly epic: string;
  readonly expiry: string;
  readonly direction: Direction;
  readonly size: number;
  readonly orderType: 'MARKET' | 'LIMIT' | 'QUOTE';
  readonly level?: number;
  readonly quoteId?: string;
  readonly timeInForce?: 'EXECUTE_AND_ELIMINATE' | 'FILL_OR_KILL';
  readonly currencyCode: string;
  readonly forceOpen: boolean;
  readonly guaranteedStop: boolean;
  readonly stopLevel?: number;
  readonly stopDistance?: number;
  readonly limitLevel?: number;
  readonly limitDistance?: number;
  readonly dealReference?: string;
}

/** `DELETE /positions/otc`: by deal id, or by epic and expiry. */
export interface ClosePositionRequest {
  readonly dealId?: string;
  readonly epic?: string;
  readonly expiry?: string;
  readonly direction: Direction;
  readonly size: number;
  readonly orderType: 'MARKET' | 'LIMIT' | 'QUOTE';
  readonly level?: number;
  readonly timeInForce?: 'EXECUTE_AND_ELIMINATE' | 'FILL_OR_KILL';
}

/** `POST /working-orders/otc` (v2). */
export interface WorkingOrderRequest {
  readonly epic: string;
  readonly expiry: string;
  readonly direction: Direction;
  readonly size: number;
  readonly level: number;
  readonly type: 'LIMIT' | 'STOP';
  readonly timeInForce: 'GOOD_TILL_CANCELLED' | 'GOOD_TILL_DATE';
  /** `yyyy/mm/dd hh:mm:ss`, with GOOD_TILL_DATE. */
  readonly goodTillDate?: string;
  readonly currencyCode: string;
  readonly forceOpen: boolean;
  readonly guaranteedStop: boolean;
  readonly dealReference?: string;
}

/** `PUT /working-orders/otc/{dealId}` (v2): what IG lets one change of a working order. */
export interface AmendWorkingOrderRequest {
  readonly level: number;
  readonly type: 'LIMIT' | 'STOP';
  readonly timeInForce: 'GOOD_TILL_CANCELLED' | 'GOOD_TILL_DATE';
  readonly goodTillDate?: string;
}

interface CallOptions<S extends z.ZodMiniType> {
  readonly version: number;
  readonly schema: S;
  readonly body?: unknown;
  readonly query?: Record<string, string | number | undefined>;
  readonly trading?: boolean;
  readonly headers?: Record<string, string>;
  /** Sent without the session's credentials (login). */
  readonly anonymous?: boolean;
}

interface Answer<T> {
  readonly data: T;
  readonly headers: Headers;
}

type Session =
  | { readonly v: 2; readonly accountId: string; readonly endpoint: string; cst: string; xst: string }
  | {
      readonly v: 3;
      readonly accountId: string;
      readonly endpoint: string;
      token: OAuthToken;
      expiresAtMs: number;
    };

/** Reads the credentials from `IG_API_KEY`, `IG_IDENTIFIER` and `IG_PASSWORD`; names any missing. */
export function credentialsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): IgCredentials {
  const get = (name: string) => env[name]?.trim() ?? '';
  const missing = Object.values(IG_ENV_VARS).filter((n) => get(n) === '');
  if (missing.length > 0)
    throw new IgError(
      'IG_NO_CREDENTIALS',
      `No IG credentials: set ${missing.join(', ')} in the environment`,
      {
        call: '-',
      },
    );
  return {
    apiKey: get(IG_ENV_VARS.apiKey),
    identifier: get(IG_ENV_VARS.identifier),
    password: get(IG_ENV_VARS.password),
  };
}

/** A client of one IG account's REST API. */
export class IgRest {
  readonly #base: string;
  readonly #creds: IgCredentials;
  readonly #version: 2 | 3;
  readonly #accountId: string | undefined;
  readonly #timeoutMs: number;
  readonly #nonTrading: RateLimiter;
  readonly #trading: RateLimiter;
  #session: Session | null = null;
  #renewing: Promise<void> | null = null;
  #loggingIn: Promise<void> | null = null;

  constructor(opts: IgRestOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#creds = opts.credentials;
    this.#version = opts.login ?? 2;
    this.#accountId = opts.accountId;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#nonTrading = new RateLimiter(opts.nonTradingPerWindow ?? 30, opts.windowMs ?? 60_000);
    this.#trading = new RateLimiter(opts.tradingPerWindow ?? 60, opts.windowMs ?? 60_000);
  }

  /** A client for the `ig:` configuration, with the credentials from the environment. */
  static fromConfig(cfg: IgConfig, env: Readonly<Record<string, string | undefined>> = process.env): IgRest {
    return new IgRest({
      baseUrl: cfg.baseUrl ?? IG_BASE_URLS[cfg.environment],
      credentials: credentialsFromEnv(env),
      login: cfg.login,
      accountId: cfg.accountId,
      nonTradingPerWindow: cfg.allowances.nonTradingPerMinute,
      tradingPerWindow: cfg.allowances.tradingPerMinute,
      timeoutMs: cfg.timeoutMs,
    });
  }

  /** The account traded, once logged in. */
  get accountId(): string | undefined {
    return this.#session?.accountId;
  }

  /** Logs in (`POST /session`, the configured version). */
  async login(): Promise<void> {
    const body = { identifier: this.#creds.identifier, password: this.#creds.password };
    if (this.#version === 2) {
      const a = await this.#call('POST', '/session', {
        version: 2,
        schema: SessionV2Schema,
        body,
        anonymous: true,
      });
      const cst = a.headers.get('CST');
      const xst = a.headers.get('X-SECURITY-TOKEN');
      if (!cst || !xst)
        throw new IgError(
          'IG_BODY',
          'IG answered POST /session (v2) without the CST and X-SECURITY-TOKEN headers',
          {
            call: 'POST /session',
            status: 200,
          },
        );
      this.#session = {
        v: 2,
        accountId: this.#accountId ?? a.data.currentAccountId,
        endpoint: a.data.lightstreamerEndpoint,
        cst,
        xst,
      };
      return;
    }
    const a = await this.#call('POST', '/session', {
      version: 3,
      schema: SessionV3Schema,
      body,
      anonymous: true,
    });
    this.#session = {
      v: 3,
      accountId: this.#accountId ?? a.data.accountId,
      endpoint: a.data.lightstreamerEndpoint,
      token: a.data.oauthToken,
      expiresAtMs: expiry(a.data.oauthToken),
    };
  }

  /** Logs out (`DELETE /session`); the session is forgotten even if IG does not answer. */
  async logout(): Promise<void> {
    if (this.#session === null) return;
    try {
      await this.#call('DELETE', '/session', { version: 1, schema: z.unknown() });
    } finally {
      this.#session = null;
    }
  }

  /** Stops the allowance timers; calls waiting for room fail. */
  close(): void {
    this.#nonTrading.close();
    this.#trading.close();
  }

  /**
   * What the streaming client logs in with. Lightstreamer takes no OAuth token: after a v3 login
   * the session tokens come from `GET /session?fetchSessionTokens=true`.
   */
  async streamingLogin(): Promise<StreamingLogin> {
    const s = await this.#ensureSession();
    if (s.v === 2)
      return { accountId: s.accountId, lightstreamerEndpoint: s.endpoint, password: password(s.cst, s.xst) };
    const a = await this.#call('GET', '/session', {
      version: 1,
      schema: SessionDetailsSchema,
      query: { fetchSessionTokens: 'true' },
    });
    const cst = a.headers.get('CST');
    const xst = a.headers.get('X-SECURITY-TOKEN');
    if (!cst || !xst)
      throw new IgError(
        'IG_BODY',
        'IG answered GET /session?fetchSessionTokens=true without session tokens',
        {
          call: 'GET /session',
          status: 200,
        },
      );
    return {
      accountId: s.accountId,
      lightstreamerEndpoint: a.data.lightstreamerEndpoint,
      password: password(cst, xst),
    };
  }

  /** `GET /accounts`. */
  async accounts(): Promise<Account[]> {
    return (await this.#call('GET', '/accounts', { version: 1, schema: AccountsSchema })).data.accounts;
  }

  /** `GET /markets?searchTerm=`: markets whose name or epic matches `term` (e.g. `EUR/USD`). */
  async searchMarkets(term: string): Promise<MarketSummary[]> {
    const a = await this.#call('GET', '/markets', {
      version: 1,
      schema: MarketSearchSchema,
      query: { searchTerm: term },
    });
    return a.data.markets;
  }

  /** `GET /markets/{epic}`: the instrument, its dealing rules and current prices. */
  async market(epic: string): Promise<MarketDetails> {
    return (
      await this.#call('GET', `/markets/${encodeURIComponent(epic)}`, {
        version: 3,
        schema: MarketDetailsSchema,
      })
    ).data;
  }

  /** `GET /prices/{epic}` (v3): bars, with the historical-data allowance IG reports. */
  async prices(epic: string, q: PriceQuery): Promise<PriceHistory> {
    const a = await this.#call('GET', `/prices/${encodeURIComponent(epic)}`, {
      version: 3,
      schema: PricesSchema,
      query: {
        resolution: q.resolution,
        from: q.from,
        to: q.to,
        max: q.max,
        pageSize: q.pageSize,
        pageNumber: q.pageNumber,
      },
    });
    return {
      prices: a.data.prices,
      allowance: a.data.metadata.allowance,
      pageData: a.data.metadata.pageData,
    };
  }

  /** `GET /positions` (v2). */
  async positions(): Promise<OpenPosition[]> {
    return (await this.#call('GET', '/positions', { version: 2, schema: PositionsSchema })).data.positions;
  }

  /** `POST /positions/otc` (v2): the deal's reference; its outcome comes as a confirm. */
  async openPosition(req: OpenPositionRequest): Promise<string> {
    const a = await this.#call('POST', '/positions/otc', {
      version: 2,
      schema: DealReferenceSchema,
      body: req,
      trading: true,
    });
    return a.data.dealReference;
  }

  /**
   * `DELETE /positions/otc`, sent as a POST with `_method: DELETE` (IG's way for clients that
   * send no body with a DELETE).
   */
  async closePosition(req: ClosePositionRequest): Promise<string> {
    const a = await this.#call('POST', '/positions/otc', {
      version: 1,
      schema: DealReferenceSchema,
      body: req,
      trading: true,
      headers: { _method: 'DELETE' },
    });
    return a.data.dealReference;
  }

  /** `GET /working-orders` (v2). */
  async workingOrders(): Promise<WorkingOrder[]> {
    return (await this.#call('GET', '/working-orders', { version: 2, schema: WorkingOrdersSchema })).data
      .workingOrders;
  }

  /** `POST /working-orders/otc` (v2). */
  async createWorkingOrder(req: WorkingOrderRequest): Promise<string> {
    const a = await this.#call('POST', '/working-orders/otc', {
      version: 2,
      schema: DealReferenceSchema,
      body: req,
      trading: true,
    });
    return a.data.dealReference;
  }

  /** `PUT /working-orders/otc/{dealId}` (v2). */
  async amendWorkingOrder(dealId: string, req: AmendWorkingOrderRequest): Promise<string> {
    const a = await this.#call('PUT', `/working-orders/otc/${encodeURIComponent(dealId)}`, {
      version: 2,
      schema: DealReferenceSchema,
      body: req,
      trading: true,
    });
    return a.data.dealReference;
  }

  /** `DELETE /working-orders/otc/{dealId}` (v2). */
  async deleteWorkingOrder(dealId: string): Promise<string> {
    const a = await this.#call('DELETE', `/working-orders/otc/${encodeURIComponent(dealId)}`, {
      version: 2,
      schema: DealReferenceSchema,
      trading: true,
    });
    return a.data.dealReference;
  }

  /** `GET /confirms/{dealReference}`: whether IG took the deal, and at what level. */
  async confirm(dealReference: string): Promise<Confirm> {
    return (
      await this.#call('GET', `/confirms/${encodeURIComponent(dealReference)}`, {
        version: 1,
        schema: ConfirmSchema,
      })
    ).data;
  }

  async #ensureSession(): Promise<Session> {
    if (this.#session === null) {
      // Calls made together before the first login share it.
      this.#loggingIn ??= this.login().finally(() => {
        this.#loggingIn = null;
      });
      await this.#loggingIn;
    }
    const s = this.#session as Session;
    if (s.v === 3 && Date.now() >= s.expiresAtMs) await this.#renew();
    return this.#session as Session;
  }

  /** Renews the session once, however many calls found it expired at the same time. */
  #renew(): Promise<void> {
    this.#renewing ??= this.#renewOnce().finally(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  async #renewOnce(): Promise<void> {
    const s = this.#session;
    if (s?.v === 3) {
      try {
        const a = await this.#call('POST', '/session/refresh-token', {
          version: 1,
          schema: OAuthTokenSchema,
          body: { refresh_token: s.token.refresh_token },
          anonymous: true,
        });
        s.token = a.data;
        s.expiresAtMs = expiry(a.data);
        return;
      } catch (e) {
        if (!(e instanceof IgError) || e.code !== 'IG_AUTH') throw e;
      }
    }
    await this.login();
  }

  #headers(version: number, anonymous: boolean, extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = {
      'X-IG-API-KEY': this.#creds.apiKey,
      Version: String(version),
      'Content-Type': 'application/json; charset=UTF-8',
      Accept: 'application/json; charset=UTF-8',
      ...extra,
    };
    const s = this.#session;
    if (anonymous || s === null) return h;
    if (s.v === 2) {
      h.CST = s.cst;
      h['X-SECURITY-TOKEN'] = s.xst;
    } else {
      h.Authorization = `Bearer ${s.token.access_token}`;
      h['IG-ACCOUNT-ID'] = s.accountId;
    }
    return h;
  }

  async #call<S extends z.ZodMiniType>(
    method: string,
    path: string,
    o: CallOptions<S>,
    renewed = false,
  ): Promise<Answer<z.output<S>>> {
    const call = `${method} ${path}`;
    if (!o.anonymous) await this.#ensureSession();
    await (o.trading ? this.#trading : this.#nonTrading).acquire();
    const url = new URL(this.#base + path);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: this.#headers(o.version, o.anonymous === true, o.headers),
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new IgError('IG_NETWORK', `IG did not answer ${call}: ${(e as Error).message}`, {
        call,
        cause: e,
      });
    }
    if (!res.ok) {
      const igCode = errorCodeOf(text);
      if (res.status === 401 && isExpiredSession(igCode) && !renewed && !o.anonymous) {
        await this.#renew();
        return this.#call(method, path, o, true);
      }
      throw IgError.fromAnswer(call, res.status, igCode, text);
    }
    let json: unknown = null;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new IgError(
          'IG_BODY',
          `IG answered ${call} with a body that is not JSON: "${text.slice(0, 120)}"`,
          {
            call,
            status: res.status,
          },
        );
      }
    }
    const parsed = z.safeParse(o.schema, json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new IgError(
        'IG_BODY',
        `IG answered ${call} with an unexpected body: ${i.path.join('.') || '(root)'}: ${i.message}`,
        { call, status: res.status },
      );
    }
    return { data: parsed.data, headers: res.headers };
  }
}

/** IG's `errorCode` in an error body, if it sent one. */
function errorCodeOf(text: string): string | undefined {
  try {
    const r = z.safeParse(ErrorBodySchema, JSON.parse(text));
    return r.success ? r.data.errorCode : undefined;
  } catch {
    return undefined;
  }
}

/** When an access token stops working (ms), a few seconds early so no call is sent with a dying one. */
function expiry(t: OAuthToken): number {
  const s = Number(t.expires_in);
  return Date.now() + (Number.isFinite(s) && s > 0 ? Math.max(s * 1000 - 5_000, s * 500) : 30_000);
}

function password(cst: string, xst: string): string {
  return `CST-${cst}|XST-${xst}`;
}
