/** The errors of the IG REST and streaming clients. */
import { EngineError } from '../../core/index.js';

/** What went wrong with a call to IG. */
export type IgErrorCode =
  | 'IG_NO_CREDENTIALS'
  | 'IG_AUTH'
  | 'IG_ALLOWANCE'
  | 'IG_MARKET'
  | 'IG_REJECTED'
  | 'IG_REQUEST'
  | 'IG_SERVER'
  | 'IG_NETWORK'
  | 'IG_BODY'
  | 'IG_STREAM'
  /** A question IG cannot answer (what became of an order its confirms do not cover). */
  | 'IG_LOOKUP';

/**
 * IG's own error codes that a caller acts on, with what each means. The codes come from the
 * `errorCode` field of IG's error bodies (labs.ig.com REST reference, "Errors" of each endpoint).
 */
const KNOWN: Readonly<Record<string, { code: IgErrorCode; meaning: string }>> = {
  'error.security.invalid-details': { code: 'IG_AUTH', meaning: 'the identifier or password is wrong' },
  'error.security.api-key-invalid': { code: 'IG_AUTH', meaning: 'the API key is not valid' },
  'error.security.api-key-disabled': { code: 'IG_AUTH', meaning: 'the API key is disabled' },
  'error.security.api-key-restricted': { code: 'IG_AUTH', meaning: 'the API key may not make this call' },
  'error.security.account-suspended': { code: 'IG_AUTH', meaning: 'the account is suspended' },
  'error.security.client-token-invalid': {
    code: 'IG_AUTH',
    meaning: 'the session tokens (CST, X-SECURITY-TOKEN) are not valid any more',
  },
  'error.security.oauth-token-invalid': { code: 'IG_AUTH', meaning: 'the OAuth access token has expired' },
  'error.security.invalid-application': { code: 'IG_AUTH', meaning: 'the application is not known to IG' },
  'error.public-api.exceeded-account-allowance': {
    code: 'IG_ALLOWANCE',
    meaning: "the account's request allowance per minute is used up",
  },
  'error.public-api.exceeded-account-trading-allowance': {
    code: 'IG_ALLOWANCE',
    meaning: "the account's trading allowance per minute is used up",
  },
  'error.public-api.exceeded-api-key-allowance': {
    code: 'IG_ALLOWANCE',
    meaning: "the application's request allowance per minute is used up",
  },
  'error.public-api.exceeded-account-historical-data-allowance': {
    code: 'IG_ALLOWANCE',
    meaning: 'the weekly allowance of historical price points is used up',
  },
  'error.security.api-key-missing': { code: 'IG_AUTH', meaning: 'the API key was not sent' },
  'error.security.account-token-invalid': { code: 'IG_AUTH', meaning: 'the account token is not valid' },
  'error.public-api.failure.preferred.account.disabled': {
    code: 'IG_AUTH',
    meaning: "the user's preferred account is disabled",
  },
  'error.confirms.deal-not-found': { code: 'IG_REQUEST', meaning: 'IG holds no deal with this reference' },
};

/**
 * Why IG rejected a deal: the `reason` of a REJECTED confirm (labs.ig.com, `GET /confirms`), for
 * the reasons a trading program meets most. A closed market is an `IG_MARKET` refusal.
 */
const DEAL_REASONS: Readonly<Record<string, string>> = {
  MARKET_CLOSED: 'the market is closed',
  MARKET_CLOSED_WITH_EDITS: 'the market is closed; only edits are accepted',
  MARKET_OFFLINE: 'the market is offline',
  MARKET_NOT_BORROWABLE: 'the market cannot be shorted',
  INSUFFICIENT_FUNDS: 'the account has too little money for the deal',
  MINIMUM_ORDER_SIZE_ERROR: 'the size is below the market minimum',
  ATTACHED_ORDER_LEVEL_ERROR: 'a stop or limit level is too close to the market',
  REJECT_SPREADBET_ORDER_ON_CFD_ACCOUNT: 'a spread bet cannot be placed on a CFD account',
  REJECT_CFD_ORDER_ON_SPREADBET_ACCOUNT: 'a CFD deal cannot be placed on a spread-bet account',
  DUPLICATE_ORDER_ERROR: 'a deal with this reference was already made',
  UNKNOWN: 'IG gave no reason',
};

/** A rejected deal's reason in words: IG's code with its meaning, or the text IG sent. */
export function describeDealReason(reason: string | null | undefined): string {
  if (reason === null || reason === undefined || reason === '') return 'IG gave no reason';
  const meaning = DEAL_REASONS[reason];
  return meaning === undefined ? reason : `${reason} (${meaning})`;
}

/** The error for a deal IG rejected (a REJECTED confirm of `call`). */
export function dealRejected(call: string, reason: string | null | undefined): IgError {
  const market =
    reason === 'MARKET_CLOSED' || reason === 'MARKET_CLOSED_WITH_EDITS' || reason === 'MARKET_OFFLINE';
  return new IgError(
    market ? 'IG_MARKET' : 'IG_REJECTED',
    `IG rejected ${call}: ${describeDealReason(reason)}`,
    {
      call,
      igCode: reason ?? undefined,
    },
  );
}

/** Whether IG's `errorCode` says the session's tokens ran out (renew and retry). */
export function isExpiredSession(igCode: string | undefined): boolean {
  return igCode === 'error.security.client-token-invalid' || igCode === 'error.security.oauth-token-invalid';
}

/**
 * A failed call to IG: the `call` (`POST /positions/otc`), the HTTP `status` (0 when no answer
 * came) and IG's own `errorCode` when it sent one; the message says all three and what the code
 * means.
 */
export class IgError extends EngineError {
  override readonly code: IgErrorCode;
  readonly call: string;
  readonly status: number;
  readonly igCode: string | undefined;

  constructor(
    code: IgErrorCode,
    message: string,
    facts: { call: string; status?: number; igCode?: string; cause?: unknown },
  ) {
    super(code, message, { cause: facts.cause });
    this.code = code;
    this.call = facts.call;
    this.status = facts.status ?? 0;
    this.igCode = facts.igCode;
  }

  /** The error for an answer with HTTP `status` and IG's `igCode` (undefined when the body had none). */
  static fromAnswer(call: string, status: number, igCode: string | undefined, body: string): IgError {
    const known = igCode === undefined ? undefined : KNOWN[igCode];
    const code: IgErrorCode =
      known?.code ??
      (status === 401 || status === 403
        ? 'IG_AUTH'
        : status === 429
          ? 'IG_ALLOWANCE'
          : status >= 500
            ? 'IG_SERVER'
            : 'IG_REQUEST');
    const what =
      igCode !== undefined
        ? `"${igCode}"${known ? ` (${known.meaning})` : ''}`
        : body.trim() === ''
          ? 'no error code'
          : `"${body.trim().slice(0, 200)}"`;
    return new IgError(code, `IG refused ${call}: ${what}, HTTP ${status}`, { call, status, igCode });
  }
}
