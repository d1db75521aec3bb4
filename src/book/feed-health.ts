/**
 * Whether each instrument's market data can be traded on: a monitor fed every record (after its
 * book applied it) and a clock, that says per instrument "trusted" or why not, reports each
 * transition and counts what it saw for the metrics.
 *
 * The data of an instrument is untrusted while any of these holds:
 * - `unbuilt`: no snapshot (MBO) or whole-book record (MBP) has built its book yet;
 * - `gap` / `reordered`: its sequence numbers show a lost or a reordered venue message (see
 *   `SequenceRule` for when a jump is a loss);
 * - `maybe-bad-book`: a record carried F_MAYBE_BAD_BOOK, Databento's mark that it "detected an
 *   unrecoverable gap in the channel" (databento/dbn `flags::MAYBE_BAD_BOOK`);
 * - `link`: the live link dropped (`disconnected`) and what it missed has not come back;
 * - `stale`: no record of it for `staleAfterMs` while the market is open (`check`);
 * - `crossed`: its consistent book shows best bid >= best ask (CME pre-open; never traded).
 *
 * The first four are cleared only by a rebuild of the book: for an L3 (MBO) book a fresh snapshot,
 * the records flagged F_SNAPSHOT from the clear through the one with F_LAST, begun after the data
 * went bad and itself clean (no F_MAYBE_BAD_BOOK in it, no link drop during it); for an L2
 * (MBP-10, MBP-1) book the next record with F_LAST and without F_MAYBE_BAD_BOOK, because every
 * such record carries the whole visible book and the L2 book replaces its state with it
 * (l2-book.ts), so nothing missed survives it. A stale episode ends with the next record of the
 * instrument (or when the market closes: silence is then expected); a crossed one with the next
 * consistent book that is not crossed.
 *
 * Out-of-order timestamps are reported and counted but do not untrust on their own: Databento
 * guarantees `ts_recv` monotonic per symbol, so a step back (without F_BAD_TS_RECV) means our own
 * merging or replay reordered records, and leaves `ts_event` as the venue sent it ("any
 * non-monotonicity in the original data will remain"; Databento, Common fields: ts_event, ts_recv).
 * A reordering that matters to the book shows in the sequence numbers, which do untrust. Snapshot
 * records are left out of both checks: their `ts_event` is each order's entry time.
 *
 * Records of instruments are told apart by instrument id alone: CME data has one publisher per
 * instrument; a dataset with several publishers of one instrument needs one monitor per publisher.
 *
 * Hot path: `update` reads the cursor and compares numbers; it allocates only when it reports.
 * Time: `update` takes it from the records, `check` from the caller's clock; nothing here reads the
 * wall clock.
 */
import { globexOpen, InvalidOptionError, requirePositive, u64FromHalves } from '../core/index.js';
import { Action, Flags, hasTsRecv, type RecordCursor, RType } from '../data/dbn/index.js';
import type { BookView } from './book-view.js';

/** Why an instrument's data is not trusted (see the module's comment). */
export type TrustReason = 'unbuilt' | 'gap' | 'reordered' | 'maybe-bad-book' | 'link' | 'stale' | 'crossed';

/** Every reason, in the order `reasons` lists them. */
export const TRUST_REASONS: readonly TrustReason[] = [
  'unbuilt',
  'gap',
  'reordered',
  'maybe-bad-book',
  'link',
  'stale',
  'crossed',
];

/**
 * What a record's `sequence` says about loss:
 * - `channel` (Databento GLBX.MDP3, and our simulator): the number is the venue's message sequence
 *   of the whole channel (Databento: "the message sequence number assigned at the venue"), one
 *   counter for every instrument of the channel, shared by the records of one message. A stream
 *   of some instruments skips the numbers of the others' messages (the real ESM4 fixture steps by
 *   2 five times in 195 live records, where nothing is lost), so a jump is no evidence of a gap:
 *   Databento, which reads the whole channel, marks a loss with F_MAYBE_BAD_BOOK. A step back is
 *   evidence, of a reordered or replayed message: `reordered`.
 * - `contiguous`: the stream numbers each instrument's messages on their own (a single-instrument
 *   channel, a per-instrument sequence such as MDP 3.0's RptSeq, a whole channel under one
 *   instrument id): a jump by more than one is a `gap`, a step back `reordered`, an equal number
 *   another record of the same message.
 * - `none`: the numbers mean nothing (IG quotes, bars).
 * A venue restarts its numbering only across a session break (CME: weekly), so after an hour
 * without a record of the instrument (the shortest CME break), after a clear (`R`) and after a
 * snapshot the next number starts a new count.
 */
export type SequenceRule = 'channel' | 'contiguous' | 'none';

/** Options of a `FeedHealth`. */
export interface FeedHealthOptions {
  /** See `SequenceRule` (default `channel`). */
  readonly sequence?: SequenceRule;
  /** No record of an instrument for this long while the market is open: stale, ms (default 5000). */
  readonly staleAfterMs?: number;
  /** L3 (MBO) books are trusted only once a snapshot built them (default true). */
  readonly requireSnapshot?: boolean;
  /** A crossed or locked consistent book untrusts its instrument (default true). */
  readonly crossedUntrusts?: boolean;
  /** Whether the market is open at a time in ms (default: `globexOpen` of core/calendar.ts). */
  readonly isOpen?: (ms: number) => boolean;
  /** Told of every transition and every out-of-order record, synchronously. */
  readonly onEvent?: (e: FeedHealthEvent) => void;
}

/** What the monitor reports. */
export type FeedHealthEvent =
  | {
      /** A reason became active (the data may already have been untrusted for another). */
      readonly kind: 'untrusted';
      readonly instrumentId: number;
      /** The record's ts_recv, or the time given to `check`, `disconnected`, ns. */
      readonly atNs: bigint;
      readonly reason: TrustReason;
      readonly detail: string;
      /** For `gap` and `reordered`: the sequence number expected (the least acceptable) and the one seen. */
      readonly expected?: number;
      readonly got?: number;
    }
  | {
      /** Every reason cleared: the data is trusted again; `detail` says what cleared the last one. */
      readonly kind: 'trusted';
      readonly instrumentId: number;
      readonly atNs: bigint;
      readonly detail: string;
    }
  | {
      /** A record's timestamp is earlier than the one of the instrument's previous record. */
      readonly kind: 'out-of-order';
      readonly instrumentId: number;
      readonly atNs: bigint;
      readonly field: 'ts_recv' | 'ts_event';
      readonly previousNs: bigint;
      readonly gotNs: bigint;
    };

/** Counts for the metrics, per instrument and in total. */
export interface FeedHealthCounts {
  /** Sequence gaps (`contiguous` rule). */
  gaps: number;
  /** Sequence numbers that stepped back. */
  reordered: number;
  /** Records whose ts_recv / ts_event is earlier than the previous record's. */
  outOfOrderRecv: number;
  outOfOrderEvent: number;
  /** Episodes begun by a record with F_MAYBE_BAD_BOOK. */
  maybeBadBook: number;
  /** Stale and crossed episodes. */
  staleEpisodes: number;
  crossedEpisodes: number;
  /** Link drops seen by the instrument. */
  linkDrops: number;
  /** Books rebuilt (snapshots, whole-book records) that cleared a gap, a bad book or a link drop. */
  rebuilds: number;
  /** Times the data went from trusted to untrusted. */
  untrustedEpisodes: number;
}

/** How a live link came back after a drop (the `gap` event of the Databento live client). */
export type LinkRecovery = 'replay' | 'snapshot' | 'live';

const UNBUILT = 1;
const GAP = 2;
const REORDERED = 4;
const MAYBE_BAD = 8;
const LINK = 16;
const STALE = 32;
const CROSSED = 64;
/** Reasons only a rebuilt book clears. */
const NEEDS_REBUILD = UNBUILT | GAP | REORDERED | MAYBE_BAD | LINK;
/** The shortest CME break (16:00–17:00 CT): a longer silence may restart the venue's numbering. */
const SESSION_BREAK_MS = 3_600_000;

function bitOf(r: TrustReason): number {
  return 1 << TRUST_REASONS.indexOf(r);
}

function zeroCounts(): FeedHealthCounts {
  return {
    gaps: 0,
    reordered: 0,
    outOfOrderRecv: 0,
    outOfOrderEvent: 0,
    maybeBadBook: 0,
    staleEpisodes: 0,
    crossedEpisodes: 0,
    linkDrops: 0,
    rebuilds: 0,
    untrustedEpisodes: 0,
  };
}

/** The state of one instrument. */
class Instrument {
  reasons = UNBUILT;
  /** What set the latest reason. */
  detail: string;
  /** An MBO record has been seen: the book is an L3 book, rebuilt only by snapshots. */
  l3 = false;
  hasSeq = false;
  lastSeq = 0;
  /** A snapshot is being received, and nothing has spoiled it since it began. */
  inSnapshot = false;
  snapshotClean = false;
  /** ts_recv (any record) in float ms, for staleness and the session-break rule. */
  lastDataMs = Number.NEGATIVE_INFINITY;
  // Exact halves of the previous live book record's timestamps; hi = -1 before the first.
  recvHi = -1;
  recvLo = 0;
  eventHi = -1;
  eventLo = 0;
  readonly counts = zeroCounts();

  constructor(
    readonly id: number,
    requireSnapshot: boolean,
  ) {
    this.detail = requireSnapshot ? 'no snapshot has built the book yet' : 'no book record yet';
  }
}

/** The feed-health monitor (see the module's comment). */
export class FeedHealth {
  readonly #sequence: SequenceRule;
  readonly #staleAfterMs: number;
  readonly #requireSnapshot: boolean;
  readonly #crossedUntrusts: boolean;
  readonly #isOpen: (ms: number) => boolean;
  readonly #onEvent: ((e: FeedHealthEvent) => void) | null;
  readonly #instruments = new Map<number, Instrument>();
  readonly #totals = zeroCounts();
  #last: Instrument | null = null;
  /** Whether the market was open at the previous `check`, and since when (ms) it has been. */
  #wasOpen = false;
  #openSinceMs = Number.NaN;

  constructor(opts: FeedHealthOptions = {}) {
    const rule = opts.sequence ?? 'channel';
    if (rule !== 'channel' && rule !== 'contiguous' && rule !== 'none')
      throw new InvalidOptionError('sequence', rule, 'channel, contiguous or none');
    this.#sequence = rule;
    this.#staleAfterMs = requirePositive('staleAfterMs', opts.staleAfterMs ?? 5_000);
    this.#requireSnapshot = opts.requireSnapshot ?? true;
    this.#crossedUntrusts = opts.crossedUntrusts ?? true;
    this.#isOpen = opts.isOpen ?? globexOpen;
    this.#onEvent = opts.onEvent ?? null;
  }

  // ── what readers ask ──────────────────────────────────────────────────────────────────────

  /** Whether the instrument's data is trusted (false for one never seen nor watched). */
  trusted(instrumentId: number): boolean {
    return this.#instruments.get(instrumentId)?.reasons === 0;
  }

  /**
   * Null when the instrument's data is trusted, else why not: the active reasons and what set the
   * latest (`gap, crossed: sequence 106 after 103, expected 104`). What a risk check quotes.
   */
  whyUntrusted(instrumentId: number): string | null {
    const s = this.#instruments.get(instrumentId);
    if (s === undefined) return 'unbuilt: no market data of this instrument yet';
    if (s.reasons === 0) return null;
    return `${this.reasons(instrumentId).join(', ')}: ${s.detail}`;
  }

  /** The active reasons of an instrument, in `TRUST_REASONS` order (`unbuilt` for one never seen). */
  reasons(instrumentId: number): TrustReason[] {
    const s = this.#instruments.get(instrumentId);
    if (s === undefined) return ['unbuilt'];
    return TRUST_REASONS.filter((r) => (s.reasons & bitOf(r)) !== 0);
  }

  /** Whether every instrument seen or watched is trusted, and there is at least one. */
  get allTrusted(): boolean {
    if (this.#instruments.size === 0) return false;
    for (const s of this.#instruments.values()) if (s.reasons !== 0) return false;
    return true;
  }

  /** The counts of one instrument (zeros for one never seen), a copy. */
  counts(instrumentId: number): FeedHealthCounts {
    const s = this.#instruments.get(instrumentId);
    return s === undefined ? zeroCounts() : { ...s.counts };
  }

  /** The counts over every instrument, a copy. */
  get totals(): FeedHealthCounts {
    return { ...this.#totals };
  }

  /** The instruments seen or watched, in order of first sight. */
  get instruments(): number[] {
    return [...this.#instruments.keys()];
  }

  // ── what feeds it ─────────────────────────────────────────────────────────────────────────

  /**
   * An instrument the feed must deliver: watched for staleness from the next `check` even if no
   * record of it ever comes, and untrusted (`unbuilt`) until its book is built.
   */
  watch(instrumentId: number): void {
    this.#state(instrumentId);
  }

  /**
   * A record, after its book applied it (`book`: what `BookSet.apply` returned, null for records
   * that are not book events or when no book is kept). Any market-data record of an instrument
   * (one with a ts_recv: book events, trades, statistics, definitions …) shows its feed alive;
   * gateway records (heartbeats, errors, symbol mappings) and bars are not about one instrument's
   * feed and are passed over. MBO, MBP-1 and MBP-10 records are also checked for sequence, flags,
   * order and snapshots, and a consistent `book` for crossing.
   */
  update(c: RecordCursor, book: BookView | null = null): void {
    const rt = c.rtype;
    if (!hasTsRecv(rt)) return;
    const id = c.instrumentId;
    const last = this.#last;
    const s = last !== null && last.id === id ? last : this.#state(id);
    const ms = c.tsRecvMs;
    const silentMs = ms - s.lastDataMs;
    s.lastDataMs = ms;
    if ((s.reasons & STALE) !== 0) this.#clear(s, STALE, c, 'fresh data');
    if (rt !== RType.MBO && rt !== RType.MBP_10 && rt !== RType.MBP_1) return;
    if (rt === RType.MBO) s.l3 = true;
    const flags = c.flags;
    if ((flags & Flags.SNAPSHOT) === 0) {
      this.#order(s, c, flags);
      if (silentMs > SESSION_BREAK_MS || c.action === Action.CLEAR) s.hasSeq = false;
      if (this.#sequence !== 'none') this.#sequenceOf(s, c);
    }
    if ((flags & Flags.MAYBE_BAD_BOOK) !== 0 && (s.reasons & MAYBE_BAD) === 0) {
      s.counts.maybeBadBook++;
      this.#totals.maybeBadBook++;
      this.#distrust(s, MAYBE_BAD, c, 'F_MAYBE_BAD_BOOK: an unrecoverable gap in the channel');
    }
    this.#rebuild(s, c, flags);
    if (book?.consistent && this.#crossedUntrusts) this.#crossing(s, c, book);
  }

  /**
   * A top-of-book quote from a feed that is not DBN records (IG streaming's MARKET updates), at
   * `atNs` (its receive time): the feed is alive, the quote is the whole book it shows (so it
   * rebuilds, as a whole-book record does), and bid >= ask is a crossed book. Prices in any one
   * unit; NaN for a missing side (never crossed).
   */
  quote(instrumentId: number, atNs: bigint, bidPx: number, askPx: number): void {
    const s = this.#state(instrumentId);
    s.lastDataMs = Number(atNs) / 1e6;
    if ((s.reasons & STALE) !== 0) this.#clearAt(s, STALE, atNs, 'fresh data');
    this.#rebuilt(s, atNs, 'a quote showed the whole book');
    const crossed = bidPx >= askPx;
    if (this.#crossedUntrusts && crossed !== ((s.reasons & CROSSED) !== 0))
      this.#crossed(s, crossed, atNs, `crossed quote: bid ${bidPx} >= ask ${askPx}`);
  }

  /**
   * The clock's time (ns, the engine's clock: simulated or wall): instruments silent for more than
   * `staleAfterMs` of open market are stale. Silence counts from the instrument's last record or
   * from when this monitor first saw the market open, whichever is later, so the hours the market
   * was closed never count; while it is closed nothing is stale. Call it regularly (every second).
   */
  check(nowNs: bigint): void {
    const nowMs = Number(nowNs) / 1e6;
    const open = this.#isOpen(nowMs);
    if (open && !this.#wasOpen) this.#openSinceMs = nowMs;
    this.#wasOpen = open;
    for (const s of this.#instruments.values()) {
      if (!open) {
        if ((s.reasons & STALE) !== 0) this.#clearAt(s, STALE, nowNs, 'the market closed');
        continue;
      }
      const silent = nowMs - Math.max(s.lastDataMs, this.#openSinceMs);
      if (silent > this.#staleAfterMs && (s.reasons & STALE) === 0) {
        s.counts.staleEpisodes++;
        this.#totals.staleEpisodes++;
        this.#distrustAt(
          s,
          STALE,
          nowNs,
          `no record for ${Math.round(silent)} ms while the market is open (limit ${this.#staleAfterMs})`,
        );
      }
    }
  }

  /**
   * The live link dropped, or lost records (a slow reader whose records the gateway skipped):
   * `reason`, at the clock's `atNs`. The instruments (every one when `instrumentIds` is absent)
   * are untrusted (`link`) until `resumed` with a replay or their books are rebuilt.
   */
  disconnected(atNs: bigint, reason: string, instrumentIds?: readonly number[]): void {
    const states =
      instrumentIds === undefined
        ? [...this.#instruments.values()]
        : instrumentIds.map((id) => this.#state(id));
    for (const s of states) {
      s.counts.linkDrops++;
      this.#totals.linkDrops++;
      this.#distrustAt(s, LINK, atNs, `live link: ${reason}`);
    }
  }

  /**
   * The link is back and its records come `replay`ed from where it broke (nothing is missing: the
   * link reason clears now), from a fresh `snapshot` or `live` from now on (something is missing:
   * it clears when the book is rebuilt). `instrumentIds`: those of the subscription (all when absent).
   */
  resumed(atNs: bigint, recovery: LinkRecovery, instrumentIds?: readonly number[]): void {
    if (recovery !== 'replay') return;
    const ids = instrumentIds ?? [...this.#instruments.keys()];
    for (const id of ids) {
      const s = this.#instruments.get(id);
      if (s !== undefined) this.#clearAt(s, LINK, atNs, 'the link replayed what it missed');
    }
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  #state(id: number): Instrument {
    let s = this.#instruments.get(id);
    if (s === undefined) {
      s = new Instrument(id, this.#requireSnapshot);
      this.#instruments.set(id, s);
    }
    this.#last = s;
    return s;
  }

  /** Timestamp order of a live book record against the instrument's previous one. */
  #order(s: Instrument, c: RecordCursor, flags: number): void {
    const rHi = c.tsRecvHi;
    const rLo = c.tsRecvLo;
    if ((flags & Flags.BAD_TS_RECV) === 0) {
      if (s.recvHi >= 0 && (rHi < s.recvHi || (rHi === s.recvHi && rLo < s.recvLo))) {
        s.counts.outOfOrderRecv++;
        this.#totals.outOfOrderRecv++;
        this.#outOfOrder(s, c, 'ts_recv', u64FromHalves(s.recvLo, s.recvHi), c.tsRecv);
      }
      s.recvHi = rHi;
      s.recvLo = rLo;
    }
    const eHi = c.tsEventHi;
    const eLo = c.tsEventLo;
    if (s.eventHi >= 0 && (eHi < s.eventHi || (eHi === s.eventHi && eLo < s.eventLo))) {
      s.counts.outOfOrderEvent++;
      this.#totals.outOfOrderEvent++;
      this.#outOfOrder(s, c, 'ts_event', u64FromHalves(s.eventLo, s.eventHi), c.tsEvent);
    }
    s.eventHi = eHi;
    s.eventLo = eLo;
  }

  #outOfOrder(
    s: Instrument,
    c: RecordCursor,
    field: 'ts_recv' | 'ts_event',
    prev: bigint,
    got: bigint,
  ): void {
    this.#onEvent?.({
      kind: 'out-of-order',
      instrumentId: s.id,
      atNs: c.tsRecv,
      field,
      previousNs: prev,
      gotNs: got,
    });
  }

  /** The sequence rule on a live book record. */
  #sequenceOf(s: Instrument, c: RecordCursor): void {
    const seq = c.sequence;
    const last = s.lastSeq;
    const had = s.hasSeq;
    s.lastSeq = seq;
    s.hasSeq = true;
    if (!had || seq === last || (seq === last + 1 && this.#sequence === 'contiguous')) return;
    if (seq < last) {
      s.counts.reordered++;
      this.#totals.reordered++;
      this.#distrust(s, REORDERED, c, `sequence ${seq} after ${last}`, last, seq);
    } else if (this.#sequence === 'contiguous') {
      s.counts.gaps++;
      this.#totals.gaps++;
      this.#distrust(s, GAP, c, `sequence ${seq} after ${last}, expected ${last + 1}`, last + 1, seq);
    }
  }

  /** Snapshots, and whole-book records, that rebuild a book. */
  #rebuild(s: Instrument, c: RecordCursor, flags: number): void {
    const lastOfEvent = (flags & Flags.LAST) !== 0;
    if ((flags & Flags.SNAPSHOT) !== 0) {
      if (!s.inSnapshot) {
        s.inSnapshot = true;
        s.snapshotClean = true;
      }
      if ((flags & Flags.MAYBE_BAD_BOOK) !== 0) s.snapshotClean = false;
      if (!lastOfEvent) return;
      s.inSnapshot = false;
      s.hasSeq = false;
      if (s.snapshotClean && (s.reasons & NEEDS_REBUILD) !== 0)
        this.#rebuilt(s, c.tsRecv, 'a snapshot rebuilt the book');
      return;
    }
    s.inSnapshot = false;
    if (!lastOfEvent || (flags & Flags.MAYBE_BAD_BOOK) !== 0 || (s.reasons & NEEDS_REBUILD) === 0) return;
    if (!s.l3) this.#rebuilt(s, c.tsRecv, 'a whole-book record rebuilt the book');
    else if (!this.#requireSnapshot) this.#clear(s, UNBUILT, c, 'the book is built');
  }

  /** A rebuilt book clears the reasons only a rebuild clears (counted unless it was the first build). */
  #rebuilt(s: Instrument, atNs: bigint, detail: string): void {
    if ((s.reasons & NEEDS_REBUILD & ~UNBUILT) !== 0) {
      s.counts.rebuilds++;
      this.#totals.rebuilds++;
    }
    this.#clearAt(s, NEEDS_REBUILD, atNs, detail);
  }

  #crossing(s: Instrument, c: RecordCursor, book: BookView): void {
    const crossed = book.crossed;
    if (crossed === ((s.reasons & CROSSED) !== 0)) return;
    const detail = crossed
      ? `crossed book: best bid ${book.bestBidPx / 1e9} >= best ask ${book.bestAskPx / 1e9}`
      : '';
    this.#crossed(s, crossed, c.tsRecv, detail);
  }

  /** The crossed state changed: an episode begins (with `detail`) or ends. */
  #crossed(s: Instrument, crossed: boolean, atNs: bigint, detail: string): void {
    if (!crossed) {
      this.#clearAt(s, CROSSED, atNs, 'the book is no longer crossed');
      return;
    }
    s.counts.crossedEpisodes++;
    this.#totals.crossedEpisodes++;
    this.#distrustAt(s, CROSSED, atNs, detail);
  }

  #distrust(
    s: Instrument,
    bit: number,
    c: RecordCursor,
    detail: string,
    expected?: number,
    got?: number,
  ): void {
    this.#distrustAt(s, bit, c.tsRecv, detail, expected, got);
  }

  #distrustAt(
    s: Instrument,
    bit: number,
    atNs: bigint,
    detail: string,
    expected?: number,
    got?: number,
  ): void {
    if (s.reasons === 0) {
      s.counts.untrustedEpisodes++;
      this.#totals.untrustedEpisodes++;
    }
    // A snapshot under way when the data goes bad no longer shows a book that can be trusted.
    if ((bit & NEEDS_REBUILD) !== 0) s.snapshotClean = false;
    s.reasons |= bit;
    s.detail = detail;
    const reason = TRUST_REASONS[31 - Math.clz32(bit)];
    this.#onEvent?.(
      expected === undefined
        ? { kind: 'untrusted', instrumentId: s.id, atNs, reason, detail }
        : { kind: 'untrusted', instrumentId: s.id, atNs, reason, detail, expected, got },
    );
  }

  #clear(s: Instrument, mask: number, c: RecordCursor, detail: string): void {
    if ((s.reasons & mask) !== 0) this.#clearAt(s, mask, c.tsRecv, detail);
  }

  #clearAt(s: Instrument, mask: number, atNs: bigint, detail: string): void {
    if ((s.reasons & mask) === 0) return;
    s.reasons &= ~mask;
    if (s.reasons === 0) this.#onEvent?.({ kind: 'trusted', instrumentId: s.id, atNs, detail });
  }
}
