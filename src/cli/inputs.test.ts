/**
 * Inputs as a user gives them: a folder of simulated days, `--from`/`--to`, and an instrument named
 * by product. Two simulated 90-minute windows, on trading dates 2026-12-07 and 2026-12-08, straddle
 * 6E's December roll, worked from the CME calendar: 6EZ6's last trade is Monday 14 December 2026
 * (two business days before the third Wednesday, the 16th), so the front month rolls seven days
 * earlier, on 7 December 15:16 UTC: trading date 2026-12-07 still trades 6EZ6 and 2026-12-08
 * trades 6EH7. Each folder also holds the spot pair EUR/USD and the bars and truth files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { simulateDay } from '../sim/index.js';

const scalper = (...args: string[]) => runScalper(args, { timeoutMs: 300_000 });

/** 13:00–14:30 UTC of each date: 90 whole minutes in the London–New York overlap. */
const WINDOW_START = {
  '2026-12-07': Date.parse('2026-12-07T13:00:00Z'),
  '2026-12-08': Date.parse('2026-12-08T13:00:00Z'),
};
const WINDOW_MS = 90 * 60_000;

describe('folders, time ranges and products across a roll', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-inputs-'));
  const data = join(dir, 'data');
  before(async () => {
    for (const [date, startMs] of Object.entries(WINDOW_START)) {
      await simulateDay({
        date,
        seed: 11,
        out: data,
        instruments: ['6E'],
        window: { startMs, endMs: startMs + WINDOW_MS },
      });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('regime fit on the folder takes the future (not its spot pair) across the roll, by product', async () => {
    const model = join(dir, 'model.json');
    const r = await scalper('regime', 'fit', data, '--out', model, '--restarts', '0');
    assert.equal(r.status, 0, r.stderr);
    // 90 minutes of 6EZ6 on the first date and 90 of 6EH7 on the second, less the input's very
    // last minute, still open when the data ends (a minute is closed by the next grid time).
    assert.match(r.stdout, /fitted on 179 minutes of 6E in/);
    assert.equal(JSON.parse(readFileSync(model, 'utf8')).observation.symbol, '6E');
    const l = await scalper('regime', 'label', data, '--model', model, '--truth', data);
    assert.equal(l.status, 0, l.stderr);
    assert.match(l.stdout, /^179 minutes of 6E:/);
    // The truth of both days (one folder of truth files) covers every labelled minute.
    assert.match(l.stdout, /of 179 minutes/);
  });

  test('features --symbol 6E follows the front month: 6EZ6 rows on the first date, 6EH7 on the second', async () => {
    const out = join(dir, 'f.csv');
    const r = await scalper('features', data, '--symbol', '6E', '--every', '1m', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const bySymbol = new Map<string, string[]>();
    for (const row of rows) bySymbol.set(row[2], [...(bySymbol.get(row[2]) ?? []), row[0]]);
    assert.deepEqual([...bySymbol.keys()].sort(), ['6EH7', '6EZ6']);
    assert.ok(bySymbol.get('6EZ6')!.every((ts) => ts.startsWith('2026-12-07')));
    assert.ok(bySymbol.get('6EH7')!.every((ts) => ts.startsWith('2026-12-08')));
  });

  test('--from and --to keep the rows of that span only, every instrument of the folder', async () => {
    const out = join(dir, 'span.csv');
    const r = await scalper(
      'features',
      data,
      '--from',
      '2026-12-08T13:30',
      '--to',
      '2026-12-08T14:00',
      '--every',
      '1m',
      '--out',
      out,
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    // Grid minutes 13:30, 13:31, …, 14:00 inclusive: 31 rows each for 6EH7 and EUR/USD.
    for (const symbol of ['6EH7', 'EUR/USD']) {
      const ts = rows.filter((x) => x[2] === symbol).map((x) => x[0]);
      assert.equal(ts.length, 31, symbol);
      assert.equal(ts[0], '2026-12-08T13:30:00.000000000Z');
      assert.equal(ts.at(-1), '2026-12-08T14:00:00.000000000Z');
    }
    assert.equal(rows.filter((x) => x[2] === '6EZ6').length, 0);
  });

  test('a time range that holds nothing of the folder is a clear error', async () => {
    const r = await scalper('features', data, '--from', '2026-12-10', '--out', join(dir, 'none.csv'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error \[CONFIG\]: [^\n]*data: no DBN market data to read/);
    const b = await scalper(
      'features',
      data,
      '--from',
      '2026-12-08',
      '--to',
      '2026-12-07',
      '--out',
      join(dir, 'x.csv'),
    );
    assert.equal(b.status, 2);
    assert.match(b.stderr, /^error \[CONFIG\]: --to 2026-12-07 is before --from 2026-12-08\n$/);
  });
});
