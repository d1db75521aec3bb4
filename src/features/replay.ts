/**
 * Replaying DBN files through a `FeatureEngine` on a time grid: the files are merged by ts_recv
 * (ties by file order, then position: `MergedRecords`), symbols come from each file's metadata
 * (and with them the tick of CME FX futures, unless definition records say otherwise),
 * futures are paired with their spot pairs when the input holds both, definition records set tick
 * sizes, and `onGrid(t)` is called at every multiple of `everyNs` from the first record's time to
 * the last one's, after every record with ts_recv <= t was applied and the engine advanced to t.
 * Memory holds one batch per file.
 */

import { existsSync } from 'node:fs';
import { CME_FX_FUTURES, ConfigError, fxFutureRoot } from '../core/index.js';
import {
  DbnDecoder,
  DbnError,
  MergedRecords,
  type RecordCursor,
  RType,
  SymbolMap,
} from '../data/dbn/index.js';
import type { FeatureEngine } from './engine.js';

/**
 * Spot FX pairs of the CME FX futures (CONVENTIONS.md "Instruments"): the pair as IG and the
 * DBN metadata name it, whether the future quotes its inverse, and the pair's quote tick (raw 1e-9
 * units: 5 decimals, 3 for JPY).
 */
export const SPOT_PAIRS: Readonly<Record<string, { pair: string; invert: boolean; tick: number }>> = {
  '6E': { pair: 'EUR/USD', invert: false, tick: 10_000 },
  '6B': { pair: 'GBP/USD', invert: false, tick: 10_000 },
  '6J': { pair: 'USD/JPY', invert: true, tick: 1_000_000 },
};

/**
 * Pairs every future in `symbols` (id → symbol, e.g. `6EZ6`) with its spot pair when the input
 * holds it (`EUR/USD`), so that the future's `basis` is reported.
 */
export function pairFuturesWithSpot(engine: FeatureEngine, symbols: ReadonlyMap<number, string>): void {
  const byName = new Map<string, number>();
  for (const [id, sym] of symbols) byName.set(sym, id);
  for (const [id, sym] of symbols) {
    const spec = SPOT_PAIRS[sym.slice(0, 2)];
    if (spec === undefined || !/^6[A-Z][FGHJKMNQUVXZ]\d{1,2}$/.test(sym)) continue;
    const spotId = byName.get(spec.pair);
    if (spotId === undefined) continue;
    engine.setTickSize(spotId, spec.tick);
    engine.pairSpot(id, spotId, spec.invert);
  }
}

/** Options of `replay`. */
export interface ReplayOptions {
  /** Grid step in ns (> 0). */
  everyNs: bigint;
  /** Called at each grid time t (ns) once the engine reflects every record with ts_recv <= t. */
  onGrid: (tNs: bigint) => void | Promise<void>;
  /** Called with each record after the engine applied it. */
  onRecord?: (c: RecordCursor) => void;
  /** Called after each batch with the bytes read so far from all files. */
  onProgress?: (bytesRead: number) => void;
}

/** What `replay` read. */
export interface ReplaySummary {
  /** Records read. */
  records: number;
  /** Instrument id → symbol, from the files' metadata. */
  symbols: Map<number, string>;
}

/** Replays `files` through `engine`, calling `onGrid` on the time grid (see the module comment). */
export async function replay(
  files: readonly string[],
  engine: FeatureEngine,
  opts: ReplayOptions,
): Promise<ReplaySummary> {
  if (files.length === 0) throw new ConfigError('no input files');
  if (!(opts.everyNs > 0n)) throw new ConfigError(`grid step must be > 0 ns, got ${opts.everyNs}`);
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const decoders = files.map((f) => DbnDecoder.fromFile(f));
  const names = new Map<number, string>();
  for (const dec of decoders) {
    const symbols = SymbolMap.fromMetadata(await dec.readMetadata());
    for (const id of symbols.ids()) {
      const sym = symbols.resolve(id);
      if (sym !== undefined) {
        engine.setSymbol(id, sym);
        names.set(id, sym);
        // CME FX futures have known ticks; a definition record in the input still overrides.
        const root = fxFutureRoot(sym);
        if (root !== undefined) engine.setTickSize(id, CME_FX_FUTURES[root].tickRaw);
      }
    }
  }
  pairFuturesWithSpot(engine, names);
  const merged = await MergedRecords.open(decoders);

  const every = opts.everyNs;
  const { onGrid, onRecord, onProgress } = opts;
  let next = -1n;
  let nextHi = 0;
  let nextLo = 0;
  let records = 0;
  const setNext = (t: bigint) => {
    next = t;
    nextHi = Number(t >> 32n);
    nextLo = Number(t & 0xffffffffn);
  };
  const emit = async () => {
    engine.advance(next);
    await onGrid(next);
    setNext(next + every);
  };
  let lastHi = 0;
  let lastLo = 0;
  while (!merged.done) {
    const hi = merged.keyHi;
    const lo = merged.keyLo;
    if (next < 0n) {
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      setNext(((t + every - 1n) / every) * every);
    }
    while (hi > nextHi || (hi === nextHi && lo > nextLo)) await emit();
    lastHi = hi;
    lastLo = lo;
    const c = merged.cursor();
    if (c.rtype === RType.INSTRUMENT_DEF) engine.applyDefinition(merged.batch.toObject(merged.index));
    else engine.apply(c);
    if (onRecord !== undefined) onRecord(c);
    records++;
    const loading = merged.next();
    if (loading) {
      await loading;
      if (onProgress !== undefined) {
        let done = 0;
        for (const d of decoders) done += d.bytesRead;
        onProgress(done);
      }
    }
  }
  if (next >= 0n) {
    while (lastHi > nextHi || (lastHi === nextHi && lastLo >= nextLo)) await emit();
  }
  return { records, symbols: names };
}
