/**
 * A local Databento live gateway for the live client's tests: a TCP server on 127.0.0.1 (a free
 * port) speaking the Raw API as Databento documents it (INTEGRATIONS.md §2): it greets
 * (`lsg_version=…`), challenges (`cram=…`), checks the answer against the SHA-256 of
 * `challenge|key` and the key's last five characters, reads subscription lines up to
 * `start_session=0`, then sends a DBN stream: the served file's metadata as it is, a
 * symbol-mapping record per mapping, and the file's records from the subscription's `start`
 * (intraday replay: every record whose `ts_event` is at or after it). Idle, it sends heartbeats.
 *
 * Each connection follows the next plan of `plans` (the last one repeats): refuse the
 * authentication, drop the connection after n records (optionally inside the next record), go
 * silent, send garbage or an error record. Every connection and control line is logged for the
 * tests to check what the client sent. Written from the protocol's description, not from the
 * client: the challenge's answer is computed here independently.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { layoutFor, RType } from '../src/data/dbn/index.js';
import { type DbnRecord, encodeRecord } from '../src/data/dbn/record.js';

/** What the gateway does on one connection. */
export interface ConnectionPlan {
  /** Close the connection as soon as it opens, before the greeting. */
  readonly hangUp?: boolean;
  /** Answer the authentication with `success=0|error=<this>` and close. */
  readonly refuse?: string;
  /** Close the connection after sending this many records (counted after the `start` filter). */
  readonly dropAfter?: number;
  /** With `dropAfter`: send the first half of the next record before closing. */
  readonly dropInsideRecord?: boolean;
  /** Send nothing more, not even heartbeats, after this many records (the socket stays open). */
  readonly silentAfter?: number;
  /** After this many records, send 16 bytes of a record header whose length fits no record. */
  readonly garbageAfter?: number;
  /** After this many records, send an error record with this text and close. */
  readonly errorAfter?: { readonly records: number; readonly message: string };
  /** After `start_session=0`, send this text instead of the DBN stream. */
  readonly notDbn?: string;
  /** Answer the challenge line with this line instead of `cram=…`. */
  readonly badChallenge?: string;
}

/** One connection as the gateway saw it. */
export interface ConnectionLog {
  /** Every control line the client sent, without its newline, in order. */
  readonly lines: string[];
  /** The challenge sent. */
  challenge: string;
  /** The fields of the client's authentication line. */
  auth: Map<string, string> | null;
  /** The fields of each subscription line. */
  readonly subscriptions: Map<string, string>[];
  /** Whether `start_session=0` came. */
  started: boolean;
  /** Market records sent (after the start filter). */
  recordsSent: number;
  heartbeatsSent: number;
}

/** How the gateway is set up. */
export interface GatewayOptions {
  /** The only API key it accepts. */
  readonly key: string;
  /** The DBN stream served (a whole file: metadata, then records; uncompressed). */
  readonly dbn: Uint8Array;
  /** Heartbeat period when idle (default: the client's heartbeat_interval_s). */
  readonly heartbeatMs?: number;
  /** One plan per connection, in order; the last repeats. Default: serve everything, then heartbeats. */
  readonly plans?: readonly ConnectionPlan[];
  /** Split every write into pieces of this many bytes (default: whole records). */
  readonly chunkBytes?: number;
}

/** The served file cut into metadata and records. */
interface Served {
  readonly metadata: Uint8Array;
  readonly version: number;
  readonly dataset: string;
  readonly records: { readonly bytes: Uint8Array; readonly tsEvent: bigint }[];
  readonly mappings: { readonly raw: string; readonly id: string }[];
}

function readCstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(off, end)).toString('latin1');
}

/** Cuts a DBN v2/v3 file into its metadata and records, by the format's own lengths. */
function cut(dbn: Uint8Array): Served {
  const dv = new DataView(dbn.buffer, dbn.byteOffset, dbn.byteLength);
  if (readCstr(dbn, 0, 3) !== 'DBN' || dbn[3] < 2)
    throw new Error('the test gateway serves DBN v2 or v3 files');
  const end = 8 + dv.getUint32(4, true);
  const cstr = dv.getUint16(8 + 16 + 2 + 8 * 3 + 3, true);
  // Variable part after the 100-byte fixed part and schema_definition_length: symbols, partial,
  // not_found (count + strings), then mappings.
  let p = 8 + 100 + 4;
  for (let k = 0; k < 3; k++) p += 4 + dv.getUint32(p, true) * cstr;
  const mappings: { raw: string; id: string }[] = [];
  const count = dv.getUint32(p, true);
  p += 4;
  for (let m = 0; m < count; m++) {
    const raw = readCstr(dbn, p, cstr);
    p += cstr;
    const intervals = dv.getUint32(p, true);
    p += 4;
    for (let k = 0; k < intervals; k++) {
      mappings.push({ raw, id: readCstr(dbn, p + 8, cstr) });
      p += 8 + cstr;
    }
  }
  const records: { bytes: Uint8Array; tsEvent: bigint }[] = [];
  for (let o = end; o < dbn.length; o += dbn[o] * 4) {
    records.push({ bytes: dbn.subarray(o, o + dbn[o] * 4), tsEvent: dv.getBigUint64(o + 8, true) });
  }
  return {
    metadata: dbn.subarray(0, end),
    version: dbn[3],
    dataset: readCstr(dbn, 8, 16),
    records,
    mappings,
  };
}

/** One record of the gateway's own (system, error, symbol mapping) in the served version's layout. */
function gatewayRecord(
  version: number,
  rtype: number,
  fields: Record<string, unknown>,
  instrumentId = 0,
): Uint8Array {
  const layout = layoutFor(rtype, version)!;
  const out = new Uint8Array(layout.size);
  const rec = {
    hd: { length: layout.size / 4, rtype, publisher_id: 0, instrument_id: instrumentId, ts_event: nowNs() },
    ...fields,
  } as unknown as DbnRecord;
  encodeRecord(rec, layout, out, 0);
  return out;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** A running test gateway. */
export class TestGateway {
  readonly #server: Server;
  readonly #opts: GatewayOptions;
  readonly #served: Served;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Every connection, in order. */
  readonly connections: ConnectionLog[] = [];

  private constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.#served = cut(opts.dbn);
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** Starts a gateway on a free port of 127.0.0.1. */
  static async start(opts: GatewayOptions): Promise<TestGateway> {
    const g = new TestGateway(opts);
    await new Promise<void>((resolve) => g.#server.listen(0, '127.0.0.1', resolve));
    return g;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Closes every connection and the server, and clears every timer. */
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    const plans = this.#opts.plans ?? [{}];
    const plan = plans[Math.min(this.connections.length, plans.length - 1)];
    const log: ConnectionLog = {
      lines: [],
      challenge: randomBytes(8).toString('hex'),
      auth: null,
      subscriptions: [],
      started: false,
      recordsSent: 0,
      heartbeatsSent: 0,
    };
    this.connections.push(log);
    if (plan.hangUp === true) {
      socket.destroy();
      return;
    }
    socket.write('lsg_version=0.0.0-test\n');
    socket.write(plan.badChallenge !== undefined ? `${plan.badChallenge}\n` : `cram=${log.challenge}\n`);
    let pending = '';
    let streaming = false;
    socket.on('data', (chunk: Buffer) => {
      if (streaming) return;
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0 && !streaming; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        log.lines.push(line);
        streaming = this.#control(socket, log, plan, line);
      }
    });
  }

  /** Handles one control line; true once the session has started. */
  #control(socket: Socket, log: ConnectionLog, plan: ConnectionPlan, line: string): boolean {
    const fields = new Map(
      line.split('|').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    if (log.auth === null) {
      log.auth = fields;
      const key = this.#opts.key;
      const expected = `${createHash('sha256').update(`${log.challenge}|${key}`).digest('hex')}-${key.slice(-5)}`;
      let error: string | undefined = plan.refuse;
      if (fields.get('auth') !== expected) error = 'Authentication failed.';
      else if (fields.get('dataset') !== this.#served.dataset)
        error = `Unknown dataset ${fields.get('dataset')}`;
      else if (fields.get('encoding') !== 'dbn' || fields.get('compression') !== 'none')
        error = 'Unsupported encoding';
      if (error !== undefined) {
        socket.end(`success=0|error=${error}\n`);
        return true;
      }
      socket.write(`success=1|session_id=${this.connections.length}\n`);
      return false;
    }
    if (fields.has('start_session')) {
      log.started = true;
      void this.#serve(socket, log, plan);
      return true;
    }
    log.subscriptions.push(fields);
    return false;
  }

  /** Sends the DBN stream per the plan, then heartbeats while the connection lasts. */
  async #serve(socket: Socket, log: ConnectionLog, plan: ConnectionPlan): Promise<void> {
    const served = this.#served;
    const v = served.version;
    const write = (bytes: Uint8Array) => {
      const step = this.#opts.chunkBytes ?? bytes.length;
      for (let o = 0; o < bytes.length; o += step)
        socket.write(bytes.subarray(o, Math.min(bytes.length, o + step)));
    };
    if (plan.notDbn !== undefined) {
      write(Buffer.from(plan.notDbn));
      return;
    }
    write(served.metadata);
    for (const m of served.mappings) {
      write(
        gatewayRecord(
          v,
          RType.SYMBOL_MAPPING,
          {
            stype_in: 4,
            stype_in_symbol: m.raw,
            stype_out: 0,
            stype_out_symbol: m.id,
            start_ts: 0n,
            end_ts: 0n,
          },
          Number(m.id),
        ),
      );
    }
    const starts = log.subscriptions.map((s) => s.get('start')).filter((s): s is string => s !== undefined);
    // Several subscriptions replay from the earliest start among them.
    const start: bigint | undefined = starts.map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
    const records = start === undefined ? served.records : served.records.filter((r) => r.tsEvent >= start);
    for (const r of records) {
      const n = log.recordsSent;
      if (n === plan.dropAfter) {
        if (plan.dropInsideRecord === true) write(r.bytes.subarray(0, r.bytes.length >> 1));
        socket.end();
        return;
      }
      if (n === plan.silentAfter) return;
      if (n === plan.garbageAfter) {
        const bad = new Uint8Array(16);
        bad[0] = 3; // 12 bytes: shorter than a record header
        bad[1] = served.records[0].bytes[1];
        write(bad);
        return;
      }
      if (n === plan.errorAfter?.records) {
        write(gatewayRecord(v, RType.ERROR, { err: plan.errorAfter.message, code: 4, is_last: 1 }));
        socket.end();
        return;
      }
      write(r.bytes);
      log.recordsSent++;
      // Let the bytes go out as they would from a live feed, not in one burst.
      await new Promise((resolve) => setImmediate(resolve));
      if (socket.destroyed) return;
    }
    if (log.recordsSent === plan.dropAfter) {
      socket.end();
      return;
    }
    if (log.recordsSent === plan.silentAfter) return;
    const period = this.#opts.heartbeatMs ?? Number(log.auth?.get('heartbeat_interval_s') ?? 30) * 1000;
    const timer = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(timer);
        this.#timers.delete(timer);
        return;
      }
      write(gatewayRecord(v, RType.SYSTEM, { msg: 'Heartbeat', code: 0 }));
      log.heartbeatsSent++;
    }, period);
    this.#timers.add(timer);
    socket.on('close', () => {
      clearInterval(timer);
      this.#timers.delete(timer);
    });
  }
}
