/** The two zstd libraries the DBN reader and writer can use, behind one interface (zstd.ts). */

/** Which zstd library: Node's built-in zlib binding or the zstd-napi package. */
export type ZstdBackendName = 'builtin' | 'napi';

/** One decompression context, stepped like ZSTD_decompressStream. */
export interface ZstdDecompressor {
  /** Decompresses from `src` into `dst`; throws libzstd's error on corrupt input. */
  decompress(dst: Uint8Array, src: Uint8Array): void;
  /** Input bytes the last step consumed. */
  readonly consumed: number;
  /** Output bytes the last step wrote. */
  readonly produced: number;
}

/** One compression context writing one frame at a time. */
export interface ZstdCompressor {
  /** Compresses `src`; `end` closes the frame. Calls `sink` with each compressed piece (a copy). */
  write(src: Uint8Array, end: boolean, sink: (piece: Uint8Array) => void): void;
}

/** A zstd library. */
export interface ZstdCodec {
  readonly name: ZstdBackendName;
  decompressor(): ZstdDecompressor;
  compressor(level: number): ZstdCompressor;
}
