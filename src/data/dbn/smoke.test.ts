import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../testing/fixtures.js';
import { DbnDecoder } from './decoder.js';

test('decodes the v3 MBO fixture into its two records', async () => {
  const dec = DbnDecoder.fromFile(fixture('dbn', 'test_data.mbo.v3.dbn'));
  const recs = [];
  for await (const r of dec.records()) recs.push(r);
  assert.equal(recs.length, 2);
  assert.equal(dec.metadata?.dataset, 'GLBX.MDP3');
});
