import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvSyntaxError, csvField, csvRows } from './csv.js';

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

test('csvRows splits RFC 4180 records and gives the line each starts on', () => {
  // BOM, CRLF, a quoted comma, a doubled quote, a quoted line break, a blank line, a bare CR and
  // an empty last field; no newline at the end.
  const text = '\ufeffa,b\r\n"x,y","say ""hi"""\n"two\nlines",z\n\nlast,\rend';
  assert.deepEqual(csvRows(text), [
    { line: 1, cells: ['a', 'b'] },
    { line: 2, cells: ['x,y', 'say "hi"'] },
    { line: 3, cells: ['two\nlines', 'z'] },
    { line: 6, cells: ['last', ''] },
    { line: 7, cells: ['end'] },
  ]);
  assert.deepEqual(csvRows(''), []);
  assert.throws(
    () => csvRows('a\n"open,b\nc\n'),
    (e: unknown) => e instanceof CsvSyntaxError && e.line === 2,
  );
});
