/**
 * Rows to records and back, for both stores. Every integer column is read as a `bigint`;
 * quantities, prices and ids are narrowed to `number` (they are below 2^53 by construction), times
 * stay `bigint`. A flag is an integer 0/1 in SQLite and a BOOLEAN in PostgreSQL.
 */
import type { SqlValue } from './driver.js';
import type {
  KillSwitch,
  RiskDay,
  StoredDecision,
  StoredFill,
  StoredOrder,
  StoredOrderRole,
  StoredOrderSpec,
  StoredPosition,
  StoredTransition,
} from './types.js';

/** A column's value as either database gives it. */
export type RowValue = SqlValue | boolean;
/** A row as either database gives it. */
export type SqlRow = Readonly<Record<string, RowValue>>;

export function num(v: RowValue): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}
export function ns(v: RowValue): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}
function text(v: RowValue): string {
  return v as string;
}
function flag(v: RowValue): boolean {
  return v === true || v === 1n || v === 1;
}

/** The optional fields of a spec, present only when stored (as an `OrderSpec` has them). */
function optionalTerms(r: SqlRow): Partial<StoredOrderSpec> {
  return {
    ...(r.limit_px !== null ? { limitPx: num(r.limit_px) } : {}),
    ...(r.stop_px !== null ? { stopPx: num(r.stop_px) } : {}),
    ...(r.expire_at_ns !== null ? { expireAtNs: ns(r.expire_at_ns) } : {}),
    ...(flag(r.post_only) ? { postOnly: true } : {}),
  };
}

function roleOf(r: SqlRow): StoredOrderRole | null {
  if (r.role === null) return null;
  return {
    role: text(r.role) as StoredOrderRole['role'],
    ...(r.role_reason !== null ? { reason: text(r.role_reason) } : {}),
    ...(r.decision_id !== null ? { decisionId: text(r.decision_id) } : {}),
    ...(r.bracket_stop_px !== null && r.bracket_stop_px !== undefined
      ? {
          bracket: {
            stopPx: num(r.bracket_stop_px),
            targetPx: num(r.bracket_target_px),
            timeStopMs: num(r.bracket_time_stop_ms),
          },
        }
      : {}),
  };
}

export function orderOf(r: SqlRow): StoredOrder {
  const spec = {
    clientId: text(r.client_id),
    instrumentId: num(r.instrument_id),
    side: text(r.side),
    type: text(r.type),
    quantity: num(r.quantity),
    tif: text(r.tif),
    ...optionalTerms(r),
  } as StoredOrderSpec;
  return {
    spec,
    status: text(r.status) as StoredOrder['status'],
    filledQuantity: num(r.filled_quantity),
    sentNs: ns(r.sent_ns),
    ackedNs: r.acked_ns === null ? null : ns(r.acked_ns),
    updatedNs: ns(r.updated_ns),
    venueId: r.venue_id === null ? null : text(r.venue_id),
    role: roleOf(r),
  };
}

export function transitionOf(r: SqlRow): StoredTransition {
  return {
    event: text(r.event) as StoredTransition['event'],
    from: text(r.from_status) as StoredTransition['from'],
    to: text(r.to_status) as StoredTransition['to'],
    atNs: ns(r.at_ns),
    ...(r.quantity !== null ? { quantity: num(r.quantity) } : {}),
    ...(r.price !== null ? { price: num(r.price) } : {}),
    ...(r.reason !== null ? { reason: text(r.reason) } : {}),
  };
}

export function fillOf(r: SqlRow): StoredFill {
  return {
    fillId: text(r.fill_id),
    clientId: text(r.client_id),
    instrumentId: num(r.instrument_id),
    side: text(r.side) as StoredFill['side'],
    quantity: num(r.quantity),
    price: num(r.price),
    fee: num(r.fee),
    tsNs: ns(r.ts_ns),
    ...(r.liquidity !== null ? { liquidity: text(r.liquidity) as StoredFill['liquidity'] } : {}),
  };
}

export function positionOf(r: SqlRow): StoredPosition {
  return { instrumentId: num(r.instrument_id), quantity: num(r.quantity), updatedNs: ns(r.updated_ns) };
}

export function decisionOf(r: SqlRow): StoredDecision {
  return {
    id: text(r.id),
    instrument: text(r.instrument),
    snapshotTs: text(r.snapshot_ts),
    trigger: text(r.trigger),
    route: text(r.route),
    approved: flag(r.approved),
    direction: text(r.direction) as StoredDecision['direction'],
    size: num(r.size),
    audit: text(r.audit),
  };
}

export function riskDayOf(r: SqlRow): RiskDay {
  return {
    tradingDate: text(r.trading_date),
    startEquity: num(r.start_equity),
    pnl: num(r.pnl),
    high: num(r.high),
    halted: r.halted === null ? null : text(r.halted),
    updatedNs: ns(r.updated_ns),
  };
}

export function killSwitchOf(r: SqlRow | undefined): KillSwitch {
  if (r === undefined) return { engaged: false, reason: '', atNs: 0n };
  return { engaged: flag(r.engaged), reason: text(r.reason), atNs: ns(r.at_ns) };
}
