/**
 * `ingest`: DBN files onto the bus, merged by ts_recv as a replay reads them (data/replay.ts):
 * every instrument announced first (`md.P.symbols`), then each record on its product's subject,
 * then the end (`md.P.end`) of every product. Message ids are the records' own identities
 * (infra/bus/records.ts), so an ingest run again after a crash stores nothing twice.
 */
import { type Logger, rootLogger } from '../../core/index.js';
import { openInputs } from '../../data/index.js';
import { type EventBus, RecordPublisher } from '../../infra/index.js';
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
