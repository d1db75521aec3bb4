import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleHmm, sampleHmm } from '../../../test/regime-sample.js';
import { InvalidOptionError } from '../../core/index.js';
import { RegimeError } from './errors.js';
import { fitHmm } from './gaussian-hmm.js';
import { fitGmm } from './gmm.js';
import { defaultStateNames, modelToJson, parseModel, serializeModel } from './model.js';
import { RegimeFilter } from './online.js';

const FEATURES = ['log_rv_1m', 'ret_1m'];
const s = sampleHmm(exampleHmm(), 1500, 21);

test('model JSON round-trips bit for bit, for the HMM and the GMM', () => {
  for (const fitted of [fitHmm(s), fitGmm(s)]) {
    const text = serializeModel(fitted, FEATURES);
    const doc = JSON.parse(text);
    assert.equal(doc.kind, fitted.model.kind);
    assert.deepEqual(doc.states, ['low', 'medium', 'high']);
    assert.deepEqual(doc.features, FEATURES);
    assert.deepEqual(Object.keys(doc.fit), ['logLikelihood', 'iterations', 'converged', 'n']);
    assert.equal(doc.fit.n, 1500);
    const loaded = parseModel(text, 'model.json');
    assert.deepEqual(loaded.model, fitted.model);
    assert.deepEqual(loaded.features, FEATURES);
    assert.equal(serializeModel({ model: loaded.model, fit: fitted.fit }, FEATURES), text);
  }
  const h = modelToJson(fitHmm(s), FEATURES);
  assert.equal(h.kind, 'hmm');
  if (h.kind === 'hmm') assert.equal(h.params.transition.length, 3);
  assert.deepEqual(defaultStateNames(2), ['low', 'high']);
  assert.deepEqual(defaultStateNames(4), ['state_0', 'state_1', 'state_2', 'state_3']);
  assert.throws(
    () => modelToJson(fitHmm(s), ['only_one']),
    (e: unknown) =>
      e instanceof InvalidOptionError &&
      e.option === 'features length' &&
      e.message === 'features length must be 2 (one name per observation column), got 1',
  );
});

test('a loaded model drives the online filter with its state names', () => {
  const loaded = parseModel(serializeModel(fitHmm(s), FEATURES, ['calm', 'normal', 'turbulent']));
  const f = new RegimeFilter(loaded);
  // π is fitted on one series (γ_1), so the first bars may lean on the state the series began in.
  for (let t = 0; t < 5; t++) f.update(t * 60_000, [1.2, t % 2 === 0 ? 3 : -3]);
  assert.equal(f.stateName, 'turbulent');
  assert.equal(f.stance, 'reduce');
});

function rejects(doc: unknown, ...parts: string[]): void {
  assert.throws(
    () => parseModel(doc, 'model.json'),
    (e: unknown) => {
      assert.ok(e instanceof RegimeError && e.code === 'REGIME_BAD_MODEL', String(e));
      for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" lacks "${p}"`);
      return true;
    },
  );
}

test('a bad model file is rejected naming the file and the field', () => {
  const good = () => JSON.parse(serializeModel(fitHmm(s), FEATURES));
  let d = good();
  d.params.variances[1][0] = 0;
  rejects(d, 'model.json: field "params.variances[1][0]"', 'variance must be > 0');
  d = good();
  delete d.params.pi;
  rejects(d, 'model.json: field "params.pi"');
  d = good();
  d.params.transition[2] = [0.5, 0.6, 0];
  rejects(d, 'field "params.transition[2]"', 'sum to 1');
  d = good();
  d.params.means[0] = [1];
  rejects(d, 'field "params.means[0]"', 'expected 2 values');
  d = good();
  d.kind = 'lstm';
  rejects(d, 'field "kind"');
  d = good();
  d.params.means[2][1] = 'x';
  rejects(d, 'field "params.means[2][1]"');
  d = good();
  d.states = ['low', 'high'];
  rejects(d, 'field "params.means"', 'expected 2 rows');
  rejects('{ not json', 'model.json: not valid JSON');
  const g = JSON.parse(serializeModel(fitGmm(s), FEATURES));
  g.params.weights = [0.5, 0.5, 0.5];
  rejects(g, 'field "params.weights"', 'sum to 1');
});
