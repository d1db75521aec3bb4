/**
 * The writer thread of file-thread.ts: per open file its descriptor (opened and closed by the
 * writer; Node warns when a thread closes a descriptor it did not open) and, when compressing, a
 * zstd stream that gets exactly the calls the encoder's own stream would have had. A file whose
 * writing failed drops its remaining blocks and reports the failure when it is closed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeAll } from '../core/index.js';
import { type ZstdBackendName, ZstdStreamEncoder } from '../data/dbn/index.js';
import type { FileThreadData, FileThreadMessage, FileThreadReply } from './file-thread.js';

const TAKEN = 0;
const DEAD = 1;

const port = parentPort;
if (port === null) throw new Error('file-thread-entry.js must run in a worker thread');
const { state, slots, slotBytes } = workerData as FileThreadData;
const slotView = new Uint8Array(slots);

/** One open file. */
class OpenFile {
  readonly #fd: number;
  readonly #zstd: ZstdStreamEncoder | null;
  readonly #put = (bytes: Uint8Array): void => writeAll(this.#fd, bytes);

  constructor(fd: number, zstd: ZstdBackendName | null, level: number | undefined) {
    this.#fd = fd;
    this.#zstd = zstd ? new ZstdStreamEncoder(level ?? 3, zstd) : null;
  }

  write(bytes: Uint8Array, last: boolean): void {
    if (this.#zstd) this.#zstd.write(bytes, last, this.#put);
    else this.#put(bytes);
  }
}

const files = new Map<number, OpenFile | Error>();

// A thread that dies lets a writer waiting for a slot go on (and drop its blocks).
process.on('exit', () => {
  Atomics.store(state, DEAD, 1);
  Atomics.notify(state, TAKEN);
});

function reply(r: FileThreadReply): void {
  port!.postMessage(r);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Runs `step` on file `id` unless it has failed; a failure replaces the file by its error. */
function onFile(id: number, step: (f: OpenFile) => void): void {
  const f = files.get(id);
  if (!(f instanceof OpenFile)) return;
  try {
    step(f);
  } catch (e) {
    files.set(id, asError(e));
  }
}

port.on('message', (m: FileThreadMessage) => {
  switch (m.op) {
    case 'open':
      try {
        files.set(m.id, new OpenFile(m.fd, m.zstd, m.level));
      } catch (e) {
        files.set(m.id, asError(e));
      }
      return;
    case 'slot': {
      // The block is compressed or written before the slot is given back.
      const at = m.slot * slotBytes;
      onFile(m.id, (f) => f.write(slotView.subarray(at, at + m.length), m.last));
      Atomics.sub(state, TAKEN, 1);
      Atomics.notify(state, TAKEN);
      return;
    }
    case 'bytes':
      onFile(m.id, (f) => f.write(m.bytes, m.last));
      return;
    case 'end': {
      const f = files.get(m.id);
      files.delete(m.id);
      reply(
        f instanceof OpenFile
          ? { id: m.id, ok: true }
          : { id: m.id, ok: false, message: f?.message ?? 'not open' },
      );
    }
  }
});
