/**
 * DBN files compressed and written on a worker thread. A simulated day's records cost about as
 * much to zstd-compress as to simulate, so `FolderSink` hands each encoded block (1 MiB) to one
 * thread that compresses and writes it while the simulation goes on. The thread makes the same
 * zstd calls on the same blocks (the encoder's `lend` option hands them over as its own zstd
 * stream would get them, the last one marked), so a file is the same as `DbnEncoder.toFile`
 * would write in-thread (the sink tests compare them).
 *
 * Blocks travel through a ring of `SLOTS` shared buffers: the writer copies a block into the next
 * slot and posts its number; the thread frees slots in order. When every slot is taken the writer
 * blocks (`Atomics.wait`) until the thread catches up, so memory stays flat however far ahead the
 * simulation runs. The thread is `unref`'d while no file is open, so it never keeps the process
 * alive.
 */
import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../core/index.js';
import { type ZstdBackendName, zstdBackend } from '../data/dbn/index.js';

/** Shared block buffers; a block larger than a slot is sent as a copy instead. */
const SLOTS = 16;
const SLOT_BYTES = 1 << 20;
/** Words of the shared state: slots taken, and 1 once the thread has died. */
const TAKEN = 0;
const DEAD = 1;

/** A file could not be written on the writer thread (the cause is in the message). */
export class FileThreadError extends EngineError {
  constructor(path: string, message: string) {
    super('SIM_FILE_WRITE', `Writing "${path}" failed: ${message}`);
  }
}

/** What the thread is told: open a file, take a block of it (in a slot or as bytes), close it. */
export type FileThreadMessage =
  | { op: 'open'; id: number; fd: number; zstd: ZstdBackendName | null; level: number | undefined }
  | { op: 'slot'; id: number; slot: number; length: number; last: boolean }
  | { op: 'bytes'; id: number; bytes: Uint8Array; last: boolean }
  | { op: 'end'; id: number };

/** What the thread answers when a file is closed. */
export type FileThreadReply = { id: number; ok: true } | { id: number; ok: false; message: string };

/** What the thread starts with: the shared state words and the slots. */
export interface FileThreadData {
  state: Int32Array;
  slots: SharedArrayBuffer;
  slotBytes: number;
}

/** One file being written on the thread. */
export interface ThreadFile {
  /** Hands over a block (`last`: the final one); `bytes` may be reused as soon as this returns. */
  write(bytes: Uint8Array, last?: boolean): void;
  /** Resolves once the file is completely written and closed. */
  end(): Promise<void>;
}

interface Closing {
  path: string;
  fd: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** The one writer thread of the process, started on first use. */
class FileThread {
  readonly #worker: Worker;
  readonly #state = new Int32Array(new SharedArrayBuffer(8));
  readonly #slots = new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  readonly #closing = new Map<number, Closing>();
  #nextSlot = 0;
  #nextId = 1;
  #open = 0;
  #failure: string | null = null;

  constructor() {
    const workerData: FileThreadData = {
      state: this.#state,
      slots: this.#slots.buffer as SharedArrayBuffer,
      slotBytes: SLOT_BYTES,
    };
    this.#worker = new Worker(new URL('./file-thread-entry.js', import.meta.url), { workerData });
    this.#worker.on('message', (r: FileThreadReply) => this.#closed(r.id, r.ok ? null : r.message));
    this.#worker.on('error', (e) => this.#fail(e.message));
    this.#worker.on('exit', () => this.#fail('the writer thread exited'));
    this.#worker.unref();
  }

  /** Whether the thread has died (a new one serves the next file). */
  get dead(): boolean {
    return this.#failure !== null || Atomics.load(this.#state, DEAD) !== 0;
  }

  /** Hands the thread a file opened for writing as `fd`, compressed with `zstd` unless null. */
  open(fd: number, path: string, zstd: ZstdBackendName | null, level: number | undefined): ThreadFile {
    const id = this.#nextId++;
    if (this.#open++ === 0) this.#worker.ref();
    this.#post({ op: 'open', id, fd, zstd, level });
    return {
      write: (bytes, last) => this.#write(id, bytes, last === true),
      end: () => this.#end(id, path, fd),
    };
  }

  /** Copies `bytes` into the next free slot, waiting for one; drops them once the thread is dead. */
  #write(id: number, bytes: Uint8Array, last: boolean): void {
    if (bytes.length > SLOT_BYTES) {
      const copy = bytes.slice();
      const msg: FileThreadMessage = { op: 'bytes', id, bytes: copy, last };
      this.#worker.postMessage(msg, [copy.buffer]);
      return;
    }
    const state = this.#state;
    for (;;) {
      if (Atomics.load(state, DEAD) !== 0) return;
      const taken = Atomics.load(state, TAKEN);
      if (taken < SLOTS) break;
      Atomics.wait(state, TAKEN, taken, 1000);
    }
    const slot = this.#nextSlot;
    this.#nextSlot = (slot + 1) % SLOTS;
    this.#slots.set(bytes, slot * SLOT_BYTES);
    Atomics.add(state, TAKEN, 1);
    this.#post({ op: 'slot', id, slot, length: bytes.length, last });
  }

  #end(id: number, path: string, fd: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#closing.set(id, { path, fd, resolve, reject });
      if (this.#failure !== null) this.#closed(id, this.#failure);
      else this.#post({ op: 'end', id });
    });
  }

  #post(msg: FileThreadMessage): void {
    this.#worker.postMessage(msg);
  }

  /** The thread is done with file `id`: its descriptor is closed here, where it was opened. */
  #closed(id: number, failure: string | null): void {
    const c = this.#closing.get(id);
    if (c === undefined) return;
    this.#closing.delete(id);
    if (--this.#open === 0) this.#worker.unref();
    let error = failure;
    try {
      closeSync(c.fd);
    } catch (e) {
      error ??= e instanceof Error ? e.message : String(e);
    }
    if (error === null) c.resolve();
    else c.reject(new FileThreadError(c.path, error));
  }

  #fail(message: string): void {
    this.#failure ??= message;
    Atomics.store(this.#state, DEAD, 1);
    for (const id of [...this.#closing.keys()]) this.#closed(id, message);
  }
}

let thread: FileThread | null = null;

/**
 * Opens `path` for the blocks of an uncompressed DBN encoder, which the writer thread compresses
 * when `zstd` is set (at `level`) and writes. What `DbnEncoder.toFile` would throw at once (no
 * zstd library, a file that cannot be created) is thrown here too; the zstd library is the one
 * this thread would use.
 */
export function threadFile(path: string, zstd: boolean, level: number | undefined): ThreadFile {
  const backend = zstd ? zstdBackend() : null;
  const fd = openSync(path, 'w');
  if (thread === null || thread.dead) thread = new FileThread();
  return thread.open(fd, path, backend, level);
}
