import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeAll } from './files.js';

test('writeAll writes every byte of bytes and of UTF-8 text, one write after another', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalper-files-'));
  try {
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    // More than a pipe or a single write is sure to take at once: 3 MiB of a known pattern.
    const bytes = new Uint8Array(3 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeAll(fd, bytes);
    writeAll(fd, 'é,€\n');
    writeAll(fd, new Uint8Array(0));
    closeSync(fd);
    const back = readFileSync(path);
    assert.equal(back.length, bytes.length + 7, '3 MiB, then é (2 bytes), a comma, € (3 bytes) and LF');
    assert.ok(Buffer.from(bytes).equals(back.subarray(0, bytes.length)));
    assert.equal(back.subarray(bytes.length).toString('utf8'), 'é,€\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
