/**
 * Values as FIX 4.4 writes them (tag meanings from the FIX 4.4 specification): prices as decimal
 * strings made exactly from raw 1e-9 units and read back exactly, quantities as whole numbers,
 * and our sides, order types and times in force as their FIX codes. Instruments as a
 * counterparty names them: CME futures by Symbol(55) + MaturityMonthYear(200) +
 * SecurityExchange(207), or by SecurityID(48) + SecurityIDSource(22), per counterparty.
 */
import { ConfigError, MAX_EXACT_RAW, parsePrice } from '../../core/index.js';
import type { OrderSide, OrderType, TimeInForce } from '../order.js';

/** The raw price `raw` (1e-9 units) as the shortest exact decimal string: 1_085_050_000 → "1.08505". */
export function fixPrice(raw: number): string {
  if (!Number.isSafeInteger(raw)) throw new RangeError(`price ${raw} is not a whole number of 1e-9 units`);
  const neg = raw < 0;
  const abs = neg ? -raw : raw;
  const whole = Math.floor(abs / 1_000_000_000);
  const frac = (abs % 1_000_000_000).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/** A FIX decimal price read exactly into raw units, or null when it is not one (or out of range). */
export function rawPrice(text: string | null): number | null {
  if (text === null || !/^-?\d+(\.\d{1,9})?$/.test(text)) return null;
  let v: bigint;
  try {
    v = parsePrice(text);
  } catch {
    return null;
  }
  if (v > BigInt(MAX_EXACT_RAW) || v < -BigInt(MAX_EXACT_RAW)) return null;
  return Number(v);
}

/** A FIX quantity that must be a whole number >= 0 ("2", "2.0"), or null. */
export function wholeQty(text: string | null): number | null {
  if (text === null || !/^\d+(\.0*)?$/.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : null;
}

/** Side(54). */
export const SIDE: Readonly<Record<OrderSide, string>> = { buy: '1', sell: '2' };
/** OrdType(40). */
export const ORD_TYPE: Readonly<Record<OrderType, string>> = {
  market: '1',
  limit: '2',
  stop: '3',
  'stop-limit': '4',
};
/** TimeInForce(59); GTT is GTD with ExpireTime(126). */
export const TIME_IN_FORCE: Readonly<Record<TimeInForce, string>> = {
  DAY: '0',
  GTC: '1',
  IOC: '3',
  FOK: '4',
  GTT: '6',
};

/** The key of `code` in `table`, or undefined. */
export function fromCode<K extends string>(
  table: Readonly<Record<K, string>>,
  code: string | null,
): K | undefined {
  for (const k of Object.keys(table) as K[]) if (table[k] === code) return k;
  return undefined;
}

/** A CME future named by its exchange symbol and contract month. */
export interface SymbolMonthExchange {
  readonly kind: 'symbol';
  /** Symbol(55): the product, e.g. "6E". */
  readonly symbol: string;
  /** MaturityMonthYear(200): YYYYMM (or YYYYMMDD / YYYYMMwN), e.g. "202603". */
  readonly maturityMonthYear: string;
  /** SecurityExchange(207): the market's MIC-like code, e.g. "XCME" or "CME". */
  readonly securityExchange: string;
}

/** A future named by an identifier and the scheme it belongs to. */
export interface SecurityIdSymbology {
  readonly kind: 'security-id';
  /** SecurityID(48), e.g. the exchange's instrument id "42140878". */
  readonly securityId: string;
  /** SecurityIDSource(22): "8" exchange symbol, "4" ISIN, … */
  readonly securityIdSource: string;
  /** Symbol(55) sent alongside, when the counterparty wants one ("[N/A]" is common). */
  readonly symbol?: string;
}

/** How a counterparty names one of our instruments. */
export type FixSymbology = SymbolMonthExchange | SecurityIdSymbology;

/** One instrument a FIX counterparty trades for us: our id, its tick, and its name there. */
export interface FixInstrument {
  readonly instrumentId: number;
  /** Tick in raw units; prices off this grid are refused before anything is sent. */
  readonly tickRaw: number;
  readonly symbology: FixSymbology;
}

/** The Instrument component's fields for `s`, by FIX field name. */
export function instrumentFields(s: FixSymbology): Record<string, string> {
  if (s.kind === 'symbol')
    return { Symbol: s.symbol, MaturityMonthYear: s.maturityMonthYear, SecurityExchange: s.securityExchange };
  const out: Record<string, string> = { SecurityID: s.securityId, SecurityIDSource: s.securityIdSource };
  if (s.symbol !== undefined) out.Symbol = s.symbol;
  return out;
}

/** Finds our instrument from the Instrument fields a message carries. */
export class InstrumentMap {
  readonly #byId = new Map<number, FixInstrument>();
  readonly #byKey = new Map<string, FixInstrument>();

  constructor(instruments: readonly FixInstrument[]) {
    for (const i of instruments) {
      if (this.#byId.has(i.instrumentId))
        throw new ConfigError(`FIX instrument ${i.instrumentId} is listed twice`);
      if (!Number.isSafeInteger(i.tickRaw) || i.tickRaw <= 0)
        throw new ConfigError(
          `FIX instrument ${i.instrumentId}: tick ${i.tickRaw} is not a whole number of raw units above 0`,
        );
      const key = InstrumentMap.#key(i.symbology);
      const other = this.#byKey.get(key);
      if (other !== undefined)
        throw new ConfigError(
          `FIX instruments ${other.instrumentId} and ${i.instrumentId} have the same name at the counterparty (${key})`,
        );
      this.#byId.set(i.instrumentId, i);
      this.#byKey.set(key, i);
    }
  }

  get(instrumentId: number): FixInstrument | undefined {
    return this.#byId.get(instrumentId);
  }

  /** The instrument a message names (`field` reads a tag's string), or undefined. */
  find(field: (tag: number) => string | null): FixInstrument | undefined {
    const id = field(48);
    if (id !== null) {
      const hit = this.#byKey.get(`48=${id}|22=${field(22) ?? ''}`);
      if (hit !== undefined) return hit;
    }
    const symbol = field(55);
    if (symbol === null) return undefined;
    return this.#byKey.get(`55=${symbol}|200=${field(200) ?? ''}|207=${field(207) ?? ''}`);
  }

  static #key(s: FixSymbology): string {
    return s.kind === 'symbol'
      ? `55=${s.symbol}|200=${s.maturityMonthYear}|207=${s.securityExchange}`
      : `48=${s.securityId}|22=${s.securityIdSource}`;
  }
}

/** A UTC time in ns (a bigint) as a Date, for jspurefix's UTCTimestamp fields (ms precision). */
export function dateOfNs(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}
