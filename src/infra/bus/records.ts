/**
 * Market data on the bus: DBN records as they are, one message per record.
 *
 * One message per record rather than per decoded batch, because batch boundaries depend on the
 * decoder's chunk size (the same file read twice gives other batches, so a batch has no stable
 * identity to deduplicate a republish by), a batch mixes instruments that belong on different
 * subjects, and a consumer's position, replay from a sequence and redelivery then all count market
 * events. The cost is one message (and, on JetStream, one acknowledgement round trip) per record;
 * the hot path stays in-process and NATS carries fan-out and recording (INTEGRATIONS.md §5).
 *
 * A message is the record's bytes exactly (header, body and ts_out when the stream has it), in the
 * layout version of the batch it came from: a consumer reads it with a `DbnDecoder` over a
 * fragment (`{ version, tsOut }`), or copies it into its own batch buffer.
 *
 * The message id is `publisher.instrument.rtype.ts_recv.sequence.n`: Databento's identity of a
 * venue message (ts_recv and the venue sequence, ts_event for records without ts_recv) by
 * instrument and record type, and `n` counting records that share all of those (one CME packet
 * gives a trade, its fills and cancels with one sequence). The same input republished after a
 * crash gives the same ids, so the stream stores nothing twice.
 */
import type { RecordBatch, RecordCursor } from '../../data/index.js';
import { indexTsNs } from '../../data/index.js';
import type { EventBus } from './types.js';

/** The subject a record goes to, usually `busSubject('md', product, schema)` by instrument id. */
export type RecordSubject = (record: RecordCursor) => string;

/** Counts of what `RecordPublisher.publish` did. */
export interface RecordPublishResult {
  /** Records stored as new messages. */
  readonly stored: number;
  /** Records the stream already held (a republish). */
  readonly duplicates: number;
}

/** Publishes the records of decoded batches, in order, one message each. */
export class RecordPublisher {
  readonly #bus: EventBus;
  readonly #subjectOf: RecordSubject;
  /** Last identity seen per publisher, instrument and rtype, and how many records had it. */
  readonly #last = new Map<string, { id: string; n: number }>();

  constructor(bus: EventBus, subjectOf: RecordSubject) {
    this.#bus = bus;
    this.#subjectOf = subjectOf;
  }

  /** The message id of the record under the cursor (advances the occurrence count). */
  messageId(c: RecordCursor): string {
    const stream = `${c.publisherId}.${c.instrumentId}.${c.rtype}`;
    const ts = indexTsNs(c);
    const id = `${stream}.${ts}.${c.sequence}`;
    const last = this.#last.get(stream);
    let n = 0;
    if (last !== undefined && last.id === id) n = ++last.n;
    else this.#last.set(stream, { id, n: 0 });
    return `${id}.${n}`;
  }

  /** Publishes every record of `batch`, one after another (per-subject order is publish order). */
  async publish(batch: RecordBatch): Promise<RecordPublishResult> {
    let stored = 0;
    let duplicates = 0;
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      const start = c.pos;
      const bytes = batch.bytes.subarray(start, start + c.byteLength);
      const subject = this.#subjectOf(c);
      const msgId = this.messageId(c);
      const ack = await this.#bus.publish(subject, bytes, { msgId });
      if (ack.duplicate) duplicates++;
      else stored++;
    }
    return { stored, duplicates };
  }
}
