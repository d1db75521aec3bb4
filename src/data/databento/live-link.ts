/**
 * The connection under a live session: its bytes as they arrive, read first as control lines and
 * then as the DBN stream, and the watch that ends it when the gateway falls silent.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A control line longer than this is not one (the gateway's lines are a few hundred bytes). */
const MAX_CONTROL_LINE = 64 << 10;
/** Bytes received and not yet decoded above which the socket is paused (a slow listener). */
const HIGH_WATER = 16 << 20;
const LOW_WATER = 4 << 20;

/** Ends a link that has been silent for longer than the heartbeats allow. */
export class DeadLinkWatch {
  readonly #link: Link;
  readonly #limitMs: number;
  readonly #heartbeatS: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(link: Link, limitMs: number, heartbeatS: number) {
    this.#link = link;
    this.#limitMs = limitMs;
    this.#heartbeatS = heartbeatS;
    this.#arm(limitMs);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    const link = this.#link;
    // A link paused because the listener is behind is not silent: the gateway is waiting for us.
    const idle = link.paused ? 0 : performance.now() - link.lastDataAt;
    if (idle >= this.#limitMs) {
      link.close(
        `no data for ${Math.round(idle)} ms (heartbeats are due every ${this.#heartbeatS} s): the link is dead`,
      );
      this.#timer = null;
    } else this.#arm(this.#limitMs - idle);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/**
 * A connection's bytes as they arrive: control lines first (`readLine`), then, as an async
 * iterable of chunks, the DBN stream for the decoder. Remembers why it ended and whether its
 * reader has seen the end, so a stream cut short is told from a malformed one.
 */
export class Link implements AsyncIterable<Uint8Array> {
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  #queued = 0;
  #wake: (() => void) | null = null;
  #ended = false;
  /** The first bytes of the DBN stream, kept until the metadata is whole. */
  #head: Buffer[] = [];
  #headBytes = 0;
  #headWanted = Number.POSITIVE_INFINITY;
  #streaming = false;
  /** Why the link ended; null while it is open. */
  endReason: string | null = null;
  /** Whether the reader has taken every byte and seen the end. */
  exhausted = false;
  /** Whether the socket is paused because the reader is behind. */
  paused = false;
  /** When a byte last arrived (performance.now() ms). */
  lastDataAt = performance.now();
  /** Called once when the link ends (used while connecting). */
  onEnd: (() => void) | null = null;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.lastDataAt = performance.now();
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > HIGH_WATER && !this.paused) {
        this.paused = true;
        socket.pause();
      }
      this.#notify();
    });
    socket.on('end', () => this.#end('the gateway closed the connection'));
    socket.on('close', () => this.#end('the connection closed'));
    socket.on('error', (e: Error) => this.#end(`connection error: ${e.message}`));
  }

  #end(reason: string): void {
    if (this.endReason === null) this.endReason = reason;
    this.#ended = true;
    this.#notify();
    const onEnd = this.onEnd;
    this.onEnd = null;
    onEnd?.();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Ends the link from this side. */
  close(reason: string): void {
    this.#end(reason);
    this.#socket.destroy();
  }

  write(text: string): void {
    if (!this.#ended) this.#socket.write(text);
  }

  /** The next chunk, or null at the end. */
  async #next(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.paused && this.#queued < LOW_WATER) {
          this.paused = false;
          this.lastDataAt = performance.now();
          this.#socket.resume();
        }
        return chunk;
      }
      if (this.#ended) {
        this.exhausted = true;
        return null;
      }
      await new Promise<void>((wake) => {
        this.#wake = wake;
      });
    }
  }

  /**
   * The next control line (without its newline), or null when the link ends first; `tooLong`
   * makes the error for a line longer than any the gateway sends (64 KiB).
   */
  async readLine(tooLong: (bytes: number) => Error): Promise<string | null> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = await this.#next();
      if (chunk === null) return null;
      const nl = chunk.indexOf(10);
      length += nl < 0 ? chunk.length : nl;
      if (length > MAX_CONTROL_LINE) throw tooLong(length);
      if (nl < 0) {
        parts.push(chunk);
        continue;
      }
      parts.push(chunk.subarray(0, nl));
      if (nl + 1 < chunk.length) {
        const rest = chunk.subarray(nl + 1);
        this.#chunks.unshift(rest);
        this.#queued += rest.length;
      }
      return Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    }
  }

  /** The DBN stream's bytes, for the decoder. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    this.#streaming = true;
    for (;;) {
      const chunk = await this.#next();
      if (chunk === null) return;
      this.#keepHead(chunk);
      yield chunk;
    }
  }

  /** Keeps the stream's first bytes until the metadata (8-byte prelude + its length) is whole. */
  #keepHead(chunk: Buffer): void {
    if (!this.#streaming || this.#headBytes >= this.#headWanted) return;
    this.#head.push(chunk);
    this.#headBytes += chunk.length;
    if (this.#headWanted === Number.POSITIVE_INFINITY && this.#headBytes >= 8) {
      const head = Buffer.concat(this.#head);
      this.#head = [head];
      this.#headWanted = 8 + head.readUInt32LE(4);
    }
  }

  /** The metadata's bytes as the gateway sent them (call once the decoder has read the metadata). */
  metadataBytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.#head).subarray(0, this.#headWanted));
  }
}
