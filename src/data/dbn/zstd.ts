/**
 * Zstandard for the DBN reader and writer, from Node's built-in zlib binding where Node has one
 * (>= 22.15, 23.8) or else from the optional zstd-napi package (libzstd built from source; Node
 * 20). Both are libzstd underneath, stepped the same way: decompressed bytes land in the
 * decoder's own reused buffer (no per-chunk allocation), concatenated and skippable frames are
 * handled by libzstd, and every step reports the input it consumed, so errors are located in the
 * compressed input whichever library runs. Whether the input ends inside a frame is read from the
 * frame headers (zstd-frames.ts), not from a library hint only one of them exposes.
 *
 * `SCALPER_ZSTD=builtin|napi` forces one library (`auto`, the default, prefers the built-in);
 * the tests run the zstd cases against each library present, and `npm run bench` compares them.
 */
import { ConfigError } from '../../core/index.js';
import { DbnError, ZstdUnavailableError } from './errors.js';
import { builtinZstd } from './zstd-builtin.js';
import type { ZstdBackendName, ZstdCodec, ZstdCompressor } from './zstd-codec.js';
import { napiZstd } from './zstd-napi.js';
import { ZstdStepper } from './zstd-stream.js';

export type { ZstdBackendName } from './zstd-codec.js';
export { SKIPPABLE_MAGIC_MAX, SKIPPABLE_MAGIC_MIN, ZSTD_MAGIC } from './zstd-frames.js';
export type { StepResult } from './zstd-stream.js';

/** Every zstd library this code can use, in order of preference. */
export const ZSTD_BACKENDS: readonly ZstdBackendName[] = ['builtin', 'napi'];

// Each library is probed once, on first need: zstd-napi is never loaded while the built-in
// serves (unless forced).
let builtin: ZstdCodec | null | undefined;
let napi: ZstdCodec | Error | undefined;

function probe(name: ZstdBackendName): ZstdCodec | Error {
  if (name === 'builtin') {
    if (builtin === undefined) builtin = builtinZstd();
    return (
      builtin ??
      new Error(`Node ${process.version} has no built-in zstd (zlib has it from Node 22.15 and 23.8)`)
    );
  }
  if (napi === undefined) napi = napiZstd();
  return napi;
}

/** The zstd libraries usable in this process, preferred first. */
export function zstdBackends(): ZstdBackendName[] {
  return ZSTD_BACKENDS.filter((name) => !(probe(name) instanceof Error));
}

/** The library `name`, or the one `SCALPER_ZSTD` selects (default: the first usable one). */
function codec(name?: ZstdBackendName): ZstdCodec {
  const wanted = name ?? process.env.SCALPER_ZSTD ?? 'auto';
  if (wanted === 'auto' || wanted === '') {
    const reasons: string[] = [];
    for (const n of ZSTD_BACKENDS) {
      const c = probe(n);
      if (!(c instanceof Error)) return c;
      reasons.push(c.message);
    }
    throw new ZstdUnavailableError(
      'auto',
      `no zstd library: ${reasons.join('; ')}. Run on Node >= 22.15, or install zstd-napi (npm install zstd-napi; it compiles libzstd, which needs a C/C++ toolchain)`,
    );
  }
  if (wanted !== 'builtin' && wanted !== 'napi') {
    throw new ConfigError(`SCALPER_ZSTD="${wanted}" is not one of "builtin", "napi", "auto"`);
  }
  const c = probe(wanted);
  if (!(c instanceof Error)) return c;
  const hint =
    wanted === 'builtin'
      ? 'run on Node >= 22.15, or let SCALPER_ZSTD select zstd-napi (unset it)'
      : 'install it (npm install zstd-napi; it compiles libzstd, which needs a C/C++ toolchain), or unset SCALPER_ZSTD to use the built-in';
  throw new ZstdUnavailableError(wanted, `zstd library "${wanted}" is unavailable: ${c.message}; ${hint}`, {
    cause: c,
  });
}

/** The library new zstd contexts use now (`SCALPER_ZSTD`, or the first usable one). */
export function zstdBackend(): ZstdBackendName {
  return codec().name;
}

/** A streaming zstd decompressor writing into caller buffers. */
export class ZstdStreamDecoder extends ZstdStepper {
  /** Uses `backend`, or the library `SCALPER_ZSTD` selects; throws ZstdUnavailableError if absent. */
  constructor(backend?: ZstdBackendName) {
    super(codec(backend));
  }
}

/** A streaming zstd compressor writing frames of the given level. */
export class ZstdStreamEncoder {
  readonly #ctx: ZstdCompressor;
  /** The library this encoder runs on. */
  readonly backend: ZstdBackendName;

  /** `level` as zstd's (3 is zstd's default); `backend` as for ZstdStreamDecoder. */
  constructor(level = 3, backend?: ZstdBackendName) {
    const c = codec(backend);
    this.backend = c.name;
    this.#ctx = c.compressor(level);
  }

  /** Compresses `src`; `end` closes the frame. Calls `sink` with each compressed piece (a copy). */
  write(src: Uint8Array, end: boolean, sink: (piece: Uint8Array) => void): void {
    this.#ctx.write(src, end, sink);
  }
}

/** Decompresses a whole in-memory buffer of one or more frames (small payloads such as DBZ metadata). */
export function zstdDecompressAll(src: Uint8Array, backend?: ZstdBackendName): Uint8Array {
  const dec = new ZstdStreamDecoder(backend);
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
    // Output space left over with no input left: the library holds nothing more.
    if (input.length === 0 && r.produced < out.length) {
      if (r.pending !== 0)
        throw new DbnError('CORRUPT_ZSTD', 'buffer', src.length, 'zstd frame is truncated');
      break;
    }
    if (r.produced === 0 && r.consumed === 0) {
      throw new DbnError(
        'CORRUPT_ZSTD',
        'buffer',
        src.length - input.length,
        'zstd decompressor made no progress',
      );
    }
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
export function zstdCompressAll(src: Uint8Array, level = 3, backend?: ZstdBackendName): Uint8Array {
  const enc = new ZstdStreamEncoder(level, backend);
  const parts: Uint8Array[] = [];
  enc.write(src, true, (p) => parts.push(p));
  return Buffer.concat(parts);
}
