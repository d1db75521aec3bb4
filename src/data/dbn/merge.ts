/**
 * Several DBN inputs as one stream in time order (CONVENTIONS.md): by ts_recv, Databento's index
 * time (ts_event for records without one), ties by input order then by position in the input; a
 * record's own order is kept. A k-way merge over the decoders' batches: memory holds one batch
 * per input, and the per-record step is synchronous except when an input needs its next batch.
 *
 * An input is read (and its read-ahead started) only once the merge reaches its first record:
 * the days of a month's backtest are read one after another, not all at once.
 */
import type { RecordCursor } from './cursor.js';
import type { DbnDecoder, RecordBatch } from './decoder.js';
import { layoutFor } from './layouts.js';

const TS_RECV = new Uint8Array(256);
for (let rt = 0; rt < 256; rt++) {
  if (layoutFor(rt, 3)?.fields.some((f) => f.name === 'ts_recv')) TS_RECV[rt] = 1;
}

/** Does a record of `rtype` carry ts_recv (the index timestamp)? */
export function hasTsRecv(rtype: number): boolean {
  return TS_RECV[rtype] === 1;
}

/** The index time of the record under `c`: its ts_recv, or its ts_event when it has none (ns). */
export function indexTsNs(c: RecordCursor): bigint {
  return hasTsRecv(c.rtype) ? c.tsRecv : c.tsEvent;
}

class Input {
  #it: AsyncIterator<RecordBatch> | null = null;
  batch: RecordBatch | null = null;
  i = 0;
  hi = 0;
  lo = 0;

  constructor(
    readonly index: number,
    readonly decoder: DbnDecoder,
  ) {}

  /** Sets the key to the input's first record, unread (false when that cannot be known ahead). */
  async peek(): Promise<boolean> {
    const c = await this.decoder.peekFirst();
    if (c === null) return false;
    // As `key` reads it (that method stays small: it runs once a record).
    const recv = TS_RECV[c.rtype] === 1;
    this.hi = recv ? c.tsRecvHi : c.tsEventHi;
    this.lo = recv ? c.tsRecvLo : c.tsEventLo;
    return true;
  }

  async load(): Promise<boolean> {
    if (this.#it === null) this.#it = this.decoder[Symbol.asyncIterator]();
    for (;;) {
      const r = await this.#it.next();
      if (r.done) {
        this.batch = null;
        return false;
      }
      if (r.value.count > 0) {
        this.batch = r.value;
        this.i = 0;
        this.key();
        return true;
      }
    }
  }

  key(): void {
    const c = (this.batch as RecordBatch).at(this.i);
    // The low half read as its signed word and made unsigned here, where it is stored (see
    // `RecordCursor.tsRecvLoBits`): no heap number a record.
    if (TS_RECV[c.rtype] === 1) {
      this.hi = c.tsRecvHi;
      this.lo = c.tsRecvLoBits >>> 0;
    } else {
      this.hi = c.tsEventHi;
      this.lo = c.tsEventLoBits >>> 0;
    }
  }
}

/**
 * The merged stream. `cursor()` is the current record; `next()` moves on and returns a promise
 * only when an input had to load a batch:
 *
 * ```ts
 * const m = await MergedRecords.open(files.map((f) => DbnDecoder.fromFile(f)));
 * while (!m.done) {
 *   engine.apply(m.cursor());
 *   const p = m.next();
 *   if (p) await p;
 * }
 * ```
 */
export class MergedRecords {
  readonly #live: Input[];
  // Inputs not read yet, by their first record's key: each joins when the merge reaches it.
  readonly #pending: Input[];
  #cur: Input | null = null;
  // The first key among the other inputs: while the current input's records come before it, they
  // follow one another without looking at the others (one comparison per record).
  #boundHi = 0;
  #boundLo = 0;
  #boundIndex = 0;

  private constructor(live: Input[], pending: Input[]) {
    this.#live = live;
    this.#pending = pending;
  }

  /**
   * Starts the merge: the first record of each input is looked at, and the inputs whose first
   * record comes first are read (the others when the merge reaches them).
   */
  static async open(decoders: readonly DbnDecoder[]): Promise<MergedRecords> {
    const live: Input[] = [];
    const pending: Input[] = [];
    try {
      for (let k = 0; k < decoders.length; k++) {
        const input = new Input(k, decoders[k]);
        if (await input.peek()) pending.push(input);
        else if (await input.load()) live.push(input);
      }
      pending.sort((a, b) => (before(a, b) ? -1 : 1));
      const m = new MergedRecords(live, pending);
      await m.#settle();
      return m;
    } catch (e) {
      // An input that cannot be read leaves none of the others open.
      await Promise.all(decoders.map((d) => d.close().catch(() => {})));
      throw e;
    }
  }

  /** No record left. */
  get done(): boolean {
    return this.#cur === null;
  }

  /** The current record (a reused cursor, valid until `next`). */
  cursor(): RecordCursor {
    const c = this.#cur as Input;
    return (c.batch as RecordBatch).at(c.i);
  }

  /** The current record's batch and index in it (to materialise it with `batch.toObject(index)`). */
  get batch(): RecordBatch {
    return (this.#cur as Input).batch as RecordBatch;
  }
  get index(): number {
    return (this.#cur as Input).i;
  }
  /** Which input (0-based, in the order given) the current record comes from. */
  get input(): number {
    return (this.#cur as Input).index;
  }
  /** The merge key of the current record: its index time as unsigned 32-bit halves. */
  get keyHi(): number {
    return (this.#cur as Input).hi;
  }
  get keyLo(): number {
    return (this.#cur as Input).lo;
  }

  /** Moves to the next record; returns a promise to await when an input loads its next batch. */
  next(): Promise<void> | null {
    const cur = this.#cur as Input;
    if (++cur.i < (cur.batch as RecordBatch).count) {
      cur.key();
      const bHi = this.#boundHi;
      if (
        cur.hi < bHi ||
        (cur.hi === bHi &&
          (cur.lo < this.#boundLo || (cur.lo === this.#boundLo && cur.index < this.#boundIndex)))
      )
        return null;
      return this.#pick() ? null : this.#settle();
    }
    return this.#reload(cur);
  }

  /**
   * `cur`'s next batch, then the input that comes first. Its own method: a closure in `next` would
   * capture `cur`, and V8 then allocates a context on every call of `next`, once a record.
   */
  async #reload(cur: Input): Promise<void> {
    if (!(await cur.load())) this.#live.splice(this.#live.indexOf(cur), 1);
    await this.#settle();
  }

  /** Picks the input that comes first, reading first the pending inputs the merge has reached. */
  async #settle(): Promise<void> {
    while (!this.#pick()) await this.#admit();
  }

  /** Reads the first pending input (its first batch) and makes it live. */
  async #admit(): Promise<void> {
    const input = this.#pending.shift() as Input;
    if (await input.load()) this.#live.push(input);
  }

  /**
   * The input whose current record comes first (ties go to the earlier input), and the bound up to
   * which its records follow one another. False when a pending input's first record comes first
   * (or as first as it): it must be read (`#admit`) and the pick made again.
   */
  #pick(): boolean {
    const live = this.#live;
    const waiting = this.#pending.length > 0 ? this.#pending[0] : null;
    if (live.length === 0) {
      this.#cur = null;
      return waiting === null;
    }
    let best = live[0];
    let second: Input | null = null;
    for (let k = 1; k < live.length; k++) {
      const s = live[k];
      if (before(s, best)) {
        second = best;
        best = s;
      } else if (second === null || before(s, second)) second = s;
    }
    if (waiting !== null) {
      if (before(waiting, best)) return false;
      if (second === null || before(waiting, second)) second = waiting;
    }
    this.#cur = best;
    if (second === null) {
      // Alone: every record of this input comes next (keys are unsigned 32-bit halves).
      this.#boundHi = 2 ** 32;
      this.#boundLo = 0;
      this.#boundIndex = 0;
    } else {
      this.#boundHi = second.hi;
      this.#boundLo = second.lo;
      this.#boundIndex = second.index;
    }
    return true;
  }
}

/** Whether `a`'s current record comes before `b`'s: by key, ties to the earlier input. */
function before(a: Input, b: Input): boolean {
  return a.hi < b.hi || (a.hi === b.hi && (a.lo < b.lo || (a.lo === b.lo && a.index < b.index)));
}
