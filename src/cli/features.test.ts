/**
 * `scalper features` run as a user runs it (a child process on its `bin`, dist/cli/scalper.js) on a
 * short simulated window: the CSV header of CONVENTIONS.md ("Command-line output"), a row per instrument
 * every `--every`, times strictly increasing per symbol, the merge of several files by ts_recv,
 * clean failures.
 */

import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CONVENTION_COLUMNS } from '../../test/columns.js';
import { runScalper } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { formatTimestamp, fxSession, tickDecimals } from '../core/index.js';
import { replay } from '../data/index.js';
import {
  FEATURE_COLUMNS,
  type FeatureColumn,
  FeatureEngine,
  type FeatureSnapshot,
  StoikovMicroprice,
} from '../features/index.js';
import { FeatureCsvWriter } from './feature-csv.js';
import { CsvRows, FEATURES_CSV_HEADER, runFeatures, snapshotCsvRow } from './features.js';
import { fitStoikovFiles, writeStoikovModel } from './stoikov.js';

const DATE = '2026-11-24';
const NS_PER_MS = 1_000_000n;

const scalper = (...args: string[]) => runScalper(args, { timeoutMs: 30_000 });

const span = simulatedSpan({
  date: DATE,
  seed: 7,
  from: `${DATE}T13:00:00Z`,
  minutes: 2,
  prefix: 'cli-features-',
});

/** Runs `features` expecting success; returns the CSV's header and rows split into cells. */
async function features(out: string, ...args: string[]): Promise<{ header: string; rows: string[][] }> {
  const r = await scalper('features', ...args, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /rows .* written to /);
  const lines = readFileSync(out, 'utf8').split('\n');
  assert.equal(lines.at(-1), '', 'the file ends with a newline');
  lines.pop();
  return { header: lines[0], rows: lines.slice(1).map((l) => l.split(',')) };
}

describe('scalper features', () => {
  test('header, a row per --every, times on the grid and strictly increasing per symbol', async () => {
    const out = join(span.dir, 'f1.csv');
    const { header, rows } = await features(
      out,
      span.day.files.definition,
      span.day.files.mbp10,
      span.day.files.trades,
      '--every',
      '1s',
    );
    const cols = header.split(',');
    assert.deepEqual(cols.slice(0, 3), ['ts', 'ts_ns', 'symbol']);
    for (const name of CONVENTION_COLUMNS) {
      assert.ok(cols.includes(name), `column ${name}`);
    }
    // Two minutes of one instrument every second: about 120 rows.
    assert.ok(rows.length >= 110 && rows.length <= 121, `${rows.length} rows`);
    const bySymbol = new Map<string, bigint[]>();
    for (const r of rows) {
      assert.equal(r.length, cols.length);
      const tsNs = BigInt(r[1]);
      assert.equal(tsNs % 1_000_000_000n, 0n, 'on the 1 s grid');
      assert.equal(r[0], `${new Date(Number(tsNs / NS_PER_MS)).toISOString().slice(0, 19)}.000000000Z`);
      const list = bySymbol.get(r[2]) ?? [];
      list.push(tsNs);
      bySymbol.set(r[2], list);
    }
    assert.deepEqual([...bySymbol.keys()], ['6EZ6'], 'the symbol from the metadata');
    const times = bySymbol.get('6EZ6') as bigint[];
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 1_000_000_000n);
    const last = rows.at(-1) as string[];
    const at = (name: string) => last[cols.indexOf(name)];
    assert.ok(Number(at('spread_ticks')) >= 1);
    assert.notEqual(at('cvd'), '', 'trades merged in: cvd ready');
    assert.equal(at('rv_5m'), '', 'not ready after two minutes: empty');
  });

  test('--every 10s gives a tenth of the rows, each equal to the 1 s row at the same time', async () => {
    const files = [span.day.files.mbp10, span.day.files.trades];
    const fine = await features(join(span.dir, 'f2.csv'), ...files, '--every', '1s');
    const coarse = await features(join(span.dir, 'f3.csv'), ...files, '--every', '10s');
    assert.ok(coarse.rows.length >= 11 && coarse.rows.length <= 13, `${coarse.rows.length} rows`);
    const byTs = new Map(fine.rows.map((r) => [r[1], r]));
    for (const r of coarse.rows) {
      assert.equal(BigInt(r[1]) % 10_000_000_000n, 0n);
      const f = byTs.get(r[1]) as string[];
      assert.ok(f, `a 1 s row at ${r[0]}`);
      for (let k = 0; k < r.length; k++) {
        // Equal but for rounding: EWMA rates decay in more steps when sampled more often.
        if (k < 3 || r[k] === '' || Number.isNaN(Number(r[k])))
          assert.equal(r[k], f[k], `${coarse.header.split(',')[k]} at ${r[0]}`);
        else assert.ok(Math.abs(Number(r[k]) - Number(f[k])) <= 1e-9 * Math.max(1, Math.abs(Number(f[k]))));
      }
    }
  });

  test("a spot MBP-1 file adds its pair's rows and the future's basis", async () => {
    const { header, rows } = await features(
      join(span.dir, 'f6.csv'),
      span.day.files.mbp10,
      span.day.files.spotMbp1 as string,
      '--every',
      '10s',
    );
    const basis = header.split(',').indexOf('basis');
    assert.ok(basis > 2);
    const fut = rows.filter((r) => r[2] === '6EZ6');
    const spot = rows.filter((r) => r[2] === 'EUR/USD');
    assert.equal(fut.length, spot.length);
    assert.ok(fut.length >= 10);
    const mid = header.split(',').indexOf('mid');
    for (let i = 0; i < fut.length; i++) {
      assert.equal(fut[i][1], spot[i][1], 'both instruments on each grid time');
      assert.equal(spot[i][basis], '');
      if (fut[i][basis] === '') continue;
      const expected = Number(fut[i][mid]) - Number(spot[i][mid]);
      assert.ok(Math.abs(Number(fut[i][basis]) - expected) < 1e-9, `basis at ${fut[i][0]}`);
    }
    assert.notEqual((fut.at(-1) as string[])[basis], '');
  });

  test('--stoikov: microprice_stoikov is the fitted table looked up on the top of book, on the future only', async () => {
    const modelPath = join(span.dir, 'stoikov.json');
    const model = await fitStoikovFiles([span.day.files.mbp10], { sampleMs: 100 });
    writeStoikovModel(modelPath, model);
    const { header, rows } = await features(
      join(span.dir, 'f7.csv'),
      span.day.files.mbp10,
      span.day.files.spotMbp1 as string,
      '--every',
      '10s',
      '--stoikov',
      modelPath,
    );
    const cols = header.split(',');
    const at = (r: string[], name: string) => r[cols.indexOf(name)];
    const mp = new StoikovMicroprice(model);
    const fut = rows.filter((r) => r[2] === '6EZ6');
    assert.ok(fut.length >= 10);
    for (const r of fut) {
      // The row's own top of book: bid/ask = mid ∓ spread/2; the imbalance Ib = qb/(qb + qa) = (1 + qi_l1)/2,
      // so sizes 1 + qi and 1 − qi fall in the same bucket as the book's.
      const mid = Number(at(r, 'mid')) * 1e9;
      const half = (Number(at(r, 'spread_ticks')) * 50_000) / 2;
      const qi = Number(at(r, 'qi_l1'));
      const expected = mp.update(Math.round(mid - half), Math.round(mid + half), 1 + qi, 1 - qi) / 1e9;
      const v = Number(at(r, 'microprice_stoikov'));
      // Printed with 6E's price decimals plus one (0.00005 → 6 decimals): within half of 1e-6.
      assert.ok(Math.abs(v - expected) <= 5e-7 + 1e-12, `microprice_stoikov ${v} vs ${expected} at ${r[0]}`);
    }
    assert.ok(
      rows.filter((r) => r[2] === 'EUR/USD').every((r) => at(r, 'microprice_stoikov') === ''),
      'the spot pair has another tick: no model',
    );
  });

  test('--symbol filters rows and names what the input holds when it matches nothing', async () => {
    const ok = await features(
      join(span.dir, 'f4.csv'),
      span.day.files.mbp10,
      '--every',
      '100ms',
      '--symbol',
      '6EZ6',
    );
    assert.ok(ok.rows.length > 1000);
    const r = await scalper(
      'features',
      span.day.files.mbp10,
      '--symbol',
      'XYZ',
      '--out',
      join(span.dir, 'f5.csv'),
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error \[CONFIG\]: --symbol XYZ is not in the input \(symbols: 6EZ6\)\n$/);
  });

  test('bad --every: exit 2 with an error line', async () => {
    for (const bad of ['5x', '0s', '1.5s', '']) {
      const r = await scalper(
        'features',
        span.day.files.mbp10,
        '--every',
        bad,
        '--out',
        join(span.dir, 'bad.csv'),
      );
      assert.equal(r.status, 2, `--every ${bad}: ${r.stderr}`);
      assert.match(r.stderr, /^error: .*--every/m);
    }
  });

  test('a missing file: exit 2, one error line naming it', async () => {
    const missing = join(span.dir, 'nope.dbn.zst');
    const r = await scalper('features', span.day.files.mbp10, missing, '--out', join(span.dir, 'm.csv'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error \[IO\]: [^\n]*nope\.dbn\.zst[^\n]*file not found[^\n]*\n$/);
  });

  test('--help lists the options and the columns', async () => {
    const r = await scalper('features', '--help');
    assert.equal(r.status, 0);
    for (const s of ['--every', '--out', '--symbol', 'ts,ts_ns,symbol,spread_ticks'])
      assert.ok(r.stdout.includes(s), s);
  });
});

describe('CSV values', () => {
  /** A snapshot with every column set to `v`. */
  function snapshot(symbol: string, v: number): FeatureSnapshot {
    const s: Record<string, unknown> = {
      ts: '2026-11-24T14:00:00.000000000Z',
      ts_ns: 1n,
      symbol,
      instrument_id: 1,
      session: 'overlap',
    };
    for (const c of FEATURE_COLUMNS) s[c] = v;
    return s as unknown as FeatureSnapshot;
  }
  const at = (row: string, col: string) => row.split(',')[3 + FEATURE_COLUMNS.indexOf(col as FeatureColumn)];

  test('tick decimals: 6E 0.00005 → 5, 6B 0.0001 → 4, 6J 0.0000005 → 7, EUR/USD 0.00001 → 5, USD/JPY 0.001 → 3', () => {
    assert.deepEqual([50_000, 100_000, 500, 10_000, 1_000_000].map(tickDecimals), [5, 4, 7, 5, 3]);
  });

  test('prices and averages print with the price decimals plus one; other values as they are', () => {
    // 0.3 as binary arithmetic gives it: 0.30000000000000004.
    const v = 0.1 + 0.2;
    assert.equal(String(v), '0.30000000000000004');
    const row = snapshotCsvRow(snapshot('6EZ6', v), 50_000);
    for (const col of ['mid', 'vwap', 'ema_3', 'basis', 'bid_wall_px'])
      assert.equal(at(row, col), '0.300000', col);
    assert.equal(at(row, 'rsi_7'), '0.30000000000000004');
    // 6J: 7 price decimals, plus one.
    assert.equal(at(snapshotCsvRow(snapshot('6JZ6', 0.0067891234), 500), 'mid'), '0.00678912');
  });

  test('rows written one after another read as each written alone: kept values, changes, NaN, -0, a new tick, two symbols', () => {
    const rows = new CsvRows();
    const steps: [string, number, number][] = [
      ['6EZ6', 1.5, 50_000],
      ['6EZ6', 1.5, 50_000],
      ['6JZ6', 1.5, 500],
      ['6EZ6', 0.1 + 0.2, 50_000],
      ['6EZ6', Number.NaN, 50_000],
      ['6EZ6', 0.1 + 0.2, 50_000],
      ['6EZ6', -0, 50_000],
      ['6EZ6', 0, 50_000],
      ['6EZ6', 0, 100_000],
      ['6EZ6', 1.5, 100_000],
      ['6JZ6', 1.5, 500],
      ['EUR/USD', 2, 10_000],
      ['EUR/USD', 2, 10_000],
    ];
    for (const [sym, v, tick] of steps) {
      const s = snapshot(sym, v);
      assert.equal(rows.row(s, tick), snapshotCsvRow(s, tick), `${sym} ${v} ${tick}`);
    }
    // One column that changes while the others hold.
    const a = snapshot('6BZ6', 2);
    const b = { ...snapshot('6BZ6', 2), vpin: 0.25 } as FeatureSnapshot;
    for (const s of [a, b, a, b]) assert.equal(rows.row(s, 100_000), snapshotCsvRow(s, 100_000));
    assert.equal(at(rows.row(b, 100_000), 'vpin'), '0.25');
    assert.equal(at(rows.row(a, 100_000), 'vpin'), '2');
  });

  test('a spot pair quoted without depth leaves the size-based columns empty', () => {
    const row = snapshotCsvRow(snapshot('EUR/USD', 1), 10_000);
    for (const col of ['qi_l1', 'depth_bid_5', 'ofi_10s', 'microprice', 'bid_wall_sz', 'book_skew_5'])
      assert.equal(at(row, col), '', col);
    for (const col of ['mid', 'spread_ticks', 'rv_1m']) assert.notEqual(at(row, col), '', col);
    const fut = snapshotCsvRow(snapshot('6EZ6', 1), 50_000);
    assert.equal(at(fut, 'qi_l1'), '1');
  });
});

describe('writing the rows', () => {
  test("the writer's thread writes, in order, the rows the engine's snapshots make on the replay's thread", async () => {
    // Two instruments (the future and its spot pair) on a 100-ms grid: the first 701 rows formatted
    // on the replay's thread, the rest in several blocks on the writer's, each block ending inside
    // a grid time.
    const files = [span.day.files.mbp10, span.day.files.trades, span.day.files.spotMbp1 as string];
    const out = join(span.dir, 'thread.csv');
    const { rows } = await runFeatures(files, { out, every: 100_000_000n, threadAfterRows: 701 });
    const engine = new FeatureEngine();
    const csv = new CsvRows();
    const expected = [FEATURES_CSV_HEADER];
    await replay(files, engine, {
      everyNs: 100_000_000n,
      onGrid: () => {
        for (const id of engine.instruments) {
          const s = engine.snapshot(id) as FeatureSnapshot;
          expected.push(csv.row(s, engine.tickSize(id)));
        }
      },
    });
    assert.ok(rows > 4 * 512 && new Set(expected.map((l) => l.split(',')[2])).size === 3, `${rows} rows`);
    assert.equal(readFileSync(out, 'utf8'), `${expected.join('\n')}\n`);
  });

  test('the command hands rows to its writer thread past its first 8,192 and writes the same file', async () => {
    // 120 s on a 10-ms grid: 12,000 rows, the last 3,808 formatted on the writer's thread, started
    // from the bundled command.
    const files = [span.day.files.mbp10, span.day.files.trades];
    const out = join(span.dir, 'f10ms.csv');
    const { rows } = await features(out, ...files, '--every', '10ms');
    assert.ok(rows.length > 8192, `${rows.length} rows`);
    const here = join(span.dir, 'f10ms-here.csv');
    await runFeatures(files, { out: here, every: 10_000_000n, threadAfterRows: Number.POSITIVE_INFINITY });
    assert.ok(readFileSync(out, 'utf8') === readFileSync(here, 'utf8'), 'the same bytes');
  });

  test("a row waits for a free block when the writer's thread holds them all; closing twice closes once", async () => {
    // Rows added without a turn of the event loop get no block back: the 2,048th (4 blocks of 512)
    // returns a promise, and a row added before it settles is refused rather than written over
    // a block the thread is reading.
    const path = join(span.dir, 'blocks.csv');
    const fd = openSync(path, 'w');
    const out = new FeatureCsvWriter(fd, { threadAfterRows: 0 });
    const csv = new CsvRows();
    const expected: string[] = [];
    const row = (i: number): FeatureSnapshot => {
      const s: Record<string, unknown> = {
        ts: formatTimestamp(BigInt(i) * 1_000_000_000n) ?? '',
        ts_ns: BigInt(i) * 1_000_000_000n,
        symbol: ['6EZ6', '6BZ6', 'EUR/USD'][i % 3],
        instrument_id: i % 3,
        session: fxSession(i * 1000),
      };
      for (const [k, c] of FEATURE_COLUMNS.entries())
        s[c] = (i * 31 + k) % 7 === 0 ? Number.NaN : i / (k + 1);
      return s as unknown as FeatureSnapshot;
    };
    try {
      let waited = 0;
      for (let i = 0; i < 5_000; i++) {
        const s = row(i);
        expected.push(csv.row(s, 50_000));
        const writing = out.row(s, 50_000);
        if (writing === undefined) continue;
        waited++;
        if (waited === 1) {
          assert.equal(i, 2047, 'the fourth block filled');
          assert.throws(() => out.row(row(i + 1), 50_000), /before the last row's promise settled/);
        }
        await writing;
      }
      assert.ok(waited >= 1);
      await out.close();
      await out.close();
      assert.throws(() => out.row(row(0), 50_000), /after the CSV writer was closed/);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path, 'utf8'), `${expected.join('\n')}\n`);
  });

  for (const threadAfterRows of [0, 8192]) {
    const where = threadAfterRows === 0 ? "on the writer's thread" : "on the replay's thread";
    test(`a disk that fails a write ${where} stops the rows with its error, not an unhandled one`, {
      skip: !existsSync('/dev/full') && 'no /dev/full here',
    }, async () => {
      // /dev/full refuses every write (ENOSPC). The writer's thread holds several blocks, so the
      // rows that fail are not awaited: the failure must still reach the writer of the next rows.
      const fd = openSync('/dev/full', 'w');
      const out = new FeatureCsvWriter(fd, { threadAfterRows });
      const s: Record<string, unknown> = {
        ts: '',
        ts_ns: 1n,
        symbol: '6EZ6',
        instrument_id: 1,
        session: 'overlap',
      };
      for (const c of FEATURE_COLUMNS) s[c] = 1;
      try {
        await assert.rejects(
          async () => {
            for (let i = 0; i < 20_000; i++) {
              const writing = out.row(s as unknown as FeatureSnapshot, 50_000);
              if (writing !== undefined) await writing;
            }
            await out.close();
          },
          { code: 'ENOSPC' },
        );
        // Closing again reports the same failure rather than hanging.
        await assert.rejects(() => out.close(), { code: 'ENOSPC' });
      } finally {
        closeSync(fd);
      }
    });
  }
});
