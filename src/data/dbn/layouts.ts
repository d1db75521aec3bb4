/**
 * Record layouts, one table per record struct and DBN version. The tables drive everything that
 * is not the hot path: materialising records to objects, encoding, version upgrades, JSON and CSV.
 * Offsets follow the C structs of Databento's reference implementation; every gap is an explicit
 * reserved field, so a table's sizes must add up to the record size (checked at load).
 */
import { RType } from './constants.js';
import { DbnUsageError } from './errors.js';

/** Scalar and composite field kinds. `px` is an int64 1e-9 price; `ts` a uint64 ns timestamp. */
export type FieldType =
  | 'u8'
  | 'i8'
  | 'u16'
  | 'i16'
  | 'u32'
  | 'i32'
  | 'u64'
  | 'i64'
  | 'px'
  | 'ts'
  | 'char'
  | 'cstr'
  | 'bytes'
  | 'levels'
  | 'clevels';

/** One field of a record layout. */
export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
  /** Byte size of the whole field (for `levels`: all levels). */
  readonly size: number;
  /** Level count for `levels` / `clevels`. */
  readonly count: number;
}

/** A record struct: its name, the DBN version it belongs to, size and fields after the header. */
export interface RecordLayout {
  readonly name: string;
  readonly version: 1 | 2 | 3;
  readonly size: number;
  readonly fields: readonly FieldDef[];
}

/** Size of the common record header (length, rtype, publisher_id, instrument_id, ts_event). */
export const HEADER_SIZE = 16;
/** Size of one BidAskPair / ConsolidatedBidAskPair. */
export const LEVEL_SIZE = 32;

const SCALAR_SIZE: Partial<Record<FieldType, number>> = {
  u8: 1,
  i8: 1,
  char: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  u64: 8,
  i64: 8,
  px: 8,
  ts: 8,
};

type Spec = readonly [name: string, type: FieldType, sizeOrCount?: number];

function layout(name: string, version: 1 | 2 | 3, size: number, specs: readonly Spec[]): RecordLayout {
  const fields: FieldDef[] = [];
  let offset = HEADER_SIZE;
  for (const [fname, type, n] of specs) {
    let fsize: number;
    let count = 1;
    if (type === 'levels' || type === 'clevels') {
      count = n ?? 1;
      fsize = count * LEVEL_SIZE;
    } else if (type === 'cstr' || type === 'bytes') {
      fsize = n ?? 1;
    } else {
      fsize = SCALAR_SIZE[type]!;
    }
    fields.push({ name: fname, type, offset, size: fsize, count });
    offset += fsize;
  }
  if (offset !== size)
    throw new DbnUsageError(`Layout ${name} v${version} adds up to ${offset} bytes, expected ${size}`);
  return { name, version, size, fields };
}

const MBP_HEAD: readonly Spec[] = [
  ['price', 'px'],
  ['size', 'u32'],
  ['action', 'char'],
  ['side', 'char'],
  ['flags', 'u8'],
  ['depth', 'u8'],
  ['ts_recv', 'ts'],
  ['ts_in_delta', 'i32'],
  ['sequence', 'u32'],
];

const MBO = layout('MboMsg', 3, 56, [
  ['order_id', 'u64'],
  ['price', 'px'],
  ['size', 'u32'],
  ['flags', 'u8'],
  ['channel_id', 'u8'],
  ['action', 'char'],
  ['side', 'char'],
  ['ts_recv', 'ts'],
  ['ts_in_delta', 'i32'],
  ['sequence', 'u32'],
]);
const TRADE = layout('TradeMsg', 3, 48, MBP_HEAD);
const MBP1 = layout('Mbp1Msg', 3, 80, [...MBP_HEAD, ['levels', 'levels', 1]]);
const MBP10 = layout('Mbp10Msg', 3, 368, [...MBP_HEAD, ['levels', 'levels', 10]]);
const BBO = layout('BboMsg', 3, 80, [
  ['price', 'px'],
  ['size', 'u32'],
  ['_reserved1', 'bytes', 1],
  ['side', 'char'],
  ['flags', 'u8'],
  ['_reserved2', 'bytes', 1],
  ['ts_recv', 'ts'],
  ['_reserved3', 'bytes', 4],
  ['sequence', 'u32'],
  ['levels', 'levels', 1],
]);
const CMBP1 = layout('Cmbp1Msg', 3, 80, [
  ['price', 'px'],
  ['size', 'u32'],
  ['action', 'char'],
  ['side', 'char'],
  ['flags', 'u8'],
  ['_reserved1', 'bytes', 1],
  ['ts_recv', 'ts'],
  ['ts_in_delta', 'i32'],
  ['_reserved2', 'bytes', 4],
  ['levels', 'clevels', 1],
]);
const CBBO = layout('CbboMsg', 3, 80, [
  ['price', 'px'],
  ['size', 'u32'],
  ['_reserved1', 'bytes', 1],
  ['side', 'char'],
  ['flags', 'u8'],
  ['_reserved2', 'bytes', 1],
  ['ts_recv', 'ts'],
  ['_reserved3', 'bytes', 8],
  ['levels', 'clevels', 1],
]);
const OHLCV = layout('OhlcvMsg', 3, 56, [
  ['open', 'px'],
  ['high', 'px'],
  ['low', 'px'],
  ['close', 'px'],
  ['volume', 'u64'],
]);
const STATUS = layout('StatusMsg', 3, 40, [
  ['ts_recv', 'ts'],
  ['action', 'u16'],
  ['reason', 'u16'],
  ['trading_event', 'u16'],
  ['is_trading', 'char'],
  ['is_quoting', 'char'],
  ['is_short_sell_restricted', 'char'],
  ['_reserved', 'bytes', 7],
]);
const IMBALANCE = layout('ImbalanceMsg', 3, 112, [
  ['ts_recv', 'ts'],
  ['ref_price', 'px'],
  ['auction_time', 'ts'],
  ['cont_book_clr_price', 'px'],
  ['auct_interest_clr_price', 'px'],
  ['ssr_filling_price', 'px'],
  ['ind_match_price', 'px'],
  ['upper_collar', 'px'],
  ['lower_collar', 'px'],
  ['paired_qty', 'u32'],
  ['total_imbalance_qty', 'u32'],
  ['market_imbalance_qty', 'u32'],
  ['unpaired_qty', 'u32'],
  ['auction_type', 'char'],
  ['side', 'char'],
  ['auction_status', 'u8'],
  ['freeze_status', 'u8'],
  ['num_extensions', 'u8'],
  ['unpaired_side', 'char'],
  ['significant_imbalance', 'char'],
  ['_reserved', 'bytes', 1],
]);

const STAT_HEAD: readonly Spec[] = [
  ['ts_recv', 'ts'],
  ['ts_ref', 'ts'],
  ['price', 'px'],
];
const STAT_TAIL: readonly Spec[] = [
  ['sequence', 'u32'],
  ['ts_in_delta', 'i32'],
  ['stat_type', 'u16'],
  ['channel_id', 'u16'],
  ['update_action', 'u8'],
  ['stat_flags', 'u8'],
];
const STAT_V1 = layout('StatMsgV1', 1, 64, [
  ...STAT_HEAD,
  ['quantity', 'i32'],
  ...STAT_TAIL,
  ['_reserved', 'bytes', 6],
]);
const STAT_V3 = layout('StatMsgV3', 3, 80, [
  ...STAT_HEAD,
  ['quantity', 'i64'],
  ...STAT_TAIL,
  ['_reserved', 'bytes', 18],
]);

const DEF_PRICES_V12: readonly Spec[] = [
  ['ts_recv', 'ts'],
  ['min_price_increment', 'px'],
  ['display_factor', 'px'],
  ['expiration', 'ts'],
  ['activation', 'ts'],
  ['high_limit_price', 'px'],
  ['low_limit_price', 'px'],
  ['max_price_variation', 'px'],
  ['trading_reference_price', 'px'],
  ['unit_of_measure_qty', 'px'],
  ['min_price_increment_amount', 'px'],
  ['price_ratio', 'px'],
];
const DEF_INTS_A: readonly Spec[] = [
  ['inst_attrib_value', 'i32'],
  ['underlying_id', 'u32'],
  ['raw_instrument_id', 'u32'],
  ['market_depth_implied', 'i32'],
  ['market_depth', 'i32'],
  ['market_segment_id', 'u32'],
  ['max_trade_vol', 'u32'],
  ['min_lot_size', 'i32'],
  ['min_lot_size_block', 'i32'],
  ['min_lot_size_round_lot', 'i32'],
  ['min_trade_vol', 'u32'],
];
const DEF_CONTRACT: readonly Spec[] = [
  ['contract_multiplier', 'i32'],
  ['decay_quantity', 'i32'],
  ['original_contract_size', 'i32'],
];
const DEF_SHORTS: readonly Spec[] = [
  ['appl_id', 'i16'],
  ['maturity_year', 'u16'],
  ['decay_start_date', 'u16'],
  ['channel_id', 'u16'],
];
function defStrings(symLen: number, assetLen: number): Spec[] {
  return [
    ['currency', 'cstr', 4],
    ['settl_currency', 'cstr', 4],
    ['secsubtype', 'cstr', 6],
    ['raw_symbol', 'cstr', symLen],
    ['group', 'cstr', 21],
    ['exchange', 'cstr', 5],
    ['asset', 'cstr', assetLen],
    ['cfi', 'cstr', 7],
    ['security_type', 'cstr', 7],
    ['unit_of_measure', 'cstr', 31],
    ['underlying', 'cstr', 21],
    ['strike_price_currency', 'cstr', 4],
  ];
}
const DEF_TAIL_V12: readonly Spec[] = [
  ['match_algorithm', 'char'],
  ['md_security_trading_status', 'u8'],
  ['main_fraction', 'u8'],
  ['price_display_format', 'u8'],
  ['settl_price_type', 'u8'],
  ['sub_fraction', 'u8'],
  ['underlying_product', 'u8'],
  ['security_update_action', 'char'],
  ['maturity_month', 'u8'],
  ['maturity_day', 'u8'],
  ['maturity_week', 'u8'],
  ['user_defined_instrument', 'char'],
  ['contract_multiplier_unit', 'i8'],
  ['flow_schedule_type', 'i8'],
  ['tick_rule', 'u8'],
];

const DEF_V1 = layout('InstrumentDefMsgV1', 1, 360, [
  ...DEF_PRICES_V12,
  ...DEF_INTS_A,
  ['_reserved2', 'bytes', 4],
  ...DEF_CONTRACT,
  ['_reserved3', 'bytes', 4],
  ['trading_reference_date', 'u16'],
  ...DEF_SHORTS,
  ...defStrings(22, 7),
  ['instrument_class', 'char'],
  ['_reserved4', 'bytes', 2],
  ['strike_price', 'px'],
  ['_reserved5', 'bytes', 6],
  ...DEF_TAIL_V12,
  ['_dummy', 'bytes', 3],
]);
const DEF_V2 = layout('InstrumentDefMsgV2', 2, 400, [
  ...DEF_PRICES_V12,
  ['strike_price', 'px'],
  ...DEF_INTS_A,
  ...DEF_CONTRACT,
  ['trading_reference_date', 'u16'],
  ...DEF_SHORTS,
  ...defStrings(71, 7),
  ['instrument_class', 'char'],
  ...DEF_TAIL_V12,
  ['_reserved', 'bytes', 10],
]);
const DEF_V3 = layout('InstrumentDefMsgV3', 3, 520, [
  ['ts_recv', 'ts'],
  ['min_price_increment', 'px'],
  ['display_factor', 'px'],
  ['expiration', 'ts'],
  ['activation', 'ts'],
  ['high_limit_price', 'px'],
  ['low_limit_price', 'px'],
  ['max_price_variation', 'px'],
  ['unit_of_measure_qty', 'px'],
  ['min_price_increment_amount', 'px'],
  ['price_ratio', 'px'],
  ['strike_price', 'px'],
  ['raw_instrument_id', 'u64'],
  ['leg_price', 'px'],
  ['leg_delta', 'px'],
  ['inst_attrib_value', 'i32'],
  ['underlying_id', 'u32'],
  ['market_depth_implied', 'i32'],
  ['market_depth', 'i32'],
  ['market_segment_id', 'u32'],
  ['max_trade_vol', 'u32'],
  ['min_lot_size', 'i32'],
  ['min_lot_size_block', 'i32'],
  ['min_lot_size_round_lot', 'i32'],
  ['min_trade_vol', 'u32'],
  ...DEF_CONTRACT,
  ['leg_instrument_id', 'u32'],
  ['leg_ratio_price_numerator', 'i32'],
  ['leg_ratio_price_denominator', 'i32'],
  ['leg_ratio_qty_numerator', 'i32'],
  ['leg_ratio_qty_denominator', 'i32'],
  ['leg_underlying_id', 'u32'],
  ...DEF_SHORTS,
  ['leg_count', 'u16'],
  ['leg_index', 'u16'],
  ...defStrings(71, 11),
  ['leg_raw_symbol', 'cstr', 71],
  ['instrument_class', 'char'],
  ['match_algorithm', 'char'],
  ['main_fraction', 'u8'],
  ['price_display_format', 'u8'],
  ['sub_fraction', 'u8'],
  ['underlying_product', 'u8'],
  ['security_update_action', 'char'],
  ['maturity_month', 'u8'],
  ['maturity_day', 'u8'],
  ['maturity_week', 'u8'],
  ['user_defined_instrument', 'char'],
  ['contract_multiplier_unit', 'i8'],
  ['flow_schedule_type', 'i8'],
  ['tick_rule', 'u8'],
  ['leg_instrument_class', 'char'],
  ['leg_side', 'char'],
  ['_reserved', 'bytes', 17],
]);

const ERROR_V1 = layout('ErrorMsgV1', 1, 80, [['err', 'cstr', 64]]);
const ERROR_V2 = layout('ErrorMsg', 2, 320, [
  ['err', 'cstr', 302],
  ['code', 'u8'],
  ['is_last', 'u8'],
]);
const SYSTEM_V1 = layout('SystemMsgV1', 1, 80, [['msg', 'cstr', 64]]);
const SYSTEM_V2 = layout('SystemMsg', 2, 320, [
  ['msg', 'cstr', 303],
  ['code', 'u8'],
]);
const SYMMAP_V1 = layout('SymbolMappingMsgV1', 1, 80, [
  ['stype_in_symbol', 'cstr', 22],
  ['stype_out_symbol', 'cstr', 22],
  ['_dummy', 'bytes', 4],
  ['start_ts', 'ts'],
  ['end_ts', 'ts'],
]);
const SYMMAP_V2 = layout('SymbolMappingMsg', 2, 176, [
  ['stype_in', 'u8'],
  ['stype_in_symbol', 'cstr', 71],
  ['stype_out', 'u8'],
  ['stype_out_symbol', 'cstr', 71],
  ['start_ts', 'ts'],
  ['end_ts', 'ts'],
]);

/** Every layout by name, for tests and tooling. */
export const LAYOUTS: Readonly<Record<string, RecordLayout>> = Object.fromEntries(
  [
    MBO,
    TRADE,
    MBP1,
    MBP10,
    BBO,
    CMBP1,
    CBBO,
    OHLCV,
    STATUS,
    IMBALANCE,
    STAT_V1,
    STAT_V3,
    DEF_V1,
    DEF_V2,
    DEF_V3,
    ERROR_V1,
    ERROR_V2,
    SYSTEM_V1,
    SYSTEM_V2,
    SYMMAP_V1,
    SYMMAP_V2,
  ].map((l) => [l.name, l]),
);

// rtype -> layout, one table per version (index 0 unused).
const BY_VERSION: Array<Array<RecordLayout | undefined>> = [[], [], [], []];
function register(rtypes: number[], v1: RecordLayout, v2 = v1, v3 = v2): void {
  for (const rt of rtypes) {
    BY_VERSION[1][rt] = v1;
    BY_VERSION[2][rt] = v2;
    BY_VERSION[3][rt] = v3;
  }
}
register([RType.MBO], MBO);
register([RType.MBP_0], TRADE);
register([RType.MBP_1], MBP1);
register([RType.MBP_10], MBP10);
register([RType.BBO_1S, RType.BBO_1M], BBO);
register([RType.CMBP_1, RType.TCBBO], CMBP1);
register([RType.CBBO_1S, RType.CBBO_1M], CBBO);
register(
  [RType.OHLCV_DEPRECATED, RType.OHLCV_1S, RType.OHLCV_1M, RType.OHLCV_1H, RType.OHLCV_1D, RType.OHLCV_EOD],
  OHLCV,
);
register([RType.STATUS], STATUS);
register([RType.IMBALANCE], IMBALANCE);
register([RType.STATISTICS], STAT_V1, STAT_V1, STAT_V3);
register([RType.INSTRUMENT_DEF], DEF_V1, DEF_V2, DEF_V3);
register([RType.ERROR], ERROR_V1, ERROR_V2);
register([RType.SYSTEM], SYSTEM_V1, SYSTEM_V2);
register([RType.SYMBOL_MAPPING], SYMMAP_V1, SYMMAP_V2);

/** The layout of records of `rtype` in DBN `version`, or undefined for an rtype this decoder does not know. */
export function layoutFor(rtype: number, version: number): RecordLayout | undefined {
  return BY_VERSION[version]?.[rtype];
}

/**
 * Expected record size in bytes per rtype for a version (0 = unknown rtype), as a flat table the
 * framing loop can index without a function call.
 */
export function sizeTable(version: number, tsOut: boolean): Uint16Array {
  const t = new Uint16Array(256);
  for (let rt = 0; rt < 256; rt++) {
    const l = layoutFor(rt, version);
    if (l) t[rt] = l.size + (tsOut ? 8 : 0);
  }
  return t;
}

/** The layout of `rtype` whose size is `size` in any version (to recognise fragments of unknown version). */
export function layoutsBySize(rtype: number, size: number): RecordLayout[] {
  const out: RecordLayout[] = [];
  for (const v of [3, 2, 1]) {
    const l = layoutFor(rtype, v);
    if (l && l.size === size && !out.includes(l)) out.push(l);
  }
  return out;
}
