/**
 * Run manifests of the `scalper` commands (core/manifest.ts): `manifest.json` in every output
 * folder (`simulate --out DIR`, `demo`), and `FILE.manifest.json` beside a single output file
 * (`features --out f.csv` → `f.csv.manifest.json`, `regime fit`, `regime label`, `stoikov fit`,
 * `decide`).
 */

import { dirname, join } from 'node:path';
import { buildManifest, EngineError, type FileEntry, writeManifest } from '../core/index.js';
import type { Run } from './config.js';

/** Where a manifest goes and what it describes. */
export interface RecordRunOptions {
  /** The folder the command wrote (its manifest is `manifest.json` in it)… */
  readonly folder?: string;
  /** …or the single file it wrote (its manifest is `FILE.manifest.json` beside it). */
  readonly file?: string;
  /** Files written into `folder` (a single `file` is its own output). */
  readonly outputs?: readonly string[];
  /** Files read: market data, and the model files the configuration names. */
  readonly inputs: readonly (string | undefined)[];
  /** Inputs already hashed by the command (result.json's), so that they are not read twice. */
  readonly hashed?: readonly FileEntry[];
  readonly seed?: number | null;
}

/** The manifest's path for `o`. */
export function manifestPath(o: Pick<RecordRunOptions, 'folder' | 'file'>): string {
  if (o.folder !== undefined) return join(o.folder, 'manifest.json');
  if (o.file !== undefined) return `${o.file}.manifest.json`;
  throw new EngineError('MANIFEST_TARGET', 'a manifest needs a folder or a file');
}

/** Writes the run's manifest; returns its path. */
export async function recordRun(run: Run, o: RecordRunOptions): Promise<string> {
  const path = manifestPath(o);
  const manifest = await buildManifest({
    command: run.command,
    argv: run.argv,
    config: run.config,
    seed: o.seed ?? null,
    inputs: o.inputs.filter((x): x is string => x !== undefined),
    hashed: o.hashed,
    outputs: o.file !== undefined ? [o.file] : (o.outputs ?? []),
    outputDir: o.folder ?? dirname(o.file as string),
    startedAt: run.startedAt,
  });
  writeManifest(path, manifest);
  run.log.info(
    { manifest: path, outputs: manifest.outputs.length, configHash: manifest.configHash },
    'run manifest written',
  );
  return path;
}
