/**
 * Regime models and their inputs on disk: minute observations replayed from DBN files
 * (`minuteSeries`), `model.json` written and read back (`writeRegimeModel`, `readRegimeModel`), and
 * the simulator's truth file as labels (`readTruthLabels`). The models themselves are
 * `strategy/regime`'s; this module only adds the files. Errors name the file.
 */

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, fxFutureRoot, isFrontMonth, productOf } from '../core/index.js';
import { replay } from '../data/index.js';
import type { FeatureEngine } from '../features/index.js';
import {
  MinuteObserver,
  type MinuteSeries,
  parseRegimeModel,
  RegimeError,
  type RegimeModelFile,
  regimeModelJson,
  truthLabels,
} from '../strategy/index.js';

/** Options of `minuteSeries`. */
export interface MinuteSeriesOptions {
  /** Called after each batch with the bytes read so far. */
  readonly onProgress?: (bytesRead: number) => void;
  /** Minutes from this time on (ns). */
  readonly fromNs?: bigint;
  /** Minutes up to this time (ns). */
  readonly toNs?: bigint;
}

const MINUTE_NS = 60_000_000_000n;

/**
 * Replays DBN files through `engine` (a fresh one: one day's MBP-10 and trades, or several days in
 * time order) and returns the minute observations per instrument, in order of first sight. Minutes
 * without book events (the CME daily break, weekends, gaps) are left out.
 */
export async function minuteSeries(
  files: readonly string[],
  engine: FeatureEngine,
  opts: MinuteSeriesOptions = {},
): Promise<MinuteSeries[]> {
  const observers = new Map<number, MinuteObserver>();
  const out = new Map<number, MinuteSeries>();
  await replay(files, engine, {
    everyNs: MINUTE_NS,
    onRecord: (c) => {
      let o = observers.get(c.instrumentId);
      if (o === undefined) {
        o = new MinuteObserver();
        observers.set(c.instrumentId, o);
      }
      o.record(c);
    },
    onGrid: (tNs) => {
      const endMs = Number(tNs / 1_000_000n);
      for (const [id, o] of observers) {
        const snap = o.events > 0 ? engine.snapshot(id) : null;
        const m = o.close(endMs, snap, engine.tickSize(id));
        if (m === null || snap === null) continue;
        let s = out.get(id);
        if (s === undefined) {
          s = {
            symbol: snap.symbol,
            instrumentId: id,
            startMs: [],
            logRv: [],
            logEvents: [],
            ret: [],
            rv: [],
          };
          out.set(id, s);
        }
        s.startMs.push(m.startMs);
        s.logRv.push(m.logRv);
        s.logEvents.push(m.logEvents);
        s.ret.push(m.ret);
        s.rv.push(m.rv);
      }
    },
    onProgress: opts.onProgress,
    fromNs: opts.fromNs,
    toNs: opts.toNs,
  });
  return [...out.values()];
}

/** Writes `model.json`. */
export function writeRegimeModel(path: string, m: RegimeModelFile): void {
  writeFileSync(path, regimeModelJson(m));
}

/** Reads a `model.json` written by `writeRegimeModel`; errors name the file and the field. */
export function readRegimeModel(path: string): RegimeModelFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RegimeError('REGIME_BAD_MODEL', `${path}: cannot read (${(e as Error).message})`, {
      file: path,
    });
  }
  return parseRegimeModel(text, path);
}

/**
 * `truthLabels` of the simulator's truth file `truthFile` (truth-YYYYMMDD.json), or of every
 * truth file in a folder (a simulated run of several days), their minutes together.
 */
export function readTruthLabels(
  truthFile: string,
  startMs: readonly number[],
  states: readonly string[],
): Int32Array {
  const files = statSync(truthFile, { throwIfNoEntry: false })?.isDirectory()
    ? readdirSync(truthFile)
        .filter((n) => /^truth-\d{8}\.json$/.test(n))
        .sort()
        .map((n) => join(truthFile, n))
    : [truthFile];
  if (files.length === 0) {
    throw new RegimeError('REGIME_BAD_INPUT', `${truthFile}: no truth-YYYYMMDD.json in the folder`, {
      file: truthFile,
    });
  }
  const minutes: unknown[] = [];
  for (const f of files) {
    let doc: { minutes?: unknown };
    try {
      doc = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new RegimeError('REGIME_BAD_INPUT', `${f}: cannot read truth (${(e as Error).message})`, {
        file: f,
      });
    }
    if (!Array.isArray(doc?.minutes)) truthLabels(doc, startMs, states, f); // names the file and field
    minutes.push(...(doc.minutes as unknown[]));
  }
  return truthLabels({ minutes }, startMs, states, truthFile);
}

/**
 * The series `symbol` names among `all` (minute series per instrument): an instrument's own, or,
 * for a product (`6E`, `6E.c.0`), the minutes of its front month across every roll, merged in time
 * order under the product's name. Without `symbol`: the only instrument with minutes, or the only
 * futures product (a simulator folder holds a future and its spot pair: the future is chosen).
 */
export function chooseSeries(all: readonly MinuteSeries[], symbol?: string): MinuteSeries {
  const books = all.filter((s) => s.startMs.length > 0);
  const names = books.map((s) => s.symbol).join(', ') || 'none';
  if (symbol !== undefined) {
    const own = all.find((x) => x.symbol === symbol);
    if (own !== undefined) return own;
    const product = productOf(symbol);
    const merged = product !== undefined ? frontMonthSeries(books, product) : null;
    if (merged === null) throw new ConfigError(`--symbol ${symbol} is not in the input (symbols: ${names})`);
    return merged;
  }
  if (books.length === 0) throw new ConfigError('the input holds no book records (MBP-10, MBP-1 or MBO)');
  if (books.length === 1) return books[0];
  const products = [...new Set(books.map((s) => fxFutureRoot(s.symbol)).filter((p) => p !== undefined))];
  if (products.length === 1) return frontMonthSeries(books, products[0]) as MinuteSeries;
  throw new ConfigError(
    `the input holds several instruments (${names}): choose one with --symbol (a contract, or a product such as 6E for its front month)`,
  );
}

/** The front month's minutes of `product` among `books`, in time order; null when it has none. */
function frontMonthSeries(books: readonly MinuteSeries[], product: string): MinuteSeries | null {
  const rows: { s: MinuteSeries; i: number }[] = [];
  for (const s of books) {
    for (let i = 0; i < s.startMs.length; i++) {
      if (isFrontMonth(product, s.symbol, s.startMs[i])) rows.push({ s, i });
    }
  }
  if (rows.length === 0) return null;
  rows.sort((a, b) => a.s.startMs[a.i] - b.s.startMs[b.i]);
  const pick = (k: keyof MinuteSeries & ('startMs' | 'logRv' | 'logEvents' | 'ret' | 'rv')) =>
    rows.map(({ s, i }) => s[k][i]);
  return {
    symbol: product,
    instrumentId: rows[rows.length - 1].s.instrumentId,
    startMs: pick('startMs'),
    logRv: pick('logRv'),
    logEvents: pick('logEvents'),
    ret: pick('ret'),
    rv: pick('rv'),
  };
}
