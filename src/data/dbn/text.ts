/**
 * Text renderings of records, shaped like Databento's own JSON and CSV output: ts_recv (the index
 * timestamp) first, then `hd` (nested in JSON, flat in CSV), then the fields in Databento's order,
 * levels as `bid_px_00`-style columns in CSV.
 * With `pretty`, prices are 9-decimal strings (null / empty for UNDEF) and timestamps ISO-8601
 * with nanoseconds; without, both are raw integers. Other 64-bit integers are decimal strings in
 * JSON so that doubles do not round them. Reserved fields are left out.
 */
import { csvField, formatPrice, formatTimestamp, UNDEF_PRICE, UNDEF_TIMESTAMP } from '../../core/index.js';
import { type FieldDef, layoutFor, type RecordLayout } from './layouts.js';
import type { DbnRecord } from './record.js';

/** Rendering options. */
export interface TextOptions {
  /** Decimal prices and ISO timestamps (default true). */
  pretty?: boolean;
  /** Symbol to append as a `symbol` field/column (from SymbolMap); null when it is unknown. */
  symbol?: string | null;
}

// Databento's text encoders list some fields before the rest (their `encode_order`): after
// ts_recv and the header come these, then every other field in struct order.
const FIRST: Record<string, readonly string[]> = {
  MboMsg: ['action', 'side', 'price', 'size', 'channel_id'],
  TradeMsg: ['action', 'side', 'depth'],
  Mbp1Msg: ['action', 'side', 'depth'],
  Mbp10Msg: ['action', 'side', 'depth'],
  BboMsg: ['side'],
  CbboMsg: ['side'],
  Cmbp1Msg: ['action', 'side'],
};
const ORDERED = new Map<RecordLayout, readonly FieldDef[]>();

/** A layout's fields in the order Databento's JSON and CSV list them. */
export function textFields(layout: RecordLayout): readonly FieldDef[] {
  let fields = ORDERED.get(layout);
  if (!fields) {
    const first = FIRST[layout.name] ?? [];
    const head = first.map((name) => layout.fields.find((f) => f.name === name)!);
    fields = [...head, ...layout.fields.filter((f) => !first.includes(f.name))];
    ORDERED.set(layout, fields);
  }
  return fields;
}

function px(v: bigint, pretty: boolean): string | null {
  if (!pretty) return v.toString();
  return formatPrice(v);
}
function ts(v: bigint, pretty: boolean): string | null {
  if (!pretty) return v.toString();
  return v === UNDEF_TIMESTAMP ? null : formatTimestamp(v);
}

function jsonValue(type: string, v: unknown, pretty: boolean): unknown {
  switch (type) {
    case 'px':
      return px(v as bigint, pretty);
    case 'ts':
      return ts(v as bigint, pretty);
    case 'u64':
    case 'i64':
      return (v as bigint).toString();
    default:
      return v;
  }
}

/**
 * A decoded level in Databento's JSON keys. Built as one literal (not key by key from the object's
 * entries): a dump renders ten of these per MBP-10 record, and the generic copy took about a third of
 * its time. A level that is not a decoded one (a price missing) is copied key by key instead.
 */
function jsonLevel(
  lv: Record<string, unknown>,
  consolidated: boolean,
  pretty: boolean,
): Record<string, unknown> {
  const bid = lv.bid_px;
  const ask = lv.ask_px;
  if (typeof bid !== 'bigint' || typeof ask !== 'bigint') return jsonLevelByKey(lv, pretty);
  return consolidated
    ? {
        bid_px: px(bid, pretty),
        ask_px: px(ask, pretty),
        bid_sz: lv.bid_sz,
        ask_sz: lv.ask_sz,
        bid_pb: lv.bid_pb,
        ask_pb: lv.ask_pb,
      }
    : {
        bid_px: px(bid, pretty),
        ask_px: px(ask, pretty),
        bid_sz: lv.bid_sz,
        ask_sz: lv.ask_sz,
        bid_ct: lv.bid_ct,
        ask_ct: lv.ask_ct,
      };
}

function jsonLevelByKey(lv: Record<string, unknown>, pretty: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lv)) {
    if (k.startsWith('_')) continue;
    o[k] = k.endsWith('_px') ? px(v as bigint, pretty) : v;
  }
  return o;
}

function jsonLevels(
  levels: Record<string, unknown>[],
  consolidated: boolean,
  pretty: boolean,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const lv of levels) out.push(jsonLevel(lv, consolidated, pretty));
  return out;
}

/** A record as a JSON-ready object in Databento's field order. */
export function recordToJson(rec: DbnRecord, version = 3, opts: TextOptions = {}): Record<string, unknown> {
  const pretty = opts.pretty ?? true;
  const layout = layoutFor(rec.hd.rtype, version);
  const out: Record<string, unknown> = {};
  const hasTsRecv = layout?.fields.some((f) => f.name === 'ts_recv');
  if (hasTsRecv) out.ts_recv = ts(rec.ts_recv as bigint, pretty);
  out.hd = {
    ts_event: ts(rec.hd.ts_event, pretty),
    rtype: rec.hd.rtype,
    publisher_id: rec.hd.publisher_id,
    instrument_id: rec.hd.instrument_id,
  };
  if (layout) {
    for (const f of textFields(layout)) {
      if (f.name.startsWith('_') || f.name === 'ts_recv') continue;
      const v = rec[f.name];
      out[f.name] =
        f.type === 'levels' || f.type === 'clevels'
          ? jsonLevels(v as Record<string, unknown>[], f.type === 'clevels', pretty)
          : jsonValue(f.type, v, pretty);
    }
  } else if (rec.raw !== undefined) {
    out.raw = rec.raw;
  }
  if (rec.ts_out !== undefined) out.ts_out = ts(rec.ts_out, pretty);
  if (opts.symbol !== undefined) out.symbol = opts.symbol;
  return out;
}

/** JSON text of a record (one line). */
export function recordToJsonLine(rec: DbnRecord, version = 3, opts: TextOptions = {}): string {
  return JSON.stringify(recordToJson(rec, version, opts));
}

const LEVEL_KEYS = ['bid_px', 'ask_px', 'bid_sz', 'ask_sz', 'bid_ct', 'ask_ct'];
const CLEVEL_KEYS = ['bid_px', 'ask_px', 'bid_sz', 'ask_sz', 'bid_pb', 'ask_pb'];

/** CSV column names for a layout, in Databento's order (ts_recv first when the record has it). */
export function csvHeader(layout: RecordLayout, withSymbol = false, tsOut = false): string[] {
  const cols: string[] = [];
  const hasTsRecv = layout.fields.some((f) => f.name === 'ts_recv');
  if (hasTsRecv) cols.push('ts_recv');
  cols.push('ts_event', 'rtype', 'publisher_id', 'instrument_id');
  for (const f of textFields(layout)) {
    if (f.name.startsWith('_') || f.name === 'ts_recv') continue;
    if (f.type === 'levels' || f.type === 'clevels') {
      const keys = f.type === 'levels' ? LEVEL_KEYS : CLEVEL_KEYS;
      for (let i = 0; i < f.count; i++) {
        for (const k of keys) cols.push(`${k}_${String(i).padStart(2, '0')}`);
      }
    } else cols.push(f.name);
  }
  if (tsOut) cols.push('ts_out');
  if (withSymbol) cols.push('symbol');
  return cols;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  // c_char fields may be NUL; render as empty.
  if (s === '\u0000') return '';
  return csvField(s);
}

/** One CSV line of a record with `layout`'s columns. UNDEF prices render as empty cells. */
export function recordToCsv(rec: DbnRecord, layout: RecordLayout, opts: TextOptions = {}): string {
  const pretty = opts.pretty ?? true;
  const cells: string[] = [];
  const pxCell = (v: bigint) => (v === UNDEF_PRICE ? '' : px(v, pretty));
  const hasTsRecv = layout.fields.some((f) => f.name === 'ts_recv');
  if (hasTsRecv) cells.push(csvCell(ts(rec.ts_recv as bigint, pretty)));
  cells.push(
    csvCell(ts(rec.hd.ts_event, pretty)),
    String(rec.hd.rtype),
    String(rec.hd.publisher_id),
    String(rec.hd.instrument_id),
  );
  for (const f of textFields(layout)) {
    if (f.name.startsWith('_') || f.name === 'ts_recv') continue;
    const v = rec[f.name];
    if (f.type === 'levels' || f.type === 'clevels') {
      const keys = f.type === 'levels' ? LEVEL_KEYS : CLEVEL_KEYS;
      for (const lv of v as Record<string, unknown>[]) {
        for (const k of keys)
          cells.push(k.endsWith('_px') ? csvCell(pxCell(lv[k] as bigint)) : csvCell(lv[k]));
      }
    } else if (f.type === 'px') cells.push(csvCell(pxCell(v as bigint)));
    else if (f.type === 'ts') cells.push(csvCell(ts(v as bigint, pretty)));
    else cells.push(csvCell(v));
  }
  if (rec.ts_out !== undefined) cells.push(csvCell(ts(rec.ts_out, pretty)));
  if (opts.symbol !== undefined) cells.push(csvCell(opts.symbol));
  return cells.join(',');
}
