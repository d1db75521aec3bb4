/**
 * Regime models and their inputs on disk: minute observations replayed from DBN files
 * (`minuteSeries`), `model.json` written and read back (`writeRegimeModel`, `readRegimeModel`), and
 * the simulator's truth file as labels (`readTruthLabels`). The models themselves are
 * `strategy/regime`'s; this module only adds the files. Errors name the file.
 */

import { readFileSync, writeFileSync } from 'node:fs';
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

/** `truthLabels` of the simulator's truth file `truthFile` (truth-YYYYMMDD.json). */
export function readTruthLabels(
  truthFile: string,
  startMs: readonly number[],
  states: readonly string[],
): Int32Array {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(truthFile, 'utf8'));
  } catch (e) {
    throw new RegimeError('REGIME_BAD_INPUT', `${truthFile}: cannot read truth (${(e as Error).message})`, {
      file: truthFile,
    });
  }
  return truthLabels(doc, startMs, states, truthFile);
}
