/**
 * The zstd layer: frame tracking checked against hand-built frames and against the frame counts
 * of expected.json; each zstd library present decompressing, compressing and reading the other's
 * frames; the choice of library (`SCALPER_ZSTD`) and what happens without zstd-napi; and the DBN
 * zstd tests (errors, fixtures, round trips, fuzz) run again under every library that is not
 * this process's default, so that both are held to the same offsets and outcomes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dbnFixtureNames, expectedFiles, fixtureBytes } from '../../../test/dbn.js';
import { fixture, repoRoot } from '../../../test/fixtures.js';
import { ConfigError } from '../../core/index.js';
import { ZstdUnavailableError } from './errors.js';
import {
  ZSTD_BACKENDS,
  ZstdStreamDecoder,
  zstdBackend,
  zstdBackends,
  zstdCompressAll,
  zstdDecompressAll,
} from './zstd.js';
import { ZstdFrameTracker } from './zstd-frames.js';

const HERE = dirname(fileURLToPath(import.meta.url));

// Hand-built frames (RFC 8878, 3.1.1):
// A: magic, descriptor 0x20 (single segment, 1-byte content size, no checksum), size 3, one last
//    raw block of 3 bytes (header 1 | raw << 1 | 3 << 3 = 0x19), "abc": 12 bytes.
const FRAME_A = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63];
// S: skippable frame (magic 0x184D2A50), content size 2, two bytes: 10 bytes.
const SKIPPABLE = [0x50, 0x2a, 0x4d, 0x18, 0x02, 0x00, 0x00, 0x00, 0xaa, 0xbb];
// B: magic, descriptor 0x04 (window descriptor, no content size, checksum), window byte, one
//    last RLE block of 5 (1 | rle << 1 | 5 << 3 = 0x2b) storing one byte, 4 checksum bytes: 14.
const FRAME_B = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x2b, 0x00, 0x00, 0x78, 1, 2, 3, 4];
// C: like A but two raw blocks, "ab" (not last: 0 | 0 | 2 << 3 = 0x10) then "c" (0x09): 14 bytes.
const FRAME_C = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0x10, 0x00, 0x00, 0x61, 0x62, 0x09, 0x00, 0x00, 0x63];

/** Offsets (0 included) after which the tracker, fed one byte at a time, stands between frames. */
function boundaries(bytes: Uint8Array | number[]): number[] {
  const t = new ZstdFrameTracker();
  const at = t.atFrameBoundary ? [0] : [];
  const b = Uint8Array.from(bytes);
  for (let i = 0; i < b.length; i++) {
    t.feed(b.subarray(i, i + 1));
    if (t.atFrameBoundary) at.push(i + 1);
  }
  return at;
}

/** Bytes that do not compress to nothing: a linear congruential sequence. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    // Every fourth byte random, the rest a slow ramp: several 128 KiB blocks, some compression.
    out[i] = (i & 3) === 0 ? x >>> 24 : (i >> 9) & 0xff;
  }
  return out;
}

describe('zstd frame tracking', () => {
  test('hand-built frames end where their headers say: 12, +10 (skippable), +14 (RLE, checksum), +15 (two blocks)', () => {
    const stream = [...FRAME_A, ...SKIPPABLE, ...FRAME_B, ...FRAME_C];
    assert.deepEqual(boundaries(stream), [0, 12, 22, 36, 51]);
  });

  test('the same bytes fed in one piece or in uneven pieces end at the same place', () => {
    const stream = Uint8Array.from([...FRAME_A, ...SKIPPABLE, ...FRAME_B]);
    for (const cut of [1, 5, 12, 13, 21, 30, 35]) {
      const t = new ZstdFrameTracker();
      t.feed(stream.subarray(0, cut));
      t.feed(stream.subarray(cut));
      assert.equal(t.atFrameBoundary, true, `cut at ${cut}`);
      const u = new ZstdFrameTracker();
      u.feed(stream, cut); // only the first `cut` bytes
      assert.equal(u.atFrameBoundary, cut === 12 || cut === 22, `stopped at ${cut}`);
    }
  });

  test('an unknown magic or a reserved block type leaves the stream inside a frame for good', () => {
    assert.deepEqual(boundaries([0x28, 0xb5, 0x2f, 0xfe, ...FRAME_A]), [0]);
    // Block header 0x07: last, type 3 (reserved).
    assert.deepEqual(boundaries([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0x07, 0x00, 0x00, ...FRAME_A]), [0]);
    // Descriptor with the reserved bit (0x08) set.
    assert.deepEqual(
      boundaries([0x28, 0xb5, 0x2f, 0xfd, 0x28, 0x03, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63]),
      [0],
    );
  });

  test('every zstd fixture holds as many frames as expected.json counts (DBZ: the skippable frame, + 1 with records)', () => {
    const files = expectedFiles();
    let checked = 0;
    for (const name of dbnFixtureNames()) {
      const e = files[name];
      if (!e || e.compression === 'none') continue;
      // A DBZ file is its metadata's skippable frame, then one records frame unless it has none
      // (test_data.ohlcv-1d.dbz: 0 bytes decompressed).
      const want = name.endsWith('.dbz') ? 1 + (e.decompressed_size_bytes ? 1 : 0) : e.zstd_frames;
      assert.ok(want !== undefined, name);
      const b = fixtureBytes(name);
      const at = boundaries(b);
      assert.equal(at.length - 1, want, `${name}: boundaries ${at.join(', ')}`);
      assert.equal(at.at(-1), b.length, name);
      checked++;
    }
    assert.ok(checked >= 50, `${checked} files`);
  });

  test('frames written by the encoder: several 128 KiB blocks each, boundaries at the frame lengths', () => {
    const a = zstdCompressAll(noise(400_000, 1));
    const b = zstdCompressAll(noise(300_000, 2), 1);
    const t = new ZstdFrameTracker();
    const all = Buffer.concat([a, b]);
    // 4 KiB pieces: a boundary is seen only where a piece ends at a frame end.
    const seen: number[] = [];
    for (let o = 0; o < all.length; ) {
      const end = Math.min(all.length, o + 4096, o < a.length ? a.length : all.length);
      t.feed(all.subarray(o, end));
      o = end;
      if (t.atFrameBoundary) seen.push(o);
    }
    assert.deepEqual(seen, [a.length, a.length + b.length]);
  });
});

const AVAILABLE = zstdBackends();

for (const name of ZSTD_BACKENDS) {
  const skip = AVAILABLE.includes(name)
    ? false
    : name === 'builtin'
      ? `Node ${process.version} has no built-in zstd (Node >= 22.15 has)`
      : 'zstd-napi is not installed';
  describe(`zstd library "${name}"`, { skip }, () => {
    test('decompresses the hand-built raw-block, skippable and two-block frames to "abc" + "abc"', () => {
      const out = zstdDecompressAll(Uint8Array.from([...FRAME_A, ...SKIPPABLE, ...FRAME_C]), name);
      assert.equal(Buffer.from(out).toString('latin1'), 'abcabc');
    });

    test('stepping: a frame cut short is pending; fed the rest, it completes', () => {
      const dec = new ZstdStreamDecoder(name);
      assert.equal(dec.backend, name);
      const out = new Uint8Array(64);
      const frame = Uint8Array.from(FRAME_A);
      const r1 = dec.step(out, frame.subarray(0, 7));
      assert.deepEqual({ ...r1 }, { produced: 0, consumed: 7, pending: 1 });
      const r2 = dec.step(out, frame.subarray(7));
      assert.deepEqual({ ...r2 }, { produced: 3, consumed: 5, pending: 0 });
      assert.equal(Buffer.from(out.subarray(0, 3)).toString('latin1'), 'abc');
    });

    test('output that does not fit comes out over several steps, the last with empty input', () => {
      const plain = noise(200_000, 3);
      const z = zstdCompressAll(plain, 3, name);
      const dec = new ZstdStreamDecoder(name);
      const out = new Uint8Array(200_000);
      const piece = new Uint8Array(50_000);
      let got = 0;
      let input: Uint8Array = z;
      for (let i = 0; i < 100 && got < plain.length; i++) {
        const r = dec.step(piece, input);
        out.set(piece.subarray(0, r.produced), got);
        got += r.produced;
        input = input.subarray(r.consumed);
      }
      assert.equal(input.length, 0);
      assert.equal(got, plain.length);
      assert.ok(Buffer.from(out).equals(Buffer.from(plain)));
      assert.equal(dec.step(piece, new Uint8Array(0)).produced, 0);
    });

    test("corrupt data throws libzstd's error (a block claiming more than 128 KiB)", () => {
      // Last compressed block of 0x1FFFFF bytes: 1 | 2 << 1 | 0x1fffff << 3 = 0xFFFFFD.
      const bad = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0xfd, 0xff, 0xff, 0, 0, 0]);
      assert.throws(() => new ZstdStreamDecoder(name).step(new Uint8Array(64), bad));
    });

    for (const other of AVAILABLE) {
      test(`reads frames written by "${other}" at levels 1, 3 and 19`, () => {
        const plain = noise(300_000, 4);
        for (const level of [1, 3, 19]) {
          const z = zstdCompressAll(plain, level, other);
          assert.ok(z.length < plain.length, `level ${level}: ${z.length} bytes`);
          assert.ok(Buffer.from(zstdDecompressAll(z, name)).equals(Buffer.from(plain)), `level ${level}`);
        }
      });
    }
  });
}

describe('choosing the zstd library', () => {
  test('SCALPER_ZSTD selects the library; an unknown value is a ConfigError naming it', (t) => {
    const saved = process.env.SCALPER_ZSTD;
    t.after(() => {
      if (saved === undefined) delete process.env.SCALPER_ZSTD;
      else process.env.SCALPER_ZSTD = saved;
    });
    delete process.env.SCALPER_ZSTD;
    assert.equal(zstdBackend(), AVAILABLE[0]);
    for (const name of AVAILABLE) {
      process.env.SCALPER_ZSTD = name;
      assert.equal(zstdBackend(), name);
      assert.equal(new ZstdStreamDecoder().backend, name);
    }
    process.env.SCALPER_ZSTD = 'zlib';
    assert.throws(
      () => new ZstdStreamDecoder(),
      (e: unknown) => e instanceof ConfigError && /SCALPER_ZSTD="zlib"/.test(e.message),
    );
  });

  test('forcing a library that is missing is a ZstdUnavailableError saying what to do', (t) => {
    const missing = ZSTD_BACKENDS.filter((n) => !AVAILABLE.includes(n));
    if (missing.length === 0) {
      t.skip('both libraries are present here');
      return;
    }
    for (const name of missing) {
      assert.throws(
        () => new ZstdStreamDecoder(name),
        (e: unknown) =>
          e instanceof ZstdUnavailableError &&
          e.code === 'ZSTD_UNAVAILABLE' &&
          e.backend === name &&
          (name === 'builtin' ? /Node >= 22\.15/ : /npm install zstd-napi/).test(e.message),
      );
    }
  });

  test('without zstd-napi installed, .dbn.zst reads through the built-in zstd, or fails saying what to install', async (t) => {
    // A copy of the compiled sources beside a node_modules holding every package but zstd-napi:
    // what a clone gets when the optional native build fails.
    const dir = mkdtempSync(join(tmpdir(), 'scalper-no-napi-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    cpSync(resolve(HERE, '../..'), join(dir, 'src'), { recursive: true });
    const modules = join(repoRoot(), 'node_modules');
    mkdirSync(join(dir, 'node_modules'));
    for (const pkg of readdirSync(modules)) {
      if (pkg === 'zstd-napi' || pkg.startsWith('.')) continue;
      symlinkSync(join(modules, pkg), join(dir, 'node_modules', pkg));
    }
    const script = `
      const { DbnDecoder } = await import('./src/data/dbn/index.js');
      const { zstdBackends } = await import('./src/data/dbn/zstd.js');
      const count = async (path) => { let n = 0; for await (const b of DbnDecoder.fromFile(path)) n += b.count; return n; };
      const out = { backends: zstdBackends(), plain: await count(${JSON.stringify(fixture('dbn', 'test_data.mbo.v3.dbn'))}) };
      try { out.zst = await count(${JSON.stringify(fixture('dbn', 'test_data.mbo.v3.dbn.zst'))}); }
      catch (e) { out.error = { name: e.name, code: e.code, message: e.message }; }
      console.log(JSON.stringify(out));`;
    const env = { ...process.env };
    delete env.SCALPER_ZSTD;
    delete env.NODE_TEST_CONTEXT;
    const { code, stdout, stderr } = await run(
      process.execPath,
      ['--input-type=module', '-e', script],
      dir,
      env,
    );
    assert.equal(code, 0, stderr);
    const got = JSON.parse(stdout) as {
      backends: string[];
      plain: number;
      zst?: number;
      error?: { name: string; code: string; message: string };
    };
    assert.equal(got.plain, 2, 'test_data.mbo.v3.dbn holds 2 records');
    if (AVAILABLE.includes('builtin')) {
      assert.deepEqual(got.backends, ['builtin']);
      assert.equal(got.zst, 2);
    } else {
      assert.deepEqual(got.backends, []);
      assert.equal(got.error?.name, 'ZstdUnavailableError');
      assert.equal(got.error?.code, 'ZSTD_UNAVAILABLE');
      assert.match(got.error?.message ?? '', /Node >= 22\.15/);
      assert.match(got.error?.message ?? '', /npm install zstd-napi/);
    }
  });
});

/** Runs a command to completion, collecting its output. */
function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// The DBN tests that read or write zstd, compiled (paths from the repository root).
const ZSTD_SUITES: Record<string, string> = {
  errors: 'dist/src/data/dbn/errors.test.js',
  fixtures: 'dist/src/data/dbn/fixtures.test.js',
  roundtrip: 'dist/src/data/dbn/roundtrip.test.js',
  fuzz: 'dist/bench/fuzz/fuzzer.test.js',
};
const SUITE_NAMES = Object.keys(ZSTD_SUITES).join(', ');

describe('the DBN zstd tests under each zstd library', () => {
  // This process's own run of those files covers the default library; the others run here.
  const others = AVAILABLE.slice(1);
  if (others.length === 0) {
    const why = `only one zstd library here (${AVAILABLE.join(', ') || 'none'})`;
    test(`${SUITE_NAMES} pass with a second zstd library`, { skip: why }, () => {});
  }
  for (const name of others) {
    test(`${SUITE_NAMES} pass with SCALPER_ZSTD=${name}`, async (t) => {
      const env: NodeJS.ProcessEnv = { ...process.env, SCALPER_ZSTD: name };
      // A test runner started from inside a test would otherwise report to its parent's protocol.
      delete env.NODE_TEST_CONTEXT;
      const files = Object.values(ZSTD_SUITES).map((f) => join(repoRoot(), f));
      const args = ['--enable-source-maps', '--test', '--test-reporter=tap', ...files];
      const { code, stdout, stderr } = await run(process.execPath, args, repoRoot(), env);
      const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(stdout)?.[1] ?? NaN);
      const failing = stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
      assert.equal(code, 0, `${failing.join('\n')}\n${stdout.slice(-4000)}\n${stderr.slice(-2000)}`);
      assert.equal(count('fail'), 0);
      assert.ok(count('pass') > 200, `${count('pass')} passed`);
      t.diagnostic(`${name}: ${count('pass')} tests passed in ${SUITE_NAMES}`);
    });
  }
});
