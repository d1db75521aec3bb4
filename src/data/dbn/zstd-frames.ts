/**
 * Follows the frame structure of a zstd byte stream (RFC 8878, section 3.1) without decoding
 * it, to tell whether the bytes seen so far end between frames. libzstd says so through the hint
 * `ZSTD_decompressStream` returns, but Node's built-in binding drops that value; reading the
 * frame and block headers ourselves gives both backends one rule for "the input ends inside a
 * frame", so a truncated file fails the same way whichever library decompresses it.
 *
 * Only headers are read: a block body, a checksum or a skippable frame's content is skipped by
 * its length, so the cost is a few steps per 128 KiB block. Input that breaks the format (an
 * unknown magic, a reserved block type) leaves the tracker inside a frame for good; the
 * decompressor reports the actual error from the same bytes.
 */

/** First four bytes of a zstd frame (0xFD2FB528 little-endian). */
export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F; DBZ puts its metadata in one. */
export const SKIPPABLE_MAGIC_MIN = 0x184d2a50;
export const SKIPPABLE_MAGIC_MAX = 0x184d2a5f;

// What the next bytes are.
const MAGIC = 0; // 4 bytes: a zstd or skippable frame starts
const SKIPPABLE_SIZE = 1; // 4 bytes: length of a skippable frame's content
const DESCRIPTOR = 2; // 1 byte: Frame_Header_Descriptor
const BLOCK_HEADER = 3; // 3 bytes
const SKIP = 4; // `#skip` bytes we do not read, then `#next`
const BROKEN = 5; // not zstd any more: absorbs everything

/** Sizes of the Dictionary_ID field by Dictionary_ID_flag (RFC 8878, 3.1.1.1.1). */
const DICT_ID_SIZE = [0, 1, 2, 4];

/** Where a zstd stream stands: between frames or inside one. */
export class ZstdFrameTracker {
  #state = MAGIC;
  /** Header bytes gathered so far (little-endian), and how many. */
  #acc = 0;
  #accLen = 0;
  #skip = 0;
  #next = MAGIC;
  #checksum = false;

  /** True when the bytes seen so far end exactly between frames (or no byte was seen). */
  get atFrameBoundary(): boolean {
    return this.#state === MAGIC && this.#accLen === 0;
  }

  /** Reads the next bytes of the stream, `b[0, n)` (those the decompressor consumed, in order). */
  feed(b: Uint8Array, n = b.length): void {
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === SKIP) {
        const k = Math.min(this.#skip, n - i);
        this.#skip -= k;
        i += k;
        if (this.#skip === 0) this.#state = this.#next;
        continue;
      }
      if (state === BROKEN) return;
      const want = state === DESCRIPTOR ? 1 : state === BLOCK_HEADER ? 3 : 4;
      while (this.#accLen < want && i < n) {
        // Header fields are at most 4 bytes: `>>> 0` keeps the 32-bit value unsigned.
        this.#acc = (this.#acc | (b[i++] << (8 * this.#accLen))) >>> 0;
        this.#accLen++;
      }
      if (this.#accLen < want) return;
      const v = this.#acc;
      this.#acc = 0;
      this.#accLen = 0;
      this.#header(state, v);
    }
  }

  #header(state: number, v: number): void {
    if (state === MAGIC) {
      if (v === ZSTD_MAGIC) this.#state = DESCRIPTOR;
      else if (v >= SKIPPABLE_MAGIC_MIN && v <= SKIPPABLE_MAGIC_MAX) this.#state = SKIPPABLE_SIZE;
      else this.#state = BROKEN;
    } else if (state === SKIPPABLE_SIZE) {
      this.#skipThen(v, MAGIC);
    } else if (state === DESCRIPTOR) {
      // Frame_Header_Descriptor: FCS flag (bits 7-6), single segment (5), reserved (3),
      // checksum (2), dictionary id flag (1-0). The rest of the header follows from it.
      if (v & 0x08) {
        this.#state = BROKEN;
        return;
      }
      const single = (v & 0x20) !== 0;
      const fcsFlag = v >> 6;
      const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
      this.#checksum = (v & 0x04) !== 0;
      this.#skipThen((single ? 0 : 1) + DICT_ID_SIZE[v & 3] + fcsSize, BLOCK_HEADER);
    } else {
      // Block_Header: Last_Block (bit 0), Block_Type (bits 2-1), Block_Size (bits 23-3).
      // An RLE block stores one byte whatever its size; type 3 is reserved.
      const type = (v >> 1) & 3;
      if (type === 3) {
        this.#state = BROKEN;
        return;
      }
      const body = type === 1 ? 1 : v >>> 3;
      if ((v & 1) === 0) this.#skipThen(body, BLOCK_HEADER);
      else this.#skipThen(body + (this.#checksum ? 4 : 0), MAGIC);
    }
  }

  #skipThen(n: number, next: number): void {
    if (n === 0) {
      this.#state = next;
      return;
    }
    this.#skip = n;
    this.#next = next;
    this.#state = SKIP;
  }
}
