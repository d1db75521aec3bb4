import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DbnEncoder } from './encoder.js';
import { encodeMetadata } from './metadata.js';

test('a lending encoder hands over its blocks as a zstd stream would get them, then ends', async () => {
  const calls: [number, boolean | undefined][] = [];
  const views = new Set<ArrayBufferLike>();
  const metadata = { dataset: 'GLBX.MDP3', schema: 'trades' as const };
  const enc = new DbnEncoder(
    (bytes, last) => {
      calls.push([bytes.length, last]);
      views.add(bytes.buffer);
    },
    { metadata, blockSize: 4096, lend: true, onEnd: () => void calls.push([-1, undefined]) },
  );
  // 100 trades of 48 bytes: a 4096-byte block holds 85 (4080 bytes); the other 15 end the stream.
  const rec = new Uint8Array(48);
  rec[0] = 12;
  for (let i = 0; i < 100; i++) enc.writeEncoded(rec);
  await enc.end();
  assert.deepEqual(calls, [
    [encodeMetadata(metadata).length, false],
    [85 * 48, false],
    [15 * 48, true],
    [-1, undefined],
  ]);
  // The two record blocks are views of one reused buffer, not copies.
  assert.equal(views.size, 2);
});
