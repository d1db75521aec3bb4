/**
 * What the Databento live client's session events mean for the trust in the data
 * (data/databento/live.ts `LiveEvent`): a dropped link untrusts every instrument; the `gap` event
 * that follows the reconnection says per subscription how the missed records come back (a replay
 * from where the link broke mends it at once; a fresh MBO snapshot, or live data from now on, leave
 * the books to be rebuilt); a slow-reader warning, when the gateway was told to skip records for a
 * slow reader (`slowReaderBehavior: 'skip'`), means records were lost. Heartbeats, symbol mappings
 * and acknowledgements say nothing about the data; gateway errors end the run or refuse a
 * subscription, which the caller handles.
 */
import type { LiveEvent } from '../data/databento/index.js';
import type { FeedHealth } from './feed-health.js';

/** Databento `SystemCode.SlowReaderWarning`: the gateway finds the session falling behind. */
const SLOW_READER_WARNING = 2;

/** How the live session was opened, for `followLive`. */
export interface LiveTrustOptions {
  /** The session asked the gateway to skip records when it reads too slowly. */
  readonly slowReaderSkips?: boolean;
  /** The instrument ids of a subscription (by its id, from the symbol mappings); all when unknown. */
  readonly instrumentsOf?: (subscriptionId: number) => readonly number[] | undefined;
}

/** Applies one live-session event, at the clock's `nowNs`, to `health`. */
export function followLive(
  health: FeedHealth,
  e: LiveEvent,
  nowNs: bigint,
  opts: LiveTrustOptions = {},
): void {
  if (e.type === 'disconnected') {
    health.disconnected(nowNs, e.reason);
  } else if (e.type === 'gap') {
    e.recovery.forEach((recovery, sub) => {
      const ids = opts.instrumentsOf?.(sub);
      // Without the subscription's instruments, only a replay of every subscription mends them all.
      if (ids !== undefined) health.resumed(nowNs, recovery, ids);
      else if (e.recovery.every((r) => r === 'replay')) health.resumed(nowNs, 'replay');
    });
  } else if (e.type === 'system' && opts.slowReaderSkips === true && isSlowReader(e.code, e.message)) {
    health.disconnected(nowNs, `records skipped for a slow reader (${e.message})`);
  }
}

/** DBN v3 system records carry a code; older ones only the text ("Warning: slow reading detected …"). */
function isSlowReader(code: number | null, message: string): boolean {
  return code === null ? /slow read/i.test(message) : code === SLOW_READER_WARNING;
}
