/**
 * Run manifests: what made an output, so that a result can be traced and reproduced. A run is a
 * pure function of (inputs, configuration, seed) when no model is configured (CONVENTIONS.md
 * "Time, clocks and determinism"); the manifest records each of them (input files with sizes and
 * sha256, the effective configuration and its hash, the seed) with the code that ran (package
 * version, git commit, Node version) and the outputs it wrote, with their sizes and sha256.
 */

import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash, redactSecrets, sha256 } from './config-file.js';

/** A file with its size and content hash. */
export interface FileEntry {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** `manifest.json`. */
export interface RunManifest {
  readonly version: 1;
  /** `simulate`, `regime fit`, … */
  readonly command: string;
  /** The arguments after the program name. */
  readonly argv: readonly string[];
  readonly package: { readonly name: string; readonly version: string };
  /** The commit of the code that ran; null outside a git checkout. */
  readonly gitCommit: string | null;
  readonly node: string;
  /** sha256 of the canonical JSON of `config`. */
  readonly configHash: string;
  /** The effective configuration (secrets redacted; API keys are never part of it). */
  readonly config: unknown;
  readonly seed: number | null;
  readonly inputs: readonly FileEntry[];
  /** Paths relative to the manifest's folder. */
  readonly outputs: readonly FileEntry[];
  readonly startedAt: string;
  readonly endedAt: string;
}

/** Size and sha256 of a file, read in chunks (never the whole file at once). */
export async function hashFile(path: string, name = path): Promise<FileEntry> {
  const h = sha256();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { path: name, bytes, sha256: h.digest('hex') };
}

/** The package root: the nearest folder above this module holding package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
  return dir;
}

/** Name and version from the package's package.json. */
export function packageInfo(root = packageRoot()): { name: string; version: string } {
  try {
    const p = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return { name: p.name ?? 'unknown', version: p.version ?? 'unknown' };
  } catch {
    return { name: 'unknown', version: 'unknown' };
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The commit checked out at or above `dir`, read from `.git` without running git: HEAD, then the
 * branch it names as a loose ref or in packed-refs. A worktree's `.git` is a file pointing at its
 * own git folder, whose `commondir` holds the shared refs. Null when there is no repository or it
 * cannot be read.
 */
export function gitCommit(dir = packageRoot()): string | null {
  let d = resolve(dir);
  let dotGit = join(d, '.git');
  while (!existsSync(dotGit)) {
    const up = dirname(d);
    if (up === d) return null;
    d = up;
    dotGit = join(d, '.git');
  }
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    const m = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
    if (m === null) return null;
    gitDir = isAbsolute(m[1].trim()) ? m[1].trim() : resolve(d, m[1].trim());
  }
  const head = readText(join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return null;
  if (SHA.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (ref === undefined) return null;
  const common = readText(join(gitDir, 'commondir'))?.trim();
  const dirs = [gitDir];
  if (common) dirs.push(isAbsolute(common) ? common : resolve(gitDir, common));
  for (const g of dirs) {
    const loose = readText(join(g, ref))?.trim();
    if (loose !== undefined && SHA.test(loose)) return loose;
  }
  for (const g of dirs) {
    for (const line of (readText(join(g, 'packed-refs')) ?? '').split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && SHA.test(sha)) return sha;
    }
  }
  return null;
}

/** What `buildManifest` needs from the run. */
export interface ManifestInput {
  readonly command: string;
  readonly argv: readonly string[];
  readonly config: unknown;
  readonly seed?: number | null;
  /** Input files as the user named them. */
  readonly inputs: readonly string[];
  /** Inputs this run has already hashed (by path): not read again. */
  readonly hashed?: readonly FileEntry[];
  /** Output files, and the folder their manifest paths are relative to. */
  readonly outputs: readonly string[];
  readonly outputDir: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
}

/** Hashes the inputs and outputs and assembles the manifest. */
export async function buildManifest(m: ManifestInput): Promise<RunManifest> {
  const rel = (p: string) => {
    const r = relative(resolve(m.outputDir), resolve(p));
    return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
  };
  const inputs: FileEntry[] = [];
  const known = new Map((m.hashed ?? []).map((e) => [e.path, e]));
  for (const p of [...new Set(m.inputs)]) inputs.push(known.get(p) ?? (await hashFile(p)));
  const outputs: FileEntry[] = [];
  for (const p of [...new Set(m.outputs)]) outputs.push(await hashFile(p, rel(p)));
  const config = redactSecrets(m.config);
  return {
    version: 1,
    command: m.command,
    argv: [...m.argv],
    package: packageInfo(),
    gitCommit: gitCommit(),
    node: process.version,
    configHash: configHash(config),
    config,
    seed: m.seed ?? null,
    inputs,
    outputs,
    startedAt: m.startedAt.toISOString(),
    endedAt: (m.endedAt ?? new Date()).toISOString(),
  };
}

/** Writes `manifest` as indented JSON to `path`. */
export function writeManifest(path: string, manifest: RunManifest): void {
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
