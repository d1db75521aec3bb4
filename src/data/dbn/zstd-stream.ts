/**
 * Stepping a zstd decompression context, with only the libraries' own modules: light enough for
 * the read-ahead worker (zstd-worker.ts), which must start in a few milliseconds. zstd.ts picks
 * the library; this steps it.
 */
import type { ZstdBackendName, ZstdCodec, ZstdDecompressor } from './zstd-codec.js';
import { ZstdFrameTracker } from './zstd-frames.js';

/** Why a zstd stream cannot be read on: the input ends inside a frame. */
export const ZSTD_TRUNCATED = 'zstd frame is truncated (input ends inside a frame)';
/** Why a zstd stream cannot be read on: steps neither consume input nor produce output. */
export const ZSTD_STALLED = 'zstd decompressor makes no progress';

/**
 * Result of one decompression step: bytes written, bytes consumed, and whether the input seen so
 * far ends inside a frame. One object per decoder, overwritten by each step.
 */
export interface StepResult {
  produced: number;
  consumed: number;
  /** 0 when every frame seen so far is complete; 1 while a frame is still open. */
  pending: number;
}

/** A streaming zstd decompressor over one library's context, writing into caller buffers. */
export class ZstdStepper {
  readonly #ctx: ZstdDecompressor;
  readonly #frames = new ZstdFrameTracker();
  readonly #result: StepResult = { produced: 0, consumed: 0, pending: 0 };
  /** The library this decoder runs on. */
  readonly backend: ZstdBackendName;

  constructor(c: ZstdCodec) {
    this.backend = c.name;
    this.#ctx = c.decompressor();
  }

  /**
   * Decompresses from `src` into `dst`; throws libzstd's error on corrupt input. A step with
   * empty `src` flushes what the library still holds. The result is reused by the next step.
   */
  step(dst: Uint8Array, src: Uint8Array): StepResult {
    const ctx = this.#ctx;
    ctx.decompress(dst, src);
    const r = this.#result;
    r.produced = ctx.produced;
    r.consumed = ctx.consumed;
    if (r.consumed > 0) this.#frames.feed(src, r.consumed);
    r.pending = this.#frames.atFrameBoundary ? 0 : 1;
    return r;
  }
}
