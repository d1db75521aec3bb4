/**
 * Read-ahead of a DBN file's record bytes in large blocks, so that reading (or decompressing) the
 * next block overlaps with decoding the current one on this machine's other core.
 *
 * Each block is its own ArrayBuffer (a record batch's views start at byte 0 of theirs) with
 * `BLOCK_HEAD` bytes of headroom before the data: the few bytes of a record that straddles two
 * blocks are copied there, in front of the next block's data, so that every record is read in
 * place from one contiguous, 4-byte-aligned span and nothing but those bytes is ever copied.
 */

/** Headroom before each block's data: room for the longest record (255 words of 4 bytes). */
export const BLOCK_HEAD = 1024;

/** One block of decompressed DBN stream bytes: `bytes[BLOCK_HEAD, end)`. */
export interface Block {
  /** The whole block buffer, headroom included. */
  readonly bytes: Uint8Array;
  /** End of the data in `bytes` (BLOCK_HEAD when the stream has ended). */
  end: number;
  /** Offset in the decompressed DBN stream of `bytes[BLOCK_HEAD]`. */
  streamOffset: number;
  /** Raw (possibly compressed) input bytes consumed up to the end of this block. */
  rawOffset: number;
}

/** Where a block source fails: a DbnError's code, offset and detail, raised by the decoder. */
export interface BlockFailure {
  code: 'IO' | 'CORRUPT_ZSTD';
  offset: number;
  detail: string;
  cause?: unknown;
}

/** Raised by a block source; the decoder turns it into a DbnError naming its source. */
export class BlockSourceError extends Error {
  constructor(readonly failure: BlockFailure) {
    super(failure.detail);
  }
}

/** Blocks in stream order; each must be released before it is handed out again. */
export interface BlockSource {
  /** The next block, or null at the end of the stream. */
  next(): Promise<Block | null>;
  /** Gives a block back to be filled again. */
  release(block: Block): void;
  /** Stops reading ahead and frees what it holds. */
  close(): Promise<void>;
}

/** Sizes of a read-ahead: `depth` blocks of `blockSize` bytes each. */
export interface ReadAheadSize {
  blockSize: number;
  depth: number;
}

/**
 * Default read-ahead: three 4 MiB blocks (measured with `npm run bench`, "file" rows). A block
 * must be larger than a core's L2 cache (2 MiB on recent Xeons): the thread that fills it runs on
 * the other core, and while the block's lines still sit modified in that core's L2, every line the
 * decoder reads is fetched from there, which took as long as the decoding itself (1 MiB blocks
 * decoded a plain file at 4.9 M records/s on a Xeon where 4 MiB blocks decode 10 M/s).
 */
export const READ_AHEAD: ReadAheadSize = { blockSize: 4 << 20, depth: 3 };

/** `size` made usable: blocks of a multiple of 8 bytes, at least 4 KiB, and at least two of them. */
export function readAheadSize(size: ReadAheadSize): ReadAheadSize {
  return {
    blockSize: Math.max(4096, Math.floor(size.blockSize)) & ~7,
    depth: Math.max(2, Math.floor(size.depth)),
  };
}

/**
 * Blocks of finished sources, for the next file's read-ahead: allocating (and zeroing) 12 MiB for
 * every file costs more than a short file takes to read, and a block a worker thread has seen is
 * freed only when that thread next collects its garbage, which an idle worker seldom does (memory
 * grew by the blocks of every file read). The last `SPARE_MAX` of each kind are kept.
 */
const SPARE_MAX = 6;
const spare: { plain: Block[]; shared: Block[] } = { plain: [], shared: [] };

/** A block buffer of `blockSize` data bytes (a spare one when there is one), in `SharedArrayBuffer` memory if asked. */
export function newBlock(blockSize: number, shared = false): Block {
  const size = BLOCK_HEAD + blockSize;
  const list = shared ? spare.shared : spare.plain;
  for (let i = list.length - 1; i >= 0; i--) {
    const b = list[i];
    if (b.bytes.length !== size) continue;
    list.splice(i, 1);
    b.end = BLOCK_HEAD;
    b.streamOffset = 0;
    b.rawOffset = 0;
    return b;
  }
  const buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
  return { bytes: new Uint8Array(buffer), end: BLOCK_HEAD, streamOffset: 0, rawOffset: 0 };
}

/**
 * Gives blocks back for reuse (`newBlock`) once nothing reads or writes them any more: no read
 * pending, no worker filling them, no batch of their records still in use.
 */
export function recycleBlocks(blocks: readonly Block[]): void {
  for (const b of blocks) {
    const list = b.bytes.buffer instanceof SharedArrayBuffer ? spare.shared : spare.plain;
    if (list.includes(b)) continue;
    list.push(b);
    // The oldest go first: a new size of block replaces those of an earlier one.
    if (list.length > SPARE_MAX) list.shift();
  }
}

/** How many spare blocks of `blockSize` data bytes of each kind are kept (for tests). */
export function spareBlocks(blockSize: number): { plain: number; shared: number } {
  const size = BLOCK_HEAD + blockSize;
  const count = (list: Block[]) => list.filter((b) => b.bytes.length === size).length;
  return { plain: count(spare.plain), shared: count(spare.shared) };
}

/** What `FileHandle.read` needs of a file handle. */
interface Readable {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/**
 * A plain file's bytes from `start`, read `depth` blocks ahead through the libuv thread pool
 * (whose threads copy from the page cache while this thread decodes).
 */
export class FileBlocks implements BlockSource {
  readonly #fh: Readable;
  readonly #size: ReadAheadSize;
  readonly #ring: { block: Block; read: Promise<number> | null }[] = [];
  #next = 0;
  #pos: number;
  #ended = false;
  #closed = false;

  constructor(fh: Readable, start: number, size: ReadAheadSize = READ_AHEAD) {
    this.#fh = fh;
    this.#size = size;
    this.#pos = start;
    for (let i = 0; i < size.depth; i++) {
      const entry = { block: newBlock(size.blockSize), read: null as Promise<number> | null };
      this.#ring.push(entry);
      this.#issue(entry);
    }
  }

  #issue(entry: { block: Block; read: Promise<number> | null }): void {
    const block = entry.block;
    const at = this.#pos;
    block.streamOffset = at;
    this.#pos += this.#size.blockSize;
    entry.read = this.#fh.read(block.bytes, BLOCK_HEAD, this.#size.blockSize, at).then(
      (r) => r.bytesRead,
      (cause: Error) => {
        throw new BlockSourceError({
          code: 'IO',
          offset: at,
          detail: `cannot read file: ${cause.message}`,
          cause,
        });
      },
    );
    // A read left pending when the decoder stops early must not surface as an unhandled rejection.
    entry.read.catch(() => {});
  }

  async next(): Promise<Block | null> {
    if (this.#ended) return null;
    const entry = this.#ring[this.#next];
    const n = await entry.read!;
    entry.read = null;
    const block = entry.block;
    block.end = BLOCK_HEAD + n;
    block.rawOffset = block.streamOffset + n;
    // A short read is the end of the file (regular files are read in full otherwise).
    if (n < this.#size.blockSize) this.#ended = true;
    if (n === 0) return null;
    this.#next = (this.#next + 1) % this.#ring.length;
    return block;
  }

  release(block: Block): void {
    const entry = this.#ring.find((e) => e.block === block);
    if (entry && entry.read === null && !this.#ended) this.#issue(entry);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    await Promise.allSettled(this.#ring.map((e) => e.read));
    recycleBlocks(this.#ring.map((e) => e.block));
  }
}
