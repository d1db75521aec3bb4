/**
 * Replaying DBN files into a `ReplaySink` (the feature engine, say) on a time grid: the files are
 * merged by ts_recv (ties by file order, then position: `MergedRecords`), symbols come from each
 * file's metadata (and with them the tick of CME FX futures, unless definition records say
 * otherwise), the sink hears every symbol before the first record (so it can pair futures with
 * their spot pairs), definition records go to `applyDefinition`, and `onGrid(t)` is called at
 * every multiple of `everyNs` from the first record's time to the last one's, after every record
 * with ts_recv <= t was applied and the sink advanced to t. Memory holds one batch per file.
 */

import { existsSync } from 'node:fs';
import { CME_FX_FUTURES, ConfigError, fxFutureRoot, isThenable } from '../core/index.js';
import {
  DbnDecoder,
  DbnError,
  type DbnRecord,
  MergedRecords,
  type RecordCursor,
  RType,
  SymbolMap,
} from './dbn/index.js';

/** What `replay` feeds: the feature engine implements it. */
export interface ReplaySink {
  /** Names instrument `id` (from a file's metadata). */
  setSymbol(id: number, symbol: string): void;
  /** Sets an instrument's tick in raw 1e-9 price units. */
  setTickSize(id: number, tickRaw: number): void;
  /** Every instrument id → symbol of the input, once, before the first record. */
  symbolsKnown?(symbols: ReadonlyMap<number, string>): void;
  /** An instrument definition record (it may set the tick). */
  applyDefinition(rec: DbnRecord): void;
  /** Any other record, through the reused cursor. */
  apply(c: RecordCursor): unknown;
  /**
   * Moves the sink's time to `tNs` (ns since the epoch) before a grid call; `lo` and `hi` are its
   * unsigned 32-bit halves, given so that a sink need not work them out of the bigint.
   */
  advance(tNs: bigint, lo: number, hi: number): void;
}

/** Options of `replay`. */
export interface ReplayOptions {
  /** Grid step in ns (> 0). */
  everyNs: bigint;
  /** Called at each grid time t (ns) once the engine reflects every record with ts_recv <= t. */
  onGrid: (tNs: bigint) => void | Promise<void>;
  /** Called with each record before the engine applies it (a paper broker's venue acts then). */
  beforeRecord?: (c: RecordCursor) => void;
  /** Called with each record after the engine applied it. */
  onRecord?: (c: RecordCursor) => void;
  /** Called after each batch with the bytes read so far from all files. */
  onProgress?: (bytesRead: number) => void;
  /**
   * Start of the replayed time (ns): records before it still reach the sink, so books and
   * calculators warm up, but neither `onRecord` nor `onGrid` hears of them; after such records
   * the grid starts at `fromNs` itself.
   */
  fromNs?: bigint;
  /**
   * End of the replayed time (ns): records with a later ts_recv are not read; when the input goes
   * on past it, the grid runs to `toNs` itself.
   */
  toNs?: bigint;
}

/** What `replay` read. */
export interface ReplaySummary {
  /** Records read. */
  records: number;
  /** Instrument id → symbol, from the files' metadata. */
  symbols: Map<number, string>;
}

/** Files opened for a replay: their records merged by ts_recv, and their symbols. */
export interface OpenedInputs {
  readonly merged: MergedRecords;
  readonly decoders: readonly DbnDecoder[];
  /** Instrument id → symbol, from the files' metadata. */
  readonly symbols: Map<number, string>;
}

/**
 * Opens `files` for a replay into `engine`: each file's symbols (and the tick of CME FX futures)
 * are set on it and announced (`symbolsKnown`), and the records are merged by ts_recv.
 */
export async function openInputs(files: readonly string[], engine: ReplaySink): Promise<OpenedInputs> {
  if (files.length === 0) throw new ConfigError('no input files');
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
  engine.symbolsKnown?.(names);
  return { merged: await MergedRecords.open(decoders), decoders, symbols: names };
}

/** Replays `files` into `engine`, calling `onGrid` on the time grid (see the module comment). */
export async function replay(
  files: readonly string[],
  engine: ReplaySink,
  opts: ReplayOptions,
): Promise<ReplaySummary> {
  if (!(opts.everyNs > 0n)) throw new ConfigError(`grid step must be > 0 ns, got ${opts.everyNs}`);
  const { merged, decoders, symbols: names } = await openInputs(files, engine);

  const every = opts.everyNs;
  const { onGrid, onRecord, onProgress, beforeRecord } = opts;
  // The time range costs nothing per record when it is not given (two false booleans).
  const from = opts.fromNs ?? 0n;
  const fromHi = Number(from >> 32n);
  const fromLo = Number(from & 0xffffffffn);
  const hasTo = opts.toNs !== undefined;
  const toHi = hasTo ? Number((opts.toNs as bigint) >> 32n) : 0;
  const toLo = hasTo ? Number((opts.toNs as bigint) & 0xffffffffn) : 0;
  // The grid starts at the first record that counts: until then its next time is below any key,
  // so that record enters the grid loop, which starts the grid (no check of its own per record).
  let started = false;
  let next = 0n;
  let nextHi = -1;
  let nextLo = 0;
  let records = 0;
  const setNext = (t: bigint) => {
    next = t;
    nextHi = Number(t >> 32n);
    nextLo = Number(t & 0xffffffffn);
  };
  // The step's halves: the grid moves on by adding them to the next time's, with a carry (exact
  // in doubles), where bigint shifts and masks made four bigints a step, some 80,000 steps a day.
  const everyHi = Number(every >> 32n);
  const everyLo = Number(every & 0xffffffffn);
  const step = () => {
    next += every;
    nextHi += everyHi;
    nextLo += everyLo;
    if (nextLo >= 4294967296) {
      nextLo -= 4294967296;
      nextHi++;
    }
  };
  // Synchronous unless `onGrid` returns a promise: a grid of seconds is some 80,000 calls a day.
  const emit = (): PromiseLike<void> | undefined => {
    engine.advance(next, nextLo, nextHi);
    const pending = onGrid(next);
    if (!isThenable(pending)) {
      step();
      return undefined;
    }
    return pending.then(step);
  };
  // The low half of a key is held as a signed 32-bit value and compared as `lo >>> 0`: held as the
  // unsigned value, one of 2^31 or more (half of them) became a new heap number on every record
  // (it lives across the grid's await), the replay's only garbage.
  let lastHi = 0;
  let lastLo = 0;
  // Records before --from may still come (records arrive in key order, so once one is past it, none is).
  let warming = opts.fromNs !== undefined;
  let warmed = false;
  try {
    while (!merged.done) {
      // Keys are the unsigned halves of ts_recv.
      const hi = merged.keyHi;
      const lo = merged.keyLo | 0;
      if (hasTo && (hi > toHi || (hi === toHi && lo >>> 0 > toLo))) {
        // Every record up to --to is in: the grid runs on to --to itself.
        lastHi = toHi;
        lastLo = toLo | 0;
        break;
      }
      if (warming && (hi < fromHi || (hi === fromHi && lo >>> 0 < fromLo))) warmed = true;
      else {
        warming = false;
        while (hi > nextHi || (hi === nextHi && lo >>> 0 > nextLo)) {
          if (!started) {
            // After warm-up records the state at --from is known, so the grid starts there.
            started = true;
            const t = warmed ? from : (BigInt(hi) << 32n) | BigInt(lo >>> 0);
            setNext(((t + every - 1n) / every) * every);
            continue;
          }
          const pending = emit();
          if (pending !== undefined) await pending;
        }
        lastHi = hi;
        lastLo = lo;
      }
      const c = merged.cursor();
      if (!warming && beforeRecord !== undefined) beforeRecord(c);
      if (c.rtype === RType.INSTRUMENT_DEF) engine.applyDefinition(merged.batch.toObject(merged.index));
      else engine.apply(c);
      if (!warming && onRecord !== undefined) onRecord(c);
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
  } catch (err) {
    // A grid hook that fails (a stopped run) leaves no file open behind it.
    await Promise.all(decoders.map((d) => d.close().catch(() => {})));
    throw err;
  }
  // Stopped at --to: the rest of the files is not read.
  if (!merged.done) await Promise.all(decoders.map((d) => d.close()));
  if (started) {
    while (lastHi > nextHi || (lastHi === nextHi && lastLo >>> 0 >= nextLo)) {
      const pending = emit();
      if (pending !== undefined) await pending;
    }
  }
  return { records, symbols: names };
}
