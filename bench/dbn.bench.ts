/**
 * DBN decoding benchmarks on a 1,000,000-record MBP-10 stream made by our encoder.
 *
 * Rows, all over the same bytes:
 * - baseline int32: sums one int32 per 368-byte record, a lower bound on any per-record work;
 * - baseline full read: sums every 32-bit word of every record, the memory-bound limit for
 *   anything that reads every field;
 * - decode: our streaming decoder (chunk copy, length checks, cursor) reading every field the
 *   book needs (header, action, side, price, size, the ten levels' prices, sizes and counts);
 * - decode + L2 book: the same, applying each record to an L2 book;
 * - decode to objects: materialising every field as a plain object (the edges' path), with
 *   `batch.toObject` per record and through `records()` (an await per record);
 * - file and zstd rows: the same decode from disk, plain and compressed, the compressed file
 *   through each zstd library present (Node's built-in zstd from Node 22.15, zstd-napi), then
 *   decompression alone by each of them and by fzstd (pure JS), and compression alone (level 3,
 *   as the encoder writes) by each library.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decompress } from 'fzstd';
import { L2Book, L3Book } from '../src/book/index.js';
import { DbnDecoder, DbnEncoder, type RecordCursor } from '../src/data/dbn/index.js';
import {
  type ZstdBackendName,
  ZstdStreamDecoder,
  ZstdStreamEncoder,
  zstdBackends,
  zstdDecompressAll,
} from '../src/data/dbn/zstd.js';
import { fixturesDir } from '../test/fixtures.js';
import { writeSample } from '../test/market-sample.js';
import { best, bestAsync, type Report } from './harness.js';

const RECORDS = 1_000_000;
const REC = 368;

let sink = 0;

const bidPx = new Float64Array(10);
const askPx = new Float64Array(10);
const bidSz = new Float64Array(10);
const askSz = new Float64Array(10);
const bidCt = new Float64Array(10);
const askCt = new Float64Array(10);

/** Reads what the L2 book needs from one MBP-10 record: header, event fields and the ten levels. */
function readBookFields(c: RecordCursor): number {
  const acc =
    c.rtype +
    c.instrumentId +
    c.tsEventLo +
    c.tsRecvLo +
    c.action +
    c.side +
    c.price +
    c.size +
    c.flags +
    c.depth;
  c.readLevels(10, bidPx, askPx, bidSz, askSz, bidCt, askCt);
  return acc + bidPx[9] + askSz[9];
}

/**
 * Best wall time in seconds of `fn(k)` for each key, after one warm-up each, with the runs of the
 * keys interleaved and their order reversed every round (a b, b a, a b, …) so that a burst of
 * load elsewhere, or the garbage one run leaves to the next, falls on all of them alike.
 */
async function bestOfEachAsync<K>(
  keys: readonly K[],
  runs: number,
  fn: (k: K) => Promise<void>,
): Promise<Map<K, number>> {
  const min = new Map<K, number>();
  for (const k of keys) {
    await fn(k);
    min.set(k, Number.POSITIVE_INFINITY);
  }
  for (let i = 0; i < runs; i++) {
    for (const k of i % 2 === 0 ? keys : [...keys].reverse()) {
      const t = process.hrtime.bigint();
      await fn(k);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (s < min.get(k)!) min.set(k, s);
    }
  }
  return min;
}

export async function dbnBench(report: Report, records = RECORDS): Promise<void> {
  report.say(`Generating ${records.toLocaleString('en-US')} MBP-10 records with the encoder…`);
  const { encoder, result } = DbnEncoder.toBuffer({
    metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10', stype_in: 'raw_symbol', stype_out: 'instrument_id' },
  });
  writeSample(encoder, { records, seed: 1 });
  await encoder.end();
  const stream = result();
  const mdLen = stream.length - records * REC;
  const body = new Uint8Array(stream.buffer, stream.byteOffset + mdLen, records * REC);
  // An aligned copy of the records for the baselines, so they read with Int32Array like we do.
  const aligned = new Int32Array(body.length / 4);
  new Uint8Array(aligned.buffer).set(body);
  const mb = stream.length / 1e6;

  const tInt = best(() => {
    let s = 0;
    for (let w = 1; w < aligned.length; w += REC / 4) s += aligned[w];
    sink += s;
  });
  report.add('baseline: sum one int32 per record', records / tInt, 'records/s');
  const tFull = best(() => {
    let s = 0;
    for (let w = 0; w < aligned.length; w++) s = (s + aligned[w]) | 0;
    sink += s;
  });
  report.add('baseline: sum every 32-bit word', records / tFull, 'records/s');
  report.add('baseline: sum every 32-bit word (MB/s)', mb / tFull, 'MB/s');

  const decodeOnly = async () => {
    let s = 0;
    for await (const batch of DbnDecoder.fromBytes(stream)) {
      for (let i = 0; i < batch.count; i++) s += readBookFields(batch.at(i));
    }
    sink += s;
  };
  const tDec = await bestAsync(decodeOnly);
  report.add(
    'decode (cursor, book fields)',
    records / tDec,
    'records/s',
    'baseline: sum one int32 per record',
  );
  report.add('decode vs full read', records / tDec, 'records/s', 'baseline: sum every 32-bit word');
  report.add('decode (MB/s)', mb / tDec, 'MB/s');

  const book = new L2Book();
  const tBook = await bestAsync(async () => {
    for await (const batch of DbnDecoder.fromBytes(stream)) {
      for (let i = 0; i < batch.count; i++) book.applyMbp(batch.at(i));
    }
    sink += book.bestBidPx;
  });
  report.add('decode + L2 book update', records / tBook, 'records/s', 'baseline: sum one int32 per record');
  report.add(
    'decode + L2 book vs full read',
    records / tBook,
    'records/s',
    'baseline: sum every 32-bit word',
  );

  // L3: the real CME MBO sample (13,796 records: a full snapshot, then live events), replayed
  // from memory until about a million events have been applied.
  let mboPath = '../shared/fixtures/dbn-real (not found)';
  try {
    mboPath = join(fixturesDir(), 'dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst');
  } catch {}
  if (existsSync(mboPath)) {
    const mbo = zstdDecompressAll(readFileSync(mboPath));
    const l3 = new L3Book({ orders: 1 << 15 });
    let events = 0;
    const passes = Math.max(1, Math.round(records / 13_796));
    const tL3 = await bestAsync(async () => {
      events = 0;
      for (let k = 0; k < passes; k++) {
        for await (const batch of DbnDecoder.fromBytes(mbo)) {
          for (let i = 0; i < batch.count; i++) l3.applyMbo(batch.at(i));
          events += batch.count;
        }
      }
      sink += l3.bestBidPx;
    }, 3);
    report.add(
      'decode + L3 book (real ES MBO, replayed)',
      events / tL3,
      'events/s',
      'baseline: sum one int32 per record',
    );
  } else {
    report.say(`(L3 row skipped: ${mboPath} not found)`);
  }

  // Plain objects, as the edges make them: `batch.toObject(i)` in a synchronous loop over each batch
  // (what `scalper dbn dump` does), and `records()`, which awaits once per record. Enough records
  // and runs for a stable best, the two interleaved, each run after a collection (when --expose-gc
  // gives one) so that the garbage of the rows above is not collected inside these.
  const objRecords = Math.min(records, 250_000);
  const objBytes = stream.subarray(0, mdLen + objRecords * REC);
  const gc = (globalThis as { gc?: () => void }).gc;
  const objTimes = await bestOfEachAsync(['batch', 'records'] as const, 5, async (how) => {
    gc?.();
    let s = 0;
    if (how === 'batch') {
      for await (const batch of DbnDecoder.fromBytes(objBytes)) {
        for (let i = 0; i < batch.count; i++) s += batch.toObject(i).hd.rtype;
      }
    } else {
      for await (const rec of DbnDecoder.fromBytes(objBytes).records()) s += rec.hd.rtype;
    }
    sink += s;
  });
  report.add(
    'decode all fields to objects',
    objRecords / objTimes.get('batch')!,
    'records/s',
    'decode (cursor, book fields)',
    `${objRecords.toLocaleString('en-US')} records, batch.toObject`,
  );
  report.add(
    'decode to objects through records()',
    objRecords / objTimes.get('records')!,
    'records/s',
    'decode all fields to objects',
    'an await per record',
  );

  // From disk: plain and zstd.
  const dir = mkdtempSync(join(tmpdir(), 'scalper-bench-'));
  try {
    const plainPath = join(dir, 'bench.mbp-10.dbn');
    const zstPath = join(dir, 'bench.mbp-10.dbn.zst');
    for (const [path, zstd] of [
      [plainPath, false],
      [zstPath, true],
    ] as const) {
      const enc = DbnEncoder.toFile(path, {
        metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10' },
        zstd,
      });
      writeSample(enc, { records, seed: 1 });
      await enc.end();
    }
    const fromFile = (path: string) => async () => {
      let s = 0;
      for await (const batch of DbnDecoder.fromFile(path)) {
        for (let i = 0; i < batch.count; i++) s += readBookFields(batch.at(i));
      }
      sink += s;
    };
    const tPlainFile = await bestAsync(fromFile(plainPath), 3);
    report.add(
      'decode from file (plain .dbn)',
      records / tPlainFile,
      'records/s',
      'decode (cursor, book fields)',
    );
    const zsize = statSync(zstPath).size;
    const backends = zstdBackends();
    const label = (b: ZstdBackendName) => (b === 'builtin' ? 'built-in zstd' : 'zstd-napi');
    // Each zstd library in turn through the whole decoder (SCALPER_ZSTD is how a DbnDecoder is
    // pointed at one), their runs interleaved so that both meet the same load on a shared
    // machine; the first, the default, is compared with the plain decode, the others with it.
    const saved = process.env.SCALPER_ZSTD;
    let fileTimes: Map<ZstdBackendName, number>;
    try {
      fileTimes = await bestOfEachAsync(backends, 4, async (b) => {
        process.env.SCALPER_ZSTD = b;
        await fromFile(zstPath)();
      });
    } finally {
      if (saved === undefined) delete process.env.SCALPER_ZSTD;
      else process.env.SCALPER_ZSTD = saved;
    }
    for (const b of backends) {
      report.add(
        `decode from file (.dbn.zst, ${label(b)})`,
        records / fileTimes.get(b)!,
        'records/s',
        b === backends[0]
          ? 'decode (cursor, book fields)'
          : `decode from file (.dbn.zst, ${label(backends[0])})`,
        b === backends[0]
          ? `${(zsize / 1e6).toFixed(1)} MB compressed, ${(stream.length / zsize).toFixed(1)}x`
          : undefined,
      );
    }
    if (backends.length < 2) {
      report.say(`(only ${backends.join(', ')} here: Node's built-in zstd needs Node >= 22.15)`);
    }
    const compressed = readFileSync(zstPath);
    const out = new Uint8Array(1 << 20);
    const decompressTimes = await bestOfEachAsync(backends, 6, async (b) => {
      const d = new ZstdStreamDecoder(b);
      let input: Uint8Array = compressed;
      let total = 0;
      for (;;) {
        const r = d.step(out, input);
        input = input.subarray(r.consumed);
        total += r.produced;
        if (input.length === 0 && r.produced < out.length) break;
      }
      sink += total;
    });
    for (const b of backends) {
      report.add(
        `zstd decompress only: ${label(b)}`,
        stream.length / 1e6 / decompressTimes.get(b)!,
        'MB/s',
        b === backends[0] ? undefined : `zstd decompress only: ${label(backends[0])}`,
      );
    }
    const tPure = best(() => {
      let total = 0;
      const d = new Decompress((chunk) => {
        total += chunk.length;
      });
      for (let o = 0; o < compressed.length; o += 1 << 20) {
        d.push(
          compressed.subarray(o, Math.min(compressed.length, o + (1 << 20))),
          o + (1 << 20) >= compressed.length,
        );
      }
      sink += total;
    }, 3);
    report.add(
      'zstd decompress only: fzstd (pure JS)',
      stream.length / 1e6 / tPure,
      'MB/s',
      `zstd decompress only: ${label(backends[0])}`,
    );
    // The encoder's work: the same stream compressed at level 3 (zstd's default, the encoder's)
    // in 1 MiB writes, by each library.
    const compressTimes = await bestOfEachAsync(backends, 4, async (b) => {
      const enc = new ZstdStreamEncoder(3, b);
      let total = 0;
      const count = (piece: Uint8Array) => {
        total += piece.length;
      };
      for (let o = 0; o < stream.length; o += 1 << 20) {
        const end = Math.min(stream.length, o + (1 << 20));
        enc.write(stream.subarray(o, end), end === stream.length, count);
      }
      sink += total;
    });
    for (const b of backends) {
      report.add(
        `zstd compress only (level 3): ${label(b)}`,
        stream.length / 1e6 / compressTimes.get(b)!,
        'MB/s',
        b === backends[0] ? undefined : `zstd compress only (level 3): ${label(backends[0])}`,
      );
    }
    report.add(
      'share of .dbn.zst decode time in decompression',
      (100 * decompressTimes.get(backends[0])!) / fileTimes.get(backends[0])!,
      '%',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink === 42) report.say('');
}
