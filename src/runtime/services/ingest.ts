/**
 * `ingest`: DBN files onto the bus, merged by ts_recv as a replay reads them (data/replay.ts):
 * every instrument announced first (`md.P.symbols`), then each record on its product's subject,
 * then the end (`md.P.end`) of every product. Message ids are the records' own identities
 * (infra/bus/records.ts), so an ingest run again after a crash stores nothing twice.
 */
import { type Logger, rootLogger } from '../../core/index.js';
import type { RecordBatch } from '../../data/dbn/index.js';
import { openInputs } from '../../data/index.js';
import { type EventBus, RecordPublisher } from '../../infra/index.js';
import type { FeedSink } from '../file-feed.js';
import type { Feed } from '../session.js';
import { encodeEnd, encodeNotice, productOf, recordNs, recordSubject } from './market.js';

export interface IngestOptions {
  readonly bus: EventBus;
  readonly files: readonly string[];
  /** Replay at this many times real time, by ts_recv (default 0: as fast as the bus takes them). */
  readonly speed?: number;
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

/** Publishes `files` (see the module comment). */
export async function ingestFiles(o: IngestOptions): Promise<IngestSummary> {
  const log = (o.logger ?? rootLogger()).child({ component: 'ingest' });
  const symbols = new Map<number, string>();
  const sink = {
    setSymbol: (id: number, s: string) => void symbols.set(id, s),
    setTickSize: () => {},
    applyDefinition: () => {},
    apply: () => undefined,
    advance: () => {},
  };
  const { merged } = await openInputs(o.files, sink);
  const bus = o.bus;
  let stored = 0;
  let duplicates = 0;
  const count = (ack: { duplicate: boolean }) => {
    if (ack.duplicate) duplicates++;
    else stored++;
  };
  const products = new Set<string>();
  /** Layout announced per instrument: version * 2 + tsOut. */
  const announced = new Map<number, number>();
  const publisher = new RecordPublisher(bus, () => '');
  const announce = async (id: number, symbol: string, version: number, tsOut: boolean) => {
    const product = productOf(symbol);
    const layout = version * 2 + (tsOut ? 1 : 0);
    products.add(product);
    announced.set(id, layout);
    const notice = encodeNotice({ instrumentId: id, version, tsOut, symbol });
    count(await bus.publish(`md.${product}.symbols`, notice, { msgId: `symbols.${id}.${layout}` }));
  };
  // Every instrument before the first record, as a replay names them all first (futures pair
  // with their spot pairs then).
  if (!merged.done) {
    for (const [id, symbol] of symbols) await announce(id, symbol, merged.batch.version, merged.batch.tsOut);
  }
  let records = 0;
  let lastNs: bigint | null = null;
  const speed = o.speed ?? 0;
  let firstNs = -1n;
  let wall0 = 0;
  while (!merged.done) {
    const batch = merged.batch;
    const c = merged.cursor();
    const id = c.instrumentId;
    const symbol = symbols.get(id) ?? String(id);
    if (announced.get(id) !== batch.version * 2 + (batch.tsOut ? 1 : 0))
      await announce(id, symbol, batch.version, batch.tsOut);
    const t = recordNs(c);
    if (speed > 0) {
      if (firstNs < 0n) {
        firstNs = t;
        wall0 = performance.now();
      }
      const ahead = wall0 + Number(t - firstNs) / 1e6 / speed - performance.now();
      if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    }
    const start = c.pos;
    const bytes = batch.bytes.subarray(start, start + c.byteLength);
    count(await bus.publish(recordSubject(symbol, c.rtype), bytes, { msgId: publisher.messageId(c) }));
    if (lastNs === null || t > lastNs) lastNs = t;
    records++;
    if ((records & 4095) === 0) o.onProgress?.(records);
    const loading = merged.next();
    if (loading) await loading;
  }
  if (lastNs !== null) {
    for (const p of products)
      count(await bus.publish(`md.${p}.end`, encodeEnd(lastNs), { msgId: `md-end.${p}` }));
  }
  o.onProgress?.(records);
  log.info({ records, stored, duplicates, products: [...products] }, 'ingested');
  return { records, stored, duplicates, products: [...products], lastNs };
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
  const bus = o.bus;
  const symbols = new Map<number, string>();
  const announced = new Map<number, number>();
  const products = new Set<string>();
  const publisher = new RecordPublisher(bus, () => '');
  const queue: { subject: string; data: Uint8Array; msgId: string }[] = [];
  const highWater = o.highWater ?? 10_000;
  let stored = 0;
  let duplicates = 0;
  let records = 0;
  let lastNs: bigint | null = null;
  let pumping: Promise<void> | null = null;
  let warned = highWater;
  const pump = async () => {
    while (queue.length > 0) {
      const m = queue[0];
      const ack = await bus.publish(m.subject, m.data, { msgId: m.msgId });
      queue.shift();
      if (ack.duplicate) duplicates++;
      else stored++;
    }
  };
  const kick = () => {
    pumping ??= pump().finally(() => {
      pumping = null;
      if (queue.length > 0) kick();
    });
  };
  const push = (batch: RecordBatch, index: number) => {
    const c = batch.at(index);
    const id = c.instrumentId;
    const symbol = symbols.get(id) ?? String(id);
    const layout = batch.version * 2 + (batch.tsOut ? 1 : 0);
    if (announced.get(id) !== layout) {
      const product = productOf(symbol);
      products.add(product);
      announced.set(id, layout);
      const notice = encodeNotice({ instrumentId: id, version: batch.version, tsOut: batch.tsOut, symbol });
      queue.push({ subject: `md.${product}.symbols`, data: notice, msgId: `symbols.${id}.${layout}` });
    }
    const start = c.pos;
    queue.push({
      subject: recordSubject(symbol, c.rtype),
      data: batch.bytes.slice(start, start + c.byteLength),
      msgId: publisher.messageId(c),
    });
    const t = recordNs(c);
    if (lastNs === null || t > lastNs) lastNs = t;
    records++;
    if (queue.length > warned) {
      warned *= 2;
      log.warn({ queued: queue.length }, 'the bus is behind the feed; records wait in memory');
    }
    kick();
  };
  const sink: FeedSink = {
    engine: {
      setSymbol: (id, s) => void symbols.set(id, s),
      setTickSize: () => {},
      applyDefinition: () => {},
      apply: () => undefined,
      advance: () => {},
    },
    push,
    warm: push,
    pending: () => (queue.length > highWater ? pumping : null),
  };
  const summary = await o.feed.run(sink);
  while (pumping !== null) await pumping;
  log.info({ records, stored, duplicates, products: [...products], stopped: summary.stopped }, 'ingested');
  return { records, stored, duplicates, products: [...products], lastNs };
}
