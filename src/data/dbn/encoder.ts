/**
 * DBN v3 encoder: metadata, then records, plain or zstd-compressed, to a file, a Node writable
 * stream or any sink function. Records are buffered in a reused 1 MiB block; a full block is
 * compressed (when asked) and handed to the sink, so memory stays flat however long the output.
 */
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { writeAll } from '../../core/index.js';
import { rtypeLabel } from './constants.js';
import { DbnEncodeError } from './errors.js';
import { layoutFor } from './layouts.js';
import { encodeMetadata, type MetadataInit } from './metadata.js';
import { type DbnRecord, encodeRecord } from './record.js';
import { ZstdStreamEncoder } from './zstd.js';

/** Options of the encoder. */
export interface EncoderOptions {
  /** Metadata to write first; omit to write a fragment (records only). */
  metadata?: MetadataInit;
  /** zstd-compress the whole stream (one frame). */
  zstd?: boolean;
  /** zstd level (default 3, zstd's own default). */
  level?: number;
  /** Block size in bytes (default 1 MiB). */
  blockSize?: number;
  /**
   * Without `zstd`: hand the sink each block as a zstd stream would get it, `last` set on the
   * final one (which may be empty), as a view of the encoder's own block (no copy: the sink must
   * be done with the bytes when it returns). For a sink that compresses elsewhere.
   */
  lend?: boolean;
  /** Called (and awaited) by `end()` after the last bytes went to the sink. */
  onEnd?: () => void | Promise<void>;
}

type Sink = (bytes: Uint8Array, last?: boolean) => void;

/** Writes DBN v3. Call `write` per record and `end` once. */
export class DbnEncoder {
  readonly #sink: Sink;
  readonly #zstd: ZstdStreamEncoder | null;
  readonly #block: Uint8Array;
  readonly #tsOut: boolean;
  readonly #lend: boolean;
  #fill = 0;
  #ended = false;
  #onEnd: (() => void | Promise<void>) | null = null;
  /** Records written so far. */
  recordCount = 0;

  constructor(sink: Sink, opts: EncoderOptions = {}) {
    this.#sink = sink;
    this.#zstd = opts.zstd ? new ZstdStreamEncoder(opts.level ?? 3) : null;
    this.#block = new Uint8Array(Math.max(4096, opts.blockSize ?? 1 << 20));
    this.#tsOut = opts.metadata?.ts_out ?? false;
    this.#lend = opts.lend === true;
    this.#onEnd = opts.onEnd ?? null;
    if (opts.metadata) this.#emit(encodeMetadata(opts.metadata), false);
  }

  /** An encoder writing to a file (created or truncated), synchronously per block. */
  static toFile(path: string, opts: EncoderOptions = {}): DbnEncoder {
    const fd = openSync(path, 'w');
    const enc = new DbnEncoder((b) => writeAll(fd, b), opts);
    enc.#onEnd = () => closeSync(fd);
    return enc;
  }

  /** An encoder writing to a Node writable stream; `end()` waits until the stream has flushed. */
  static toStream(stream: Writable, opts: EncoderOptions = {}): DbnEncoder {
    const enc = new DbnEncoder((b) => stream.write(b), opts);
    enc.#onEnd = () =>
      new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(resolve);
      });
    return enc;
  }

  /** An encoder collecting everything in memory (tests, small files). */
  static toBuffer(opts: EncoderOptions = {}): { encoder: DbnEncoder; result: () => Uint8Array } {
    const parts: Uint8Array[] = [];
    const encoder = new DbnEncoder((b) => parts.push(b.slice()), opts);
    return { encoder, result: () => Buffer.concat(parts) };
  }

  /** Encodes one record with its v3 layout. */
  write(rec: DbnRecord): void {
    const layout = layoutFor(rec.hd.rtype, 3);
    if (!layout)
      throw new DbnEncodeError(`Cannot encode rtype ${rtypeLabel(rec.hd.rtype)}: unknown record type`);
    const size = layout.size + (this.#tsOut ? 8 : 0);
    if (this.#fill + size > this.#block.length) this.#flushBlock(false);
    encodeRecord(rec, layout, this.#block, this.#fill, this.#tsOut);
    this.#fill += size;
    this.recordCount++;
  }

  /**
   * Appends records that are already encoded in the v3 layout (e.g. built with a DataView in a
   * generator's hot loop, or copied from a decoded v3 batch). The caller vouches for the layout.
   */
  writeEncoded(bytes: Uint8Array, records = 1): void {
    if (this.#fill + bytes.length > this.#block.length) this.#flushBlock(false);
    if (bytes.length > this.#block.length) this.#emit(bytes, false);
    else {
      this.#block.set(bytes, this.#fill);
      this.#fill += bytes.length;
    }
    this.recordCount += records;
  }

  /** Flushes, closes the zstd frame and the file or stream. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#flushBlock(true);
    await this.#onEnd?.();
  }

  #flushBlock(last: boolean): void {
    const data = this.#block.subarray(0, this.#fill);
    this.#emit(data, last);
    this.#fill = 0;
  }

  #emit(data: Uint8Array, last: boolean): void {
    if (this.#zstd) this.#zstd.write(data, last, this.#sink);
    else if (this.#lend) this.#sink(data, last);
    else if (data.length > 0) this.#sink(data.slice());
  }
}
