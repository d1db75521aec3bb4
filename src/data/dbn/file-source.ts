/**
 * Files as the decoder's input: read in fixed chunks while the header is read (and by the
 * decoder's own loop for small or unusual files), or handed over to a read-ahead of large blocks
 * for the records (blocks.ts, zstd-blocks.ts).
 */
import { open } from 'node:fs/promises';
import { type BlockSource, FileBlocks, type ReadAheadSize } from './blocks.js';
import { DbnError } from './errors.js';

export const MIN_CHUNK = 4096;

/**
 * A file read in fixed chunks: as an async iterable through one reused buffer (while the header
 * is sniffed, and for compressed input), straight into the decoder's buffer (`readInto`, plain
 * records of a small file), or ahead in blocks (`blocks`).
 */
export class FileSource implements AsyncIterable<Uint8Array> {
  readonly #path: string;
  #size = -1;
  readonly #chunk: number;
  #fh: Awaited<ReturnType<typeof open>> | null = null;
  #pos = 0;
  #closed = false;

  constructor(path: string, chunkSize: number) {
    this.#path = path;
    this.#chunk = Math.max(MIN_CHUNK, chunkSize);
  }

  async #handle(): Promise<Awaited<ReturnType<typeof open>>> {
    if (this.#fh) return this.#fh;
    if (this.#closed) throw new DbnError('IO', this.#path, this.#pos, 'file already closed');
    try {
      this.#fh = await open(this.#path, 'r');
    } catch (cause) {
      const e = cause as NodeJS.ErrnoException;
      const detail = e.code === 'ENOENT' ? 'file not found' : `cannot open file: ${e.message}`;
      throw new DbnError('IO', this.#path, 0, detail, { cause });
    }
    return this.#fh;
  }

  async readInto(dst: Uint8Array, off: number, len: number): Promise<number> {
    const fh = await this.#handle();
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(dst, off, len, this.#pos));
    } catch (cause) {
      throw new DbnError('IO', this.#path, this.#pos, `cannot read file: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.#pos += bytesRead;
    return bytesRead;
  }

  /** The file's path. */
  get path(): string {
    return this.#path;
  }

  /** The file's size in bytes (at the first call). */
  async size(): Promise<number> {
    if (this.#size < 0) {
      const fh = await this.#handle();
      this.#size = (await fh.stat()).size;
    }
    return this.#size;
  }

  /** The file's bytes from `start` on, read ahead in blocks through this file's handle. */
  async blocks(start: number, size: ReadAheadSize): Promise<BlockSource> {
    return new FileBlocks(await this.#handle(), start, size);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const buf = new Uint8Array(this.#chunk);
    for (;;) {
      const n = await this.readInto(buf, 0, buf.length);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close();
  }
}
