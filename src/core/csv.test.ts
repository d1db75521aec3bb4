import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField } from './csv.js';

test('csvField quotes a field holding a quote, comma, LF or CR (RFC 4180), and nothing else', () => {
  assert.equal(csvField('6EZ6'), '6EZ6');
  assert.equal(csvField(''), '');
  assert.equal(csvField('EUR/USD'), 'EUR/USD');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  // A bare carriage return ends a record for many readers, so it is quoted too.
  assert.equal(csvField('cr\rhere'), '"cr\rhere"');
});
