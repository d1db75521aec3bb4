/**
 * The zstd read-ahead worker: reads a compressed DBN file and decompresses it into a ring of
 * shared blocks while the decoder's thread decodes the blocks already filled (zstd-blocks.ts).
 * One worker serves one file at a time and then waits for the next; it imports only the zstd
 * libraries, so that it starts in milliseconds.
 * The ring's protocol is in zstd-ring.ts; a failed block's details follow as a message.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BLOCK_HEAD, type BlockFailure } from './blocks.js';
import { builtinZstd } from './zstd-builtin.js';
import { napiZstd } from './zstd-napi.js';
import { CONSUMED, publish, STOP, ZSTD_WORKER, type ZstdJob } from './zstd-ring.js';
import { ZSTD_STALLED, ZSTD_TRUNCATED, ZstdStepper } from './zstd-stream.js';

class Failure extends Error {
  constructor(readonly failure: BlockFailure) {
    super(failure.detail);
  }
}

const EMPTY = new Uint8Array(0);

/** Fills blocks from one compressed file until it ends, fails or the decoder stops. */
class Pump {
  readonly #job: ZstdJob;
  readonly #ctl: Int32Array;
  readonly #zstd: ZstdStepper;
  readonly #fd: number;
  readonly #input: Uint8Array;
  #inPos = 0;
  #inEnd = 0;
  /** Compressed bytes read from the file, and consumed by libzstd. */
  #read = 0;
  #consumed = 0;
  #pending = 0;

  constructor(job: ZstdJob) {
    this.#job = job;
    this.#ctl = new Int32Array(job.control);
    const codec = job.backend === 'builtin' ? builtinZstd() : napiZstd();
    if (codec === null || codec instanceof Error) {
      throw new Failure({ code: 'IO', offset: 0, detail: `zstd library "${job.backend}" is unavailable` });
    }
    this.#zstd = new ZstdStepper(codec);
    this.#input = new Uint8Array(job.inputSize);
    try {
      this.#fd = openSync(job.path, 'r');
    } catch (cause) {
      throw new Failure({ code: 'IO', offset: 0, detail: `cannot open file: ${(cause as Error).message}` });
    }
  }

  /** Runs the job to its end; returns the number of blocks published. */
  run(): number {
    const { blocks, blockSize } = this.#job;
    const depth = blocks.length;
    const offsets = new Float64Array(this.#job.offsets);
    const views = blocks.map((b) => new Uint8Array(b));
    let stream = this.#drop(views[0], this.#job.skip);
    for (let k = 0; ; k++) {
      if (!this.#waitFree(k, depth)) return k;
      const j = k % depth;
      const end = this.#fill(views[j], BLOCK_HEAD, BLOCK_HEAD + blockSize);
      offsets[2 * j] = stream;
      offsets[2 * j + 1] = this.#consumed;
      stream += end - BLOCK_HEAD;
      publish(this.#ctl, depth, end - BLOCK_HEAD);
      if (end === BLOCK_HEAD) return k + 1;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** Decompresses and drops `n` bytes, using `scratch` as room; returns how many were dropped. */
  #drop(scratch: Uint8Array, n: number): number {
    let dropped = 0;
    while (dropped < n) {
      const end = this.#fill(
        scratch,
        BLOCK_HEAD,
        BLOCK_HEAD + Math.min(n - dropped, scratch.length - BLOCK_HEAD),
      );
      if (end === BLOCK_HEAD) break;
      dropped += end - BLOCK_HEAD;
    }
    return dropped;
  }

  /** Waits until block `k` is free; false if the decoder stopped. */
  #waitFree(k: number, depth: number): boolean {
    const ctl = this.#ctl;
    for (;;) {
      if (Atomics.load(ctl, STOP) !== 0) return false;
      const consumed = Atomics.load(ctl, CONSUMED);
      if (k - consumed < depth) return true;
      Atomics.wait(ctl, CONSUMED, consumed);
    }
  }

  /** Decompresses into `out[from, to)` until it is full or the input ends; returns the end. */
  #fill(out: Uint8Array, from: number, to: number): number {
    let fill = from;
    let stalls = 0;
    while (fill < to) {
      if (this.#inPos === this.#inEnd) {
        // Flush what libzstd holds before reading more input.
        const flushed = this.#step(out.subarray(fill, to), EMPTY);
        if (flushed > 0) {
          fill += flushed;
          continue;
        }
        if (!this.#readInput()) break;
      }
      const before = this.#consumed;
      const produced = this.#step(out.subarray(fill, to), this.#input.subarray(this.#inPos, this.#inEnd));
      fill += produced;
      if (produced > 0 || this.#consumed !== before) stalls = 0;
      else if (++stalls > 64)
        throw new Failure({ code: 'CORRUPT_ZSTD', offset: this.#consumed, detail: ZSTD_STALLED });
    }
    return fill;
  }

  /** Reads the next piece of compressed input; false at the end of the file. */
  #readInput(): boolean {
    let n: number;
    try {
      n = readSync(this.#fd, this.#input, 0, this.#input.length, this.#read);
    } catch (cause) {
      throw new Failure({
        code: 'IO',
        offset: this.#read,
        detail: `cannot read file: ${(cause as Error).message}`,
      });
    }
    this.#read += n;
    this.#inPos = 0;
    this.#inEnd = n;
    if (n > 0) return true;
    if (this.#pending !== 0)
      throw new Failure({ code: 'CORRUPT_ZSTD', offset: this.#consumed, detail: ZSTD_TRUNCATED });
    return false;
  }

  #step(dst: Uint8Array, src: Uint8Array): number {
    try {
      const r = this.#zstd.step(dst, src);
      this.#inPos += r.consumed;
      this.#consumed += r.consumed;
      this.#pending = r.pending;
      return r.produced;
    } catch (cause) {
      throw new Failure({
        code: 'CORRUPT_ZSTD',
        offset: this.#consumed,
        detail: `corrupt zstd data: ${(cause as Error).message}`,
      });
    }
  }
}

/** Runs one job, reporting a failure as a message and a -1 block. */
function serve(job: ZstdJob): void {
  let pump: Pump | null = null;
  let published = 0;
  try {
    pump = new Pump(job);
    published = pump.run();
  } catch (cause) {
    const failure =
      cause instanceof Failure
        ? cause.failure
        : { code: 'IO' as const, offset: 0, detail: `zstd read-ahead failed: ${(cause as Error).message}` };
    parentPort!.postMessage({ failure });
    publish(new Int32Array(job.control), job.blocks.length, -1);
  } finally {
    pump?.close();
  }
  parentPort!.postMessage({ done: published });
}

// Only as the read-ahead worker: another worker importing this module must not be answered.
if (workerData === ZSTD_WORKER) parentPort?.on('message', (job: ZstdJob) => serve(job));
