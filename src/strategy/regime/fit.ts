/**
 * Regime models end to end: fit on minute observations of some days (`fitRegimeModel`), turn them
 * into and back from `model.json` text with the intraday pattern they were fitted with (the fields
 * of `modelToJson` plus `observation`), label other days offline (Viterbi for an HMM, smoothed
 * posteriors for a GMM) and online (`RegimeFilter`, one minute at a time), and score labels against
 * a truth (`scoreLabels`). Fitting is unsupervised: a truth, such as the simulator's, only scores.
 * Reading and writing files is the command layer's (`cli/regime-files.ts`).
 */

import { DEFAULT_RESTARTS } from './defaults.js';
import { RegimeError } from './errors.js';
import { fitHmm, hmmViterbi } from './gaussian-hmm.js';
import { fitGmm, gmmLabels } from './gmm.js';
import { type LoadedRegimeModel, modelToJson, parseModel } from './model.js';
import { featureRows, type MinuteSeries, REGIME_FEATURES, Seasonality } from './observations.js';
import { type ImpliedVolSeries, RegimeFilter, type RegimeFilterOptions } from './online.js';

/** Bars a GMM's new label must lead before it switches, offline and online (it has no persistence). */
export const GMM_SWITCH_DELAY = 3;

/** A fitted model with the pattern its observations were deseasonalised by. */
export interface RegimeModelFile {
  readonly loaded: LoadedRegimeModel;
  readonly seasonality: Seasonality;
  /** The instrument the model was fitted on. */
  readonly symbol: string;
}

/** Options of `fitRegimeModel`. */
export interface RegimeFitOptions {
  readonly kind?: 'hmm' | 'gmm';
  readonly states?: number;
  readonly restarts?: number;
  readonly seed?: number;
}

/** Fits a model on the minutes of one or more series (of one instrument). */
export function fitRegimeModel(
  series: readonly MinuteSeries[],
  opts: RegimeFitOptions = {},
): RegimeModelFile {
  if (series.length === 0) throw new RegimeError('REGIME_TOO_FEW', 'no minutes to fit a regime model on');
  const startMs = series.flatMap((s) => s.startMs);
  const rows = series.flatMap((s) => featureRows(s));
  const seasonality = Seasonality.fit(startMs, rows);
  const x = seasonality.apply(startMs, rows);
  const fitOpts = {
    states: opts.states ?? 3,
    restarts: opts.restarts ?? DEFAULT_RESTARTS,
    seed: opts.seed ?? 1,
    featureNames: REGIME_FEATURES,
  };
  const result = (opts.kind ?? 'hmm') === 'hmm' ? fitHmm(x, fitOpts) : fitGmm(x, fitOpts);
  const json = modelToJson(result, REGIME_FEATURES);
  return { loaded: parseModel(json), seasonality, symbol: series[0].symbol };
}

/** `model.json` text of a fitted model. */
export function regimeModelJson(m: RegimeModelFile): string {
  const l = m.loaded;
  const doc = {
    ...modelToJson({ model: l.model, fit: l.fit }, l.features, l.states),
    observation: { symbol: m.symbol, seasonality: m.seasonality.toJson() },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Parses `model.json` text. */
export function parseRegimeModel(text: string, file = '<model>'): RegimeModelFile {
  const loaded = parseModel(text, file);
  const features = loaded.features.join(',');
  if (features !== REGIME_FEATURES.join(',')) {
    throw new RegimeError(
      'REGIME_BAD_MODEL',
      `${file}: field "features" is [${features}], this engine computes [${REGIME_FEATURES.join(',')}]`,
      { file, field: 'features' },
    );
  }
  const doc = JSON.parse(text) as { observation?: { symbol?: unknown; seasonality?: unknown } };
  const obs = doc.observation;
  if (obs === undefined || typeof obs !== 'object') {
    throw new RegimeError('REGIME_BAD_MODEL', `${file}: field "observation" is missing`, {
      file,
      field: 'observation',
    });
  }
  const seasonality = Seasonality.fromJson(obs.seasonality, file);
  return { loaded, seasonality, symbol: typeof obs.symbol === 'string' ? obs.symbol : '' };
}

/** Labels of a series: offline (Viterbi / smoothed GMM) and online (filtered, bar by bar). */
export interface RegimeLabels {
  readonly offline: Int32Array;
  readonly online: Int32Array;
  /** Probability of the online state at each minute. */
  readonly onlineProbability: Float64Array;
  readonly filter: RegimeFilter;
}

/** Labels the minutes of `s` with a fitted model. */
export function labelSeries(
  m: RegimeModelFile,
  s: MinuteSeries,
  filterOptions: RegimeFilterOptions = {},
): RegimeLabels {
  const x = m.seasonality.apply(s.startMs, featureRows(s));
  const model = m.loaded.model;
  const offline = model.kind === 'hmm' ? hmmViterbi(model, x).path : gmmLabels(model, x, GMM_SWITCH_DELAY);
  const filter = new RegimeFilter(m.loaded, {
    switchDelayBars: model.kind === 'gmm' ? GMM_SWITCH_DELAY : 0,
    ...filterOptions,
  });
  const online = new Int32Array(x.length);
  const prob = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    online[i] = filter.update(s.startMs[i] + 60_000, x[i]);
    prob[i] = filter.probabilities[online[i]];
  }
  return { offline: Int32Array.from(offline), online, onlineProbability: prob, filter };
}

/** Agreement of labels with a truth, and how fast labels follow the truth's changes. */
export interface RegimeScore {
  /** Minutes with a truth label. */
  readonly minutes: number;
  /** Share of those minutes where the label equals the truth. */
  readonly accuracy: number;
  /** Changes of the truth regime (between consecutive labelled minutes). */
  readonly changes: number;
  /** Changes the labels reached before the truth changed again. */
  readonly detected: number;
  /** Mean minutes from a truth change to the first label equal to the new regime (detected ones). */
  readonly meanDelayMin: number;
}

/**
 * Scores `labels` against `truth` (state indices, −1 where unknown). A truth change at minute i
 * to regime r is detected after d minutes when labels[i + d] = r is the first such minute before
 * the truth changes again.
 */
export function scoreLabels(labels: ArrayLike<number>, truth: ArrayLike<number>): RegimeScore {
  let minutes = 0;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] < 0) continue;
    minutes++;
    if (labels[i] === truth[i]) hits++;
  }
  let changes = 0;
  let detected = 0;
  let delay = 0;
  for (let i = 1; i < truth.length; i++) {
    const r = truth[i];
    if (r < 0 || truth[i - 1] < 0 || r === truth[i - 1]) continue;
    changes++;
    for (let j = i; j < truth.length && truth[j] === r; j++) {
      if (labels[j] === r) {
        detected++;
        delay += j - i;
        break;
      }
    }
  }
  return {
    minutes,
    accuracy: minutes > 0 ? hits / minutes : Number.NaN,
    changes,
    detected,
    meanDelayMin: detected > 0 ? delay / detected : Number.NaN,
  };
}

/**
 * The simulator's truth regimes (the parsed `truth-YYYYMMDD.json`, CONVENTIONS.md) as state
 * indices per minute of `startMs`, −1 where the truth has no minute; `states` are the model's names
 * (low, medium, high); `source` names the truth in errors.
 */
export function truthLabels(
  truth: unknown,
  startMs: readonly number[],
  states: readonly string[],
  source = '<truth>',
): Int32Array {
  const minutes = (truth as { minutes?: unknown } | null)?.minutes;
  if (!Array.isArray(minutes)) {
    throw new RegimeError('REGIME_BAD_INPUT', `${source}: field "minutes" is missing`, {
      file: source,
      field: 'minutes',
    });
  }
  const byTime = new Map<number, number>();
  for (const m of minutes as { ts: string; regime: string }[])
    byTime.set(Date.parse(m.ts), states.indexOf(m.regime));
  return Int32Array.from(startMs, (t) => byTime.get(t) ?? -1);
}

/** Minutes of realized variance averaged before comparing with implied volatility. */
export const RV_IV_WINDOW_MIN = 30;

/**
 * Realized-minus-implied volatility per minute of `s` (annualised decimals, `ImpliedVolSeries.gap`):
 * the realized side is the mean per-minute variance over the last `window` minutes (one minute's
 * 60 one-second returns are too noisy alone); NaN before the first implied value.
 */
export function realizedImpliedGap(
  s: MinuteSeries,
  iv: ImpliedVolSeries,
  window = RV_IV_WINDOW_MIN,
): Float64Array {
  const out = new Float64Array(s.startMs.length);
  let sum = 0;
  for (let i = 0; i < out.length; i++) {
    sum += s.rv[i];
    if (i >= window) sum -= s.rv[i - window];
    const n = Math.min(i + 1, window);
    out[i] = iv.gap(s.startMs[i] + 60_000, sum / n);
  }
  return out;
}
