/**
 * Simulated market data for a block of tests: a span (or a whole day) simulated into a temporary
 * folder before the block's first test and removed after its last, so each test file does not
 * rebuild the same fixture by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type SimDayOptions, type SimDayResult, simulateDay } from '../src/sim/index.js';

/** What to simulate: `simulateDay`'s options, the window given as a UTC start and a length. */
export interface SimulatedSpanOptions extends Omit<SimDayOptions, 'out' | 'sink' | 'window' | 'date'> {
  /** Trading date (default 2026-11-24). */
  readonly date?: string;
  /** Start of the window, ISO-8601 UTC (`2026-11-24T14:00:00Z`); none = the whole trading day. */
  readonly from?: string;
  /** Length of the window in minutes (with `from`). */
  readonly minutes?: number;
  /** Prefix of the temporary folder's name. */
  readonly prefix?: string;
}

/** A simulated span, ready once the block's `before` hook has run. */
export interface SimulatedSpan {
  /** The temporary folder holding the files. */
  readonly dir: string;
  /** The simulator's result: files, truth, counts. */
  readonly day: SimDayResult;
}

/**
 * Simulates a span into a temporary folder in a `before` hook of the enclosing block (or file) and
 * removes the folder in an `after` hook; read `.day` and `.dir` inside the tests (or in a later
 * `before` of the same `describe` block: file-level hooks are not ordered against each other).
 */
export function simulatedSpan(o: SimulatedSpanOptions): SimulatedSpan {
  const dir = mkdtempSync(join(tmpdir(), o.prefix ?? 'sim-span-'));
  let result: SimDayResult | undefined;
  const { from, minutes, prefix: _prefix, date, ...rest } = o;
  before(async () => {
    const startMs = from !== undefined ? Date.parse(from) : undefined;
    result = await simulateDay({
      ...rest,
      date: date ?? '2026-11-24',
      out: dir,
      window: startMs !== undefined ? { startMs, endMs: startMs + (minutes ?? 60) * 60_000 } : undefined,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    get day(): SimDayResult {
      if (result === undefined) throw new Error('the simulated span is read before its before() hook ran');
      return result;
    },
  };
}
