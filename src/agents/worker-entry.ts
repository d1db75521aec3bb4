/**
 * Worker thread of `WorkerPool` (worker.ts): imports the requested module, calls the named export
 * with the task's arguments (structured clones) and posts the result back. One task at a time.
 */
import { parentPort } from 'node:worker_threads';
import { WorkerEntryError } from './worker.js';

/** A task as the pool posts it. */
interface TaskMessage {
  readonly id: number;
  readonly module: string;
  readonly fn: string;
  readonly args: unknown[];
}

const port = parentPort;
if (port === null) throw new WorkerEntryError('worker-entry.js must run in a worker thread');

port.on('message', async (m: TaskMessage) => {
  try {
    const mod = (await import(m.module)) as Record<string, unknown>;
    const f = mod[m.fn];
    if (typeof f !== 'function')
      throw new WorkerEntryError(`"${m.fn}" is not a function exported by "${m.module}"`);
    const value = await (f as (...a: unknown[]) => unknown)(...m.args);
    port.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    const err =
      e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
    port.postMessage({ id: m.id, ok: false, error: err });
  }
});
