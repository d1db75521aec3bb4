/**
 * Streaming DBN decoder: plain or zstd-compressed (one or several frames) DBN v1/v2/v3, legacy
 * DBZ, and fragments (records without metadata), from a file, a buffer or any byte stream.
 *
 * Asynchronous per batch, synchronous per record: the decoder fills one reused, 4-byte-aligned
 * buffer (256 KiB by default) straight from the file or from libzstd, checks every record's length
 * against its rtype, and yields a `RecordBatch` whose records are read through a reused
 * `RecordCursor`. A batch is valid until the next one is requested. Files are never read whole.
 *
 * Every malformed input ends in a `DbnError` naming the source and byte offset; no record is
 * skipped silently. Records of rtypes this decoder does not know are passed through with their
 * header (their length is all that can be checked).
 */

import {
  BLOCK_HEAD,
  type Block,
  type BlockSource,
  BlockSourceError,
  READ_AHEAD,
  type ReadAheadSize,
  readAheadSize,
} from './blocks.js';
import { type DbnVersion, rtypeLabel, symbolCstrLen } from './constants.js';
import { RecordCursor } from './cursor.js';
import { DbnError, DbnUsageError } from './errors.js';
import { FileSource, MIN_CHUNK } from './file-source.js';
import { layoutFor, layoutsBySize, sizeTable } from './layouts.js';
import { decodeDbzMetadata, decodeMetadata, type Metadata } from './metadata.js';
import { type DbnRecord, decodeHeader, decodeRecord, encodeRecord } from './record.js';
import { needsUpgrade, upgradeRecord } from './upgrade.js';
import {
  SKIPPABLE_MAGIC_MAX,
  SKIPPABLE_MAGIC_MIN,
  ZSTD_MAGIC,
  ZstdStreamDecoder,
  zstdDecompressAll,
} from './zstd.js';
import { ZstdWorkerBlocks, zstdReadAheadAvailable } from './zstd-blocks.js';
import { ZSTD_STALLED, ZSTD_TRUNCATED } from './zstd-stream.js';

/** How the input was packaged. */
export type Container = 'dbn' | 'dbn+zstd' | 'dbz' | 'fragment' | 'fragment+zstd';

/** Options of every decoder constructor. */
export interface DecoderOptions {
  /** Label used in errors; defaults to the file path or "stream". */
  source?: string;
  /** Upgrade v1/v2 records to the v3 layout (definitions, statistics, error, system, symbol mapping). */
  upgrade?: boolean;
  /**
   * Read the input as a fragment (records without metadata). Implied by `version`. Without this
   * or `version`, input that does not start with DBN, zstd or DBZ magic is rejected (BAD_MAGIC).
   */
  fragment?: boolean;
  /** Layout version of a fragment's records; detected from the first record when omitted. */
  version?: DbnVersion;
  /** Whether a fragment's records carry a ts_out suffix. */
  tsOut?: boolean;
  /** Size of the reused decode buffer in bytes (default 256 KiB). */
  chunkSize?: number;
  /**
   * Read a file's records ahead in large blocks on other threads while decoding (blocks.ts,
   * zstd-blocks.ts). Default: plain files of at least 1 MiB and compressed files of at least
   * 4 MiB; `false` reads every file through the decode buffer alone, `true` reads ahead whatever
   * the size.
   */
  readAhead?: boolean | ReadAheadSize;
  /**
   * Yield the complete records of each input chunk as soon as it arrives, instead of first
   * filling the decode buffer: for a socket, where waiting for 256 KiB would hold a quiet
   * market's records back for minutes. Files and buffers read faster without it.
   */
  eager?: boolean;
}

// 256 KiB keeps the working buffer in a core's L2 cache while records are read: measured
// 1.5-2.5x faster than 1 MiB on the benchmark machine (npm run bench).
const DEFAULT_CHUNK = 256 << 10;
const EMPTY = new Uint8Array(0);

/** A group of decoded records sharing one buffer. Valid until the decoder yields the next batch. */
export class RecordBatch {
  /** Number of records. */
  count = 0;
  /** Byte offset of each record in `bytes`. */
  offsets: Int32Array;
  /** Offset of `bytes[0]` in the decompressed DBN stream (metadata included). */
  streamOffset = 0;
  /** The reused cursor over this batch's buffer. */
  readonly cursor: RecordCursor;
  bytes: Uint8Array;
  #version: number;

  constructor(
    bytes: Uint8Array,
    version: number,
    public tsOut: boolean,
    maxRecords = Math.ceil(bytes.length / 16) + 1,
  ) {
    if (bytes.byteOffset !== 0)
      throw new DbnUsageError('A RecordBatch needs a view from the start of its ArrayBuffer');
    this.bytes = bytes;
    this.offsets = new Int32Array(maxRecords);
    this.cursor = new RecordCursor(bytes.buffer as ArrayBuffer);
    this.cursor.setTsOut(tsOut);
    this.#version = version;
    this.cursor.setVersion(version);
  }

  /** Layout version of the records in this batch (3 after an upgrade). */
  get version(): number {
    return this.#version;
  }
  set version(v: number) {
    this.#version = v;
    this.cursor.setVersion(v);
  }

  /** Positions the shared cursor on record `i` and returns it. */
  at(i: number): RecordCursor {
    return this.cursor.seek(this.offsets[i]);
  }

  /** Materialises record `i` as a plain object (allocates: for the edges). */
  toObject(i: number): DbnRecord {
    const off = this.offsets[i];
    const rtype = this.bytes[off + 1];
    const layout = layoutFor(rtype, this.version);
    if (!layout) {
      const hd = decodeHeader(this.bytes, off);
      return { hd, raw: Buffer.from(this.bytes.subarray(off + 16, off + hd.length * 4)).toString('hex') };
    }
    return decodeRecord(this.bytes, off, layout, this.tsOut);
  }

  rebind(bytes: Uint8Array, maxRecords = Math.ceil(bytes.length / 16) + 1): void {
    if (bytes.byteOffset !== 0)
      throw new DbnUsageError('A RecordBatch needs a view from the start of its ArrayBuffer');
    this.bytes = bytes;
    if (this.offsets.length < maxRecords) this.offsets = new Int32Array(maxRecords);
    this.cursor.rebind(bytes.buffer as ArrayBuffer);
  }
}

/** Pulls raw input chunks and tracks how many bytes were consumed. */
class RawInput {
  #it: AsyncIterator<Uint8Array>;
  /** Reads straight into the caller's buffer (files), saving a copy per chunk. */
  readonly direct: FileSource | null;
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #done = false;
  /** Raw input bytes consumed so far. */
  consumed = 0;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.#it = src[Symbol.asyncIterator]();
    this.direct = src instanceof FileSource ? src : null;
  }

  /** Reads up to `len` bytes into `dst` at `off`, from what is buffered or straight from the source. */
  async readInto(dst: Uint8Array, off: number, len: number): Promise<number> {
    if (this.available === 0 && this.direct && !this.#done) {
      const n = await this.direct.readInto(dst, off, len);
      this.consumed += n;
      if (n === 0) this.#done = true;
      return n;
    }
    if (!(await this.refill())) return 0;
    const src = this.peek();
    const n = Math.min(len, src.length);
    dst.set(n === src.length ? src : src.subarray(0, n), off);
    this.advance(n);
    return n;
  }

  get available(): number {
    return this.#buf.length - this.#pos;
  }

  /** Loads the next chunk once the current one is used up; false at end of input. */
  async refill(): Promise<boolean> {
    while (this.available === 0) {
      if (this.#done) return false;
      const r = await this.#it.next();
      if (r.done) {
        this.#done = true;
        return false;
      }
      this.#buf = r.value;
      this.#pos = 0;
    }
    return true;
  }

  /** Makes at least `n` bytes contiguous (copying across chunks); returns how many are available. */
  async ensure(n: number): Promise<number> {
    if (this.available >= n) return this.available;
    const parts: Uint8Array[] = [];
    let total = 0;
    if (this.available > 0) {
      parts.push(this.#buf.slice(this.#pos));
      total = parts[0].length;
    }
    this.#buf = EMPTY;
    this.#pos = 0;
    while (total < n && (await this.refill())) {
      parts.push(this.#buf.slice(this.#pos));
      total += this.#buf.length - this.#pos;
      this.#buf = EMPTY;
      this.#pos = 0;
    }
    const joined = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    this.#buf = joined;
    return total;
  }

  /** The unread bytes of the current chunk (a view; valid until `advance`/`refill`). */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#pos);
  }

  advance(n: number): void {
    this.#pos += n;
    this.consumed += n;
  }

  async close(): Promise<void> {
    await this.#it.return?.();
    await this.direct?.close();
  }
}

/**
 * Reads a DBN byte stream. Iterate it for batches, or call `records()` for plain objects.
 *
 * ```ts
 * const dec = DbnDecoder.fromFile('glbx-mdp3-20240508.mbp-10.dbn.zst');
 * for await (const batch of dec) {
 *   for (let i = 0; i < batch.count; i++) book.apply(batch.at(i));
 * }
 * ```
 */
export class DbnDecoder implements AsyncIterable<RecordBatch> {
  readonly source: string;
  readonly #opts: DecoderOptions;
  readonly #input: RawInput;
  #zstd: ZstdStreamDecoder | null = null;
  #zstdPending = 0;
  #opened: Promise<void> | null = null;
  #work: Uint8Array;
  #fill = 0;
  #eof = false;
  /** Decompressed-stream offset of `#work[0]`. */
  #base = 0;
  #metadata: Metadata | null = null;
  #container: Container = 'dbn';
  #version = 3;
  #tsOut = false;
  #started = false;
  /** The read-ahead while records are read from it (closed by `close`). */
  #blocks: BlockSource | null = null;
  /** Records yielded so far. */
  recordCount = 0;

  constructor(src: AsyncIterable<Uint8Array>, opts: DecoderOptions = {}) {
    this.source = opts.source ?? 'stream';
    this.#opts = opts;
    this.#input = new RawInput(src);
    const size = Math.max(MIN_CHUNK, opts.chunkSize ?? DEFAULT_CHUNK) & ~7;
    this.#work = new Uint8Array(new ArrayBuffer(size));
  }

  /** Decodes a file, read in fixed chunks through one reused buffer. */
  static fromFile(path: string, opts: DecoderOptions = {}): DbnDecoder {
    return new DbnDecoder(new FileSource(path, opts.chunkSize ?? DEFAULT_CHUNK), { source: path, ...opts });
  }

  /**
   * Decodes an in-memory buffer, read in chunks like any stream. (Reading records in place was
   * measured: no faster than copying cache-sized chunks, which also guarantees alignment.)
   */
  static fromBytes(bytes: Uint8Array, opts: DecoderOptions = {}): DbnDecoder {
    const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
    async function* gen() {
      for (let o = 0; o < bytes.length; o += chunk)
        yield bytes.subarray(o, Math.min(bytes.length, o + chunk));
    }
    return new DbnDecoder(gen(), { source: 'buffer', ...opts });
  }

  /** Decodes any async byte stream: a Node Readable, a web stream's reader loop, an async generator. */
  static fromStream(stream: AsyncIterable<Uint8Array>, opts: DecoderOptions = {}): DbnDecoder {
    return new DbnDecoder(stream, opts);
  }

  /** The metadata (null for fragments). Reads the header if it has not been read yet. */
  async readMetadata(): Promise<Metadata | null> {
    await this.#open();
    return this.#metadata;
  }

  /**
   * Releases the input (closes the file, stops reading ahead) without reading further: for a
   * decoder abandoned after `readMetadata`, or stopped before its end (a replay's `--to`). Reading
   * to the end, or an error, closes it by itself. Its batches are not to be read after this.
   */
  async close(): Promise<void> {
    const blocks = this.#blocks;
    this.#blocks = null;
    await blocks?.close();
    await this.#input.close();
  }

  /** The metadata once the header has been read (null for fragments or before). */
  get metadata(): Metadata | null {
    return this.#metadata;
  }

  /** How the input was packaged (known once the header has been read). */
  get container(): Container {
    return this.#container;
  }

  /** DBN version of the input's records (0 would be DBZ, reported as 1: its records use v1 layouts). */
  get version(): number {
    return this.#version;
  }

  /** Raw (possibly compressed) input bytes consumed so far, for progress reporting. */
  get bytesRead(): number {
    return this.#input.consumed;
  }

  /**
   * The first record, without consuming it: a cursor valid until the decoder is iterated, or null
   * when the input's first bytes hold no whole record (an empty input; a malformed one says why
   * once it is read) or its records are upgraded (they change layout). Before iterating only.
   */
  async peekFirst(): Promise<RecordCursor | null> {
    if (this.#started)
      throw new DbnUsageError(`${this.source}: peekFirst() comes before the records are read`);
    await this.#open();
    if (this.#opts.upgrade === true && this.#version < 3) return null;
    await this.#fillTo(4);
    const length = this.#work[0] * 4;
    if (this.#fill < 4 || length < 16) return null;
    await this.#fillTo(length);
    if (this.#fill < length) return null;
    const c = new RecordCursor(this.#work.buffer as ArrayBuffer);
    c.setVersion(this.#version);
    c.setTsOut(this.#tsOut);
    return c.seek(0);
  }

  /** Records as plain objects (allocates per record: for the edges, not the hot path). */
  async *records(): AsyncGenerator<DbnRecord> {
    for await (const batch of this) {
      for (let i = 0; i < batch.count; i++) yield batch.toObject(i);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    if (this.#started) throw new DbnUsageError(`${this.source}: a DbnDecoder can be iterated only once`);
    this.#started = true;
    return this.#batches();
  }

  #error(
    code: ConstructorParameters<typeof DbnError>[0],
    offset: number,
    detail: string,
    cause?: unknown,
  ): DbnError {
    return new DbnError(code, this.source, offset, detail, cause === undefined ? undefined : { cause });
  }

  /** Reads decompressed bytes into `dst[off, off+max)`; 0 at end of input. */
  async #read(dst: Uint8Array, off: number, max: number): Promise<number> {
    const input = this.#input;
    if (!this.#zstd) return input.readInto(dst, off, max);
    let stalls = 0;
    for (;;) {
      let src = input.peek();
      if (src.length === 0) {
        // Flush what libzstd still holds (output that did not fit the last step) before asking
        // for more input.
        const r = this.#zstdStep(dst.subarray(off, off + max), EMPTY);
        if (r > 0) return r;
        if (!(await input.refill())) {
          if (this.#zstdPending !== 0) {
            throw this.#error('CORRUPT_ZSTD', input.consumed, ZSTD_TRUNCATED);
          }
          return 0;
        }
        src = input.peek();
      }
      const before = input.consumed;
      const produced = this.#zstdStep(dst.subarray(off, off + max), src);
      if (produced > 0) return produced;
      // libzstd buffers a whole compressed block before it writes any of it, so small input
      // chunks are consumed for many steps without output: that is progress. Only a step that
      // neither consumes nor produces is a stall.
      if (input.consumed !== before) stalls = 0;
      else if (++stalls > 64) throw this.#error('CORRUPT_ZSTD', input.consumed, ZSTD_STALLED);
    }
  }

  #zstdStep(dst: Uint8Array, src: Uint8Array): number {
    try {
      const r = this.#zstd!.step(dst, src);
      this.#input.advance(r.consumed);
      this.#zstdPending = r.pending;
      return r.produced;
    } catch (cause) {
      throw this.#error(
        'CORRUPT_ZSTD',
        this.#input.consumed,
        `corrupt zstd data: ${(cause as Error).message}`,
        cause,
      );
    }
  }

  /** Reads until at least `n` bytes are buffered (growing the buffer if needed) or input ends. */
  async #fillTo(n: number): Promise<void> {
    while (this.#fill < n && !this.#eof) {
      if (this.#fill === this.#work.length) {
        // Grow by doubling as the data arrives, not to `n` at once: a corrupt prelude claiming
        // gigabytes of metadata must not allocate them before the input shows it has them.
        const grown = new Uint8Array(new ArrayBuffer(Math.min(Math.ceil(n / 8) * 8, this.#work.length * 2)));
        grown.set(this.#work.subarray(0, this.#fill));
        this.#work = grown;
      }
      const got = await this.#read(this.#work, this.#fill, this.#work.length - this.#fill);
      if (got === 0) this.#eof = true;
      else this.#fill += got;
    }
  }

  /** Reads whatever the next input chunk gives (at least one byte, or the end of input). */
  async #fillOnce(): Promise<void> {
    if (this.#eof) return;
    if (this.#fill === this.#work.length) return this.#fillTo(this.#fill + 1);
    const got = await this.#read(this.#work, this.#fill, this.#work.length - this.#fill);
    if (got === 0) this.#eof = true;
    else this.#fill += got;
  }

  /** Drops the first `n` buffered bytes. */
  #consume(n: number): void {
    this.#work.copyWithin(0, n, this.#fill);
    this.#fill -= n;
    this.#base += n;
  }

  #open(): Promise<void> {
    if (!this.#opened) this.#opened = this.#readHeader();
    return this.#opened;
  }

  async #readHeader(): Promise<void> {
    const input = this.#input;
    let avail: number;
    try {
      avail = await input.ensure(4);
    } catch (cause) {
      if (cause instanceof DbnError) throw cause;
      throw this.#error('IO', 0, `cannot read input: ${(cause as Error).message}`, cause);
    }
    const fragmentOk = this.#opts.fragment === true || this.#opts.version !== undefined;
    if (avail === 0 && !fragmentOk) {
      throw this.#error('TRUNCATED_HEADER', 0, 'input is empty');
    }
    const head = input.peek();
    const magic = avail >= 4 ? (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0 : 0;
    let compressed = false;
    if (magic === ZSTD_MAGIC) {
      compressed = true;
    } else if (magic >= SKIPPABLE_MAGIC_MIN && magic <= SKIPPABLE_MAGIC_MAX) {
      // DBZ: metadata in a skippable frame, then zstd-compressed v1 records.
      if ((await input.ensure(8)) < 8)
        throw this.#error('TRUNCATED_HEADER', input.available, 'input ends inside the DBZ frame header');
      const b = input.peek();
      const size = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
      if ((await input.ensure(8 + size)) < 8 + size) {
        throw this.#error(
          'TRUNCATED_HEADER',
          input.available,
          `input ends inside the ${size}-byte DBZ metadata frame`,
        );
      }
      const payload = input.peek().slice(8, 8 + size);
      input.advance(8 + size);
      this.#metadata = decodeDbzMetadata(payload, this.source, 8, zstdDecompressAll);
      this.#container = 'dbz';
      this.#version = 1;
      this.#zstd = new ZstdStreamDecoder();
      return;
    }
    if (compressed) this.#zstd = new ZstdStreamDecoder();
    await this.#fillTo(8);
    const w = this.#work;
    if (this.#fill >= 3 && w[0] === 0x44 && w[1] === 0x42 && w[2] === 0x4e) {
      if (this.#fill < 8)
        throw this.#error('TRUNCATED_HEADER', this.#fill, 'input ends inside the DBN prelude');
      const length = (w[4] | (w[5] << 8) | (w[6] << 16) | (w[7] << 24)) >>> 0;
      // #fillTo grows (replaces) the buffer when the metadata is larger than it: read it anew.
      if (w[3] >= 1 && w[3] <= 3) await this.#fillTo(8 + length);
      const all = this.#work;
      this.#metadata = decodeMetadata(all.subarray(0, Math.min(this.#fill, 8 + length)), this.source);
      this.#version = this.#metadata.version;
      this.#tsOut = this.#metadata.ts_out;
      this.#container = compressed ? 'dbn+zstd' : 'dbn';
      this.#consume(8 + length);
      return;
    }
    if (!fragmentOk) {
      throw this.#error(
        'BAD_MAGIC',
        0,
        compressed
          ? `zstd data without DBN metadata: it decompresses to ${hexPrefix(w, this.#fill)}, not "DBN" (for records without metadata, read it as a fragment and give its version)`
          : `not DBN data: starts with ${hexPrefix(w, this.#fill)}, expected "DBN", a zstd frame or DBZ (for records without metadata, read it as a fragment and give its version)`,
      );
    }
    this.#container = compressed ? 'fragment+zstd' : 'fragment';
    this.#tsOut = this.#opts.tsOut ?? false;
    this.#version = this.#opts.version ?? this.#detectFragmentVersion();
  }

  /** A fragment's version from its first record: definitions and statistics differ in size. */
  #detectFragmentVersion(): number {
    if (this.#fill < 2) return 3;
    const rtype = this.#work[1];
    const size = this.#work[0] * 4 - (this.#tsOut ? 8 : 0);
    const candidates = layoutsBySize(rtype, size);
    if (candidates.length === 0) return 3;
    return Math.max(
      ...candidates.map((l) => (layoutFor(rtype, 3) === l ? 3 : layoutFor(rtype, 2) === l ? 2 : 1)),
    );
  }

  /**
   * Checks and indexes the complete records in `w[p, end)`: returns the offset after the last
   * complete record. A length that cannot be right for its rtype ends the batch before that record,
   * and throws when that record is the first.
   *
   * A record with the same length byte and rtype as the one before it (a file of one schema is
   * one such run) steps on by that known length rather than by the length just loaded, so that
   * where the next header lies does not wait for this one to arrive from memory: the headers'
   * loads overlap instead of following each other (on a file read ahead, this walk had taken
   * about as long as summing every word of the block).
   */
  #scan(
    w: Uint8Array,
    p: number,
    end: number,
    limit: number,
    sizes: Uint16Array,
    batch: RecordBatch,
    base: number,
  ): number {
    const offsets = batch.offsets;
    let count = 0;
    // The length byte and rtype of the run of records being walked, and its length in bytes.
    let runWords = -1;
    let runType = -1;
    let runLen = 0;
    while (p + 16 <= end && p < limit) {
      if (w[p] === runWords && w[p + 1] === runType) {
        if (p + runLen > end) break;
        offsets[count++] = p;
        p += runLen;
        continue;
      }
      const len = w[p] << 2;
      const expected = sizes[w[p + 1]];
      if (len < 16 || (expected !== 0 && len !== expected)) {
        // A record that fails its checks ends the batch before it; the next scan, starting at it,
        // throws: the records before it are handed out first.
        if (count > 0) break;
        throw this.#error(
          'BAD_RECORD_LENGTH',
          base + p,
          len < 16
            ? `record length ${len} is shorter than a record header`
            : `record length ${len} does not match rtype ${rtypeLabel(w[p + 1])} (${expected} bytes in DBN v${this.#version}${this.#tsOut ? ' with ts_out' : ''})`,
        );
      }
      if (p + len > end) break;
      if (expected !== 0) {
        runWords = w[p];
        runType = w[p + 1];
        runLen = len;
      }
      offsets[count++] = p;
      p += len;
    }
    batch.count = count;
    batch.streamOffset = base;
    return p;
  }

  #truncated(w: Uint8Array, p: number, end: number, base: number): DbnError {
    const what = end - p < 16 ? 'a record header' : `a ${w[p] << 2}-byte ${rtypeLabel(w[p + 1])} record`;
    return this.#error(
      'TRUNCATED_RECORD',
      base + p,
      `input ends inside ${what} (only ${end - p} bytes of it are present)`,
    );
  }

  /**
   * A read-ahead of the records when the input is a file that warrants one (DecoderOptions
   * `readAhead`), starting after what the header took; null to read through the decode buffer.
   */
  async #readAhead(): Promise<BlockSource | null> {
    const file = this.#input.direct;
    const wanted = this.#opts.readAhead;
    if (file === null || wanted === false) return null;
    const size = readAheadSize(typeof wanted === 'object' ? wanted : READ_AHEAD);
    const bytes = await file.size();
    switch (this.#container) {
      case 'dbn':
      case 'fragment':
        if (wanted === undefined && bytes < READ_AHEAD_MIN_PLAIN) return null;
        return file.blocks(this.#base, wanted === undefined ? fitted(size, bytes - this.#base) : size);
      case 'dbn+zstd':
      case 'fragment+zstd':
        if ((wanted === undefined && bytes < READ_AHEAD_MIN_ZSTD) || !zstdReadAheadAvailable()) return null;
        return new ZstdWorkerBlocks(file.path, this.#base, this.#zstd!.backend, size);
      default:
        return null;
    }
  }

  /**
   * Batches read in place from read-ahead blocks. A record that straddles two blocks has its
   * first bytes copied into the next block's headroom, in front of the rest of it.
   */
  async *#blockBatches(
    source: BlockSource,
    sizes: Uint16Array,
    batch: RecordBatch,
    upgraded: UpgradeBuffer | null,
  ): AsyncGenerator<RecordBatch> {
    let prev: Block | null = null;
    let carry = 0;
    try {
      for (;;) {
        const block = await this.#nextBlock(source);
        if (block === null) {
          if (prev !== null && carry > 0)
            throw this.#truncated(prev.bytes, prev.end - carry, prev.end, prev.streamOffset - BLOCK_HEAD);
          return;
        }
        const from = BLOCK_HEAD - carry;
        if (prev !== null) {
          if (carry > 0) block.bytes.set(prev.bytes.subarray(prev.end - carry, prev.end), from);
          source.release(prev);
        }
        if (batch.bytes !== block.bytes) batch.rebind(block.bytes);
        const base = block.streamOffset - BLOCK_HEAD;
        this.#input.consumed = block.rawOffset;
        prev = block;
        // Scanned again after a batch that a bad record ended, which then throws.
        let p = from;
        for (;;) {
          p = this.#scan(block.bytes, p, block.end, block.end, sizes, batch, base);
          if (batch.count === 0) break;
          this.recordCount += batch.count;
          yield upgraded ? upgraded.convert(batch) : batch;
        }
        carry = block.end - p;
      }
    } finally {
      await source.close();
    }
  }

  async #nextBlock(source: BlockSource): Promise<Block | null> {
    try {
      return await source.next();
    } catch (e) {
      if (!(e instanceof BlockSourceError)) throw e;
      const { code, offset, detail, cause } = e.failure;
      throw this.#error(code, offset, detail, cause);
    }
  }

  async *#batches(): AsyncGenerator<RecordBatch> {
    try {
      await this.#open();
      const sizes = sizeTable(this.#version, this.#tsOut);
      const upgrading = this.#opts.upgrade === true && this.#version < 3;
      const upgraded = upgrading ? new UpgradeBuffer(this.#version, this.#tsOut) : null;
      const batch = new RecordBatch(this.#work, this.#version, this.#tsOut);
      const blocks = await this.#readAhead();
      this.#blocks = blocks;
      if (blocks) {
        yield* this.#blockBatches(blocks, sizes, batch, upgraded);
        return;
      }
      // Eagerly, the records the header's read brought along are scanned first; after that every
      // scan has taken all the whole records, so what is left needs more input.
      const eager = this.#opts.eager === true;
      let first = true;
      for (;;) {
        if (!eager) await this.#fillTo(this.#work.length);
        else if (!first) await this.#fillOnce();
        first = false;
        if (batch.bytes !== this.#work) batch.rebind(this.#work);
        const w = this.#work;
        const fill = this.#fill;
        const p = this.#scan(w, 0, fill, fill, sizes, batch, this.#base);
        if (batch.count > 0) {
          this.recordCount += batch.count;
          yield upgraded ? upgraded.convert(batch) : batch;
          // A bad record that ended the batch throws now, not once more input has come.
          if (p < fill) this.#scan(w, p, fill, fill, sizes, batch, this.#base);
        }
        if (this.#eof) {
          if (p < fill) throw this.#truncated(w, p, fill, this.#base);
          return;
        }
        this.#consume(p);
      }
    } finally {
      await this.#input.close();
    }
  }
}

/**
 * The default read-ahead for a plain file of `bytes` bytes: a file smaller than the whole
 * read-ahead is read in smaller blocks (of at least 1 MiB), so that it holds no more than it needs.
 */
function fitted(size: ReadAheadSize, bytes: number): ReadAheadSize {
  const per = Math.ceil(bytes / size.depth / 4096) * 4096;
  return { blockSize: Math.min(size.blockSize, Math.max(READ_AHEAD_MIN_PLAIN, per)), depth: size.depth };
}

/** Sizes at and above which files are read ahead by default (plain, compressed). */
const READ_AHEAD_MIN_PLAIN = 1 << 20;
const READ_AHEAD_MIN_ZSTD = 4 << 20;

/** Rewrites batches whose records changed layout since their version into v3 records. */
class UpgradeBuffer {
  #batch: RecordBatch;
  constructor(
    readonly version: number,
    readonly tsOut: boolean,
  ) {
    this.#batch = new RecordBatch(new Uint8Array(new ArrayBuffer(1 << 16)), 3, tsOut);
  }

  convert(src: RecordBatch): RecordBatch {
    let any = false;
    for (let i = 0; i < src.count && !any; i++)
      any = needsUpgrade(src.bytes[src.offsets[i] + 1], this.version);
    if (!any) {
      src.version = 3; // market-data layouts are the same in every version
      return src;
    }
    let need = 0;
    for (let i = 0; i < src.count; i++) {
      const off = src.offsets[i];
      const rt = src.bytes[off + 1];
      need += needsUpgrade(rt, this.version)
        ? layoutFor(rt, 3)!.size + (this.tsOut ? 8 : 0)
        : src.bytes[off] << 2;
    }
    const out = this.#batch;
    if (out.bytes.length < need) out.rebind(new Uint8Array(new ArrayBuffer((need * 2 + 7) & ~7)));
    let p = 0;
    for (let i = 0; i < src.count; i++) {
      const off = src.offsets[i];
      const rt = src.bytes[off + 1];
      out.offsets[i] = p;
      if (needsUpgrade(rt, this.version)) {
        const from = layoutFor(rt, this.version)!;
        const { record, layout } = upgradeRecord(decodeRecord(src.bytes, off, from, this.tsOut), from);
        // Fixed-width strings may fill their field without a NUL; Databento's upgrade copies
        // those bytes as they are, and so do we (rather than reject the record).
        p += encodeRecord(record, layout, out.bytes, p, this.tsOut, true);
      } else {
        const len = src.bytes[off] << 2;
        out.bytes.set(src.bytes.subarray(off, off + len), p);
        p += len;
      }
    }
    out.count = src.count;
    // Where the first record began in the stream: later ones moved as records before them grew.
    out.streamOffset = src.streamOffset + (src.count > 0 ? src.offsets[0] : 0);
    return out;
  }
}

function hexPrefix(b: Uint8Array, n: number): string {
  const k = Math.min(4, n);
  if (k === 0) return 'nothing';
  return Array.from(b.subarray(0, k), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Symbol string width of a version (22 for v1 and DBZ, 71 after). */
export { symbolCstrLen };
