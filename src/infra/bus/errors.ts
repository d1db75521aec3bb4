import { EngineError } from '../../core/index.js';

/**
 * Why the event bus refused or failed:
 * - `BUS_SUBJECT`: a subject or filter that is malformed or outside the bus's subjects;
 * - `BUS_OPTION`: an option outside its domain (a durable name with a dot, a zero ack wait);
 * - `BUS_CONSUMER`: a durable that exists with another filter, or is already read by this bus;
 * - `BUS_CONNECT`: no NATS server answered within the connect timeout;
 * - `BUS_PUBLISH`: a publish was not acknowledged within its timeout, retries included;
 * - `BUS_STREAM`: the stream could not be created, updated or read;
 * - `BUS_CLOSED`: a call after `close()`.
 */
export type BusErrorCode =
  | 'BUS_SUBJECT'
  | 'BUS_OPTION'
  | 'BUS_CONSUMER'
  | 'BUS_CONNECT'
  | 'BUS_PUBLISH'
  | 'BUS_STREAM'
  | 'BUS_CLOSED';

/** An event bus problem, naming the bus (`memory` or the JetStream stream) in its message. */
export class BusError extends EngineError {
  declare readonly code: BusErrorCode;
  constructor(
    code: BusErrorCode,
    readonly bus: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `bus ${JSON.stringify(bus)}: ${detail}`, options);
  }
}
