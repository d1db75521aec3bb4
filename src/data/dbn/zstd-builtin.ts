/**
 * zstd through Node's own zlib binding (`zlib.createZstdDecompress`, Node >= 22.15 and 23.8),
 * driven one step at a time like libzstd's ZSTD_decompressStream: the caller's input and output
 * buffers go straight to the native handle's `writeSync`, the same call `zlib.zstdDecompressSync`
 * makes for each chunk, so decompressed bytes land in the decoder's reused buffer and the input
 * consumed by each step is known exactly (which locates corrupt frames). The public Transform
 * stream would copy every chunk into buffers of its own and hide how much input an error
 * followed.
 *
 * `writeSync`, `_handle` and `_writeState` are Node internals (stable since the zlib streams were
 * written, shared by every zlib codec); `builtinZstd()` checks their shape before use and
 * returns null when they are missing, so a Node that changes them falls back to zstd-napi.
 */
import { createRequire } from 'node:module';
import type { ZstdCodec, ZstdCompressor, ZstdDecompressor } from './zstd-codec.js';

/** The native handle behind a zlib stream (Node's src/node_zlib.cc `CompressionStream`). */
interface NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface StreamInternals {
  _handle?: NativeHandle;
  /** After each write: [output bytes left free, input bytes left unread]. */
  _writeState?: Uint32Array;
}

/** What this module uses of `node:zlib` on Node >= 22.15 (not in @types/node 20). */
interface ZstdZlib {
  createZstdDecompress?: (opts?: object) => StreamInternals;
  createZstdCompress?: (opts?: { params?: Record<number, number> }) => StreamInternals;
  constants: Record<string, number>;
}

/**
 * `node:zlib`, loaded at the first probe: a program that reads no compressed input does not pay
 * for loading it, and a Node without zstd in zlib (before 22.15 and 23.8) is told by its version.
 */
function zlib(): ZstdZlib | null {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 15) || (major === 23 && minor < 8)) return null;
  return createRequire(import.meta.url)('node:zlib') as ZstdZlib;
}

/** A zlib stream's native handle and write state, or null if this Node lacks them. */
function open(stream: StreamInternals): { handle: NativeHandle; state: Uint32Array } | null {
  const handle = stream._handle;
  const state = stream._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) return null;
  return { handle, state };
}

/** One zlib handle used synchronously; errors come back through `onerror` during the call. */
class Step {
  readonly #handle: NativeHandle;
  readonly #state: Uint32Array;
  #error: Error | null = null;
  consumed = 0;
  produced = 0;

  constructor(opened: { handle: NativeHandle; state: Uint32Array }) {
    this.#handle = opened.handle;
    this.#state = opened.state;
    // Replaces the stream's own handler, which would destroy the stream and emit 'error' later.
    this.#handle.onerror = (message, errno, code) => {
      this.#error = Object.assign(new Error(message), { errno, code });
    };
  }

  run(flush: number, src: Uint8Array, dst: Uint8Array): void {
    this.#handle.writeSync(flush, src, 0, src.length, dst, 0, dst.length);
    const error = this.#error;
    if (error) throw error;
    this.produced = dst.length - this.#state[0];
    this.consumed = src.length - this.#state[1];
  }
}

class BuiltinDecompressor implements ZstdDecompressor {
  readonly #step: Step;
  readonly #continue: number;
  constructor(step: Step, flush: number) {
    this.#step = step;
    this.#continue = flush;
  }
  decompress(dst: Uint8Array, src: Uint8Array): void {
    this.#step.run(this.#continue, src, dst);
  }
  get consumed(): number {
    return this.#step.consumed;
  }
  get produced(): number {
    return this.#step.produced;
  }
}

class BuiltinCompressor implements ZstdCompressor {
  readonly #step: Step;
  readonly #out: Uint8Array;
  readonly #continue: number;
  readonly #end: number;
  constructor(step: Step, outSize: number, flushContinue: number, flushEnd: number) {
    this.#step = step;
    this.#out = new Uint8Array(outSize);
    this.#continue = flushContinue;
    this.#end = flushEnd;
  }
  write(src: Uint8Array, end: boolean, sink: (piece: Uint8Array) => void): void {
    const step = this.#step;
    const out = this.#out;
    let input = src;
    for (;;) {
      step.run(end ? this.#end : this.#continue, input, out);
      if (step.produced > 0) sink(out.slice(0, step.produced));
      input = input.subarray(step.consumed);
      // With ZSTD_e_end libzstd writes all it can; output space left over means the frame is
      // complete (Node's own zstdCompressSync stops on the same condition).
      if (end ? step.produced < out.length && input.length === 0 : input.length === 0) break;
    }
  }
}

/**
 * Node's built-in zstd, or null when this Node has none (Node 20, 22 before 22.15) or its zlib
 * internals are not the expected shape.
 */
export function builtinZstd(): ZstdCodec | null {
  const z = zlib();
  if (z === null) return null;
  const { createZstdDecompress, createZstdCompress, constants } = z;
  if (typeof createZstdDecompress !== 'function' || typeof createZstdCompress !== 'function') return null;
  const eContinue = constants.ZSTD_e_continue;
  const eEnd = constants.ZSTD_e_end;
  const levelParam = constants.ZSTD_c_compressionLevel;
  if (eContinue === undefined || eEnd === undefined || levelParam === undefined) return null;
  if (!open(createZstdDecompress())) return null;
  return {
    name: 'builtin',
    decompressor(): ZstdDecompressor {
      return new BuiltinDecompressor(new Step(open(createZstdDecompress())!), eContinue);
    },
    compressor(level: number): ZstdCompressor {
      const stream = createZstdCompress({ params: { [levelParam]: level } });
      // About libzstd's recommended output size (ZSTD_CStreamOutSize: one full block and its header).
      return new BuiltinCompressor(new Step(open(stream)!), (128 << 10) + 512, eContinue, eEnd);
    },
  };
}
