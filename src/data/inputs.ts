/**
 * What a command's input arguments mean: DBN files as given, and folders (a simulator run, a
 * Databento download) expanded to the DBN files the engine reads from them. From a folder it takes
 * the market data the feature engine uses — MBP-10, MBP-1, BBO/TBBO, trades and instrument
 * definitions; MBO only when the folder has no MBP-10, so one book is not fed twice — and leaves
 * bars, statistics, status and imbalance files out. With a time range, folder files whose
 * metadata range ends before it or starts after it are left out too. Files named explicitly are
 * always read. Every choice is reported (`skipped`), so nothing is left out silently.
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, UNDEF_TIMESTAMP } from '../core/index.js';
import { DbnDecoder, DbnError, type SchemaName } from './dbn/index.js';

/** Schemas a folder contributes to a replay (MBO only without MBP-10). */
const MARKET_SCHEMAS: ReadonlySet<SchemaName> = new Set<SchemaName>([
  'mbp-10',
  'mbp-1',
  'tbbo',
  'bbo-1s',
  'bbo-1m',
  'trades',
  'definition',
]);

/** A DBN file name: plain, zstd, or the legacy DBZ. */
const DBN_NAME = /\.(dbn|dbn\.zst|dbz)$/;

/** Options of `resolveInputs`. */
export interface InputOptions {
  /** Leave out folder files whose data ends before this time (ns since the epoch). */
  readonly fromNs?: bigint;
  /** Leave out folder files whose data starts after this time (ns since the epoch). */
  readonly toNs?: bigint;
}

/** The files to read, in order, and what was left out of the folders and why. */
export interface ResolvedInputs {
  readonly files: string[];
  readonly skipped: { readonly file: string; readonly reason: string }[];
}

interface Candidate {
  readonly file: string;
  readonly schema: SchemaName | null;
  readonly start: bigint;
  readonly end: bigint;
}

async function describe(file: string): Promise<Candidate> {
  const dec = DbnDecoder.fromFile(file);
  try {
    const md = await dec.readMetadata();
    return { file, schema: md?.schema ?? null, start: md?.start ?? 0n, end: md?.end ?? UNDEF_TIMESTAMP };
  } finally {
    await dec.close();
  }
}

/** Expands `paths` (files and folders) into the DBN files to read (see the module comment). */
export async function resolveInputs(
  paths: readonly string[],
  opts: InputOptions = {},
): Promise<ResolvedInputs> {
  if (paths.length === 0) throw new ConfigError('no input files or folders');
  const files: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const p of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(p).isDirectory();
    } catch {
      throw new DbnError('IO', p, 0, 'file not found');
    }
    if (!isFolder) {
      files.push(p);
      continue;
    }
    const names = readdirSync(p)
      .filter((n) => DBN_NAME.test(n))
      .sort();
    const found = await Promise.all(names.map((n) => describe(join(p, n))));
    const hasMbp10 = found.some((c) => c.schema === 'mbp-10');
    const before = files.length;
    for (const c of found) {
      const reason = leftOut(c, hasMbp10, opts);
      if (reason === null) files.push(c.file);
      else skipped.push({ file: c.file, reason });
    }
    if (files.length === before) {
      throw new ConfigError(
        `${p}: no DBN market data to read${found.length > 0 ? ` (${skipped.length} files left out: ${skipped.at(-1)?.reason})` : ''}`,
      );
    }
  }
  return { files, skipped };
}

/** Why a folder's file is left out, or null when it is read. */
function leftOut(c: Candidate, hasMbp10: boolean, opts: InputOptions): string | null {
  if (c.schema === null) return 'no schema in its metadata';
  if (c.schema === 'mbo') {
    if (hasMbp10) return 'MBO beside MBP-10 (name it to read it)';
  } else if (!MARKET_SCHEMAS.has(c.schema)) {
    return `schema ${c.schema} is not market data the engine replays`;
  }
  if (opts.fromNs !== undefined && c.end !== UNDEF_TIMESTAMP && c.end <= opts.fromNs)
    return 'ends before --from';
  if (opts.toNs !== undefined && c.start > opts.toNs) return 'starts after --to';
  return null;
}
