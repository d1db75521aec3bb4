/**
 * Test helpers for the DBN fixtures: the reference values of `expected.json` (produced by an
 * independent Python decoder, see ../shared/fixtures/dbn/EXPECTED.md), whole-file decoding into
 * plain objects, and the decompressed bytes of a fixture.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { formatPrice } from '../src/core/index.js';
import { DbnDecoder, type DbnRecord, type DecoderOptions, type Metadata } from '../src/data/dbn/index.js';
import { zstdDecompressAll } from '../src/data/dbn/zstd.js';
import { fixture } from './fixtures.js';

/** A price as expected.json gives it: the raw 1e-9 integer as a string, and its exact decimal. */
export interface ExpectedPrice {
  raw: string;
  decimal: string | null;
}

/** One file's entry in expected.json (the keys the tests read). */
export interface ExpectedFile {
  file: string;
  size_bytes: number;
  sha256: string;
  compression: string;
  zstd_frames?: number;
  decompressed_size_bytes?: number;
  container: string;
  metadata: Record<string, unknown> | null;
  record_layout_version: 1 | 2 | 3;
  record_layout_version_source?: string;
  record_count: number;
  records_by_rtype: Record<string, number>;
  records: Array<Record<string, unknown>>;
}

let expectedCache: Record<string, ExpectedFile> | null = null;

/** Every file entry of expected.json, by file name. */
export function expectedFiles(): Record<string, ExpectedFile> {
  if (!expectedCache) {
    const json = JSON.parse(readFileSync(fixture('dbn', 'expected.json'), 'utf8')) as {
      files: Record<string, ExpectedFile>;
    };
    expectedCache = json.files;
  }
  return expectedCache;
}

/** Names of the DBN fixture files (everything in the folder but the reference documents). */
export function dbnFixtureNames(): string[] {
  return readdirSync(fixture('dbn'))
    .filter((f) => /\.(dbn|dbz|frag|zst)$/.test(f))
    .sort();
}

/** True for fixtures holding records without metadata. */
export function isFragment(name: string): boolean {
  return name.includes('.frag');
}

/**
 * Decoder options a fixture needs: fragments carry no version, so it comes from expected.json's
 * `record_layout_version` (the file name's `.vN`, or the record size for the unversioned one).
 */
export function fixtureOptions(name: string): DecoderOptions {
  if (!isFragment(name)) return {};
  return { version: expectedFiles()[name].record_layout_version };
}

/** The bytes of a fixture file as stored. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture('dbn', name)));
}

/**
 * The decompressed DBN stream of a fixture (the file itself when it is not zstd). DBZ files are
 * not a DBN stream, so they have no decompressed form here.
 */
export function decompressedFixture(name: string): Uint8Array {
  if (name.endsWith('.dbz')) throw new Error(`${name} is DBZ: no decompressed DBN stream`);
  const raw = fixtureBytes(name);
  return name.endsWith('.zst') ? zstdDecompressAll(raw) : raw;
}

/** Everything one pass of a decoder produced, materialised. */
export interface Decoded {
  metadata: Metadata | null;
  records: DbnRecord[];
  /** Offset of each record in the decompressed stream (batch.streamOffset + batch.offsets[i]). */
  offsets: number[];
  /** Layout version of each record's batch. */
  versions: number[];
  batches: number;
  container: string;
  version: number;
}

/** Drains a decoder, materialising every record. */
export async function decodeAll(dec: DbnDecoder): Promise<Decoded> {
  const records: DbnRecord[] = [];
  const offsets: number[] = [];
  const versions: number[] = [];
  let batches = 0;
  for await (const batch of dec) {
    batches++;
    for (let i = 0; i < batch.count; i++) {
      records.push(batch.toObject(i));
      offsets.push(batch.streamOffset + batch.offsets[i]);
      versions.push(batch.version);
    }
  }
  return {
    metadata: dec.metadata,
    records,
    offsets,
    versions,
    batches,
    container: dec.container,
    version: dec.version,
  };
}

/** Decodes a fixture file from disk with its needed options (plus `opts`). */
export function decodeFixture(name: string, opts: DecoderOptions = {}): Promise<Decoded> {
  return decodeAll(DbnDecoder.fromFile(fixture('dbn', name), { ...fixtureOptions(name), ...opts }));
}

/** An async byte stream over `bytes` in chunks whose sizes cycle through `sizes`. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  let k = 0;
  while (o < bytes.length) {
    const n = sizes[k++ % sizes.length];
    // A fresh copy per chunk: the decoder must not rely on chunks staying valid or aligned.
    yield bytes.slice(o, Math.min(bytes.length, o + n));
    o += n;
  }
}

/** Collects mismatches and counts every value compared. */
export class Checker {
  /** Every comparison made. */
  checked = 0;
  /** Comparisons of expected leaves made by `value` (a price counts 2: raw and decimal). */
  leaves = 0;
  readonly problems: string[] = [];

  eq(actual: unknown, expected: unknown, path: string): void {
    this.checked++;
    if (actual !== expected) {
      this.problems.push(`${path}: got ${show(actual)}, expected ${show(expected)}`);
    }
  }

  fail(path: string, what: string): void {
    this.checked++;
    this.problems.push(`${path}: ${what}`);
  }

  /**
   * Compares a decoded value with its expected.json form:
   * - `{raw, decimal}` is a price: the raw int64 as a bigint, and our decimal rendering;
   * - a string is a 64-bit integer (when we decoded a bigint), or a c_char, a NUL-trimmed cstr
   *   or reserved bytes in hex (when we decoded a string);
   * - a number is a field of 32 bits or fewer; arrays and objects are walked key by key.
   */
  value(actual: unknown, expected: unknown, path: string, skip: ReadonlySet<string> = NO_SKIP): void {
    if (isPrice(expected)) {
      if (typeof actual !== 'bigint') {
        this.fail(path, `got ${show(actual)}, expected a bigint price`);
        return;
      }
      this.leaves += 2;
      this.eq(actual, BigInt(expected.raw), `${path}.raw`);
      this.eq(formatPrice(actual), expected.decimal, `${path}.decimal`);
      return;
    }
    if (typeof expected !== 'object' || expected === null) this.leaves++;
    if (typeof expected === 'string') {
      if (typeof actual === 'bigint') {
        this.eq(actual, BigInt(expected), path);
        return;
      }
      this.eq(actual, expected, path);
      return;
    }
    if (typeof expected === 'number' || typeof expected === 'boolean' || expected === null) {
      this.eq(actual, expected, path);
      return;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) {
        this.fail(path, `got ${show(actual)}, expected an array`);
        return;
      }
      this.eq(actual.length, expected.length, `${path}.length`);
      for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
        this.value(actual[i], expected[i], `${path}[${i}]`);
      }
      return;
    }
    if (typeof expected === 'object') {
      if (typeof actual !== 'object' || actual === null) {
        this.fail(path, `got ${show(actual)}, expected an object`);
        return;
      }
      const act = actual as Record<string, unknown>;
      const exp = expected as Record<string, unknown>;
      for (const key of Object.keys(exp)) {
        if (skip.has(key)) continue;
        if (!(key in act)) this.fail(`${path}.${key}`, 'missing from the decoded value');
        else this.value(act[key], exp[key], `${path}.${key}`);
      }
      for (const key of Object.keys(act)) {
        if (!(key in exp))
          this.fail(`${path}.${key}`, `decoded ${show(act[key])}, absent from expected.json`);
      }
      return;
    }
    this.fail(path, `unexpected expected value ${show(expected)}`);
  }
}

const NO_SKIP: ReadonlySet<string> = new Set();
/** Record keys checked separately (layout name, stream offset, size), not as fields. */
export const RECORD_META_KEYS: ReadonlySet<string> = new Set(['_layout', '_offset', '_size']);

function isPrice(v: unknown): v is { raw: string; decimal: string | null } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'raw' in v && 'decimal' in v;
}

export function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Fails the test listing every mismatch the checker collected. */
export function assertClean(c: Checker): void {
  assert.deepEqual(c.problems, [], `${c.problems.length} mismatches:\n${c.problems.join('\n')}`);
}

/** Number of leaf values in a JSON value (what `Checker.value` compares), skipping `skip` keys at any depth. */
export function countLeaves(v: unknown, skip: ReadonlySet<string> = new Set()): number {
  if (v === null || typeof v !== 'object') return 1;
  let n = 0;
  for (const [k, x] of Object.entries(v)) if (!skip.has(k)) n += countLeaves(x, skip);
  return n;
}
