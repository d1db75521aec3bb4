/**
 * `scalper data live`: records a live subscription from Databento's gateway to a DBN file, the
 * metadata as the gateway sent it, then every record passed on (market data, symbol mappings,
 * system and error records; not heartbeats), each once across reconnections. Written under a
 * `.partial` name and renamed when the recording ends: at `--duration`, `--max-records`, or on
 * Ctrl-C (SIGINT) or SIGTERM, which stop it cleanly with the file complete.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { ConfigError, formatTimestamp, writeAll } from '../core/index.js';
import { Live, type LiveEvent, type LiveSubscription } from '../data/databento/index.js';
import { finishOutput, bytes as formatBytes, keptPartial, LineWriter, n, startOutput } from './output.js';

/** The options of `scalper data live`. */
export interface LiveOpts {
  dataset: string;
  schema: string;
  symbols: string;
  stypeIn: string;
  snapshot?: boolean;
  start?: string;
  duration?: number;
  maxRecords?: number;
  out: string;
  gateway?: string;
  heartbeat: number;
}

/** Appends bytes to a file through a 64 KiB buffer, flushed when full and on `flush`. */
class FileSink {
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(64 << 10);
  #fill = 0;
  /** Bytes handed to the sink so far. */
  written = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }

  write(bytes: Uint8Array): void {
    if (this.#fill + bytes.length > this.#buf.length) this.flush();
    if (bytes.length > this.#buf.length) writeAll(this.#fd, bytes);
    else {
      this.#buf.set(bytes, this.#fill);
      this.#fill += bytes.length;
    }
    this.written += bytes.length;
  }

  flush(): void {
    writeAll(this.#fd, this.#buf.subarray(0, this.#fill));
    this.#fill = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

function subscription(opts: LiveOpts): LiveSubscription {
  const symbols = opts.symbols.split(',').map((s) => s.trim());
  if (symbols.some((s) => s === '')) throw new ConfigError(`--symbols "${opts.symbols}" has an empty symbol`);
  return {
    schema: opts.schema,
    symbols: symbols.length === 1 && symbols[0] === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : symbols,
    stypeIn: opts.stypeIn,
    start: opts.start,
    snapshot: opts.snapshot === true,
  };
}

function time(ns: bigint | null): string {
  return ns === null ? 'the start' : (formatTimestamp(ns) ?? String(ns));
}

/** A line on stderr for the events a person watching the recording should know of. */
function eventLine(e: LiveEvent): string | null {
  switch (e.type) {
    case 'gap':
      return `link lost after ${time(e.from)} (${e.reason}); resumed at ${time(e.to)} by ${e.recovery.join(', ')}`;
    case 'reconnecting':
      return `reconnecting in ${e.delayMs} ms (attempt ${e.attempt})`;
    case 'gateway-error':
      return `gateway error: ${e.message}`;
    case 'system':
      return `gateway: ${e.message}`;
    default:
      return null;
  }
}

/** Records the subscription of `opts` to `opts.out`. */
export async function recordLive(opts: LiveOpts): Promise<void> {
  const live = new Live({ dataset: opts.dataset, gateway: opts.gateway, heartbeatIntervalS: opts.heartbeat });
  live.subscribe(subscription(opts));
  const tmp = startOutput(opts.out);
  const sink = new FileSink(tmp);
  let metadata = false;
  let records = 0;
  const max = opts.maxRecords;
  const began = performance.now();
  const drawn = process.stderr.isTTY === true && !process.env.CI;
  const tick = setInterval(() => {
    sink.flush();
    if (drawn) {
      const s = (performance.now() - began) / 1000;
      process.stderr.write(
        `\r${opts.out}: ${n(records)} records, ${n(Math.round(records / s))}/s, ${Math.round(s)} s  `,
      );
    }
  }, 1000);
  const timer = opts.duration === undefined ? null : setTimeout(() => live.stop(), opts.duration * 1000);
  const stop = () => live.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await live.run({
      record(batch, i) {
        const off = batch.offsets[i];
        sink.write(batch.bytes.subarray(off, off + (batch.bytes[off] << 2)));
        if (++records === max) live.stop();
      },
      event(e) {
        if (e.type === 'metadata' && !metadata) {
          metadata = true;
          sink.write(e.bytes);
        } else if (e.type === 'symbol-mapping' || e.type === 'system' || e.type === 'gateway-error')
          sink.write(e.bytes);
        const line = eventLine(e);
        if (line !== null) process.stderr.write(`${drawn ? '\n' : ''}${line}\n`);
      },
    });
  } catch (err) {
    sink.close();
    if (metadata) keptPartial(opts.out);
    else rmSync(tmp, { force: true });
    throw err;
  } finally {
    clearInterval(tick);
    if (timer !== null) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (drawn) process.stderr.write('\n');
  }
  sink.close();
  if (!metadata) {
    rmSync(tmp, { force: true });
    throw new ConfigError(`data live: stopped before the gateway started the session; nothing was recorded`);
  }
  finishOutput(opts.out);
  const out = new LineWriter();
  const dropped = live.stats.duplicatesDropped;
  await out.line(
    `wrote     ${opts.out} (${n(records)} records, ${formatBytes(sink.written)}; ${live.stats.sessions} session${live.stats.sessions === 1 ? '' : 's'}${dropped > 0 ? `, ${n(dropped)} replayed duplicates dropped` : ''})`,
  );
  await out.flush();
}
