import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DbnEncoder, type EncoderOptions } from '../data/dbn/index.js';
import { threadFile } from './file-thread.js';
import { FolderSink } from './sink.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sim-file-thread-'));
  dirs.push(d);
  return d;
}

/** `n` 48-byte trade records whose bytes vary with their index (so zstd has work to do). */
function writeTrades(enc: DbnEncoder, n: number): void {
  const rec = new Uint8Array(48);
  rec[0] = 12;
  const dv = new DataView(rec.buffer);
  for (let i = 0; i < n; i++) {
    dv.setUint32(8, i * 7919, true);
    dv.setUint32(16, (i * 2654435761) >>> 0, true);
    dv.setUint32(44, i, true);
    enc.writeEncoded(rec);
  }
}

/** Writes the same records into `dir` in-thread (`DbnEncoder.toFile`) and through a `FolderSink`. */
async function both(dir: string, n: number, opts: EncoderOptions): Promise<[Buffer, Buffer]> {
  const full = { metadata: { dataset: 'GLBX.MDP3', schema: 'trades' as const }, ...opts };
  const direct = DbnEncoder.toFile(join(dir, 'direct.dbn'), full);
  writeTrades(direct, n);
  await direct.end();
  const threaded = new FolderSink(dir).dbn('threaded.dbn', full);
  writeTrades(threaded, n);
  await threaded.end();
  return [readFileSync(join(dir, 'direct.dbn')), readFileSync(join(dir, 'threaded.dbn'))];
}

describe('the writer thread', () => {
  it('writes the bytes the encoder writes in-thread, zstd or plain, whatever the size', async () => {
    const dir = tmp();
    // No records (metadata, then an empty last block), less than a block, and 300 blocks of 4 KiB:
    // far more than the 16 shared slots, so the writer waits for the thread to free them.
    for (const n of [0, 10, 25_600]) {
      for (const zstd of [true, false]) {
        const [direct, threaded] = await both(dir, n, { zstd, blockSize: 4096 });
        assert.ok(direct.length > 0, `${n} records, zstd ${zstd}`);
        assert.deepEqual(threaded, direct, `${n} records, zstd ${zstd}`);
      }
    }
  });

  it('passes blocks larger than a slot as they are', async () => {
    const [direct, threaded] = await both(tmp(), 50_000, { zstd: true, blockSize: 2 << 20 });
    assert.deepEqual(threaded, direct);
  });

  it('fails at once on a file it cannot create, as writing in-thread does', () => {
    assert.throws(() => threadFile(join(tmp(), 'no-such-folder', 'x.dbn'), false, undefined), {
      code: 'ENOENT',
    });
  });

  it('fails at once when the zstd library asked for cannot be used, as writing in-thread does', () => {
    const path = join(tmp(), 'x.dbn.zst');
    const was = process.env.SCALPER_ZSTD;
    process.env.SCALPER_ZSTD = 'no-such-library';
    try {
      assert.throws(() => threadFile(path, true, undefined), { code: 'CONFIG' });
      assert.equal(existsSync(path), false);
    } finally {
      if (was === undefined) delete process.env.SCALPER_ZSTD;
      else process.env.SCALPER_ZSTD = was;
    }
  });

  it('reports a write that failed on the thread when the file is closed', {
    skip: existsSync('/dev/full') ? false : 'no /dev/full (a device whose writes fail) here',
  }, async () => {
    // Every write to /dev/full fails with ENOSPC.
    const file = threadFile('/dev/full', false, undefined);
    file.write(new Uint8Array(8), false);
    file.write(new Uint8Array(8), true);
    await assert.rejects(file.end(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SIM_FILE_WRITE');
      assert.match(e.message, /^Writing "\/dev\/full" failed: ENOSPC/);
      return true;
    });
  });
});
