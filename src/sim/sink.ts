/**
 * Where a simulated day's files go. The simulator names each file (`glbx-mdp3-YYYYMMDD.mbp-10.dbn.zst`,
 * `truth-YYYYMMDD.json`, …) and writes it through a sink: `FolderSink` puts the files in a folder
 * (the CLI, the demo), `MemorySink` keeps their bytes in memory (tests, and callers that replay a
 * day at once). The bytes are the same either way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbnEncoder, type EncoderOptions } from '../data/dbn/index.js';
import { threadFile } from './file-thread.js';

/** A destination for the files of simulated days. */
export interface RecordSink {
  /** Where the file `name` is written: a path for a folder, the name itself in memory. */
  locate(name: string): string;
  /** A DBN encoder writing the file `name`; the file is complete after `end()`. */
  dbn(name: string, opts: EncoderOptions): DbnEncoder;
  /** Writes the text file `name` (UTF-8) at once. */
  text(name: string, content: string): void;
}

/** Writes each file into a folder (created when missing), replacing a file of the same name. */
export class FolderSink implements RecordSink {
  readonly #dir: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
  }

  locate(name: string): string {
    return join(this.#dir, name);
  }

  /** The records are encoded here and compressed and written on the writer thread (file-thread.ts). */
  dbn(name: string, opts: EncoderOptions): DbnEncoder {
    const file = threadFile(this.locate(name), opts.zstd === true, opts.level);
    return new DbnEncoder((bytes, last) => file.write(bytes, last), {
      ...opts,
      zstd: false,
      lend: true,
      onEnd: () => file.end(),
    });
  }

  text(name: string, content: string): void {
    writeFileSync(this.locate(name), content);
  }
}

/** Keeps each file's bytes in memory, by name. */
export class MemorySink implements RecordSink {
  readonly #files = new Map<string, () => Uint8Array>();

  locate(name: string): string {
    return name;
  }

  dbn(name: string, opts: EncoderOptions): DbnEncoder {
    const { encoder, result } = DbnEncoder.toBuffer(opts);
    this.#files.set(name, result);
    return encoder;
  }

  text(name: string, content: string): void {
    const bytes = new TextEncoder().encode(content);
    this.#files.set(name, () => bytes);
  }

  /** Names of the files written so far, sorted. */
  names(): string[] {
    return [...this.#files.keys()].sort();
  }

  /** The bytes of file `name` (a DBN file's are complete once its encoder has ended). */
  bytes(name: string): Uint8Array | undefined {
    return this.#files.get(name)?.();
  }
}
