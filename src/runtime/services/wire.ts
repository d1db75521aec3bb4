/**
 * The messages the services pass between them besides market data (which travels as DBN records,
 * infra/bus/records.ts) and orders and fills (execution/codec.ts):
 *
 * | subject              | from → to            | message                                           |
 * |----------------------|----------------------|---------------------------------------------------|
 * | `features.<product>` | featurize → decide   | `grid`: a grid second and the triggers queued in it (often none); `end` |
 * | `signals.<product>`  | decide → execute     | `signals`: a grid second and the decisions taken on its triggers; `end` |
 * | `portfolio`          | execute → decide     | `portfolio`: what the validators read, as of a grid second |
 *
 * Every grid second of every product gets a message, with or without triggers: a stage that waits
 * for the one before it (execute for decide, decide for execute's portfolio) knows from it that
 * nothing more will come for that second, so four processes take the decisions, orders and fills
 * of one (README.md, "Services").
 *
 * Encoding, version 1: a version byte (1), a kind byte (1 grid, 2 signals, 3 portfolio, 4 end),
 * then the message as MessagePack (msgpackr: integers that need 64 bits as int64 and read back as
 * bigint, typed arrays as themselves, floats as float64). A decision or a frozen agent input holds
 * dozens of nested fields that change as the analysts do; MessagePack keeps every value exact at
 * about half of JSON's size and several times its speed, without a schema to keep in step. These
 * messages are a few a second per product; the hot path (records) is not on them.
 */
import { Packr } from 'msgpackr';
import type { AgentInput } from '../../agents/index.js';
import { EngineError } from '../../core/index.js';
import type { Decision, PendingDecision } from '../../pipeline/index.js';

const VERSION = 1;
const KINDS = ['grid', 'signals', 'portfolio', 'end'] as const;

/** A grid second of one product and the triggers queued in it. */
export interface GridMessage {
  readonly kind: 'grid';
  readonly product: string;
  readonly tNs: bigint;
  readonly triggers: readonly PendingDecision[];
  /** When the record that closed this second was stored on the bus, ms since the epoch (NaN at an end). */
  readonly tickMs: number;
}

/** The decisions taken on a grid second's triggers, with the input each one read. */
export interface SignalsMessage {
  readonly kind: 'signals';
  readonly product: string;
  readonly tNs: bigint;
  readonly decisions: readonly { readonly decision: Decision; readonly input: AgentInput }[];
  /** The grid message's `tickMs`, and when that message was stored on the bus (ms since the epoch). */
  readonly tickMs: number;
  readonly gridMs: number;
}

/** What the pipeline's validators read, as execute had it at a grid second. */
export interface PortfolioMessage {
  readonly kind: 'portfolio';
  readonly tNs: bigint;
  /** Signed position per symbol, of instruments with a position. */
  readonly positions: Readonly<Record<string, number>>;
  readonly grossExposure: number;
  readonly dailyPnl: number;
  /** Orders sent and fills received so far (where a restarted execute's `orders` and `fills` resume). */
  readonly orders: number;
  readonly fills: number;
}

/** No more messages of this product: its last grid second was `tNs`. */
export interface EndMessage {
  readonly kind: 'end';
  readonly product: string;
  readonly tNs: bigint;
}

export type ServiceMessage = GridMessage | SignalsMessage | PortfolioMessage | EndMessage;

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', moreTypes: true });

/** The bytes of a message. */
export function encodeMessage(m: ServiceMessage): Uint8Array {
  const body = packr.pack(m);
  const out = new Uint8Array(body.length + 2);
  out[0] = VERSION;
  out[1] = KINDS.indexOf(m.kind) + 1;
  out.set(body, 2);
  return out;
}

/**
 * A message from its bytes; `where` (the subject and sequence) names it in errors. A message of
 * another version or kind, cut short or of the wrong shape is refused (`WIRE_DECODE`).
 */
export function decodeMessage(bytes: Uint8Array, where: string): ServiceMessage {
  if (bytes.length < 3) throw wireError(where, `${bytes.length} bytes is too short for a message`);
  if (bytes[0] !== VERSION) throw wireError(where, `version ${bytes[0]}, this build reads ${VERSION}`);
  const kind = KINDS[bytes[1] - 1];
  if (kind === undefined) throw wireError(where, `unknown kind ${bytes[1]}`);
  let m: unknown;
  try {
    m = packr.unpack(bytes.subarray(2));
  } catch (e) {
    throw wireError(where, `not MessagePack: ${(e as Error).message}`);
  }
  const o = m as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.kind !== kind)
    throw wireError(where, `the body is not a ${kind} message`);
  if (typeof o.tNs !== 'bigint') throw wireError(where, `${kind} message without its grid time (tNs)`);
  if (kind !== 'portfolio' && typeof o.product !== 'string')
    throw wireError(where, `${kind} message without its product`);
  const list = kind === 'grid' ? o.triggers : kind === 'signals' ? o.decisions : [];
  if (!Array.isArray(list)) throw wireError(where, `${kind} message without its list`);
  if (kind === 'portfolio' && (typeof o.positions !== 'object' || typeof o.dailyPnl !== 'number'))
    throw wireError(where, 'portfolio message without positions or daily P&L');
  return m as ServiceMessage;
}

function wireError(where: string, problem: string): EngineError {
  return new EngineError('WIRE_DECODE', `${where}: ${problem}`);
}
