/**
 * The zstd read-ahead's ring, shared by the decoder's side (zstd-blocks.ts) and the worker
 * (zstd-worker.ts): a control Int32Array of PRODUCED, CONSUMED and STOP counters followed by each
 * block's length. The worker fills block `k % depth` once the decoder has released all but
 * `depth - 1` of the blocks before it, stores its length and bumps PRODUCED; the decoder bumps
 * CONSUMED as it releases blocks. A length of 0 ends the stream, -1 marks a failure.
 */
import type { ZstdBackendName } from './zstd-codec.js';

export const PRODUCED = 0;
export const CONSUMED = 1;
export const STOP = 2;
/** Block lengths start here, one per block of the ring. */
export const LENGTHS = 3;

/** One file to decompress. */
export interface ZstdJob {
  path: string;
  backend: ZstdBackendName;
  /** Decompressed bytes to drop first (the metadata, which the decoder read itself). */
  skip: number;
  /** Bytes of compressed input read per `read`. */
  inputSize: number;
  blockSize: number;
  blocks: SharedArrayBuffer[];
  /** Int32Array: PRODUCED, CONSUMED, STOP, then each block's length. */
  control: SharedArrayBuffer;
  /** Float64Array: each block's stream offset and raw (compressed) offset at its end. */
  offsets: SharedArrayBuffer;
}

/** The workerData that makes zstd-worker.js serve read-ahead jobs. */
export const ZSTD_WORKER = 'scalper-zstd-read-ahead';

/**
 * Publishes the next block of a ring of `depth` blocks with `length` bytes (0: the end, -1: a
 * failure) and wakes the decoder.
 */
export function publish(ctl: Int32Array, depth: number, length: number): void {
  const k = Atomics.load(ctl, PRODUCED);
  ctl[LENGTHS + (k % depth)] = length;
  Atomics.store(ctl, PRODUCED, k + 1);
  Atomics.notify(ctl, PRODUCED);
}
