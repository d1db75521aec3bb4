/**
 * A compressed DBN file decompressed ahead on a worker thread (zstd-worker.ts) into shared
 * blocks, so that libzstd runs on one core while records are decoded on the other.
 *
 * Workers are kept in a small pool between files: starting one costs milliseconds that a short
 * file would feel, and a backtest reads many files. Idle workers never keep the process alive.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import {
  BLOCK_HEAD,
  type Block,
  type BlockFailure,
  type BlockSource,
  BlockSourceError,
  newBlock,
  type ReadAheadSize,
  recycleBlocks,
} from './blocks.js';
import type { ZstdBackendName } from './zstd-codec.js';
import { CONSUMED, LENGTHS, PRODUCED, publish, STOP, ZSTD_WORKER, type ZstdJob } from './zstd-ring.js';

const WORKER_URL = new URL('./zstd-worker.js', import.meta.url);
const MAX_IDLE = 2;
const idle: Worker[] = [];
let workerPresent: boolean | undefined;

/** Whether the worker's module is where it should be (a bundled copy of the code may lack it). */
export function zstdReadAheadAvailable(): boolean {
  workerPresent ??= existsSync(fileURLToPath(WORKER_URL));
  return workerPresent;
}

/** A read-ahead worker; `node:worker_threads` is loaded with the first (none for small files). */
function newWorker(): Worker {
  const threads = createRequire(import.meta.url)(
    'node:worker_threads',
  ) as typeof import('node:worker_threads');
  return new threads.Worker(WORKER_URL, { workerData: ZSTD_WORKER });
}

/** Compressed input read per step by the worker. */
const INPUT_SIZE = 256 << 10;

export class ZstdWorkerBlocks implements BlockSource {
  readonly #worker: Worker;
  readonly #ctl: Int32Array;
  readonly #offsets: Float64Array;
  readonly #blocks: Block[];
  readonly #failure: Promise<BlockFailure>;
  #taken = 0;
  #stopped = false;
  #workerDone = false;

  constructor(path: string, skip: number, backend: ZstdBackendName, size: ReadAheadSize) {
    const depth = Math.max(2, size.depth);
    this.#blocks = Array.from({ length: depth }, () => newBlock(size.blockSize, true));
    const control = new SharedArrayBuffer(4 * (LENGTHS + depth));
    const offsets = new SharedArrayBuffer(16 * depth);
    this.#ctl = new Int32Array(control);
    this.#offsets = new Float64Array(offsets);
    const job: ZstdJob = {
      path,
      backend,
      skip,
      inputSize: INPUT_SIZE,
      blockSize: size.blockSize,
      blocks: this.#blocks.map((b) => b.bytes.buffer as SharedArrayBuffer),
      control,
      offsets,
    };
    const worker = idle.pop() ?? newWorker();
    this.#worker = worker;
    this.#failure = new Promise<BlockFailure>((resolve) => {
      const onMessage = (m: { failure?: BlockFailure; done?: number }) => {
        if (m.failure) resolve(m.failure);
        if (m.done !== undefined) {
          detach();
          this.#workerDone = true;
          this.#recycle();
          if (idle.length < MAX_IDLE) {
            worker.unref();
            idle.push(worker);
          } else void worker.terminate();
        }
      };
      const onError = (e: Error) => {
        detach();
        resolve({ code: 'IO', offset: 0, detail: `zstd read-ahead worker failed: ${e.message}`, cause: e });
        // A dead worker publishes nothing more: a failed block stands in for the next one.
        publish(this.#ctl, this.#blocks.length, -1);
      };
      const onExit = () => onError(new Error('the worker exited'));
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    worker.postMessage(job);
  }

  async next(): Promise<Block | null> {
    const ctl = this.#ctl;
    const k = this.#taken;
    while (Atomics.load(ctl, PRODUCED) === k) {
      const wait = Atomics.waitAsync(ctl, PRODUCED, k);
      if (wait.async) await this.#held(wait.value);
    }
    const j = k % this.#blocks.length;
    const length = ctl[LENGTHS + j];
    this.#taken = k + 1;
    if (length < 0) throw new BlockSourceError(await this.#held(this.#failure));
    if (length === 0) return null;
    const block = this.#blocks[j];
    block.end = BLOCK_HEAD + length;
    block.streamOffset = this.#offsets[2 * j];
    block.rawOffset = this.#offsets[2 * j + 1];
    return block;
  }

  /**
   * Awaits `p` with the worker holding the process open: waiting on shared memory holds nothing,
   * and an idle worker is unreferenced.
   */
  async #held<T>(p: Promise<T>): Promise<T> {
    this.#worker.ref();
    try {
      return await p;
    } finally {
      this.#worker.unref();
    }
  }

  release(_block: Block): void {
    Atomics.add(this.#ctl, CONSUMED, 1);
    Atomics.notify(this.#ctl, CONSUMED);
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const ctl = this.#ctl;
    Atomics.store(ctl, STOP, 1);
    // Change what a waiting worker compares against, so that it cannot sleep through the stop.
    Atomics.add(ctl, CONSUMED, this.#blocks.length + 1);
    Atomics.notify(ctl, CONSUMED);
    this.#recycle();
  }

  /** The blocks go back for reuse once the worker writes into them no more and the decoder has stopped reading. */
  #recycle(): void {
    if (this.#stopped && this.#workerDone) recycleBlocks(this.#blocks);
  }
}
