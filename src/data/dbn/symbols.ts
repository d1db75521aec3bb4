/**
 * Resolving instrument ids to symbols, as Databento's clients do: from the metadata mappings
 * (each raw symbol maps to an instrument id over half-open date intervals, UTC dates) and from
 * symbol-mapping records in live streams, which take precedence from their start time.
 */
import { yyyymmddOf } from '../../core/index.js';
import { RType } from './constants.js';
import type { Metadata } from './metadata.js';
import type { DbnRecord } from './record.js';

interface Span {
  start: number;
  end: number;
  symbol: string;
}

/** instrument_id -> symbol by date. */
export class SymbolMap {
  readonly #byId = new Map<number, Span[]>();
  readonly #live = new Map<number, string>();

  /** Builds the map from metadata whose stype_out is instrument_id (the usual case). */
  static fromMetadata(md: Metadata | null): SymbolMap {
    const map = new SymbolMap();
    if (!md) return map;
    for (const m of md.mappings) {
      for (const iv of m.intervals) {
        // stype_out instrument_id: interval symbol is the id, raw_symbol the name.
        const id = Number(iv.symbol);
        if (Number.isInteger(id) && iv.symbol !== '') map.add(id, m.raw_symbol, iv.start_date, iv.end_date);
        else {
          const rid = Number(m.raw_symbol);
          if (Number.isInteger(rid)) map.add(rid, iv.symbol, iv.start_date, iv.end_date);
        }
      }
    }
    return map;
  }

  /** Adds a mapping valid on dates in [startDate, endDate) (YYYYMMDD). */
  add(instrumentId: number, symbol: string, startDate: number, endDate: number): void {
    let spans = this.#byId.get(instrumentId);
    if (!spans) {
      spans = [];
      this.#byId.set(instrumentId, spans);
    }
    spans.push({ start: startDate, end: endDate, symbol });
  }

  /**
   * Learns from a symbol-mapping record (live data): its output symbol holds from then on. The
   * output symbol is the instrument's own (stype_in_symbol is what was subscribed, e.g. a parent
   * "ES.FUT"), as in Databento's `PitSymbolMap::on_symbol_mapping`.
   */
  update(rec: DbnRecord): void {
    if (rec.hd.rtype !== RType.SYMBOL_MAPPING) return;
    const symbol = String(rec.stype_out_symbol ?? '');
    if (symbol) this.#live.set(rec.hd.instrument_id, symbol);
  }

  /** The symbol of `instrumentId` at `tsNs` (or any date when omitted); undefined when unknown. */
  resolve(instrumentId: number, tsNs?: bigint): string | undefined {
    const live = this.#live.get(instrumentId);
    if (live !== undefined) return live;
    const spans = this.#byId.get(instrumentId);
    if (!spans) return undefined;
    if (tsNs === undefined) return spans[0].symbol;
    const date = yyyymmddOf(tsNs);
    for (const s of spans) if (date >= s.start && date < s.end) return s.symbol;
    return undefined;
  }

  /** Every instrument id the map knows. */
  ids(): number[] {
    return [...new Set([...this.#byId.keys(), ...this.#live.keys()])];
  }
}
