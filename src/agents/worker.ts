/**
 * Worker threads for CPU-heavy analyst work, so a long computation does not block the event loop
 * that runs the other analysts, their budget timers and the feeds.
 *
 * `WorkerPool` runs `module#fn(...args)` (a pure function exported by an ES module, arguments and
 * result passed by structured clone) on up to `size` threads; an aborted task's thread is
 * terminated (a pure CPU loop cannot be interrupted any other way) and replaced on demand. Idle
 * threads are `unref`'d so they never keep the process alive. `WorkerAnalyst` wraps such a
 * function `(input, params) => AgentSignal` as an `Agent`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { componentLogger, EngineError, type Logger, requirePositiveInt } from '../core/index.js';
import { type Agent, type AgentInput, type AgentName, type AgentSignal, AgentSignalSchema } from './types.js';

/** A task failed inside its worker (the error there is named in the message). */
export class WorkerTaskError extends EngineError {
  constructor(
    readonly fn: string,
    readonly remoteName: string,
    message: string,
  ) {
    super('WORKER_TASK', `Worker task "${fn}" failed: ${remoteName}: ${message}`);
  }
}

/**
 * The worker entry was misused: loaded outside a worker thread, or asked for a name its module
 * does not export as a function.
 */
export class WorkerEntryError extends EngineError {
  constructor(message: string) {
    super('WORKER_ENTRY', message);
  }
}

/** The pool was closed before the task ran or finished. */
export class WorkerPoolClosedError extends EngineError {
  constructor() {
    super('WORKER_POOL_CLOSED', 'Worker pool closed');
  }
}

interface Task {
  readonly id: number;
  readonly module: string;
  readonly fn: string;
  readonly args: unknown[];
  readonly signal: AbortSignal | undefined;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  onAbort: (() => void) | null;
  worker: Worker | null;
}

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** Options of `WorkerPool`. */
export interface WorkerPoolOptions {
  /** Threads at most (default: available cores − 1, at least 1, at most 4). */
  readonly size?: number;
  /** Parent of the pool's logger (`component: "worker-pool"`): lost and restarted threads. Default the root logger. */
  readonly logger?: Logger;
}

/** A small pool of worker threads running pure functions of ES modules. */
export class WorkerPool {
  readonly size: number;
  readonly #entry = new URL('./worker-entry.js', import.meta.url);
  readonly #idle: Worker[] = [];
  readonly #running = new Map<Worker, Task>();
  readonly #queue: Task[] = [];
  /** Threads already counted as lost (a terminated thread's exit event must not count twice). */
  readonly #gone = new WeakSet<Worker>();
  #nextId = 1;
  #closed = false;
  readonly #log: Logger;
  /** Threads lost (crashed, or terminated to abort a task) and not yet replaced. */
  #toReplace = 0;
  /** Threads started to replace lost ones. */
  #restarts = 0;

  constructor(opts: WorkerPoolOptions = {}) {
    this.size = requirePositiveInt('size', opts.size ?? Math.max(1, Math.min(4, availableParallelism() - 1)));
    this.#log = componentLogger('worker-pool', opts.logger);
  }

  /** Threads started so far to replace lost ones. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Notes a thread gone for `reason` (once per thread); the next spawn is a restart. */
  #lose(w: Worker, reason: string, fn: string | null): void {
    if (this.#closed || this.#gone.has(w)) return;
    this.#gone.add(w);
    this.#toReplace++;
    this.#log.warn({ threadId: w.threadId, reason, task: fn }, 'worker thread lost');
  }

  /** Live threads (idle and busy). */
  get threads(): number {
    return this.#idle.length + this.#running.size;
  }

  /**
   * Runs `module`'s export `fn` with `args` on a worker thread. Rejects with `signal.reason` when
   * `signal` aborts (terminating the thread if the task was running), with `WorkerTaskError` when
   * the function throws.
   */
  run<T = unknown>(module: string | URL, fn: string, args: unknown[], signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closed) {
        reject(new WorkerPoolClosedError());
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const task: Task = {
        id: this.#nextId++,
        module: String(module),
        fn,
        args,
        signal,
        resolve: resolve as (v: unknown) => void,
        reject,
        onAbort: null,
        worker: null,
      };
      if (signal !== undefined) {
        task.onAbort = () => this.#abort(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.#queue.push(task);
      this.#dispatch();
    });
  }

  /** Terminates every thread; queued and running tasks reject with `WorkerPoolClosedError`. */
  async close(): Promise<void> {
    this.#closed = true;
    const err = new WorkerPoolClosedError();
    for (const t of this.#queue.splice(0)) this.#settle(t, null, err);
    const all = [...this.#idle.splice(0), ...this.#running.keys()];
    for (const [, t] of this.#running) this.#settle(t, null, err);
    this.#running.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }

  #settle(task: Task, value: unknown, error: unknown): void {
    if (task.onAbort !== null) task.signal?.removeEventListener('abort', task.onAbort);
    task.onAbort = null;
    if (error !== null) task.reject(error);
    else task.resolve(value);
  }

  #spawn(): Worker {
    const w = new Worker(this.#entry);
    if (this.#toReplace > 0) {
      this.#toReplace--;
      this.#restarts++;
      this.#log.info({ threadId: w.threadId, restarts: this.#restarts }, 'worker thread restarted');
    }
    w.on('message', (m: Reply) => {
      const task = this.#running.get(w);
      if (task === undefined || task.id !== m.id) return;
      this.#running.delete(w);
      task.worker = null;
      w.unref();
      this.#idle.push(w);
      if (m.ok) this.#settle(task, m.value, null);
      else this.#settle(task, null, new WorkerTaskError(task.fn, m.error.name, m.error.message));
      this.#dispatch();
    });
    const lost = (err: unknown) => {
      const i = this.#idle.indexOf(w);
      if (i >= 0) this.#idle.splice(i, 1);
      const task = this.#running.get(w);
      this.#lose(w, err instanceof Error ? err.message : String(err), task?.fn ?? null);
      if (task !== undefined) {
        this.#running.delete(w);
        this.#settle(task, null, err);
      }
      this.#dispatch();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new WorkerTaskError('(worker)', 'Exit', `thread exited with code ${code}`)));
    return w;
  }

  #dispatch(): void {
    while (!this.#closed && this.#queue.length > 0) {
      let w = this.#idle.pop();
      if (w === undefined) {
        if (this.#running.size >= this.size) return;
        w = this.#spawn();
      }
      const task = this.#queue.shift() as Task;
      task.worker = w;
      this.#running.set(w, task);
      w.ref();
      w.postMessage({ id: task.id, module: task.module, fn: task.fn, args: task.args });
    }
  }

  #abort(task: Task): void {
    const reason = task.signal?.reason;
    const q = this.#queue.indexOf(task);
    if (q >= 0) {
      this.#queue.splice(q, 1);
      this.#settle(task, null, reason);
      return;
    }
    const w = task.worker;
    if (w !== null && this.#running.get(w) === task) {
      this.#running.delete(w);
      task.worker = null;
      this.#lose(w, 'terminated to abort its task', task.fn);
      void w.terminate();
      this.#settle(task, null, reason);
      this.#dispatch();
    }
  }
}

/** Options of `WorkerAnalyst`. */
export interface WorkerAnalystOptions {
  readonly name: AgentName;
  readonly budgetMs: number;
  /** The ES module (URL or path) exporting `fn(input, params)` returning an `AgentSignal`. */
  readonly module: string | URL;
  readonly fn: string;
  /** Second argument of `fn` (structured-cloneable). */
  readonly params?: unknown;
  readonly pool: WorkerPool;
}

/** An analyst whose pure function runs on a pool thread; aborting terminates that thread's task. */
export class WorkerAnalyst implements Agent {
  readonly name: AgentName;
  readonly budgetMs: number;
  readonly #o: WorkerAnalystOptions;

  constructor(o: WorkerAnalystOptions) {
    this.#o = o;
    this.name = o.name;
    this.budgetMs = o.budgetMs;
  }

  async analyze(input: AgentInput, signal: AbortSignal): Promise<AgentSignal> {
    const args = this.#o.params === undefined ? [input] : [input, this.#o.params];
    const v = await this.#o.pool.run(this.#o.module, this.#o.fn, args, signal);
    return AgentSignalSchema.parse(v);
  }
}
