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
 * - file rows: the same decode from disk, plain and compressed (through each zstd library
 *   present: Node's built-in zstd from Node 22.15, zstd-napi), each against reading the file
 *   alone the same way (read ahead in the same blocks: summing every 32-bit word of a plain file,
 *   decompressing a compressed one), against the same decode without read-ahead, and with an L2
 *   book against decoding alone;
 * - zstd libraries on one thread from memory: decompression alone by each of them and by fzstd
 *   (pure JS), and compression alone (level 3, as the encoder writes) by each library;
 * - replay: a simulated day's futures depth, trades and spot quotes merged by ts_recv, against
 *   the sum of reading each file alone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decompress } from 'fzstd';
import { L2Book, L3Book } from '../src/book/index.js';
import { BLOCK_HEAD, type BlockSource, FileBlocks, READ_AHEAD } from '../src/data/dbn/blocks.js';
import {
  DbnDecoder,
  DbnEncoder,
  type DecoderOptions,
  MergedRecords,
  type RecordCursor,
  RType,
} from '../src/data/dbn/index.js';
import {
  type ZstdBackendName,
  ZstdStreamDecoder,
  ZstdStreamEncoder,
  zstdBackends,
  zstdDecompressAll,
} from '../src/data/dbn/zstd.js';
import { ZstdWorkerBlocks } from '../src/data/dbn/zstd-blocks.js';
import { simulateDay } from '../src/sim/index.js';
import { fixturesDir } from '../test/fixtures.js';
import { writeSample } from '../test/market-sample.js';
import { best, bestAsync, bestOfEachAsync, minorGcs, pairedNote, type Report } from './harness.js';

const RECORDS = 1_000_000;
const REC = 368;
/** Records of the in-cache decode row: 253 KiB, a quarter of the smaller L2 cache of our hosts. */
const HOT_RECORDS = 700;

let sink = 0;

const bidPx = new Float64Array(10);
const askPx = new Float64Array(10);
const bidSz = new Float64Array(10);
const askSz = new Float64Array(10);
const bidCt = new Float64Array(10);
const askCt = new Float64Array(10);

/**
 * Reads, through the cursor's getters, every field the L2 book takes from one MBP-10 record: type,
 * identity, both timestamps, sequence, flags, the event's action, side, price and size, and the ten
 * levels.
 */
function readBookFields(c: RecordCursor): number {
  const acc =
    c.rtype +
    c.publisherId +
    c.instrumentId +
    c.tsEventLo +
    c.tsEventHi +
    c.tsRecvLo +
    c.tsRecvHi +
    c.sequence +
    c.flags +
    c.action +
    c.side +
    c.price +
    c.size;
  c.readLevels(10, bidPx, askPx, bidSz, askSz, bidCt, askCt);
  return acc + bidPx[9] + askSz[9];
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
    sink += sumWords(aligned);
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

  // The decode's own arithmetic: a quarter of a megabyte of records, in the core's cache after the
  // first pass, decoded over and over. Reading records from memory or a file adds to this and
  // cannot go faster: it bounds every decode row here.
  const hotBytes = stream.subarray(0, mdLen + HOT_RECORDS * REC);
  const passes = Math.ceil(records / HOT_RECORDS);
  let hotCount = 0;
  const tHot = await bestAsync(async () => {
    let s = 0;
    hotCount = 0;
    for await (const batch of DbnDecoder.fromBytes(hotBytes)) {
      for (let pass = 0; pass < passes; pass++) {
        for (let i = 0; i < batch.count; i++) s += readBookFields(batch.at(i));
      }
      hotCount += passes * batch.count;
    }
    sink += s;
  });
  report.add(
    'decode, records in cache (its arithmetic alone)',
    hotCount / tHot,
    'records/s',
    'decode (cursor, book fields)',
    `${HOT_RECORDS} records (${((HOT_RECORDS * REC) / 1024).toFixed(0)} KiB) decoded ${passes.toLocaleString('en-US')} times`,
  );

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

  const dir = mkdtempSync(join(tmpdir(), 'scalper-bench-'));
  try {
    await fileRows(report, dir, records, stream);
    await replayRows(report, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink === 42) report.say('');
}

/**
 * Decodes every record of a file, reading what the L2 book needs, with the given decoder options.
 * The book's loop below is its own function, as a user's would be: one loop shared by both (the
 * work passed in) made its call site see two functions and measured that instead.
 */
function decodeFile(path: string, opts: DecoderOptions = {}) {
  return async () => {
    let s = 0;
    for await (const batch of DbnDecoder.fromFile(path, opts)) {
      for (let i = 0; i < batch.count; i++) s += readBookFields(batch.at(i));
    }
    sink += s;
  };
}

/** Applies every record of a file to an L2 book. */
function bookFile(path: string) {
  return async () => {
    for await (const batch of DbnDecoder.fromFile(path)) {
      for (let i = 0; i < batch.count; i++) l2.applyMbp(batch.at(i));
    }
    sink += l2.bestBidPx;
  };
}

/**
 * Σ of every 32-bit word, modulo 2^32, in chunks of 4 KiB, each summed by a call of `sumRange`.
 * A loop that runs once a block (a few calls, each millions of steps long) is left to on-stack
 * replacement, whose code on Node 24 summed three times slower than Node 20's (the baseline, not
 * the decoder, was then what the row measured); a function called once per chunk is compiled in
 * full on both. Four words per step: a one-word loop was at times ten times slower on Node 24.
 */
function sumWords(words: Int32Array): number {
  let s = 0;
  const n = words.length;
  for (let w = 0; w < n; w += 1024) s = (s + sumRange(words, w, Math.min(n, w + 1024))) | 0;
  return s;
}

/** Σ of `words[w, end)`, modulo 2^32. */
function sumRange(words: Int32Array, w: number, end: number): number {
  let s = 0;
  for (; w + 4 <= end; w += 4) s = (s + words[w] + words[w + 1] + words[w + 2] + words[w + 3]) | 0;
  for (; w < end; w++) s = (s + words[w]) | 0;
  return s;
}

/** Sums every 32-bit word of each block a source hands out: reading alone, as the decoder reads. */
async function sumBlocks(source: BlockSource): Promise<void> {
  let s = 0;
  try {
    for (;;) {
      const b = await source.next();
      if (b === null) break;
      s = (s + sumWords(new Int32Array(b.bytes.buffer, BLOCK_HEAD, (b.end - BLOCK_HEAD) >> 2))) | 0;
      source.release(b);
    }
  } finally {
    await source.close();
  }
  sink += s;
}

const l2 = new L2Book();

/** With SCALPER_ZSTD set to `b` for the length of `fn` (how a DbnDecoder is pointed at a library). */
async function withZstd(b: ZstdBackendName, fn: () => Promise<void>): Promise<void> {
  const saved = process.env.SCALPER_ZSTD;
  process.env.SCALPER_ZSTD = b;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.SCALPER_ZSTD;
    else process.env.SCALPER_ZSTD = saved;
  }
}

const zstdLabel = (b: ZstdBackendName) => (b === 'builtin' ? 'built-in zstd' : 'zstd-napi');

/**
 * Reading files from disk (in the page cache after the first run), plain and zstd: each decode
 * against reading or decompressing alone the same way (read ahead in the same blocks), against
 * the same decode without read-ahead, and with an L2 book against decoding alone.
 */
async function fileRows(report: Report, dir: string, records: number, stream: Uint8Array): Promise<void> {
  const plainPath = join(dir, 'bench.mbp-10.dbn');
  const zstPath = join(dir, 'bench.mbp-10.dbn.zst');
  for (const [path, zstd] of [
    [plainPath, false],
    [zstPath, true],
  ] as const) {
    const enc = DbnEncoder.toFile(path, { metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10' }, zstd });
    writeSample(enc, { records, seed: 1 });
    await enc.end();
  }
  const plain = {
    sum: async () => {
      const fh = await open(plainPath, 'r');
      try {
        await sumBlocks(new FileBlocks(fh, 0, READ_AHEAD));
      } finally {
        await fh.close();
      }
    },
    decode: decodeFile(plainPath),
    'no read-ahead': decodeFile(plainPath, { readAhead: false }),
    book: bookFile(plainPath),
  };
  const tp = await bestOfEachAsync(Object.keys(plain) as (keyof typeof plain)[], 4, (k) => plain[k]());
  const sumRow = 'file baseline: read ahead, sum every 32-bit word (plain)';
  report.add(sumRow, records / tp.get('sum')!, 'records/s');
  report.add(
    'decode from file (plain .dbn)',
    records / tp.get('decode')!,
    'records/s',
    sumRow,
    `goal >= 0.7x, >= 12 M/s; ${pairedNote(tp.paired(['sum'], ['decode']))}`,
  );
  report.add(
    'decode from file vs in cache (plain .dbn)',
    records / tp.get('decode')!,
    'records/s',
    'decode, records in cache (its arithmetic alone)',
  );
  report.add(
    'decode from file, no read-ahead (plain .dbn)',
    records / tp.get('no read-ahead')!,
    'records/s',
    'decode from file (plain .dbn)',
  );
  report.add(
    'decode + L2 book from file (plain .dbn)',
    records / tp.get('book')!,
    'records/s',
    'decode from file (plain .dbn)',
    `goal >= 0.6x; ${pairedNote(tp.paired(['decode'], ['book']))}`,
  );

  const zsize = statSync(zstPath).size;
  const backends = zstdBackends();
  for (const b of backends) {
    const zst = {
      decompress: () => sumBlocks(new ZstdWorkerBlocks(zstPath, 0, b, READ_AHEAD)),
      decode: () => withZstd(b, decodeFile(zstPath)),
      'no read-ahead': () => withZstd(b, decodeFile(zstPath, { readAhead: false })),
      book: () => withZstd(b, bookFile(zstPath)),
    };
    const tz = await bestOfEachAsync(Object.keys(zst) as (keyof typeof zst)[], 4, (k) => zst[k]());
    const lib = zstdLabel(b);
    const base = `file baseline: decompress ahead alone (${lib})`;
    report.add(base, records / tz.get('decompress')!, 'records/s');
    const decodeRow = `decode from file (.dbn.zst, ${lib})`;
    report.add(
      decodeRow,
      records / tz.get('decode')!,
      'records/s',
      base,
      `goal >= 0.9x, > 6.8 M/s; ${(zsize / 1e6).toFixed(1)} MB compressed, ${(stream.length / zsize).toFixed(1)}x; ${pairedNote(tz.paired(['decompress'], ['decode']))}`,
    );
    report.add(
      `decode from file, no read-ahead (.dbn.zst, ${lib})`,
      records / tz.get('no read-ahead')!,
      'records/s',
      decodeRow,
    );
    report.add(
      `decode + L2 book from file (.dbn.zst, ${lib})`,
      records / tz.get('book')!,
      'records/s',
      decodeRow,
      `goal >= 0.6x; ${pairedNote(tz.paired(['decode'], ['book']))}`,
    );
  }
  if (backends.length < 2) {
    report.say(`(only ${backends.join(', ')} here: Node's built-in zstd needs Node >= 22.15)`);
  }
  await zstdLibraryRows(report, readFileSync(zstPath), stream, backends);
}

/**
 * Each zstd library on this thread alone, from memory: decompression into one 1 MiB buffer
 * (with the pure-JS fzstd as a further peer) and compression at level 3, as the encoder writes.
 */
async function zstdLibraryRows(
  report: Report,
  compressed: Uint8Array,
  stream: Uint8Array,
  backends: readonly ZstdBackendName[],
): Promise<void> {
  const mb = stream.length / 1e6;
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
  const first = `zstd decompress only: ${zstdLabel(backends[0])}`;
  for (const b of backends) {
    const row = `zstd decompress only: ${zstdLabel(b)}`;
    report.add(row, mb / decompressTimes.get(b)!, 'MB/s', row === first ? undefined : first);
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
  report.add('zstd decompress only: fzstd (pure JS)', mb / tPure, 'MB/s', first);
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
  const firstC = `zstd compress only (level 3): ${zstdLabel(backends[0])}`;
  for (const b of backends) {
    const row = `zstd compress only (level 3): ${zstdLabel(b)}`;
    report.add(row, mb / compressTimes.get(b)!, 'MB/s', row === firstC ? undefined : firstC);
  }
}

/**
 * Decodes `files` merged by ts_recv (as `scalper features` does), applying MBP-10 records to an
 * L2 book; returns the records read.
 */
export async function mergedReplay(files: readonly string[], book: L2Book = l2): Promise<number> {
  const merged = await MergedRecords.open(files.map((f) => DbnDecoder.fromFile(f)));
  let n = 0;
  while (!merged.done) {
    const c = merged.cursor();
    if (c.rtype === RType.MBP_10) book.applyMbp(c);
    n++;
    const loading = merged.next();
    if (loading) await loading;
  }
  return n;
}

/** The same work on one file alone. */
async function aloneReplay(file: string): Promise<number> {
  let n = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (c.rtype === RType.MBP_10) l2.applyMbp(c);
    }
    n += batch.count;
  }
  return n;
}

/**
 * A simulated day's futures depth, trades and spot quotes replayed merged by ts_recv, against
 * the sum of the times of reading each file alone with the same work per record.
 */
async function replayRows(report: Report, dir: string): Promise<void> {
  report.say('Simulating a 6E day with spot quotes for the merged replay…');
  const day = await simulateDay({ date: '2026-11-24', seed: 3, out: join(dir, 'day') });
  const files = [day.files.mbp10, day.files.trades, day.files.spotMbp1!];
  let records = 0;
  const keys = ['merged', ...files.map((_, i) => i)] as const;
  const times = await bestOfEachAsync<(typeof keys)[number]>(keys, 4, async (k) => {
    if (k === 'merged') records = await mergedReplay(files);
    else await aloneReplay(files[k]);
  });
  const parts = files.reduce((s, _, i) => s + times.get(i)!, 0);
  report.add("replay: the day's files each alone, summed", records / parts, 'records/s');
  const gcs = await minorGcs(() => mergedReplay(files));
  report.add(
    'replay: the same files merged by ts_recv',
    records / times.get('merged')!,
    'records/s',
    "replay: the day's files each alone, summed",
    `goal >= 0.8x; ${records.toLocaleString('en-US')} records: depth, trades, spot; ${gcs} minor GCs a merged run; ${pairedNote(
      times.paired(
        files.map((_, i) => i),
        ['merged'],
      ),
    )}`,
  );
}
