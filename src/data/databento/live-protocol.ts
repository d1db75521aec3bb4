/**
 * The text half of Databento's live (Raw API) gateway protocol: control lines of `key=value`
 * fields joined by `|` and ended by a newline, exchanged before the binary DBN stream starts.
 * The gateway greets (`lsg_version=…`), challenges (`cram=…`), and answers the client's
 * authentication (`success=1|session_id=…` or `success=0|error=…`); the client then sends its
 * subscriptions and `start_session=0`. Source: Databento's Raw API documentation and their
 * reference client's control messages (databento-python `live/gateway.py`, `common/cram.py`).
 */
import { createHash } from 'node:crypto';
import { ConfigError, parseTimestamp } from '../../core/index.js';

/** The gateway's port when none is given. */
export const LIVE_PORT = 13000;

/** Symbols per subscription line: longer lists are split over several lines (`is_last=0` on all but the last). */
export const SYMBOLS_PER_LINE = 500;

/** Characters of the key that name its bucket, sent in clear after the hash. */
const BUCKET_ID_LENGTH = 5;

/** Where a live client connects. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
}

/** The gateway of a dataset: `GLBX.MDP3` → `glbx-mdp3.lsg.databento.com:13000`. */
export function defaultGateway(dataset: string): GatewayAddress {
  return { host: `${dataset.toLowerCase().replaceAll('.', '-')}.lsg.databento.com`, port: LIVE_PORT };
}

/** Reads `host:port` (or a bare host, on the default port); `[::1]:13000` for IPv6. */
export function parseGateway(text: string): GatewayAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? LIVE_PORT : Number(m[3]);
  if (m === null || port < 1 || port > 65535) {
    throw new ConfigError(`Gateway "${text}" is not host:port (e.g. glbx-mdp3.lsg.databento.com:13000)`);
  }
  return { host: m[1] ?? m[2], port };
}

/** `host:port` as messages show it. */
export function formatGateway(g: GatewayAddress): string {
  return g.host.includes(':') ? `[${g.host}]:${g.port}` : `${g.host}:${g.port}`;
}

/**
 * The answer to a CRAM challenge: the SHA-256 (hex) of `challenge|key`, then `-` and the key's
 * last five characters, which tell the gateway which key to check the hash against.
 */
export function cramResponse(challenge: string, key: string): string {
  const hash = createHash('sha256').update(`${challenge}|${key}`).digest('hex');
  return `${hash}-${key.slice(-BUCKET_ID_LENGTH)}`;
}

/** A control line's fields, in the order they came. */
export type ControlFields = ReadonlyMap<string, string>;

/** Splits a control line (without its newline) into its fields; a field without `=` has an empty value. */
export function parseControl(line: string): ControlFields {
  const fields = new Map<string, string>();
  for (const part of line.split('|')) {
    const eq = part.indexOf('=');
    if (eq < 0) fields.set(part, '');
    else fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return fields;
}

/** A control line from its fields, newline included; fields whose value is undefined are left out. */
export function formatControl(
  fields: ReadonlyArray<readonly [string, string | number | bigint | undefined]>,
): string {
  return `${fields
    .filter((f) => f[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('|')}\n`;
}

/** What the client asks for when it authenticates. */
export interface AuthRequest {
  readonly key: string;
  readonly challenge: string;
  readonly dataset: string;
  /** Seconds of silence after which the gateway sends a heartbeat record. */
  readonly heartbeatIntervalS: number;
  /** `name/version` of the client. */
  readonly client: string;
  /** What the gateway does when the client reads too slowly: `skip` or `warn`; the gateway's default when undefined. */
  readonly slowReaderBehavior?: 'skip' | 'warn';
}

/** The authentication line: CRAM answer, dataset, DBN uncompressed without ts_out, heartbeat interval, client. */
export function authLine(r: AuthRequest): string {
  return formatControl([
    ['auth', cramResponse(r.challenge, r.key)],
    ['dataset', r.dataset],
    ['encoding', 'dbn'],
    ['ts_out', 0],
    ['compression', 'none'],
    ['heartbeat_interval_s', r.heartbeatIntervalS],
    ['slow_reader_behavior', r.slowReaderBehavior],
    ['client', r.client],
  ]);
}

/** One subscription: a schema over symbols of one symbology type. */
export interface LiveSubscription {
  /** `mbp-10`, `mbo`, `trades`, `definition`, … */
  readonly schema: string;
  /** The symbols, or `ALL_SYMBOLS`. */
  readonly symbols: readonly string[] | 'ALL_SYMBOLS';
  /** How `symbols` are given: `raw_symbol` (default), `parent`, `continuous`, `instrument_id`. */
  readonly stypeIn?: string;
  /**
   * Replay from this time (ns since the epoch, or ISO 8601 UTC), within the last 24 hours
   * (intraday replay); live from now when undefined.
   */
  readonly start?: bigint | string;
  /** Open with a snapshot of the book (MBO only; then no `start`). */
  readonly snapshot?: boolean;
}

/** A subscription's `start` in ns since the epoch (undefined when it has none). */
export function startNs(sub: LiveSubscription): bigint | undefined {
  if (sub.start === undefined) return undefined;
  if (typeof sub.start === 'bigint') return sub.start;
  return /^\d+$/.test(sub.start.trim()) ? BigInt(sub.start.trim()) : parseTimestamp(sub.start);
}

/** Checks a subscription before anything is sent; a `ConfigError` names what is wrong. */
export function checkSubscription(sub: LiveSubscription): void {
  const syms = sub.symbols;
  if (syms !== 'ALL_SYMBOLS' && syms.length === 0)
    throw new ConfigError(`Subscription to ${sub.schema}: no symbols`);
  if (syms !== 'ALL_SYMBOLS') {
    const bad = syms.find((s) => s.trim() === '' || /[|,\n]/.test(s));
    if (bad !== undefined)
      throw new ConfigError(
        `Subscription to ${sub.schema}: symbol "${bad}" is empty or holds | , or a newline`,
      );
  }
  if (sub.snapshot === true && sub.schema !== 'mbo')
    throw new ConfigError(`Subscription to ${sub.schema}: a snapshot is only offered with the mbo schema`);
  if (sub.snapshot === true && sub.start !== undefined)
    throw new ConfigError(`Subscription to ${sub.schema}: a snapshot replaces start; give one or the other`);
  startNs(sub);
}

/**
 * The lines of one subscription: its symbols in lines of at most 500, each line carrying the
 * schema, symbology, `start` (unless a snapshot is asked for), the snapshot flag, the
 * subscription's `id` and `is_last=1` on its last line only. `start` overrides the
 * subscription's own (a resubscription replays from where the records stopped).
 */
export function subscriptionLines(sub: LiveSubscription, id: number, start = startNs(sub)): string[] {
  const symbols = sub.symbols === 'ALL_SYMBOLS' ? ['ALL_SYMBOLS'] : sub.symbols;
  const snapshot = sub.snapshot === true;
  const lines: string[] = [];
  for (let from = 0; from < symbols.length; from += SYMBOLS_PER_LINE) {
    const last = from + SYMBOLS_PER_LINE >= symbols.length;
    lines.push(
      formatControl([
        ['schema', sub.schema],
        ['stype_in', sub.stypeIn ?? 'raw_symbol'],
        ['symbols', symbols.slice(from, from + SYMBOLS_PER_LINE).join(',')],
        ['start', snapshot ? undefined : start],
        ['snapshot', snapshot ? 1 : 0],
        ['id', id],
        ['is_last', last ? 1 : 0],
      ]),
    );
  }
  return lines;
}

/** The line that ends the subscriptions and starts the binary stream. */
export const START_SESSION = 'start_session=0\n';
