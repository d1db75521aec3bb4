/**
 * Upgrading v1 and v2 records to the v3 layout, as Databento's clients do with
 * `VersionUpgradePolicy::UpgradeToV3`, so the rest of the engine sees one shape. Only
 * definitions, statistics, error, system and symbol-mapping records differ between versions;
 * market-data records are identical in every version and pass through untouched.
 */
import { UNDEF_PRICE } from '../../core/index.js';
import { RType } from './constants.js';
import { layoutFor, type RecordLayout } from './layouts.js';
import type { DbnRecord } from './record.js';

/** Statistics quantity "undefined" in v1/v2 (i32::MAX) and v3 (i64::MAX). */
const UNDEF_STAT_QUANTITY_V1 = 2147483647;
const UNDEF_STAT_QUANTITY_V3 = 9223372036854775807n;

const DEF_V3_DEFAULTS: Record<string, unknown> = {
  leg_price: UNDEF_PRICE,
  leg_delta: UNDEF_PRICE,
  leg_instrument_id: 0,
  leg_ratio_price_numerator: 0,
  leg_ratio_price_denominator: 0,
  leg_ratio_qty_numerator: 0,
  leg_ratio_qty_denominator: 0,
  leg_underlying_id: 0,
  leg_count: 0,
  leg_index: 0,
  leg_raw_symbol: '',
  leg_instrument_class: '\u0000',
  leg_side: 'N',
  _reserved: '00'.repeat(17),
};

// Codes inferred from v1 message texts, in the order of Databento's `From<&v1::ErrorMsg>` and
// `From<&v1::SystemMsg>` (dbn rust/dbn/src/v2.rs). They test prefixes and suffixes with
// starts_with/ends_with, which may share a character ("Finished replay" is a replay-completed
// message) and see across line breaks, so they are plain string tests here, not regexes.
const ERROR_CODES: Array<[(s: string) => boolean, number]> = [
  [(s) => s === 'User or API key deactivated', 2],
  [(s) => s === 'User has reached their open connection limit', 3],
  [(s) => s.startsWith('Failed to resolve symbol'), 4],
  [(s) => s === 'Internal error', 6],
  [(s) => s.startsWith('Slow client detected for '), 7],
];
const SYSTEM_CODES: Array<[(s: string) => boolean, number]> = [
  [(s) => s === 'Heartbeat', 0],
  [(s) => s.startsWith('End of interval for '), 4],
  [(s) => s.startsWith('Subscription request ') && s.endsWith(' succeeded'), 1],
  [(s) => s.startsWith('Warning: slow reading'), 2],
  [(s) => s.startsWith('Finished ') && s.endsWith(' replay'), 3],
];

function codeOf(text: string, table: Array<[(s: string) => boolean, number]>): number {
  for (const [matches, code] of table) if (matches(text)) return code;
  return 255;
}

/** True when records of `rtype` change layout between `version` and v3. */
export function needsUpgrade(rtype: number, version: number): boolean {
  if (version >= 3) return false;
  return layoutFor(rtype, version) !== layoutFor(rtype, 3);
}

/** Converts a record decoded with a v1/v2 layout into the v3 record with the same meaning. */
export function upgradeRecord(
  rec: DbnRecord,
  from: RecordLayout,
): { record: DbnRecord; layout: RecordLayout } {
  const rtype = rec.hd.rtype;
  const to = layoutFor(rtype, 3)!;
  if (from === to) return { record: rec, layout: to };
  const out: DbnRecord = { hd: { ...rec.hd, length: to.size / 4 } };
  if (rec.ts_out !== undefined) out.ts_out = rec.ts_out;
  switch (rtype) {
    case RType.INSTRUMENT_DEF:
      for (const f of to.fields) {
        if (f.name in rec && !f.name.startsWith('_')) out[f.name] = rec[f.name];
        else out[f.name] = DEF_V3_DEFAULTS[f.name];
      }
      out.raw_instrument_id = BigInt(rec.raw_instrument_id as number);
      break;
    case RType.STATISTICS:
      for (const f of to.fields) out[f.name] = rec[f.name];
      out.quantity =
        rec.quantity === UNDEF_STAT_QUANTITY_V1 ? UNDEF_STAT_QUANTITY_V3 : BigInt(rec.quantity as number);
      out._reserved = '00'.repeat(18);
      break;
    case RType.ERROR:
      out.err = rec.err;
      out.code = codeOf(String(rec.err), ERROR_CODES);
      out.is_last = 255;
      break;
    case RType.SYSTEM:
      out.msg = rec.msg;
      out.code = codeOf(String(rec.msg), SYSTEM_CODES);
      break;
    case RType.SYMBOL_MAPPING:
      out.stype_in = 255;
      out.stype_in_symbol = rec.stype_in_symbol;
      out.stype_out = 255;
      out.stype_out_symbol = rec.stype_out_symbol;
      out.start_ts = rec.start_ts;
      out.end_ts = rec.end_ts;
      break;
  }
  return { record: out, layout: to };
}
