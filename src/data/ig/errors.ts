/** The errors of the IG REST and streaming clients. */
import { EngineError } from '../../core/index.js';

/** What went wrong with a call to IG. */
export type IgErrorCode =
  | 'IG_NO_CREDENTIALS'
  | 'IG_AUTH'
  | 'IG_ALLOWANCE'
  | 'IG_MARKET'
  | 'IG_REQUEST'
  | 'IG_SERVER'
  | 'IG_NETWORK'
  | 'IG_BODY'
  | 'IG_STREAM';

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
  'error.public-api.failure.stockbroking-not-supported': {
    code: 'IG_REQUEST',
    meaning: 'stockbroking accounts are not supported by the API',
  },
  'error.trading.otc.market-closed': { code: 'IG_MARKET', meaning: 'the market is closed' },
  'error.service.marketdata.market-closed': { code: 'IG_MARKET', meaning: 'the market is closed' },
  'error.unsupported.epic': { code: 'IG_MARKET', meaning: 'the epic is not available to this account' },
  'error.markets.epic-not-found': { code: 'IG_MARKET', meaning: 'no market has this epic' },
  'error.confirms.deal-not-found': { code: 'IG_REQUEST', meaning: 'IG holds no deal with this reference' },
};

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
