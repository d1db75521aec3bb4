/**
 * `ingest`: DBN files onto the bus, merged by ts_recv as a replay reads them (data/replay.ts):
 * every instrument announced first (`md.P.symbols`), then each record on its product's subject,
 * then the end (`md.P.end`) of every product. Message ids are the records' own identities
 * (infra/bus/records.ts), so an ingest run again after a crash stores nothing twice.
 */
import { type Logger, rootLogger } from '../../core/index.js';
import { indexTsNs, type RecordBatch } from '../../data/dbn/index.js';
import { openInputs, type ReplaySink } from '../../data/index.js';
import { type EventBus, RecordPublisher } from '../../infra/index.js';
import type { FeedSink, ReplayClock } from '../file-feed.js';
import type { Feed } from '../session.js';
import { encodeEnd, encodeNotice, productOf, recordSubject } from './market.js';

export interface IngestOptions {
  readonly bus: EventBus;
  readonly files: readonly string[];
  /** Replay at this many times real time, by ts_recv (default 0: as fast as the bus takes them). */
  readonly speed?: number;
  /**
   * A clock to pace the replay by instead of `speed`, which a viewer may speed up, hold or send
   * ahead (the dashboard of `scalper run`).
   */
  readonly clock?: ReplayClock;
  /** Stops the replay between records (what was published stays; no end message goes out). */
  readonly signal?: AbortSignal;
  /** Called every 4,096 records with the count so far. */
  readonly onProgress?: (records: number) => void;
  readonly logger?: Logger;
}

export interface IngestSummary {
  /** Records read from the files. */
  readonly records: number;
  /** Messages stored, and those the stream already held (a run again). */
  readonly stored: number;
  readonly duplicates: number;
  readonly products: readonly string[];
  /** ts_recv of the last record, ns (null for inputs without records). */
  readonly lastNs: bigint | null;
}

/** A message for the bus. */
interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId: string;
}

/**
 * What ingest publishes, made from records: an instrument's notice before its first record (again
 * when the layout of its records changes), then the record; and counts of what the bus stored.
 */
class MarketOut {
  readonly symbols = new Map<number, string>();
  readonly products = new Set<string>();
  records = 0;
  stored = 0;
  duplicates = 0;
  lastNs: bigint | null = null;
  /** Names instruments as a replay or a feed does (the feature engine's part in a session). */
  readonly names: ReplaySink = {
    setSymbol: (id, s) => void this.symbols.set(id, s),
    setTickSize: () => {},
    applyDefinition: () => {},
    apply: () => undefined,
    advance: () => {},
  };
  /** Layout announced per instrument: version * 2 + tsOut. */
  readonly #announced = new Map<number, number>();
  readonly #ids: RecordPublisher;

  constructor(readonly bus: EventBus) {
    this.#ids = new RecordPublisher(bus, () => '');
  }

  /** The notice of instrument `id`, its records in layout `version` (with ts_out or not). */
  notice(id: number, version: number, tsOut: boolean): Outgoing {
    const symbol = this.symbols.get(id) ?? String(id);
    const product = productOf(symbol);
    const layout = version * 2 + (tsOut ? 1 : 0);
    this.products.add(product);
    this.#announced.set(id, layout);
    const data = encodeNotice({ instrumentId: id, version, tsOut, symbol });
    return { subject: `md.${product}.symbols`, data, msgId: `symbols.${id}.${layout}` };
  }

  /**
   * Appends to `out` the messages of record `index` of `batch`: its instrument's notice when due,
   * then the record (its bytes copied with `copy`, else a view valid until the batch moves on).
   */
  messages(batch: RecordBatch, index: number, out: Outgoing[], copy: boolean): void {
    const c = batch.at(index);
    const id = c.instrumentId;
    if (this.#announced.get(id) !== batch.version * 2 + (batch.tsOut ? 1 : 0))
      out.push(this.notice(id, batch.version, batch.tsOut));
    const start = c.pos;
    const end = start + c.byteLength;
    out.push({
      subject: recordSubject(this.symbols.get(id) ?? String(id), c.rtype),
      data: copy ? batch.bytes.slice(start, end) : batch.bytes.subarray(start, end),
      msgId: this.#ids.messageId(c),
    });
    const t = indexTsNs(c);
    if (this.lastNs === null || t > this.lastNs) this.lastNs = t;
    this.records++;
  }

  async publish(m: Outgoing): Promise<void> {
    const ack = await this.bus.publish(m.subject, m.data, { msgId: m.msgId });
    if (ack.duplicate) this.duplicates++;
    else this.stored++;
  }

  summary(): IngestSummary {
    const { records, stored, duplicates, lastNs } = this;
    return { records, stored, duplicates, products: [...this.products], lastNs };
  }
}

/** Publishes `files` (see the module comment). */
export async function ingestFiles(o: IngestOptions): Promise<IngestSummary> {
  const log = (o.logger ?? rootLogger()).child({ component: 'ingest' });
  const out = new MarketOut(o.bus);
  const { merged, decoders } = await openInputs(o.files, out.names);
  // Every instrument before the first record, as a replay names them all first (futures pair
  // with their spot pairs then).
  if (!merged.done) {
    for (const id of out.symbols.keys())
      await out.publish(out.notice(id, merged.batch.version, merged.batch.tsOut));
  }
  const speed = o.speed ?? 0;
  let firstNs = -1n;
  let wall0 = 0;
  const pending: Outgoing[] = [];
  const clock = o.clock;
  const signal = o.signal;
  while (!merged.done) {
    if (signal?.aborted) break;
    if (clock !== undefined) {
      const tMs = Number(indexTsNs(merged.cursor())) / 1e6;
      const due = clock.reach(tMs, signal);
      if (due !== null) await due;
      if (signal?.aborted) break;
    } else if (speed > 0) {
      const t = indexTsNs(merged.cursor());
      if (firstNs < 0n) {
        firstNs = t;
        wall0 = performance.now();
      }
      const ahead = wall0 + Number(t - firstNs) / 1e6 / speed - performance.now();
      if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    }
    out.messages(merged.batch, merged.index, pending, false);
    for (const m of pending) await out.publish(m);
    pending.length = 0;
    if ((out.records & 4095) === 0) o.onProgress?.(out.records);
    const loading = merged.next();
    if (loading) await loading;
  }
  if (!merged.done) await Promise.all(decoders.map((d) => d.close()));
  const lastNs = out.lastNs;
  if (lastNs !== null && signal?.aborted !== true) {
    for (const p of out.products)
      await out.publish({ subject: `md.${p}.end`, data: encodeEnd(lastNs), msgId: `md-end.${p}` });
  }
  o.onProgress?.(out.records);
  const summary = out.summary();
  log.info({ ...summary, lastNs: undefined }, 'ingested');
  return summary;
}

/** Options of `ingestFeed`. */
export interface IngestFeedOptions {
  readonly bus: EventBus;
  /** A live feed (Databento's gateway, IG's prices) or a paced replay. */
  readonly feed: Feed;
  readonly logger?: Logger;
  /** Records queued for the bus beyond which a replay waits (a live feed cannot; default 10,000). */
  readonly highWater?: number;
}

/**
 * Publishes what `feed` delivers until it ends or its signal stops it: each instrument announced
 * as the feed names it, before its first record, then its records in the order they came. A live
 * feed has no end: no end message is published. Records wait in order in memory while a publish
 * is under way (the bus down: retried with backoff); a replay waits past `highWater` of them, and
 * a live feed's backlog is logged as it grows.
 */
export async function ingestFeed(o: IngestFeedOptions): Promise<IngestSummary> {
  const log = (o.logger ?? rootLogger()).child({ component: 'ingest' });
  const out = new MarketOut(o.bus);
  const queue: Outgoing[] = [];
  const highWater = o.highWater ?? 10_000;
  let pumping: Promise<void> | null = null;
  let warned = highWater;
  const pump = async () => {
    while (queue.length > 0) {
      await out.publish(queue[0]);
      queue.shift();
    }
  };
  const kick = () => {
    pumping ??= pump().finally(() => {
      pumping = null;
      if (queue.length > 0) kick();
    });
  };
  const push = (batch: RecordBatch, index: number) => {
    out.messages(batch, index, queue, true);
    if (queue.length > warned) {
      warned *= 2;
      log.warn({ queued: queue.length }, 'the bus is behind the feed; records wait in memory');
    }
    kick();
  };
  const sink: FeedSink = {
    engine: out.names,
    push,
    warm: push,
    pending: () => (queue.length > highWater ? pumping : null),
  };
  const fed = await o.feed.run(sink);
  while (pumping !== null) await pumping;
  const summary = out.summary();
  log.info({ ...summary, lastNs: undefined, stopped: fed.stopped }, 'ingested');
  return summary;
}
