/**
 * `model.json` of `scalper regime fit` (CONVENTIONS.md, "Command-line output"):
 *
 *     { "kind": "hmm" | "gmm",
 *       "states": ["low", "medium", "high"],          // ascending volatility, one per state
 *       "features": ["log_rv_1m", "ret_1m"],          // observation columns, in order
 *       "params": { "pi": [...], "transition": [[...]...], "means": [[...]...], "variances": [[...]...] }
 *                 // gmm: { "weights": [...], "means", "variances" }; rows are states, columns features
 *       "fit": { "logLikelihood", "iterations", "converged", "n" } }
 *
 * Numbers are written with JavaScript's shortest round-trip formatting, so a model read back is
 * bit-identical and equal inputs and seed give byte-identical files. The loader validates with zod
 * and also checks what a schema alone cannot: matching sizes, probabilities that sum to 1 (±1e-6)
 * and positive variances. Every error names the file and the offending field.
 */

import * as z from 'zod/mini';
import { requireLength } from '../../core/index.js';
import { NON_NEGATIVE_INT } from '../../core/schema/index.js';
import type { FitInfo } from './common.js';
import { RegimeError } from './errors.js';
import type { HmmModel } from './gaussian-hmm.js';
import type { GmmModel } from './gmm.js';

/** A fitted regime model of either kind. */
export type RegimeModel = HmmModel | GmmModel;

/** Parameters of an HMM in `model.json`. */
export interface HmmParamsJson {
  readonly pi: number[];
  readonly transition: number[][];
  readonly means: number[][];
  readonly variances: number[][];
}

/** Parameters of a GMM in `model.json`. */
export interface GmmParamsJson {
  readonly weights: number[];
  readonly means: number[][];
  readonly variances: number[][];
}

/** Fit summary in `model.json`. */
export interface FitJson {
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly n: number;
}

/** The `model.json` document. */
export type RegimeModelJson =
  | {
      readonly kind: 'hmm';
      readonly states: string[];
      readonly features: string[];
      readonly params: HmmParamsJson;
      readonly fit: FitJson;
    }
  | {
      readonly kind: 'gmm';
      readonly states: string[];
      readonly features: string[];
      readonly params: GmmParamsJson;
      readonly fit: FitJson;
    };

/** A loaded model with its state and feature names. */
export interface LoadedRegimeModel {
  readonly model: RegimeModel;
  readonly states: readonly string[];
  readonly features: readonly string[];
  readonly fit: FitJson;
}

/** State names by ascending volatility: low/high, low/medium/high, else state_0 … state_{k−1}. */
export function defaultStateNames(k: number): string[] {
  if (k === 2) return ['low', 'high'];
  if (k === 3) return ['low', 'medium', 'high'];
  return Array.from({ length: k }, (_, j) => `state_${j}`);
}

function rows(x: Float64Array, k: number, dim: number): number[][] {
  return Array.from({ length: k }, (_, j) => Array.from(x.subarray(j * dim, j * dim + dim)));
}

/** A model with its fit summary: what `fitHmm` and `fitGmm` return. */
export interface FittedRegimeModel {
  readonly model: RegimeModel;
  readonly fit: FitInfo;
}

/** The `model.json` document of a fit; `features` names the observation columns. */
export function modelToJson(
  result: FittedRegimeModel,
  features: readonly string[],
  states: readonly string[] = defaultStateNames(result.model.k),
): RegimeModelJson {
  const m = result.model;
  requireLength('features', features.length, m.dim, 'one name per observation column');
  requireLength('states', states.length, m.k, 'one name per state');
  const f: FitInfo = result.fit;
  const fit: FitJson = {
    logLikelihood: f.logLikelihood,
    iterations: f.iterations,
    converged: f.converged,
    n: f.n,
  };
  const means = rows(m.means, m.k, m.dim);
  const variances = rows(m.variances, m.k, m.dim);
  if (m.kind === 'hmm')
    return {
      kind: 'hmm',
      states: [...states],
      features: [...features],
      params: { pi: Array.from(m.pi), transition: rows(m.transition, m.k, m.k), means, variances },
      fit,
    };
  return {
    kind: 'gmm',
    states: [...states],
    features: [...features],
    params: { weights: Array.from(m.weights), means, variances },
    fit,
  };
}

/** `model.json` text (two-space indent, trailing newline). */
export function serializeModel(
  result: FittedRegimeModel,
  features: readonly string[],
  states?: readonly string[],
): string {
  return `${JSON.stringify(modelToJson(result, features, states), null, 2)}\n`;
}

const num = z.number();
const vec = z.array(num).check(z.minLength(1));
const mat = z.array(vec).check(z.minLength(1));
const fitSchema = z.object({
  logLikelihood: num,
  iterations: NON_NEGATIVE_INT,
  converged: z.boolean(),
  n: NON_NEGATIVE_INT,
});
const names = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));
const schema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hmm'),
    states: names,
    features: names,
    params: z.object({ pi: vec, transition: mat, means: mat, variances: mat }),
    fit: fitSchema,
  }),
  z.object({
    kind: z.literal('gmm'),
    states: names,
    features: names,
    params: z.object({ weights: vec, means: mat, variances: mat }),
    fit: fitSchema,
  }),
]);

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || '(root)';
}

function bad(file: string, field: string, message: string): never {
  throw new RegimeError('REGIME_BAD_MODEL', `${file}: field "${field}": ${message}`, { file, field });
}

function checkProbabilities(file: string, field: string, p: readonly number[]): void {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) bad(file, `${field}[${i}]`, `probability must be in [0, 1], got ${p[i]}`);
    s += p[i];
  }
  if (Math.abs(s - 1) > 1e-6) bad(file, field, `probabilities must sum to 1, got ${s}`);
}

function checkMatrix(
  file: string,
  field: string,
  x: readonly number[][],
  k: number,
  width: number,
): Float64Array {
  if (x.length !== k) bad(file, field, `expected ${k} rows (one per state), got ${x.length}`);
  const out = new Float64Array(k * width);
  for (let j = 0; j < k; j++) {
    if (x[j].length !== width) bad(file, `${field}[${j}]`, `expected ${width} values, got ${x[j].length}`);
    for (let d = 0; d < width; d++) out[j * width + d] = x[j][d];
  }
  return out;
}

/**
 * Validates a parsed `model.json` document (or its text) and builds the model. `file` names the
 * source in errors, e.g. `model.json: field "params.variances[1][0]": variance must be > 0, got 0`.
 */
export function parseModel(input: unknown, file = '<model>'): LoadedRegimeModel {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new RegimeError(
        'REGIME_BAD_MODEL',
        `${file}: not valid JSON (${(e as Error).message})`,
        { file },
        {
          cause: e,
        },
      );
    }
  }
  const r = schema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    bad(file, pathText(issue.path), issue.message);
  }
  const v = r.data;
  const k = v.states.length;
  const dim = v.features.length;
  const means = checkMatrix(file, 'params.means', v.params.means, k, dim);
  const variances = checkMatrix(file, 'params.variances', v.params.variances, k, dim);
  for (let i = 0; i < variances.length; i++)
    if (!(variances[i] > 0))
      bad(
        file,
        `params.variances[${Math.floor(i / dim)}][${i % dim}]`,
        `variance must be > 0, got ${variances[i]}`,
      );
  const fit: FitJson = { ...v.fit };
  if (v.kind === 'hmm') {
    const p = v.params;
    if (p.pi.length !== k) bad(file, 'params.pi', `expected ${k} values (one per state), got ${p.pi.length}`);
    checkProbabilities(file, 'params.pi', p.pi);
    const transition = checkMatrix(file, 'params.transition', p.transition, k, k);
    for (let i = 0; i < k; i++) checkProbabilities(file, `params.transition[${i}]`, p.transition[i]);
    const model: HmmModel = {
      kind: 'hmm',
      k,
      dim,
      pi: Float64Array.from(p.pi),
      transition,
      means,
      variances,
    };
    return { model, states: v.states, features: v.features, fit };
  }
  const p = v.params;
  if (p.weights.length !== k)
    bad(file, 'params.weights', `expected ${k} values (one per state), got ${p.weights.length}`);
  checkProbabilities(file, 'params.weights', p.weights);
  const model: GmmModel = { kind: 'gmm', k, dim, weights: Float64Array.from(p.weights), means, variances };
  return { model, states: v.states, features: v.features, fit };
}
