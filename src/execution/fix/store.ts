/**
 * Where a FIX session keeps its sequence numbers: the next number we send and the next we expect,
 * both carried across reconnects and restarts (FIX session layer: a counterparty that sees a
 * number lower than it expects, without PossDupFlag, ends the session).
 *
 * jspurefix has a file store, but it rewrites its `.seqnums` file with overlapping asynchronous
 * writes (a later number can be overwritten by an earlier one still in flight, and a restart in
 * the same process can read the file before the last write lands), and it moves the next sender
 * number back when a message is resent with PossDupFlag (a gap fill). This store writes each
 * change synchronously to a temporary file renamed over the old one (a crash leaves the old
 * numbers or the new, never half a file), and numbers only move forward until the session is
 * reset. Messages themselves are not kept: a counterparty's resend request for what we sent is
 * answered with a gap fill, never by sending an old order again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../core/index.js';
import type { IFixSessionStore } from './engine.js';

/** A sequence file that cannot be read or written. */
export class FixStoreError extends EngineError {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('FIX_STORE', `FIX sequence store "${path}": ${detail}`, options);
  }
}

/** The identity jspurefix gives a session (BeginString-SenderCompID-TargetCompID). */
interface SessionName {
  toFilePrefix(): string;
}

/** What the file holds. */
interface SequenceFile {
  readonly sender: number;
  readonly target: number;
  readonly created: string;
}

/** Sequence numbers of one session, in memory and, given a directory, in `<session>.seqnums.json`. */
export class SequenceStore implements IFixSessionStore {
  readonly #path: string | null;
  #sender = 1;
  #target = 1;
  #created = new Date();

  constructor(
    readonly sessionId: IFixSessionStore['sessionId'],
    directory?: string,
  ) {
    this.#path =
      directory === undefined
        ? null
        : join(directory, `${(sessionId as SessionName).toFilePrefix()}.seqnums.json`);
    if (directory !== undefined) {
      try {
        mkdirSync(directory, { recursive: true });
      } catch (e) {
        throw new FixStoreError(directory, 'the directory cannot be made', { cause: e });
      }
    }
    this.#load();
  }

  /** The file the numbers are kept in (null: memory only). */
  get path(): string | null {
    return this.#path;
  }

  get senderSeqNum(): number {
    return this.#sender;
  }
  set senderSeqNum(v: number) {
    this.#advance(v, this.#target);
  }
  get targetSeqNum(): number {
    return this.#target;
  }
  set targetSeqNum(v: number) {
    this.#advance(this.#sender, v);
  }
  get creationTime(): Date {
    return this.#created;
  }

  async setSenderSeqNum(v: number): Promise<void> {
    this.#advance(v, this.#target);
  }
  async setTargetSeqNum(v: number): Promise<void> {
    this.#advance(this.#sender, v);
  }
  async nextSenderSeqNum(): Promise<number> {
    this.#advance(this.#sender + 1, this.#target);
    return this.#sender;
  }
  async nextTargetSeqNum(): Promise<number> {
    this.#advance(this.#sender, this.#target + 1);
    return this.#target;
  }

  /** Both numbers back to 1 (a logon with ResetSeqNumFlag=Y, ours or the counterparty's). */
  async reset(): Promise<void> {
    this.#sender = 1;
    this.#target = 1;
    this.#created = new Date();
    this.#save();
  }

  /** Re-reads the file (jspurefix calls this at each logon). */
  async initialize(): Promise<void> {
    this.#load();
  }

  async put(): Promise<void> {}
  async get(): Promise<null> {
    return null;
  }
  async getRange(): Promise<never[]> {
    return [];
  }
  async flush(): Promise<void> {}
  async dispose(): Promise<void> {}

  #advance(sender: number, target: number): void {
    const s = Math.max(this.#sender, sender);
    const t = Math.max(this.#target, target);
    if (s === this.#sender && t === this.#target) return;
    this.#sender = s;
    this.#target = t;
    this.#save();
  }

  #load(): void {
    const path = this.#path;
    if (path === null) return;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new FixStoreError(path, 'cannot be read', { cause: e });
    }
    let data: Partial<SequenceFile>;
    try {
      data = JSON.parse(text) as Partial<SequenceFile>;
    } catch (e) {
      throw new FixStoreError(path, 'is not JSON', { cause: e });
    }
    for (const key of ['sender', 'target'] as const) {
      const v = data[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
        throw new FixStoreError(path, `"${key}" is ${JSON.stringify(v)}, not a sequence number >= 1`);
    }
    this.#sender = data.sender as number;
    this.#target = data.target as number;
    const created = new Date(data.created ?? '');
    if (!Number.isNaN(created.getTime())) this.#created = created;
  }

  #save(): void {
    const path = this.#path;
    if (path === null) return;
    const data: SequenceFile = {
      sender: this.#sender,
      target: this.#target,
      created: this.#created.toISOString(),
    };
    const tmp = `${path}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(data)}\n`);
      renameSync(tmp, path);
    } catch (e) {
      throw new FixStoreError(path, 'cannot be written', { cause: e });
    }
  }
}
