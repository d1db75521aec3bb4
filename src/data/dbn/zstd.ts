/**
 * Zstandard framing over zstd-napi's native binding (libzstd built from source by node-gyp).
 * We drive ZSTD_decompressStream directly instead of the library's Transform stream so that
 * decompressed bytes land in the decoder's own reused buffer (no per-chunk allocation), so a
 * truncated last frame is detected (libzstd reports how much of the frame is still missing), and
 * so concatenated frames and skippable frames are handled by libzstd itself. The benchmark
 * compares this binding with the pure-JS fzstd decoder.
 */
import binding from 'zstd-napi/binding.js';

/** First four bytes of a zstd frame (0xFD2FB528 little-endian). */
export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F; DBZ puts its metadata in one. */
export const SKIPPABLE_MAGIC_MIN = 0x184d2a50;
export const SKIPPABLE_MAGIC_MAX = 0x184d2a5f;

/** Result of one decompression step: bytes written, bytes consumed, and whether a frame is still open. */
export interface StepResult {
  produced: number;
  consumed: number;
  /** libzstd's hint: 0 when every frame seen so far is complete and flushed. */
  pending: number;
}

/** A streaming zstd decompressor writing into caller buffers. */
export class ZstdStreamDecoder {
  readonly #dctx = new binding.DCtx();

  /** Decompresses from `src` into `dst`; throws libzstd's error on corrupt input. */
  step(dst: Uint8Array, src: Uint8Array): StepResult {
    const [pending, produced, consumed] = this.#dctx.decompressStream(dst, src);
    return { produced, consumed, pending };
  }
}

/** A streaming zstd compressor writing frames of the given level. */
export class ZstdStreamEncoder {
  readonly #cctx = new binding.CCtx();
  readonly #out: Uint8Array;

  constructor(level = 3) {
    this.#cctx.setParameter(binding.CParameter.compressionLevel, level);
    this.#out = new Uint8Array(binding.cStreamOutSize());
  }

  /** Compresses `src`; `end` closes the frame. Calls `sink` with each compressed piece (a copy). */
  write(src: Uint8Array, end: boolean, sink: (piece: Uint8Array) => void): void {
    let input = src;
    const directive = end ? binding.EndDirective.end : binding.EndDirective.continue;
    for (;;) {
      const [remaining, produced, consumed] = this.#cctx.compressStream2(this.#out, input, directive);
      if (produced > 0) sink(this.#out.slice(0, produced));
      input = input.subarray(consumed);
      if (end ? remaining === 0 : input.length === 0) break;
    }
  }
}

/** Decompresses a whole in-memory buffer of one or more frames (small payloads such as DBZ metadata). */
export function zstdDecompressAll(src: Uint8Array): Uint8Array {
  const dec = new ZstdStreamDecoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  let input = src;
  const out = new Uint8Array(1 << 16);
  for (;;) {
    const r = dec.step(out, input);
    input = input.subarray(r.consumed);
    if (r.produced > 0) {
      parts.push(out.slice(0, r.produced));
      total += r.produced;
    }
    if (input.length === 0 && r.produced < out.length) {
      if (r.pending !== 0) throw new Error('zstd frame is truncated');
      break;
    }
    if (r.produced === 0 && r.consumed === 0) throw new Error('zstd decompressor made no progress');
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** Compresses a whole buffer into one frame. */
export function zstdCompressAll(src: Uint8Array, level = 3): Uint8Array {
  const enc = new ZstdStreamEncoder(level);
  const parts: Uint8Array[] = [];
  enc.write(src, true, (p) => parts.push(p));
  return Buffer.concat(parts);
}
