/**
 * zstd through the optional zstd-napi package (libzstd built from source by node-gyp when it is
 * installed). Only Node 20 needs it; on newer Node it is the fallback and the benchmark's peer.
 * It is loaded on first use, never at import: a clone whose `npm ci` could not build it (no
 * compiler) still reads DBN files through Node's built-in zstd.
 */
import { createRequire } from 'node:module';
import type { ZstdCodec, ZstdCompressor, ZstdDecompressor } from './zstd-codec.js';

// The part of zstd-napi/binding.d.ts used here, declared locally: the package is optional, and
// the build must not need its types where it could not be installed.
interface NapiDCtx {
  /** [libzstd's hint, bytes produced, bytes consumed] */
  decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
}
interface NapiCCtx {
  setParameter(param: number, value: number): void;
  /** [bytes still to flush, bytes produced, bytes consumed] */
  compressStream2(dst: Uint8Array, src: Uint8Array, end: number): [number, number, number];
}
interface BindingModule {
  DCtx: new () => NapiDCtx;
  CCtx: new () => NapiCCtx;
  CParameter: { compressionLevel: number };
  EndDirective: { continue: number; end: number };
  cStreamOutSize(): number;
}

class NapiDecompressor implements ZstdDecompressor {
  readonly #dctx: NapiDCtx;
  consumed = 0;
  produced = 0;
  constructor(binding: BindingModule) {
    this.#dctx = new binding.DCtx();
  }
  decompress(dst: Uint8Array, src: Uint8Array): void {
    const r = this.#dctx.decompressStream(dst, src);
    this.produced = r[1];
    this.consumed = r[2];
  }
}

class NapiCompressor implements ZstdCompressor {
  readonly #cctx: NapiCCtx;
  readonly #out: Uint8Array;
  readonly #continue: number;
  readonly #end: number;
  constructor(binding: BindingModule, level: number) {
    this.#cctx = new binding.CCtx();
    this.#cctx.setParameter(binding.CParameter.compressionLevel, level);
    this.#out = new Uint8Array(binding.cStreamOutSize());
    this.#continue = binding.EndDirective.continue;
    this.#end = binding.EndDirective.end;
  }
  write(src: Uint8Array, end: boolean, sink: (piece: Uint8Array) => void): void {
    let input = src;
    for (;;) {
      const [remaining, produced, consumed] = this.#cctx.compressStream2(
        this.#out,
        input,
        end ? this.#end : this.#continue,
      );
      if (produced > 0) sink(this.#out.slice(0, produced));
      input = input.subarray(consumed);
      if (end ? remaining === 0 : input.length === 0) break;
    }
  }
}

/** zstd-napi, or the reason it cannot be loaded (not installed, or its build failed). */
export function napiZstd(): ZstdCodec | Error {
  let binding: BindingModule;
  try {
    binding = createRequire(import.meta.url)('zstd-napi/binding.js') as BindingModule;
  } catch (cause) {
    return cause as Error;
  }
  return {
    name: 'napi',
    decompressor: () => new NapiDecompressor(binding),
    compressor: (level) => new NapiCompressor(binding, level),
  };
}
