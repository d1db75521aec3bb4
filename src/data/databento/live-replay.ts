/**
 * What a live client has handed downstream, so that a resubscription that replays from the last
 * timestamp (`start=<ts_event>`) passes on no record twice. The gateway replays every record
 * whose `ts_event` is at or after `start`; those before the timestamp cannot come again, and
 * those at it may be records already delivered or records the broken link never brought. Which
 * is which is told by the records' own bytes: every record delivered at the latest `ts_event` is
 * kept (copied into one reused buffer), and a replayed record at that timestamp is dropped only
 * when it matches a kept one not matched yet, so that two identical records count twice.
 *
 * Nothing is allocated per record: timestamps are compared as 32-bit halves and the kept records
 * share one buffer, emptied whenever a later `ts_event` comes.
 */

/** Records delivered at the latest timestamp, and the replay floor after a resubscription. */
export class DeliveredRecords {
  #any = false;
  #hi = 0;
  #lo = 0;
  #bytes = new Uint8Array(4096);
  #fill = 0;
  #offsets = new Int32Array(64);
  #matched = new Uint8Array(64);
  #count = 0;
  #replaying = false;
  #floorHi = 0;
  #floorLo = 0;
  /** Records dropped as already delivered since construction. */
  dropped = 0;

  /** The latest `ts_event` delivered (ns since the epoch), or null before the first record. */
  get last(): bigint | null {
    return this.#any ? (BigInt(this.#hi >>> 0) << 32n) | BigInt(this.#lo >>> 0) : null;
  }

  /** How many records were delivered at the latest `ts_event`. */
  get atLast(): number {
    return this.#count;
  }

  /**
   * Starts a replay from the latest timestamp (a resubscription with `start` = `last`): from now
   * on, records before it are dropped and records at it are checked against those delivered.
   * Returns the timestamp to replay from, or null when nothing was delivered yet.
   */
  replayFromLast(): bigint | null {
    if (!this.#any) return null;
    this.#replaying = true;
    this.#floorHi = this.#hi;
    this.#floorLo = this.#lo;
    this.#matched.fill(0, 0, this.#count);
    return this.last;
  }

  /**
   * Decides on one record (`len` bytes at `off` in `bytes`, its `ts_event` as unsigned 32-bit
   * halves): true when it was delivered already and is to be dropped; false when it is to be
   * delivered, in which case it is remembered.
   */
  admit(bytes: Uint8Array, off: number, len: number, tsHi: number, tsLo: number): boolean {
    const hi = tsHi >>> 0;
    const lo = tsLo >>> 0;
    if (this.#replaying) {
      const floor = compare(hi, lo, this.#floorHi, this.#floorLo);
      if (floor < 0) {
        this.dropped++;
        return true;
      }
      if (floor === 0 && this.#any && this.#hi === hi && this.#lo === lo && this.#match(bytes, off, len)) {
        this.dropped++;
        return true;
      }
    }
    const c = this.#any ? compare(hi, lo, this.#hi, this.#lo) : 1;
    if (c > 0) {
      this.#any = true;
      this.#hi = hi;
      this.#lo = lo;
      this.#fill = 0;
      this.#count = 0;
    }
    // A record older than the latest (the feed is ordered by receipt, not by event time) needs no
    // keeping: a replay starts at the latest timestamp and never sends it again.
    if (c >= 0) this.#keep(bytes, off, len);
    return false;
  }

  /** Marks the first kept record equal to the given bytes and not matched yet; false when none is. */
  #match(bytes: Uint8Array, off: number, len: number): boolean {
    const kept = this.#bytes;
    for (let k = 0; k < this.#count; k++) {
      if (this.#matched[k] !== 0) continue;
      const at = this.#offsets[k];
      const end = k + 1 < this.#count ? this.#offsets[k + 1] : this.#fill;
      if (end - at !== len) continue;
      let same = true;
      for (let j = 0; j < len && same; j++) same = kept[at + j] === bytes[off + j];
      if (same) {
        this.#matched[k] = 1;
        return true;
      }
    }
    return false;
  }

  #keep(bytes: Uint8Array, off: number, len: number): void {
    if (this.#fill + len > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#fill + len));
      grown.set(this.#bytes.subarray(0, this.#fill));
      this.#bytes = grown;
    }
    if (this.#count === this.#offsets.length) {
      const offsets = new Int32Array(this.#count * 2);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
      const matched = new Uint8Array(this.#count * 2);
      matched.set(this.#matched);
      this.#matched = matched;
    }
    this.#bytes.set(bytes.subarray(off, off + len), this.#fill);
    this.#offsets[this.#count] = this.#fill;
    // A record first delivered during a replay is new: no later copy in the same replay is its echo.
    this.#matched[this.#count] = this.#replaying ? 1 : 0;
    this.#count++;
    this.#fill += len;
  }
}

/** Orders two u64 timestamps given as unsigned 32-bit halves (non-negative numbers): -1, 0 or 1. */
function compare(hiA: number, loA: number, hiB: number, loB: number): number {
  if (hiA !== hiB) return hiA < hiB ? -1 : 1;
  if (loA !== loB) return loA < loB ? -1 : 1;
  return 0;
}
