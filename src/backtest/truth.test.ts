import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RoundTrip } from './trades.js';
import { isToxic, readToxicEpisodes, readTruth, toxicTrades } from './truth.js';

const dir = mkdtempSync(join(tmpdir(), 'truth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NS = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
const trip = (from: string, to: string, pnl: number, symbol = '6EZ6') =>
  ({ symbol, entryNs: NS(from), exitNs: NS(to), pnl }) as RoundTrip;

describe('toxic episodes of the ground truth', () => {
  writeFileSync(
    join(dir, 'truth-20261124.json'),
    JSON.stringify({
      episodes: [
        {
          start: '2026-11-24T10:00:00.000000000Z',
          end: '2026-11-24T10:15:00.000000000Z',
          symbol: '6EZ6',
          direction: 'buy',
          intensity: 0.5,
        },
      ],
    }),
  );

  test('a trade overlapping an episode of its symbol, by any part, is toxic', () => {
    const eps = readToxicEpisodes(dir);
    assert.deepEqual(eps, [
      { symbol: '6EZ6', startNs: NS('2026-11-24T10:00:00Z'), endNs: NS('2026-11-24T10:15:00Z') },
    ]);
    const trades = [
      trip('2026-11-24T09:58:00Z', '2026-11-24T10:00:00Z', -30), // touches its start
      trip('2026-11-24T10:05:00Z', '2026-11-24T10:06:00Z', 20), // inside
      trip('2026-11-24T10:15:01Z', '2026-11-24T10:20:00Z', -50), // after
      trip('2026-11-24T10:05:00Z', '2026-11-24T10:06:00Z', -10, '6BZ6'), // another symbol
    ];
    assert.deepEqual(
      trades.map((t) => isToxic(t, eps)),
      [true, true, false, false],
    );
    assert.deepEqual(toxicTrades(trades, eps), { trades: 2, pnl: -10, losses: 30 });
  });

  test('the scenario each day was simulated under, each name once; a file without one is unrecorded', () => {
    const folder = mkdtempSync(join(dir, 'scenarios-'));
    const day = (date: string, scenario?: object) =>
      writeFileSync(join(folder, `truth-${date}.json`), JSON.stringify({ episodes: [], scenario }));
    day('20261124', { name: 'toxic', parameters: {} });
    day('20261125', { name: 'toxic', parameters: {} });
    day('20261126', { name: 'calm', parameters: {} });
    assert.deepEqual(readTruth(folder).scenarios, ['toxic', 'calm']);
    day('20261123');
    assert.deepEqual(readTruth(folder).scenarios, ['unrecorded', 'toxic', 'calm']);
  });

  test('a missing or malformed truth file is a clear error', () => {
    assert.throws(
      () => readToxicEpisodes(join(dir, 'nope.json')),
      /nope\.json: no such truth file or folder/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ episodes: [{ start: 'soon' }] }));
    assert.throws(() => readToxicEpisodes(bad), /bad\.json: episodes\[0\]: expected start, end and symbol/);
  });
});
