/**
 * The built `scalper` command, run as a user runs it: a child process on its `bin`,
 * dist/cli/scalper.js.
 * Expected values come from ../shared/fixtures/dbn/expected.json (an independent reference
 * decoder) or are worked by hand in comments; output shapes follow CONVENTIONS.md ("Command-line
 * output"): JSON lines shaped like Databento's, `hd` nested, prices as 9-decimal strings (null for
 * UNDEF), timestamps ISO-8601 with 9 fractional digits and Z, other 64-bit integers as strings;
 * CSV with Databento's flat column names, UNDEF empty.
 *
 * The timestamps of test_data.mbp-10.dbn records[0], worked by hand: 1609160400 s = 18624 days
 * + 46800 s (13:00:00); day 18624 is 2020-12-28 (18262 days to 2020-01-01, then day 362 of a leap
 * year, 27 days into December, which starts on day 335). So ts_event 1609160400000429831 is
 * 2020-12-28T13:00:00.000429831Z and ts_recv 1609160400000704060 is
 * 2020-12-28T13:00:00.000704060Z.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertMarketFillsInBook, assertTotals } from '../../test/backtest-checks.js';
import { type ExpectedPrice, expectedFiles } from '../../test/dbn.js';
import { fixture, runScalper, type ScalperRun, scalperBin } from '../../test/fixtures.js';
import { writeSampleFiles } from '../../test/market-sample.js';
import { DbnDecoder } from '../data/dbn/index.js';
import { simulateDay } from '../sim/index.js';

/** Children running at once: enough to keep every core busy, few enough not to thrash. */
let slots = availableParallelism() + 1;
const waiting: (() => void)[] = [];

/** Runs the CLI with `args` and collects its exit status and output. */
async function scalper(...args: string[]): Promise<ScalperRun> {
  if (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  else slots--;
  try {
    // `demo` simulates seven days and replays one (~40 s alone): a safety limit, generous for a loaded machine.
    return await runScalper(args, { timeoutMs: 600_000 });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

/** Runs a command expected to succeed and returns its stdout lines. */
async function ok(...args: string[]): Promise<string[]> {
  const r = await scalper(...args);
  assert.equal(r.status, 0, `scalper ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** Asserts a clean failure: exit status 2, one `error [CODE]: ...` line on stderr, no stack. */
function assertFails(r: ScalperRun, code: string): string {
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^error \\[${code}\\]: [^\\n]+\\n$`), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  return r.stderr;
}

const dbn = (name: string) => fixture('dbn', name);
const expected = (name: string) => expectedFiles()[name];
const dec = (p: unknown) => (p as ExpectedPrice).decimal;
const raw = (p: unknown) => (p as ExpectedPrice).raw;

/** Keys of an expected.json record that describe it rather than hold its fields. */
const META_KEYS = new Set(['_layout', '_offset', '_size']);

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cli-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('dbn dump --format json', { concurrency: true }, () => {
  const file = dbn('test_data.mbp-10.dbn');
  const exp = expected('test_data.mbp-10.dbn');

  test('prints one Databento-shaped JSON line per record, --limit 1 the first only', async () => {
    const lines = await ok('dbn', 'dump', file, '--limit', '1');
    assert.equal(lines.length, 1);
    const rec = JSON.parse(lines[0]) as Record<string, unknown>;
    const e = exp.records[0];
    // Databento's JSON: the index timestamp first, then the nested header, then the fields.
    const keys = Object.keys(rec);
    assert.deepEqual(keys.slice(0, 2), ['ts_recv', 'hd']);
    const fields = Object.keys(e).filter((k) => !META_KEYS.has(k) && k !== 'hd' && k !== 'ts_recv');
    assert.deepEqual(new Set(keys.slice(2)), new Set([...fields, 'symbol']));
    assert.deepEqual(rec.hd, {
      ts_event: '2020-12-28T13:00:00.000429831Z',
      rtype: 10,
      publisher_id: 1,
      instrument_id: 5482,
    });
    assert.equal(rec.ts_recv, '2020-12-28T13:00:00.000704060Z');
    assert.equal(rec.price, '3722.750000000');
    assert.equal(rec.price, dec(e.price));
    for (const k of ['size', 'action', 'side', 'flags', 'depth', 'ts_in_delta', 'sequence']) {
      assert.equal(rec[k], e[k], k);
    }
    const levels = rec.levels as Record<string, unknown>[];
    const expLevels = e.levels as Record<string, unknown>[];
    assert.equal(levels.length, 10);
    for (let i = 0; i < 10; i++) {
      const x = expLevels[i];
      assert.deepEqual(
        levels[i],
        {
          bid_px: dec(x.bid_px),
          ask_px: dec(x.ask_px),
          bid_sz: x.bid_sz,
          ask_sz: x.ask_sz,
          bid_ct: x.bid_ct,
          ask_ct: x.ask_ct,
        },
        `level ${i}`,
      );
    }
    // The metadata maps ESH1 to instrument 5482 on 2020-12-28.
    assert.equal(rec.symbol, 'ESH1');
  });

  test('prints every record without --limit, and no symbol with --no-symbols', async () => {
    const lines = await ok('dbn', 'dump', file);
    assert.equal(lines.length, exp.record_count);
    const second = JSON.parse(lines[1]);
    assert.equal(second.price, dec(exp.records[1].price));
    assert.equal(second.sequence, exp.records[1].sequence);
    const bare = JSON.parse((await ok('dbn', 'dump', file, '--limit', '1', '--no-symbols'))[0]);
    assert.equal('symbol' in bare, false);
  });

  test('resolves symbols by ts_recv, so snapshot records of the real MBO file are ESM4 too', async () => {
    // The snapshot's ts_event is each order's entry time (2024-05-05, before the 20240508 mapping
    // interval of ESM4 -> 5602); its ts_recv is the snapshot time 2024-05-08T00:00:00Z, inside it.
    const file = fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst');
    const lines = (await ok('dbn', 'dump', file, '--limit', '3')).map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const rec of lines) {
      assert.ok(rec.hd.ts_event.startsWith('2024-05-05T'), rec.hd.ts_event);
      assert.equal(rec.ts_recv, '2024-05-08T00:00:00.000000000Z');
      assert.equal(rec.symbol, 'ESM4');
    }
  });

  test('writes other 64-bit integers as decimal strings', async () => {
    // MBO order_id is a u64; 647784973705 is above 2^32, a string either way keeps it exact.
    const lines = await ok('dbn', 'dump', dbn('test_data.mbo.dbn'));
    const exp = expected('test_data.mbo.dbn');
    assert.equal(lines.length, 2);
    for (let i = 0; i < 2; i++) {
      const rec = JSON.parse(lines[i]);
      assert.equal(rec.order_id, exp.records[i].order_id);
      assert.equal(typeof rec.order_id, 'string');
      assert.equal(rec.price, dec(exp.records[i].price));
    }
  });

  test('prints UNDEF prices and unset timestamps as null', async () => {
    const rec = JSON.parse((await ok('dbn', 'dump', dbn('test_data.definition.dbn'), '--limit', '1'))[0]);
    const e = expected('test_data.definition.dbn').records[0];
    let undef = 0;
    for (const [k, v] of Object.entries(e)) {
      if (v !== null && typeof v === 'object' && 'decimal' in v) {
        assert.equal(rec[k], dec(v), k);
        if (dec(v) === null) undef++;
      }
    }
    assert.ok(undef >= 5, 'the fixture has UNDEF prices');
    // expiration and activation are 2^64 - 1, UNDEF_TIMESTAMP.
    assert.equal(e.expiration, '18446744073709551615');
    assert.equal(rec.expiration, null);
    assert.equal(rec.activation, null);
    assert.equal(rec.raw_symbol, 'MSFT');
  });
});

describe('dbn dump --format csv', { concurrency: true }, () => {
  test('has a header of Databento column names and one row per record', async () => {
    const file = dbn('test_data.mbp-10.dbn');
    const exp = expected('test_data.mbp-10.dbn');
    const lines = await ok('dbn', 'dump', file, '--format', 'csv');
    assert.equal(lines.length, 1 + exp.record_count);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 5), ['ts_recv', 'ts_event', 'rtype', 'publisher_id', 'instrument_id']);
    assert.equal(header[header.length - 1], 'symbol');
    const levelCols: string[] = [];
    for (let i = 0; i < 10; i++) {
      const nn = String(i).padStart(2, '0');
      for (const k of ['bid_px', 'ask_px', 'bid_sz', 'ask_sz', 'bid_ct', 'ask_ct'])
        levelCols.push(`${k}_${nn}`);
    }
    const first = header.indexOf('bid_px_00');
    assert.deepEqual(header.slice(first, first + 60), levelCols);
    assert.deepEqual(
      new Set(header.slice(5, first)),
      new Set(['action', 'side', 'depth', 'price', 'size', 'flags', 'ts_in_delta', 'sequence']),
    );
    assert.equal(header.length, 5 + 8 + 60 + 1);

    for (let r = 0; r < exp.record_count; r++) {
      const cells = lines[1 + r].split(',');
      assert.equal(cells.length, header.length);
      const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
      const e = exp.records[r];
      const hd = e.hd as Record<string, unknown>;
      assert.equal(row.rtype, String(hd.rtype));
      assert.equal(row.publisher_id, String(hd.publisher_id));
      assert.equal(row.instrument_id, String(hd.instrument_id));
      assert.equal(row.price, dec(e.price));
      for (const k of ['size', 'action', 'side', 'flags', 'depth', 'ts_in_delta', 'sequence']) {
        assert.equal(row[k], String(e[k]), k);
      }
      const levels = e.levels as Record<string, unknown>[];
      for (let i = 0; i < 10; i++) {
        const nn = String(i).padStart(2, '0');
        assert.equal(row[`bid_px_${nn}`], dec(levels[i].bid_px));
        assert.equal(row[`ask_px_${nn}`], dec(levels[i].ask_px));
        for (const k of ['bid_sz', 'ask_sz', 'bid_ct', 'ask_ct']) {
          assert.equal(row[`${k}_${nn}`], String(levels[i][k]), `${k}_${nn}`);
        }
      }
      assert.equal(row.symbol, 'ESH1');
    }
    // Record 0, worked by hand in the header comment.
    assert.ok(
      lines[1].startsWith('2020-12-28T13:00:00.000704060Z,2020-12-28T13:00:00.000429831Z,10,1,5482,'),
    );
  });

  test('leaves UNDEF prices and unset timestamps as empty cells', async () => {
    const lines = await ok('dbn', 'dump', dbn('test_data.definition.dbn'), '--format', 'csv', '--limit', '1');
    assert.equal(lines.length, 2);
    assert.doesNotMatch(lines[1], /"/, 'no quoted cells, so splitting on commas is exact');
    const header = lines[0].split(',');
    const cells = lines[1].split(',');
    assert.equal(cells.length, header.length);
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    const e = expected('test_data.definition.dbn').records[0];
    let empty = 0;
    for (const [k, v] of Object.entries(e)) {
      if (v !== null && typeof v === 'object' && 'decimal' in v) {
        const d = dec(v);
        assert.equal(row[k], d ?? '', k);
        if (d === null) empty++;
      }
    }
    assert.ok(empty >= 5);
    assert.equal(row.min_price_increment, '');
    assert.equal(row.display_factor, '100000.000000000');
    assert.equal(row.expiration, '');
    assert.equal(row.raw_symbol, 'MSFT');
    assert.equal(row.symbol, 'MSFT');
  });
});

describe('dbn dump --pretty false', { concurrency: true }, () => {
  test('prints raw integers, 64-bit ones as strings in JSON', async () => {
    const e = expected('test_data.mbp-10.dbn').records[0];
    const rec = JSON.parse(
      (await ok('dbn', 'dump', dbn('test_data.mbp-10.dbn'), '--limit', '1', '--pretty', 'false'))[0],
    );
    assert.equal(rec.ts_recv, '1609160400000704060');
    assert.equal(rec.ts_recv, e.ts_recv);
    assert.equal(rec.hd.ts_event, (e.hd as Record<string, unknown>).ts_event);
    assert.equal(rec.price, '3722750000000');
    assert.equal(rec.price, raw(e.price));
    const lv = (e.levels as Record<string, unknown>[])[0];
    assert.equal(rec.levels[0].bid_px, raw(lv.bid_px));
    assert.equal(rec.levels[0].ask_px, raw(lv.ask_px));
    assert.equal(rec.levels[0].bid_sz, lv.bid_sz);
  });

  test('prints raw integers in CSV too', async () => {
    const lines = await ok(
      'dbn',
      'dump',
      dbn('test_data.mbp-10.dbn'),
      '--format',
      'csv',
      '--pretty',
      'false',
    );
    const header = lines[0].split(',');
    const row = Object.fromEntries(header.map((h, i) => [h, lines[1].split(',')[i]]));
    assert.equal(row.ts_event, '1609160400000429831');
    assert.equal(row.ts_recv, '1609160400000704060');
    assert.equal(row.price, '3722750000000');
    assert.equal(row.bid_px_00, '3720250000000');
  });
});

describe('dbn inspect --json', { concurrency: true }, () => {
  const cases: [string, string[]][] = [
    ['test_data.mbp-10.dbn', []],
    ['test_data.definition.dbn', []],
    ['test_data.status.v3.dbn.zst', []],
    ['test_data.trades.dbz', []],
    ['test_data.ohlcv-1d.dbn', []],
    ['multi-frame.definition.v1.dbn.frag.zst', ['--fragment']],
  ];
  for (const [name, extra] of cases) {
    test(`counts the records of ${name} per rtype and per instrument`, async () => {
      const out = JSON.parse((await ok('dbn', 'inspect', '--json', dbn(name), ...extra)).join('\n'));
      const exp = expected(name);
      assert.equal(out.records, exp.record_count);
      assert.deepEqual(out.by_rtype, exp.records_by_rtype);
      const perInstrument: Record<number, number> = {};
      for (const r of exp.records) {
        const id = (r.hd as { instrument_id: number }).instrument_id;
        perInstrument[id] = (perInstrument[id] ?? 0) + 1;
      }
      const got: Record<number, number> = {};
      for (const x of out.by_instrument as { instrument_id: number; count: number }[]) {
        got[x.instrument_id] = x.count;
      }
      assert.deepEqual(got, perInstrument);
    });
  }

  test('names the instruments from the metadata mappings', async () => {
    const out = JSON.parse((await ok('dbn', 'inspect', '--json', dbn('test_data.mbp-10.dbn'))).join('\n'));
    assert.deepEqual(out.by_instrument, [{ instrument_id: 5482, symbol: 'ESH1', count: 2 }]);
    assert.equal(out.first_ts_event, '2020-12-28T13:00:00.000429831Z');
    assert.equal(out.metadata.dataset, 'GLBX.MDP3');
    assert.equal(out.metadata.schema, 'mbp-10');
  });
});

describe('bad input', { concurrency: true }, () => {
  test('a missing file: exit 2, one error line naming it, nothing on stdout', async () => {
    const path = join(tmp, 'missing.dbn');
    const r = await scalper('dbn', 'dump', path);
    const err = assertFails(r, 'IO');
    assert.ok(err.includes(path), err);
    assert.equal(r.stdout, '');
    assertFails(await scalper('dbn', 'inspect', path), 'IO');
  });

  test('a truncated file: the complete records, then an error at the byte offset of the cut record', async () => {
    // Cut at byte 1000: records[0] (offset 353, 368 bytes) is whole; records[1] starts at 721.
    const exp = expected('test_data.mbp-10.dbn');
    assert.equal(exp.records[1]._offset, 721);
    const path = join(tmp, 'truncated.mbp-10.dbn');
    writeFileSync(path, readFileSync(dbn('test_data.mbp-10.dbn')).subarray(0, 1000));
    const r = await scalper('dbn', 'dump', path);
    const err = assertFails(r, 'TRUNCATED_RECORD');
    assert.ok(err.includes(path), err);
    assert.match(err, /\(at byte 721\)\n$/);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, 'the whole first record is still printed');
    assert.equal(JSON.parse(lines[0]).price, dec(exp.records[0].price));
    assertFails(await scalper('dbn', 'inspect', path), 'TRUNCATED_RECORD');
  });

  test('a truncated zstd file: an error at the compressed byte where the input ends', async () => {
    const path = join(tmp, 'truncated.mbp-10.dbn.zst');
    const whole = readFileSync(dbn('test_data.mbp-10.v3.dbn.zst'));
    assert.ok(whole.length > 200);
    writeFileSync(path, whole.subarray(0, 200));
    const err = assertFails(await scalper('dbn', 'dump', path), 'CORRUPT_ZSTD');
    assert.ok(err.includes(path), err);
    assert.match(err, /\(at byte 200\)\n$/);
  });

  test('records without metadata and no --fragment: BAD_MAGIC at byte 0', async () => {
    const path = dbn('test_data.definition.v3.dbn.frag');
    const r = await scalper('dbn', 'dump', path);
    const err = assertFails(r, 'BAD_MAGIC');
    assert.ok(err.includes(path) && err.endsWith('(at byte 0)\n'), err);
    assert.equal(r.stdout, '');
  });

  test('an unknown --format or fragment version: exit 2 quoting the value, nothing on stdout', async () => {
    const r = await scalper('dbn', 'dump', dbn('test_data.mbp-10.dbn'), '--format', 'xml');
    assert.match(assertFails(r, 'CONFIG'), /"xml"/);
    assert.equal(r.stdout, '');
    const f = await scalper('dbn', 'dump', dbn('test_data.definition.v3.dbn.frag'), '--fragment', '4');
    assert.match(assertFails(f, 'CONFIG'), /"4"/);
    assert.equal(f.stdout, '');
  });
});

describe('--help', { concurrency: true }, () => {
  const cases: [string[], string[]][] = [
    [[], ['demo', 'simulate', 'dbn']],
    [['dbn'], ['inspect', 'dump']],
    [
      ['dbn', 'inspect'],
      ['--json', '--fragment', '--upgrade'],
    ],
    [
      ['dbn', 'dump'],
      ['--limit', '--format', '--pretty', '--no-symbols', '--fragment', '--upgrade'],
    ],
    [['demo'], ['--out', '--seed', '--start', '--scenario']],
    [['kill'], ['--reason', '--url', '--reset', 'SCALPER_CONTROL_TOKEN']],
    [
      ['simulate'],
      [
        '--days',
        '--start',
        '--instruments',
        '--seed',
        '--out',
        '--mbo',
        '--no-zstd',
        '--scenario',
        '--list-scenarios',
      ],
    ],
    [
      ['roi'],
      [
        '--result',
        '--data-cost',
        '--infra-cost',
        '--setup-cost',
        '--size',
        '--variant',
        '--days-per-month',
        '--json',
      ],
    ],
  ];
  for (const [cmd, words] of cases) {
    test(`scalper ${[...cmd, '--help'].join(' ')} prints usage and exits 0`, async () => {
      const lines = await ok(...cmd, '--help');
      assert.ok(lines[0].startsWith(`Usage: ${['scalper', ...cmd].join(' ')} [options]`), lines[0]);
      const text = lines.join('\n');
      for (const w of words) assert.ok(text.includes(w), `${w} in:\n${text}`);
    });
  }
});

describe('demo and simulate', { concurrency: true }, () => {
  test('demo simulates a 6E day into --out, reports what the files hold and backtests it', async () => {
    const out = join(tmp, 'demo', 'nested');
    // A short setting: one day, its regime model fitted on two others.
    const cfg = join(tmp, 'demo-short.yaml');
    writeFileSync(cfg, 'demo:\n  days: 1\n  regimeFitDays: 2\n');
    const r = await scalper('demo', '--out', out, '--config', cfg);
    assert.equal(r.status, 0, r.stderr);
    // 2026-11-24 is the default trading date (a Tuesday).
    const files = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(out, join(e.parentPath, e.name)));
    for (const f of [
      'glbx-mdp3-20261124.definition.dbn.zst',
      'glbx-mdp3-20261124.mbp-10.dbn.zst',
      'glbx-mdp3-20261124.trades.dbn.zst',
      'truth-20261124.json',
      join('backtest', 'result.json'),
      join('backtest', 'trades.csv'),
    ]) {
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    }
    // The count the demo prints is the count a reader of the file finds.
    let records = 0;
    for await (const batch of DbnDecoder.fromFile(join(out, 'glbx-mdp3-20261124.mbp-10.dbn.zst'))) {
      records += batch.count;
    }
    assert.ok(records > 1_000_000, `a whole day has over a million MBP-10 records, got ${records}`);
    assert.match(r.stdout, new RegExp(`${records.toLocaleString('en-US')} MBP-10 records of 6EZ6`));
    const truth = JSON.parse(readFileSync(join(out, 'truth-20261124.json'), 'utf8'));
    assert.equal(truth.version, 1);
    // The feature replay: one row a minute of the trading day (23 hours = 1,380 minutes at most),
    // and VPIN compared inside and outside the truth's episodes.
    const rows = readFileSync(join(out, 'features-20261124.csv'), 'utf8').trim().split('\n');
    assert.ok(rows[0].startsWith('ts,ts_ns,symbol,'), rows[0]);
    assert.ok(rows.length > 1000 && rows.length <= 1381, `${rows.length} rows`);
    assert.match(
      r.stdout,
      /VPIN .* averaged [0-9.]+ in the minutes inside toxic episodes and [0-9.]+ outside/,
    );
    assert.match(r.stdout, new RegExp(`toxic-flow episodes: ${truth.episodes.length}\\b`));
    // The run manifest lists every file the demo wrote, with the size and sha256 a reader finds.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.command, 'demo');
    assert.equal(manifest.seed, 7);
    assert.deepEqual(
      manifest.outputs.map((o: { path: string }) => o.path).sort(),
      files.filter((f) => f !== 'manifest.json').sort(),
    );
    for (const o of manifest.outputs as { path: string; bytes: number; sha256: string }[]) {
      const data = readFileSync(join(out, o.path));
      assert.equal(o.bytes, data.length, o.path);
      assert.equal(o.sha256, createHash('sha256').update(data).digest('hex'), o.path);
    }
    assert.match(r.stdout, /Run manifest .*manifest\.json/);
    // The backtest: what it prints is what result.json and trades.csv hold.
    const result = JSON.parse(readFileSync(join(out, 'backtest', 'result.json'), 'utf8'));
    const trades =
      readFileSync(join(out, 'backtest', 'trades.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    assert.equal(result.metrics.trades, trades);
    assert.match(
      r.stdout,
      new RegExp(
        `P&L ${result.metrics.pnl.toFixed(2)} USD after .* ${trades.toLocaleString('en-US')} round trips`,
      ),
    );
    assert.deepEqual(result.ablations.map((a: { name: string }) => a.name).slice(0, 5), [
      'old',
      '+microstructure',
      '+toxicity',
      'full',
      'full, no regime',
    ]);
    assert.match(r.stdout, /ablations \(P&L after costs/);
    assert.match(
      r.stdout,
      /toxic-episode losses: [0-9]+ USD without the toxicity veto, [0-9]+ USD with it; change /,
    );
    // The backtest folder agrees with itself and with the test day's book.
    const folder = join(out, 'backtest');
    assertTotals(folder);
    await assertMarketFillsInBook(folder, [join(out, 'glbx-mdp3-20261124.mbp-10.dbn.zst')]);
    // Fitted on the two trading days before the test day, Tuesday 2026-11-24: Friday the 20th and
    // Monday the 23rd (the weekend has none); none of them is scored.
    assert.deepEqual(result.training, [
      { what: 'regime model', days: ['2026-11-20', '2026-11-23'], detail: result.training[0].detail },
    ]);
    assert.deepEqual(
      result.metrics.days.map((d: { date: string }) => d.date),
      ['2026-11-24'],
    );
    // The market the test day was simulated in: the default scenario, as its truth file records it.
    assert.deepEqual(result.toxic.scenarios, ['default']);
    assert.match(r.stdout, /simulated market: default; round trips overlapping one of the/);
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    assert.ok(
      html.includes('<h2>Training</h2>') && html.includes('2026-11-20'),
      'the report names the training days',
    );
  });

  test('simulate rejects a weekend start, an unknown instrument and a missing --out with exit 2', async () => {
    const dir = join(tmp, 'sim-bad');
    // 2026-11-28 is a Saturday: no CME trading date.
    const weekend = await scalper('simulate', '--start', '2026-11-28', '--out', dir);
    assert.equal(weekend.status, 2, weekend.stderr);
    assert.match(weekend.stderr, /2026-11-28/);
    // Thanksgiving 2026: the next trading date is Friday the 27th.
    const holiday = await scalper('simulate', '--start', '2026-11-26', '--out', dir);
    assert.equal(holiday.status, 2, holiday.stderr);
    assert.match(
      holiday.stderr,
      /CME holiday \(Thanksgiving Day\), not a CME trading date; the next one is 2026-11-27/,
    );
    const unknown = await scalper('simulate', '--instruments', '6E,XX', '--out', dir);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /"XX" is not one of 6E, 6B, 6J/);
    const noOut = await scalper('simulate');
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /--out/);
    const preset = await scalper('simulate', '--scenario', 'stormy', '--out', dir);
    assert.equal(preset.status, 2);
    assert.match(preset.stderr, /"stormy" is not one of default, calm, volatile, toxic/);
  });

  test('simulate --list-scenarios prints each preset with what it is for, without --out', async () => {
    const lines = await ok('simulate', '--list-scenarios');
    const presets = lines.slice(
      0,
      lines.findIndex((l) => l.startsWith('contracts')),
    );
    assert.deepEqual(
      presets.map((l) => l.split(/\s+/)[0]),
      ['default', 'calm', 'volatile', 'toxic', 'news', 'null'],
    );
    assert.match(lines[3], /^toxic\s+heavy informed flow: three times the toxic episodes/);
    assert.match(lines[4], /^news\s+scheduled news: jumps \(20 ticks sd\), spread blow-outs/);
    // CME's specs (INTEGRATIONS.md §1): 6E 125,000 EUR at 0.00005, 6B 62,500 GBP at 0.0001, 6J
    // 12,500,000 JPY at 0.0000005, each tick $6.25.
    assert.ok(lines.includes('  6E  USD per EUR: tick 0.00005 = 6.25 USD, contract 125,000 EUR'));
    assert.ok(lines.includes('  6B  USD per GBP: tick 0.0001 = 6.25 USD, contract 62,500 GBP'));
    assert.ok(
      lines.includes(
        '  6J  USD per JPY (USD/JPY inverted): tick 0.0000005 = 6.25 USD, contract 12,500,000 JPY',
      ),
    );
  });

  test("simulate --scenario news --calendar F: the releases of F in the truth file, F among the run's inputs", async () => {
    const csv = join(tmp, 'calendar.csv');
    // 09:00 UTC is 10:00 Frankfurt; the GBP release concerns no 6E; the 25th is another day.
    writeFileSync(
      csv,
      'ts,currency,event,minutes_before,minutes_after\n2026-11-24T09:00:00Z,EUR,Ifo,1,3\n2026-11-24T12:00:00Z,GBP,BoE,0,0\n2026-11-25T13:30:00Z,USD,GDP,2,5\n',
    );
    const out = join(tmp, 'sim-news');
    const r = await scalper('simulate', '--scenario', 'news', '--calendar', csv, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const truth = JSON.parse(readFileSync(join(out, 'truth-20261124.json'), 'utf8'));
    assert.deepEqual(
      truth.news.map((n: { ts: string; event: string; blowout_start: string }) => [
        n.ts,
        n.event,
        n.blowout_start,
      ]),
      [['2026-11-24T09:00:00.000000000Z', 'Ifo', '2026-11-24T08:59:00.000000000Z']],
    );
    assert.equal(truth.scenario.name, 'news');
    assert.equal(truth.scenario.parameters.news.calendar, csv);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.inputs.map((i: { path: string }) => i.path),
      [csv],
    );
  });

  test('simulate --calendar names each bad row of the CSV as file:line, exit 2, before writing anything', async () => {
    const csv = join(tmp, 'bad-calendar.csv');
    writeFileSync(
      csv,
      'ts,currency,event,minutes_before,minutes_after\n2026-11-24T13:30:00Z,USD,NFP,5,10\n2026-11-24T15:00:00Z,XYZ,odd,5,10\n2026-11-24T16:00:00,EUR,no zone,-1,10\n',
    );
    const out = join(tmp, 'sim-bad-calendar');
    const r = await scalper('simulate', '--scenario', 'news', '--calendar', csv, '--out', out);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${csv}:3: currency: unknown currency "XYZ"`));
    assert.match(r.stderr, new RegExp(`${csv}:4: ts: "2026-11-24T16:00:00" has no zone`));
    assert.match(r.stderr, new RegExp(`${csv}:4: minutes_before: "-1" is negative`));
    assert.equal(existsSync(out), false);
    const missing = await scalper('simulate', '--calendar', join(tmp, 'none.csv'), '--out', out);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /none\.csv: cannot read the economic calendar \(file not found\)/);
  });

  test('a bad scenario field in the configuration is an error naming its path, exit 2', async () => {
    const config = join(tmp, 'bad-scenario.yaml');
    writeFileSync(
      config,
      'simulate:\n  scenario:\n    preset: toxic\n    informed: { share: 2 }\n    walls: { sizes: [1, 2] }\n',
    );
    const r = await scalper('simulate', '--config', config, '--out', join(tmp, 'sim-bad-scenario'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /simulate\.scenario\.informed\.share: Too big: expected number to be <=1 \(got 2\)/,
    );
    assert.match(r.stderr, /simulate\.scenario\.walls\.sizes: unknown key/);
  });

  test('simulate --scenario default writes the bytes of the simulator without a scenario, and records the scenario', async () => {
    const out = join(tmp, 'sim-scenario-default');
    const r = await scalper('simulate', '--scenario', 'default', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    // The same day through the library with no scenario: the code path from before scenarios.
    const plain = join(tmp, 'sim-no-scenario');
    await simulateDay({ date: '2026-11-24', seed: 1, out: plain });
    const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const names = readdirSync(plain).sort();
    assert.deepEqual(
      readdirSync(out)
        .filter((f) => f !== 'manifest.json')
        .sort(),
      names,
    );
    for (const f of names)
      if (!f.startsWith('truth-')) assert.equal(hash(join(out, f)), hash(join(plain, f)), f);
    const truth = JSON.parse(readFileSync(join(out, 'truth-20261124.json'), 'utf8'));
    assert.equal(truth.scenario.name, 'default');
    assert.equal(truth.scenario.parameters.toxic.minMinutes, 3);
    delete truth.scenario;
    assert.equal(
      `${JSON.stringify(truth, null, 1)}\n`,
      readFileSync(join(plain, 'truth-20261124.json'), 'utf8'),
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.config.simulate.scenario.preset, 'default');
    assert.equal(manifest.config.simulate.scenario.informed.share, 0.08);
  });
});

describe('stdout closed early', { concurrency: true }, () => {
  test('dbn dump | head -1 ends quietly when the reader goes away', async () => {
    // ~2 MB of JSON lines: far more than a pipe buffer, so the child is still writing when the
    // reader closes.
    const files = await writeSampleFiles(mkdtempSync(join(tmp, 'pipe-')), { records: 2000, seed: 3 });
    const child = spawn(process.execPath, [scalperBin(), 'dbn', 'dump', files.mbp10], {
      env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let first = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
    });
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8');
      child.stdout.destroy();
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    assert.ok(first.startsWith('{"ts_recv":"2026-11-25T14:30:00.'), first.slice(0, 80));
    assert.equal(stderr, '');
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});

describe('fragments and upgrades', { concurrency: true }, () => {
  const frag = dbn('test_data.definition.v3.dbn.frag');

  test('--fragment 3 reads records without metadata', async () => {
    const lines = await ok('dbn', 'dump', frag, '--fragment', '3');
    const exp = expected('test_data.definition.v3.dbn.frag');
    assert.equal(lines.length, exp.record_count);
    for (let i = 0; i < lines.length; i++) {
      const rec = JSON.parse(lines[i]);
      const e = exp.records[i];
      assert.equal(rec.hd.instrument_id, (e.hd as Record<string, unknown>).instrument_id);
      assert.equal(rec.raw_symbol, e.raw_symbol);
      assert.equal(rec.min_price_increment, dec(e.min_price_increment));
      assert.equal('symbol' in rec, false, 'no metadata, no mappings, no symbol');
    }
  });

  test('--fragment without a version detects it', async () => {
    assert.deepEqual(
      await ok('dbn', 'dump', frag, '--fragment'),
      await ok('dbn', 'dump', frag, '--fragment', '3'),
    );
    // Eight zstd frames of v1 definitions.
    const name = 'multi-frame.definition.v1.dbn.frag.zst';
    const lines = await ok('dbn', 'dump', dbn(name), '--fragment');
    const exp = expected(name);
    assert.equal(lines.length, 8);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).raw_symbol),
      exp.records.map((e) => e.raw_symbol),
    );
  });

  test('--upgrade widens a v1 statistics quantity to the v3 i64, UNDEF to UNDEF', async () => {
    // v1 StatMsg.quantity is an i32 whose UNDEF is i32::MAX (2147483647); v3's is an i64 whose
    // UNDEF is i64::MAX (9223372036854775807), which JSON carries as a string.
    const file = dbn('test_data.statistics.v1.dbn.zst');
    const exp = expected('test_data.statistics.v1.dbn.zst');
    const upgraded = (await ok('dbn', 'dump', file, '--upgrade')).map((l) => JSON.parse(l));
    const asIs = (await ok('dbn', 'dump', file)).map((l) => JSON.parse(l));
    assert.equal(upgraded.length, 2);
    for (let i = 0; i < 2; i++) {
      assert.equal(exp.records[i].quantity, 2147483647);
      assert.equal(asIs[i].quantity, 2147483647);
      assert.equal(upgraded[i].quantity, '9223372036854775807');
      assert.equal(upgraded[i].price, dec(exp.records[i].price));
      assert.equal(upgraded[i].ts_ref, null); // 2^64 - 1 in expected.json: not set
    }
  });
});
