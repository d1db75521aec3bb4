/**
 * A client of Databento's live gateway (the Raw API over TCP). It authenticates with a CRAM
 * challenge, subscribes, starts the session and decodes the binary DBN stream that follows
 * (metadata, then records) with our decoder, record by record, to a listener. Market-data records
 * go to `record`; the gateway's own records (heartbeats, system messages, errors, symbol
 * mappings) and the session's life (connected, metadata, disconnected, gap) go to `event`.
 *
 * The link is watched: no byte for twice the heartbeat interval plus a margin means it is dead.
 * A dropped or dead link is reconnected with growing pauses and the same subscriptions, which
 * replay from the last `ts_event` handed downstream (or, for an MBO snapshot subscription, open
 * with a fresh snapshot); records already delivered are recognised and dropped
 * (`DeliveredRecords`), and a `gap` event tells the consumer where the link broke and how the
 * records were recovered, so that a book can be marked or rebuilt. No record is passed on twice.
 *
 * Failures the client cannot mend are `DatabentoError`s naming the gateway and what it said:
 * authentication refused (`success=0|error=…`), error records before the gateway closed, a
 * control line or DBN stream the protocol does not allow (the `DbnError` with its byte offset
 * is the cause), or a link that cannot be re-established.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { ConfigError, UNDEF_TIMESTAMP } from '../../core/index.js';
import { DbnDecoder, DbnError, type Metadata, type RecordBatch, RType } from '../dbn/index.js';
import { DatabentoError } from './errors.js';
import { API_KEY_VARIABLE } from './historical.js';
import { DeadLinkWatch, Link } from './live-link.js';
import {
  authLine,
  checkSubscription,
  defaultGateway,
  formatGateway,
  type GatewayAddress,
  type LiveSubscription,
  parseControl,
  parseGateway,
  START_SESSION,
  startNs,
  subscriptionLines,
} from './live-protocol.js';
import { DeliveredRecords } from './live-replay.js';

/** How a dropped link is re-established. */
export interface ReconnectPolicy {
  /** Failed attempts in a row before the client gives up (default 10). */
  readonly maxAttempts?: number;
  /** Pause before the first attempt, doubled after each failed one (default 1000 ms). */
  readonly initialDelayMs?: number;
  /** The longest pause (default 30 000 ms). */
  readonly maxDelayMs?: number;
}

/** How the client reaches the gateway. */
export interface LiveOptions {
  /** `GLBX.MDP3`, … */
  readonly dataset: string;
  /** The API key; `DATABENTO_API_KEY` when not given. */
  readonly key?: string;
  /** `host:port` of the gateway; the dataset's own (`glbx-mdp3.lsg.databento.com:13000`) by default. */
  readonly gateway?: string | GatewayAddress;
  /** Seconds of silence after which the gateway sends a heartbeat (default 30, at least 5). */
  readonly heartbeatIntervalS?: number;
  /** Silence after which the link is taken for dead (default twice the heartbeat interval plus 5 s). */
  readonly deadLinkMs?: number;
  /** How long a connection may take to open (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Reconnection after a drop; `false` ends the run with an error instead. */
  readonly reconnect?: false | ReconnectPolicy;
  /** `name/version` sent to the gateway (default `scalper-engine/<package version>`). */
  readonly client?: string;
  /** What the gateway does when this client reads too slowly: `skip` or `warn` (the gateway's default otherwise). */
  readonly slowReaderBehavior?: 'skip' | 'warn';
}

/** How the records of one subscription come back after a reconnection. */
export type Recovery =
  /** Replayed from the last `ts_event` delivered: nothing is missing. */
  | 'replay'
  /** A fresh MBO snapshot: rebuild the book from it. */
  | 'snapshot'
  /** Live from the reconnection: what happened while the link was down is missing. */
  | 'live';

/** What happened to a live session, apart from its market-data records. */
export type LiveEvent =
  | {
      readonly type: 'connected';
      readonly gateway: string;
      readonly sessionId: string;
      readonly lsgVersion: string | null;
      /** 1 for the first session, 2 after the first reconnection, … */
      readonly session: number;
    }
  | {
      /** The session's DBN metadata, and its bytes as the gateway sent them. */
      readonly type: 'metadata';
      readonly metadata: Metadata;
      readonly bytes: Uint8Array;
      readonly session: number;
    }
  | { readonly type: 'heartbeat'; readonly tsEvent: bigint }
  | {
      /** A system record other than a heartbeat (subscription acknowledged, slow reader, …). */
      readonly type: 'system';
      readonly code: number | null;
      readonly message: string;
      readonly tsEvent: bigint;
      readonly bytes: Uint8Array;
    }
  | {
      /** An error record: the gateway refuses something (a symbol, a subscription). */
      readonly type: 'gateway-error';
      readonly code: number | null;
      readonly message: string;
      readonly isLast: boolean;
      readonly tsEvent: bigint;
      readonly bytes: Uint8Array;
    }
  | {
      /** Which instrument id a subscribed symbol stands for, from `start` to `end`. */
      readonly type: 'symbol-mapping';
      readonly instrumentId: number;
      readonly stypeInSymbol: string;
      readonly stypeOutSymbol: string;
      readonly start: bigint;
      readonly end: bigint;
      readonly tsEvent: bigint;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'disconnected'; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | {
      /**
       * The link broke after the record with `ts_event` `from` (null: before any record) and a new
       * session started at `to` (its metadata's start, ns); `recovery` says, per subscription id,
       * how the records in between come back.
       */
      readonly type: 'gap';
      readonly from: bigint | null;
      readonly to: bigint;
      readonly reason: string;
      readonly recovery: readonly Recovery[];
    };

/** Who is told about the records and events of a run. */
export interface LiveListener {
  /**
   * Each market-data record, once, in the order received: read it with `batch.at(index)` (or
   * `batch.toObject(index)` at the edges). The batch is valid only during the call.
   */
  record?(batch: RecordBatch, index: number): void;
  /** Everything else: the gateway's own records and the session's life. */
  event?(event: LiveEvent): void;
}

/** The client's counts, for progress and reports. */
export interface LiveStats {
  /** Market-data records handed to the listener. */
  readonly records: number;
  /** Records dropped as already delivered (replayed after a reconnection). */
  readonly duplicatesDropped: number;
  readonly heartbeats: number;
  /** Sessions opened (1 + reconnections). */
  readonly sessions: number;
}

const DEFAULT_HEARTBEAT_S = 30;
const MIN_HEARTBEAT_S = 5;
const DEAD_LINK_MARGIN_MS = 5000;

/** `scalper-engine/<version>` from package.json, read once. */
let clientName: string | undefined;
function defaultClient(): string {
  if (clientName === undefined) {
    try {
      const url = new URL('../../../../package.json', import.meta.url);
      clientName = `scalper-engine/${(JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version}`;
    } catch {
      clientName = 'scalper-engine';
    }
  }
  return clientName;
}

/** How one session ended, when it did not end in an error the client cannot mend. */
interface SessionEnd {
  /** Whether the session got as far as the gateway's metadata. */
  readonly established: boolean;
  /** Whether it brought anything new: a record not delivered before, or a heartbeat. */
  readonly progressed: boolean;
  readonly reason: string;
}

/**
 * A live session with reconnection. Subscribe, then `run` with a listener; `stop` ends the run
 * (its promise resolves), from a listener or from outside.
 *
 * ```ts
 * const live = new Live({ dataset: 'GLBX.MDP3' });
 * live.subscribe({ schema: 'mbp-10', stypeIn: 'parent', symbols: ['6E.FUT'] });
 * await live.run({ record: (batch, i) => book.apply(batch.at(i)), event: (e) => log(e) });
 * ```
 */
export class Live {
  readonly dataset: string;
  readonly gateway: GatewayAddress;
  readonly #key: string;
  readonly #heartbeatS: number;
  readonly #deadLinkMs: number;
  readonly #connectTimeoutMs: number;
  readonly #reconnect: Required<ReconnectPolicy> | null;
  readonly #client: string;
  readonly #slowReader: 'skip' | 'warn' | undefined;
  readonly #subs: LiveSubscription[] = [];
  readonly #delivered = new DeliveredRecords();
  #running = false;
  #stopped = false;
  #link: Link | null = null;
  #sleep: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  #first: Metadata | null = null;
  #records = 0;
  #heartbeats = 0;
  #sessions = 0;
  /** The gateway's error records in the current session. */
  #errors: string[] = [];

  constructor(opts: LiveOptions) {
    if (opts.dataset.trim() === '') throw new ConfigError('Live: the dataset is empty');
    const key = (opts.key ?? process.env[API_KEY_VARIABLE])?.trim();
    if (key === undefined || key === '') {
      throw new DatabentoError(
        'DATABENTO_NO_KEY',
        `No Databento API key: set ${API_KEY_VARIABLE} (the key from databento.com's portal, "db-…")`,
        { endpoint: 'live' },
      );
    }
    this.#key = key;
    this.dataset = opts.dataset;
    this.gateway =
      opts.gateway === undefined
        ? defaultGateway(opts.dataset)
        : typeof opts.gateway === 'string'
          ? parseGateway(opts.gateway)
          : opts.gateway;
    const hb = opts.heartbeatIntervalS ?? DEFAULT_HEARTBEAT_S;
    if (!Number.isInteger(hb) || hb < MIN_HEARTBEAT_S)
      throw new ConfigError(
        `Live: heartbeatIntervalS must be a whole number of seconds >= ${MIN_HEARTBEAT_S}, got ${hb}`,
      );
    this.#heartbeatS = hb;
    this.#deadLinkMs = opts.deadLinkMs ?? 2 * hb * 1000 + DEAD_LINK_MARGIN_MS;
    if (!(this.#deadLinkMs > 0))
      throw new ConfigError(`Live: deadLinkMs must be positive, got ${opts.deadLinkMs}`);
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#reconnect =
      opts.reconnect === false
        ? null
        : {
            maxAttempts: opts.reconnect?.maxAttempts ?? 10,
            initialDelayMs: opts.reconnect?.initialDelayMs ?? 1000,
            maxDelayMs: opts.reconnect?.maxDelayMs ?? 30_000,
          };
    this.#client = opts.client ?? defaultClient();
    this.#slowReader = opts.slowReaderBehavior;
  }

  /** `live host:port`, as errors name the gateway. */
  get endpoint(): string {
    return `live ${formatGateway(this.gateway)}`;
  }

  /** Adds a subscription (before `run`); returns its id, which `gap` events index `recovery` by. */
  subscribe(sub: LiveSubscription): number {
    if (this.#running) throw new ConfigError('Live: subscribe before run, not during it');
    checkSubscription(sub);
    this.#subs.push(sub);
    return this.#subs.length - 1;
  }

  get stats(): LiveStats {
    return {
      records: this.#records,
      duplicatesDropped: this.#delivered.dropped,
      heartbeats: this.#heartbeats,
      sessions: this.#sessions,
    };
  }

  /** Ends the run: closes the link and cancels a pending reconnection. `run` then resolves. */
  stop(): void {
    this.#stopped = true;
    this.#link?.close('stopped by the client');
    if (this.#sleep !== null) {
      clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
      this.#sleep = null;
    }
  }

  /**
   * Streams the subscriptions to `listener` until `stop` (resolves) or a failure the client
   * cannot mend (rejects with a `DatabentoError`). A link that breaks is reconnected per the
   * policy; the first connection is not retried (an address or key that does not work fails at once).
   */
  async run(listener: LiveListener): Promise<void> {
    if (this.#running) throw new ConfigError('Live: run is already going');
    if (this.#subs.length === 0) throw new ConfigError('Live: no subscription to run');
    this.#running = true;
    let failures = 0;
    let established = false;
    let gapReason: string | null = null;
    try {
      while (!this.#stopped) {
        const end = await this.#session(listener, gapReason);
        if (this.#stopped) return;
        // A session that opens and drops without bringing anything new is a failed attempt too,
        // or a gateway that accepts and drops at once would be reconnected to for ever.
        if (end.established) established = true;
        if (end.progressed) failures = 0;
        else failures++;
        this.#failUnlessRecoverable(end, established, failures);
        listener.event?.({ type: 'disconnected', reason: end.reason });
        const policy = this.#reconnect!;
        const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** failures);
        listener.event?.({ type: 'reconnecting', attempt: failures + 1, delayMs });
        await new Promise<void>((wake) => {
          this.#sleep = { timer: setTimeout(wake, delayMs), wake };
        });
        this.#sleep = null;
        // The gap is the break of the last session that opened, not the attempts that followed it.
        if (end.established || gapReason === null) gapReason = end.reason;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Throws when the session that just ended cannot be followed by another. */
  #failUnlessRecoverable(end: SessionEnd, established: boolean, failures: number): void {
    const where = `Databento live gateway ${formatGateway(this.gateway)}`;
    if (this.#errors.length > 0) {
      throw new DatabentoError(
        'DATABENTO_GATEWAY',
        `${where} reported ${this.#errors.map((e) => JSON.stringify(e)).join(', ')} and closed the session (${end.reason})`,
        { endpoint: this.endpoint, detail: this.#errors.join('; ') },
      );
    }
    if (!established) {
      throw new DatabentoError('DATABENTO_NETWORK', `${where}: ${end.reason}`, { endpoint: this.endpoint });
    }
    if (this.#reconnect === null) {
      throw new DatabentoError('DATABENTO_NETWORK', `${where}: the link was lost (${end.reason})`, {
        endpoint: this.endpoint,
      });
    }
    if (failures > this.#reconnect.maxAttempts) {
      throw new DatabentoError(
        'DATABENTO_NETWORK',
        `${where}: the link was lost and ${failures} attempts in a row to re-establish it brought nothing new (last: ${end.reason})`,
        { endpoint: this.endpoint },
      );
    }
  }

  /** Opens a connection; a `Link` that has ended (with its reason) when it cannot be opened. */
  #open(): Promise<Link> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.gateway.host, port: this.gateway.port });
      const link = new Link(socket);
      this.#link = link;
      const timer = setTimeout(
        () => link.close(`cannot connect: no answer within ${this.#connectTimeoutMs} ms`),
        this.#connectTimeoutMs,
      );
      const settle = () => {
        clearTimeout(timer);
        socket.off('connect', settle);
        resolve(link);
      };
      socket.once('connect', settle);
      link.onEnd = settle;
    });
  }

  /** One session: connect, authenticate, subscribe, stream until the link ends. */
  async #session(listener: LiveListener, gapReason: string | null): Promise<SessionEnd> {
    this.#errors = [];
    const link = await this.#open();
    link.onEnd = null;
    if (link.endReason !== null) {
      const reason = link.endReason.startsWith('cannot connect')
        ? link.endReason
        : `cannot connect: ${link.endReason}`;
      return { established: false, progressed: false, reason };
    }
    const watch = new DeadLinkWatch(link, this.#deadLinkMs, this.#heartbeatS);
    try {
      const sessionId = await this.#authenticate(link, listener);
      if (sessionId === null)
        return { established: false, progressed: false, reason: link.endReason ?? 'closed' };
      const recovery = this.#subscribe(link, gapReason !== null);
      return await this.#stream(link, listener, sessionId, gapReason, recovery);
    } finally {
      watch.stop();
      link.close('session over');
      if (this.#link === link) this.#link = null;
    }
  }

  /** Greeting, challenge, answer: the session id, or null when the link ended first. */
  async #authenticate(link: Link, listener: LiveListener): Promise<string | null> {
    const where = `Databento live gateway ${formatGateway(this.gateway)}`;
    const tooLong = (bytes: number) =>
      this.#protocolError(
        `${where} sent ${bytes} bytes of one line, more than a control line can hold (64 KiB)`,
      );
    let lsgVersion: string | null = null;
    let challenge: string | undefined;
    while (challenge === undefined) {
      const line = await link.readLine(tooLong);
      if (line === null) return null;
      const f = parseControl(line);
      if (f.has('lsg_version')) lsgVersion = f.get('lsg_version') ?? null;
      else if (f.has('cram')) challenge = f.get('cram');
      else
        throw this.#protocolError(
          `${where} sent ${JSON.stringify(line)} where a greeting or challenge (cram=…) belongs`,
        );
    }
    link.write(
      authLine({
        key: this.#key,
        challenge: challenge ?? '',
        dataset: this.dataset,
        heartbeatIntervalS: this.#heartbeatS,
        client: this.#client,
        slowReaderBehavior: this.#slowReader,
      }),
    );
    const line = await link.readLine(tooLong);
    if (line === null) return null;
    const f = parseControl(line);
    const success = f.get('success');
    if (success === '0') {
      const said = f.get('error') ?? '(no reason given)';
      throw new DatabentoError(
        'DATABENTO_AUTH',
        `${where} refused the authentication: ${JSON.stringify(said)}; check ${API_KEY_VARIABLE} and the dataset "${this.dataset}"`,
        { endpoint: this.endpoint, detail: said },
      );
    }
    if (success !== '1')
      throw this.#protocolError(
        `${where} answered the authentication with ${JSON.stringify(line)} (expected success=1 or success=0)`,
      );
    const sessionId = f.get('session_id') ?? '';
    this.#sessions++;
    listener.event?.({
      type: 'connected',
      gateway: formatGateway(this.gateway),
      sessionId,
      lsgVersion,
      session: this.#sessions,
    });
    return sessionId;
  }

  /**
   * Sends every subscription and starts the session. On a reconnection, those that do not open
   * with a snapshot replay from the last `ts_event` delivered (or from where the first session
   * began, when nothing was delivered yet): returns how each subscription's records come back.
   */
  #subscribe(link: Link, resumed: boolean): Recovery[] {
    const replaying = resumed && this.#subs.some((s) => s.snapshot !== true);
    const last = replaying ? this.#delivered.replayFromLast() : null;
    const firstStart =
      this.#first !== null && this.#first.start !== UNDEF_TIMESTAMP ? this.#first.start : undefined;
    const lines: string[] = [];
    const recovery: Recovery[] = [];
    this.#subs.forEach((sub, id) => {
      const start = !resumed ? startNs(sub) : (last ?? startNs(sub) ?? firstStart);
      lines.push(...subscriptionLines(sub, id, start));
      recovery.push(sub.snapshot === true ? 'snapshot' : start !== undefined ? 'replay' : 'live');
    });
    link.write(lines.join('') + START_SESSION);
    return recovery;
  }

  /** Decodes the DBN stream to the listener until the link ends; throws on a malformed stream. */
  async #stream(
    link: Link,
    listener: LiveListener,
    sessionId: string,
    gapReason: string | null,
    recovery: readonly Recovery[],
  ): Promise<SessionEnd> {
    const source = `Databento live gateway ${formatGateway(this.gateway)} (session ${sessionId || '?'})`;
    const decoder = DbnDecoder.fromStream(link, { eager: true, source });
    let established = false;
    const lastBefore = this.#delivered.last;
    const before = this.#records + this.#heartbeats;
    const end = (reason: string): SessionEnd => ({
      established,
      progressed: this.#records + this.#heartbeats > before,
      reason,
    });
    try {
      const metadata = await decoder.readMetadata();
      if (metadata === null) throw this.#protocolError(`${source} sent records without DBN metadata`);
      this.#checkMetadata(metadata, source);
      established = true;
      listener.event?.({ type: 'metadata', metadata, bytes: link.metadataBytes(), session: this.#sessions });
      if (gapReason !== null) {
        const to = metadata.start !== UNDEF_TIMESTAMP ? metadata.start : BigInt(Date.now()) * 1_000_000n;
        listener.event?.({ type: 'gap', from: lastBefore, to, reason: gapReason, recovery });
      }
      const version = metadata.version;
      for await (const batch of decoder) {
        if (this.#dispatch(batch, version, listener)) break;
      }
    } catch (err) {
      if (this.#stopped) return end('stopped');
      // An input that ends inside a record is a link that dropped mid-record, not a bad stream.
      // (The link itself never throws: any other error is the listener's, or a malformed stream.)
      if (
        link.exhausted &&
        err instanceof DbnError &&
        (err.code === 'TRUNCATED_RECORD' || err.code === 'TRUNCATED_HEADER')
      )
        return end(link.endReason ?? 'the link closed');
      if (err instanceof DbnError) {
        throw new DatabentoError('DATABENTO_PROTOCOL', `Malformed DBN stream from ${err.message}`, {
          endpoint: this.endpoint,
          requestId: sessionId,
          cause: err,
        });
      }
      throw err;
    } finally {
      await decoder.close();
    }
    return end(link.endReason ?? 'the link closed');
  }

  /** Hands one batch's records out; true once the client was stopped. */
  #dispatch(batch: RecordBatch, version: number, listener: LiveListener): boolean {
    const bytes = batch.bytes;
    const delivered = this.#delivered;
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offsets[i];
      const rtype = bytes[off + 1];
      if (rtype === RType.SYSTEM || rtype === RType.ERROR || rtype === RType.SYMBOL_MAPPING) {
        this.#gatewayRecord(batch, i, version, listener);
      } else {
        const cursor = batch.at(i);
        // An MBO snapshot is the book's state, sent again in full after each reconnection: it
        // is the recovery, never a duplicate.
        const snapshot = rtype === RType.MBO && (cursor.flags & SNAPSHOT_FLAG) !== 0;
        if (!snapshot && delivered.admit(bytes, off, bytes[off] << 2, cursor.tsEventHi, cursor.tsEventLo))
          continue;
        this.#records++;
        // An error record followed by records was about something the gateway went on without.
        if (this.#errors.length > 0) this.#errors = [];
        listener.record?.(batch, i);
      }
      if (this.#stopped) return true;
    }
    return false;
  }

  /** A system, error or symbol-mapping record as its event. */
  #gatewayRecord(batch: RecordBatch, i: number, version: number, listener: LiveListener): void {
    const off = batch.offsets[i];
    const rtype = batch.bytes[off + 1];
    const rec = batch.toObject(i) as unknown as Record<string, unknown> & { hd: { ts_event: bigint } };
    const bytes = batch.bytes.slice(off, off + (batch.bytes[off] << 2));
    const tsEvent = rec.hd.ts_event;
    const code = typeof rec.code === 'number' ? rec.code : null;
    if (rtype === RType.SYSTEM) {
      const message = String(rec.msg ?? '');
      // DBN v3 gives heartbeats code 0; earlier versions only say so in the text.
      if (message === 'Heartbeat' || (version >= 3 && code === 0)) {
        this.#heartbeats++;
        listener.event?.({ type: 'heartbeat', tsEvent });
      } else listener.event?.({ type: 'system', code, message, tsEvent, bytes });
    } else if (rtype === RType.ERROR) {
      const message = String(rec.err ?? '');
      this.#errors.push(message);
      listener.event?.({ type: 'gateway-error', code, message, isLast: rec.is_last !== 0, tsEvent, bytes });
    } else {
      listener.event?.({
        type: 'symbol-mapping',
        instrumentId: batch.at(i).instrumentId,
        stypeInSymbol: String(rec.stype_in_symbol ?? ''),
        stypeOutSymbol: String(rec.stype_out_symbol ?? ''),
        start: rec.start_ts as bigint,
        end: rec.end_ts as bigint,
        tsEvent,
        bytes,
      });
    }
  }

  /** A later session's metadata must describe records of the same layout as the first's. */
  #checkMetadata(m: Metadata, source: string): void {
    const first = this.#first;
    if (first === null) {
      this.#first = m;
      return;
    }
    if (m.version !== first.version || m.ts_out !== first.ts_out || m.dataset !== first.dataset) {
      throw this.#protocolError(
        `${source} reopened with DBN v${m.version} ${m.dataset}${m.ts_out ? ' with ts_out' : ''}, ` +
          `unlike the first session's DBN v${first.version} ${first.dataset}${first.ts_out ? ' with ts_out' : ''}`,
      );
    }
  }

  #protocolError(message: string): DatabentoError {
    return new DatabentoError('DATABENTO_PROTOCOL', message, { endpoint: this.endpoint });
  }
}

/** The `flags` bit of a record that belongs to a snapshot. */
const SNAPSHOT_FLAG = 1 << 5;
