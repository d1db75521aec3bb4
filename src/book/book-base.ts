import { Flags } from '../data/dbn/index.js';

/**
 * What every book remembers of the last record it applied: identity, timestamps (as exact
 * unsigned 32-bit halves), sequence and flags. The books assign these fields inline in their
 * apply methods (a shared setter would change what V8 inlines on the hot path); this class only
 * holds them and their getters once.
 */
export abstract class BookBase {
  protected lastInstrumentId = 0;
  protected lastPublisherId = 0;
  protected lastTsEventLo = 0;
  protected lastTsEventHi = 0;
  protected lastTsRecvLo = 0;
  protected lastTsRecvHi = 0;
  protected lastSequence = 0;
  protected lastFlags = 0;
  protected updateCount = 0;

  get instrumentId(): number {
    return this.lastInstrumentId;
  }
  get publisherId(): number {
    return this.lastPublisherId;
  }
  /** The last record had F_LAST: the book is a consistent state of the venue's book. */
  get consistent(): boolean {
    return (this.lastFlags & Flags.LAST) !== 0;
  }
  get tsEventLo(): number {
    return this.lastTsEventLo;
  }
  get tsEventHi(): number {
    return this.lastTsEventHi;
  }
  get tsRecvLo(): number {
    return this.lastTsRecvLo;
  }
  get tsRecvHi(): number {
    return this.lastTsRecvHi;
  }
  /** ts_recv of the last record in float milliseconds (arithmetic only). */
  get tsRecvMs(): number {
    return (this.lastTsRecvHi * 4294967296 + this.lastTsRecvLo) / 1e6;
  }
  get sequence(): number {
    return this.lastSequence;
  }
  /** Records applied so far. */
  get updates(): number {
    return this.updateCount;
  }
  /** Flags of the last applied record (F_LAST, F_SNAPSHOT, ...). */
  get flags(): number {
    return this.lastFlags;
  }
}
