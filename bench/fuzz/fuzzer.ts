/**
 * Fuzzing the DBN decoder: every fixture, compressed and decompressed, mutated by a seeded PRNG
 * (truncation, byte and bit flips, record length and rtype overwrites, metadata field
 * overwrites, duplicated and deleted ranges, splices of two fixtures, mutations under a fresh
 * zstd frame) and fed to the decoder in random chunkings. Each input must either decode
 * completely or fail with a DbnError; any other exception, an iteration limit or a time limit
 * is a failure, reported with the seed, the input index and the mutations that built it, which
 * replay it exactly (`makeInput(seed, index, corpus)`).
 *
 * Inputs run in worker threads under a watchdog: a synchronous endless loop cannot be stopped
 * from inside its own thread, so the main thread terminates a worker whose current input
 * exceeds the time limit, records the hang and restarts the worker after that input.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { indexedSeed, Sfc32 as Prng } from '../../src/core/index.js';
import { DbnDecoder, DbnError, type DbnErrorCode, type DecoderOptions } from '../../src/data/dbn/index.js';
import { zstdCompressAll, zstdDecompressAll } from '../../src/data/dbn/zstd.js';
import { dbnFixtureNames, expectedFiles, fixtureBytes, isFragment } from '../../test/dbn.js';

/** The fuzzer's generator: sfc32 (core/random), whose period suits long runs. */
export { Prng };

/** The seed of input `index` of a run: inputs are independent, so any one replays alone. */
export function inputSeed(seed: number, index: number): number {
  return indexedSeed(seed, index);
}

/** One fixture in one form, with what the mutations need to know about it. */
export interface CorpusEntry {
  /** Fixture file name. */
  name: string;
  /** As stored (possibly zstd or DBZ), or the decompressed DBN stream of a .zst file. */
  form: 'stored' | 'decompressed';
  bytes: Uint8Array;
  /** The uncompressed DBN stream (for structural mutations under a fresh zstd frame), if any. */
  plain: Uint8Array | null;
  /** Whether `bytes` is zstd-compressed (so structural mutations go to `plain` and recompress). */
  compressed: boolean;
  /** Decoder options it needs (a fragment's version). */
  opts: DecoderOptions;
}

/** Every DBN fixture, as stored and (for .zst files) decompressed. */
export function loadCorpus(): CorpusEntry[] {
  const expected = expectedFiles();
  const out: CorpusEntry[] = [];
  for (const name of dbnFixtureNames()) {
    const stored = fixtureBytes(name);
    const opts: DecoderOptions = isFragment(name) ? { version: expected[name].record_layout_version } : {};
    const zst = name.endsWith('.zst');
    const dbz = name.endsWith('.dbz');
    if (zst) {
      const plain = zstdDecompressAll(stored);
      out.push({ name, form: 'stored', bytes: stored, plain, compressed: true, opts });
      out.push({ name, form: 'decompressed', bytes: plain, plain, compressed: false, opts });
    } else {
      // DBZ has no single decompressed DBN stream: its bytes are mutated as they are.
      out.push({ name, form: 'stored', bytes: stored, plain: dbz ? null : stored, compressed: dbz, opts });
    }
  }
  return out;
}

/** Where records start in an uncompressed DBN stream or fragment (walks the length bytes). */
export function recordStarts(plain: Uint8Array, fragment: boolean): number[] {
  let p = 0;
  if (!fragment) {
    if (plain.length < 8 || plain[0] !== 0x44 || plain[1] !== 0x42 || plain[2] !== 0x4e) return [];
    p = 8 + (plain[4] | (plain[5] << 8) | (plain[6] << 16) | (plain[7] << 24));
  }
  const starts: number[] = [];
  while (p + 16 <= plain.length && plain[p] >= 4) {
    starts.push(p);
    p += plain[p] * 4;
  }
  return starts;
}

/** Record lengths (in 4-byte words) that are valid for some rtype in some version, and nonsense ones. */
const LENGTH_WORDS = [0, 1, 2, 3, 4, 10, 12, 14, 16, 20, 28, 44, 80, 90, 92, 100, 130, 255];
/** Every rtype the decoder knows, plus a few it does not. */
const RTYPES = [
  0x00, 0x01, 0x0a, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x20, 0x21, 0x22, 0x23, 0x24, 0xa0, 0xb1,
  0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0x02, 0x7f, 0xff,
];

type Mutation = (rng: Prng, bytes: Uint8Array, ctx: MutationContext) => { bytes: Uint8Array; note: string };

interface MutationContext {
  fragment: boolean;
  corpus: readonly CorpusEntry[];
}

function clone(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

const MUTATIONS: ReadonlyArray<[string, Mutation]> = [
  [
    'truncate',
    (rng, b) => {
      const at = rng.int(b.length + 1);
      return { bytes: b.slice(0, at), note: `truncate(${at})` };
    },
  ],
  [
    'flip-bytes',
    (rng, b) => {
      if (b.length === 0) return { bytes: b, note: 'flip-bytes(empty)' };
      const out = clone(b);
      const edits: string[] = [];
      for (let k = rng.range(1, 4); k > 0; k--) {
        const at = rng.int(out.length);
        out[at] = rng.int(256);
        edits.push(`${at}=${out[at]}`);
      }
      return { bytes: out, note: `flip-bytes(${edits.join(',')})` };
    },
  ],
  [
    'flip-bits',
    (rng, b) => {
      if (b.length === 0) return { bytes: b, note: 'flip-bits(empty)' };
      const out = clone(b);
      const edits: string[] = [];
      for (let k = rng.range(1, 8); k > 0; k--) {
        const at = rng.int(out.length);
        const bit = rng.int(8);
        out[at] ^= 1 << bit;
        edits.push(`${at}.${bit}`);
      }
      return { bytes: out, note: `flip-bits(${edits.join(',')})` };
    },
  ],
  [
    'set-length',
    (rng, b, ctx) => {
      const starts = recordStarts(b, ctx.fragment);
      const out = clone(b);
      const at = starts.length > 0 ? rng.pick(starts) : rng.int(Math.max(1, b.length));
      if (at >= out.length) return { bytes: out, note: 'set-length(none)' };
      out[at] = rng.chance(0.3) ? (out[at] + rng.pick([-1, 1, 2, -2])) & 0xff : rng.pick(LENGTH_WORDS);
      return { bytes: out, note: `set-length(${at}=${out[at]})` };
    },
  ],
  [
    'set-rtype',
    (rng, b, ctx) => {
      const starts = recordStarts(b, ctx.fragment);
      const out = clone(b);
      const at = (starts.length > 0 ? rng.pick(starts) : rng.int(Math.max(1, b.length))) + 1;
      if (at >= out.length) return { bytes: out, note: 'set-rtype(none)' };
      out[at] = rng.chance(0.8) ? rng.pick(RTYPES) : rng.int(256);
      return { bytes: out, note: `set-rtype(${at}=0x${out[at].toString(16)})` };
    },
  ],
  [
    'set-metadata-field',
    (rng, b, ctx) => {
      const starts = recordStarts(b, ctx.fragment);
      const end = ctx.fragment ? 0 : (starts[0] ?? b.length);
      if (end < 8) return { bytes: b, note: 'set-metadata-field(none)' };
      const out = clone(b);
      const dv = new DataView(out.buffer);
      // The prelude's version and length, or any aligned u32/u16 inside the metadata (counts,
      // symbol_cstr_len, schema, stype, interval counts ...).
      const at = rng.chance(0.3) ? rng.pick([3, 4]) : rng.int(end - 4);
      if (at === 3) out[3] = rng.pick([0, 1, 2, 3, 4, 9, 255]);
      else if (rng.chance(0.5) && at + 4 <= out.length) {
        const v = rng.pick([
          0,
          1,
          2,
          70,
          71,
          72,
          0x7fffffff,
          0xffffffff,
          rng.next(),
          dv.getUint32(at, true) + 1,
        ]);
        dv.setUint32(at, v >>> 0, true);
      } else if (at + 2 <= out.length)
        dv.setUint16(at, rng.pick([0, 1, 22, 71, 0xffff, rng.int(65536)]), true);
      return { bytes: out, note: `set-metadata-field(${at})` };
    },
  ],
  [
    'duplicate-range',
    (rng, b) => {
      if (b.length === 0) return { bytes: b, note: 'duplicate-range(empty)' };
      const from = rng.int(b.length);
      const len = rng.range(1, Math.min(600, b.length - from));
      const to = rng.int(b.length + 1);
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, to), 0);
      out.set(b.subarray(from, from + len), to);
      out.set(b.subarray(to), to + len);
      return { bytes: out, note: `duplicate-range(${from}+${len}@${to})` };
    },
  ],
  [
    'delete-range',
    (rng, b) => {
      if (b.length === 0) return { bytes: b, note: 'delete-range(empty)' };
      const from = rng.int(b.length);
      const len = rng.range(1, Math.min(600, b.length - from));
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, from), 0);
      out.set(b.subarray(from + len), from);
      return { bytes: out, note: `delete-range(${from}+${len})` };
    },
  ],
  [
    'splice',
    (rng, b, ctx) => {
      const other = rng.pick(ctx.corpus);
      const cutA = rng.int(b.length + 1);
      const cutB = rng.int(other.bytes.length + 1);
      const out = new Uint8Array(cutA + other.bytes.length - cutB);
      out.set(b.subarray(0, cutA), 0);
      out.set(other.bytes.subarray(cutB), cutA);
      return { bytes: out, note: `splice(${cutA}, ${other.name}[${other.form}]@${cutB})` };
    },
  ],
  [
    'fill-range',
    (rng, b) => {
      if (b.length === 0) return { bytes: b, note: 'fill-range(empty)' };
      const out = clone(b);
      const from = rng.int(out.length);
      const len = rng.range(1, Math.min(64, out.length - from));
      const v = rng.pick([0, 0xff, 0x7f, 0x80]);
      out.fill(v, from, from + len);
      return { bytes: out, note: `fill-range(${from}+${len}=${v})` };
    },
  ],
];

/** Names of the mutations, for reports. */
export const MUTATION_NAMES: readonly string[] = MUTATIONS.map(([n]) => n);

/** One fuzz input: the bytes, how to feed them, and how they were made. */
export interface FuzzInput {
  index: number;
  bytes: Uint8Array;
  opts: DecoderOptions;
  /** Sizes of the stream chunks (cycled). */
  chunks: number[];
  /** Human-readable recipe: fixture, form, mutations, chunking, options. */
  description: string;
}

/** Builds input `index` of the run with `seed`: a pure function of (seed, index, corpus). */
export function makeInput(seed: number, index: number, corpus: readonly CorpusEntry[]): FuzzInput {
  const rng = new Prng(inputSeed(seed, index));
  const entry = rng.pick(corpus);
  const fragment = entry.opts.version !== undefined;
  const ctx: MutationContext = { fragment, corpus };
  // Structural mutations of a compressed file go under a fresh zstd frame half of the time, so
  // the DBN layer is fuzzed behind valid compression; otherwise the compressed bytes are hit.
  const underZstd = entry.compressed && entry.plain !== null && rng.chance(0.5);
  let bytes = underZstd ? entry.plain! : entry.bytes;
  const notes: string[] = [];
  for (let k = rng.chance(0.7) ? 1 : rng.range(2, 3); k > 0; k--) {
    const [, mutate] = rng.pick(MUTATIONS);
    const r = mutate(rng, bytes, ctx);
    bytes = r.bytes;
    notes.push(r.note);
  }
  if (underZstd) bytes = zstdCompressAll(bytes, rng.pick([1, 3]));
  const opts: DecoderOptions = { ...entry.opts };
  if (rng.chance(0.3)) opts.upgrade = true;
  if (!fragment && rng.chance(0.1)) opts.fragment = true;
  const r = rng.next() / 4294967296;
  opts.chunkSize = r < 0.02 ? 1 << 20 : r < 0.2 ? 65536 : 4096;
  const chunkMode = rng.int(3);
  const chunks =
    chunkMode === 0
      ? [Math.max(1, bytes.length)]
      : chunkMode === 1
        ? [rng.range(1, 7), rng.range(1, 7), rng.range(1, 7)]
        : [rng.range(8, 2048)];
  const description =
    `${entry.name}[${entry.form}${underZstd ? ', mutated under a new zstd frame' : ''}] ` +
    `${notes.join(' + ')}; chunks ${chunks.join('/')}; options ${JSON.stringify(opts)}`;
  return { index, bytes, opts, chunks, description };
}

/** Limits guarding each input. */
export interface FuzzLimits {
  /** Wall-clock limit per input in ms (async hangs end here; the watchdog ends sync ones). */
  timeLimitMs: number;
  /** Most batches one input may yield. */
  maxBatches: number;
  /** Most records one input may yield. */
  maxRecords: number;
}

export const DEFAULT_LIMITS: FuzzLimits = { timeLimitMs: 5000, maxBatches: 200_000, maxRecords: 20_000_000 };

/** What decoding one input came to. */
export type Outcome =
  | { kind: 'ok'; records: number }
  | { kind: 'dbn-error'; code: DbnErrorCode }
  | { kind: 'failure'; reason: string };

async function* feed(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  let k = 0;
  while (o < bytes.length) {
    const n = sizes[k++ % sizes.length];
    yield bytes.subarray(o, Math.min(bytes.length, o + n));
    o += n;
  }
}

function startsCompressed(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  return m === 0xfd2fb528 || (m >= 0x184d2a50 && m <= 0x184d2a5f);
}

/** What an exception ending a decode means: a DbnError is an outcome, anything else a failure. */
export function classify(e: unknown, input: FuzzInput): Outcome {
  if (e instanceof DbnError) {
    if (!Number.isInteger(e.offset) || e.offset < 0) {
      return { kind: 'failure', reason: `DbnError ${e.code} with offset ${e.offset}` };
    }
    // Uncompressed input: a DBN offset cannot lie past its end.
    if (!startsCompressed(input.bytes) && e.offset > input.bytes.length) {
      return {
        kind: 'failure',
        reason: `DbnError ${e.code} at ${e.offset}, past the ${input.bytes.length}-byte input`,
      };
    }
    return { kind: 'dbn-error', code: e.code };
  }
  const err = e as Error;
  const where = err?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e);
  return { kind: 'failure', reason: `${err?.name ?? typeof e} (not a DbnError): ${where}` };
}

/**
 * Decodes one input completely, reading every record through the cursor and as an object,
 * within the iteration limits. Never throws: returns the outcome.
 */
export async function fuzzOne(input: FuzzInput, limits: FuzzLimits = DEFAULT_LIMITS): Promise<Outcome> {
  const deadline = performance.now() + limits.timeLimitMs;
  let records = 0;
  let batches = 0;
  try {
    const dec = DbnDecoder.fromStream(feed(input.bytes, input.chunks), { ...input.opts, source: 'fuzz' });
    for await (const batch of dec) {
      if (++batches > limits.maxBatches)
        return { kind: 'failure', reason: `iteration limit: ${batches} batches` };
      let prevEnd = -1;
      for (let i = 0; i < batch.count; i++) {
        const cur = batch.at(i);
        const len = cur.byteLength;
        if (len < 16) return { kind: 'failure', reason: `record ${records} has length ${len} < 16` };
        if (prevEnd >= 0 && batch.offsets[i] !== prevEnd) {
          return { kind: 'failure', reason: `record ${records} does not follow the previous one` };
        }
        prevEnd = batch.offsets[i] + len;
        // Header and hot-path reads, then the full materialisation.
        void cur.rtype;
        void cur.instrumentId;
        void cur.tsEvent;
        void cur.price;
        void cur.size;
        batch.toObject(i);
        if (++records > limits.maxRecords)
          return { kind: 'failure', reason: `iteration limit: ${records} records` };
      }
      if (performance.now() > deadline)
        return { kind: 'failure', reason: `time limit ${limits.timeLimitMs} ms` };
    }
    return { kind: 'ok', records };
  } catch (e) {
    return classify(e, input);
  }
}

/** Something that decodes an input: `fuzzOne`, or a deliberate fault when testing the engine. */
export type FuzzTarget = (input: FuzzInput, limits: FuzzLimits) => Promise<Outcome>;

/**
 * Runs `target` on one input raced against the time limit (for a promise that never settles),
 * classifying anything it throws. Synchronous loops are the watchdog's (see `runFuzz`).
 */
export async function fuzzOneGuarded(
  input: FuzzInput,
  limits: FuzzLimits = DEFAULT_LIMITS,
  target: FuzzTarget = fuzzOne,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind: 'failure', reason: `time limit ${limits.timeLimitMs} ms (pending promise)` }),
      limits.timeLimitMs,
    );
  });
  const run = Promise.resolve()
    .then(() => target(input, limits))
    .catch((e: unknown) => classify(e, input));
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The targets behind `FuzzInjection` kinds: an endless loop, a promise that never settles, a TypeError. */
export const FAULTS: Record<FuzzInjection['kind'], FuzzTarget> = {
  'sync-hang': async () => {
    for (;;);
  },
  'async-hang': () => new Promise<Outcome>(() => {}),
  throw: async () => {
    throw new TypeError('injected fault');
  },
};

/** One failing input: enough to replay it (`makeInput(seed, index, loadCorpus())`). */
export interface FuzzFailure {
  seed: number;
  index: number;
  description: string;
  reason: string;
}

/** Totals of a run. */
export interface FuzzSummary {
  seed: number;
  inputs: number;
  ok: number;
  dbnErrors: Partial<Record<DbnErrorCode, number>>;
  failures: FuzzFailure[];
  elapsedMs: number;
}

/** Deliberate faults for testing the engine itself (never set in real runs). */
export interface FuzzInjection {
  index: number;
  kind: 'sync-hang' | 'async-hang' | 'throw';
}

/** Options of `runFuzz`. */
export interface FuzzOptions {
  seed: number;
  iterations: number;
  /** Worker threads (default: available cores). */
  workers?: number;
  limits?: Partial<FuzzLimits>;
  /** Called about every `progressEvery` ms with the running totals. */
  onProgress?: (s: FuzzSummary) => void;
  progressEvery?: number;
  inject?: FuzzInjection[];
}

/** Error codes in a fixed order: the layout of the shared counters. */
export const ERROR_CODES: readonly DbnErrorCode[] = [
  'BAD_MAGIC',
  'UNSUPPORTED_VERSION',
  'TRUNCATED_HEADER',
  'TRUNCATED_RECORD',
  'BAD_RECORD_LENGTH',
  'BAD_METADATA',
  'CORRUPT_ZSTD',
  'IO',
];

/**
 * Shared counters of one worker: [0] index of the input in progress (-1 when none),
 * [1] inputs done, [2] decoded ok, [3] failures, [4..] DbnErrors by code (ERROR_CODES order).
 * Slot 0 of the Float64Array beside it holds the wall-clock start of the input in progress.
 */
export const SLOT_INTS = 4 + ERROR_CODES.length;

/** Worker parameters (workerData of fuzz-worker.js). */
export interface WorkerParams {
  seed: number;
  /** Indices start, start + stride, ... below end. */
  start: number;
  stride: number;
  end: number;
  limits: FuzzLimits;
  counters: SharedArrayBuffer;
  clock: SharedArrayBuffer;
  inject: FuzzInjection[];
}

/** Runs `iterations` inputs across worker threads under a watchdog and returns the totals. */
export function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const limits: FuzzLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const nWorkers = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.iterations || 1));
  const t0 = performance.now();
  const corpus = loadCorpus();
  const failures: FuzzFailure[] = [];
  interface Slot {
    ints: Int32Array;
    clock: Float64Array;
    worker: Worker | null;
    lane: number;
    done: boolean;
  }
  const slots: Slot[] = [];

  const describe = (index: number) => makeInput(o.seed, index, corpus).description;

  const spawn = (lane: number, start: number): Slot => {
    const counters = new SharedArrayBuffer(SLOT_INTS * 4);
    const clock = new SharedArrayBuffer(8);
    const slot: Slot = {
      ints: new Int32Array(counters),
      clock: new Float64Array(clock),
      worker: null,
      lane,
      done: false,
    };
    slot.ints[0] = -1;
    slots.push(slot);
    if (start >= o.iterations) {
      slot.done = true;
      return slot;
    }
    const params: WorkerParams = {
      seed: o.seed,
      start,
      stride: nWorkers,
      end: o.iterations,
      limits,
      counters,
      clock,
      inject: o.inject ?? [],
    };
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: params });
    slot.worker = worker;
    worker.on('message', (m: { type: string; index: number; reason: string }) => {
      if (m.type === 'failure') {
        failures.push({ seed: o.seed, index: m.index, description: describe(m.index), reason: m.reason });
      }
    });
    worker.on('error', (err) => {
      // An exception escaping the worker's own guard (or an out-of-memory abort) is a failure of
      // the input in progress; carry on after it.
      const index = slot.ints[0];
      if (slot.done) return;
      slot.done = true;
      slot.worker = null;
      if (index >= 0) {
        failures.push({
          seed: o.seed,
          index,
          description: describe(index),
          reason: `worker died: ${err.message}`,
        });
        slot.ints[1]++;
        slot.ints[3]++;
        spawn(lane, index + nWorkers);
      }
    });
    worker.on('exit', () => {
      if (slot.worker === worker) {
        slot.done = true;
        slot.worker = null;
      }
    });
    return slot;
  };

  const totals = (): FuzzSummary => {
    const s: FuzzSummary = {
      seed: o.seed,
      inputs: 0,
      ok: 0,
      dbnErrors: {},
      failures: [...failures].sort((a, b) => a.index - b.index),
      elapsedMs: performance.now() - t0,
    };
    for (const slot of slots) {
      s.inputs += slot.ints[1];
      s.ok += slot.ints[2];
      ERROR_CODES.forEach((code, k) => {
        const n = slot.ints[4 + k];
        if (n > 0) s.dbnErrors[code] = (s.dbnErrors[code] ?? 0) + n;
      });
    }
    return s;
  };

  for (let lane = 0; lane < nWorkers; lane++) spawn(lane, lane);

  return new Promise((resolve) => {
    let lastProgress = performance.now();
    const watchdog = setInterval(() => {
      const now = Date.now();
      for (const slot of [...slots]) {
        if (slot.done || !slot.worker) continue;
        const index = slot.ints[0];
        // The worker's own timer ends async hangs at the limit; a worker still busy on the same
        // input well past it is stuck in synchronous code.
        if (index >= 0 && now - slot.clock[0] > limits.timeLimitMs * 2 + 1000) {
          const w = slot.worker;
          slot.worker = null;
          slot.done = true;
          void w.terminate();
          failures.push({
            seed: o.seed,
            index,
            description: describe(index),
            reason: `hang: no result after ${Math.round(now - slot.clock[0])} ms (synchronous loop)`,
          });
          slot.ints[1]++;
          slot.ints[3]++;
          spawn(slot.lane, index + nWorkers);
        }
      }
      if (o.onProgress && performance.now() - lastProgress >= (o.progressEvery ?? 1000)) {
        lastProgress = performance.now();
        o.onProgress(totals());
      }
      if (slots.every((s) => s.done)) {
        clearInterval(watchdog);
        // Let failure messages posted just before exit arrive.
        setTimeout(() => resolve(totals()), 50);
      }
    }, 100);
  });
}

/** Formats a summary for people: inputs, decoded ok, DbnError by code, failures with their recipe. */
export function formatSummary(s: FuzzSummary): string {
  const lines = [
    `seed ${s.seed}: ${s.inputs} inputs in ${(s.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(s.inputs / Math.max(0.001, s.elapsedMs / 1000))} inputs/s)`,
    `  decoded ok: ${s.ok}`,
    `  DbnError:   ${Object.values(s.dbnErrors).reduce((a, b) => a + (b ?? 0), 0)}`,
  ];
  for (const code of ERROR_CODES)
    if (s.dbnErrors[code]) lines.push(`    ${code.padEnd(20)} ${s.dbnErrors[code]}`);
  lines.push(`  failures:   ${s.failures.length}`);
  for (const f of s.failures.slice(0, 20)) {
    lines.push(`    seed ${f.seed} input #${f.index}: ${f.reason}`, `      input: ${f.description}`);
  }
  if (s.failures.length > 20) lines.push(`    ... and ${s.failures.length - 20} more`);
  return lines.join('\n');
}
