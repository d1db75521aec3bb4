/**
 * `scalper book`: the printed book states of real CME ES MBO data equal the reference states
 * computed independently (../shared/fixtures/dbn-real), an MBP-10 file's states equal the levels
 * its own records carry, and a crossed book is marked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixture, runScalper } from '../../test/fixtures.js';
import { ConfigError } from '../core/index.js';
import { DbnDecoder, DbnEncoder, DbnError, type DbnRecord, Flags, RType } from '../data/index.js';
import { runBook } from './book.js';

const ES = fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst');
const dir = mkdtempSync(join(tmpdir(), 'scalper-book-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Lines `runBook` writes, parsed when JSON. */
async function book(files: string[], opts: Partial<Parameters<typeof runBook>[1]> = {}): Promise<string[]> {
  const lines: string[] = [];
  const out = {
    line: async (l: string) => {
      lines.push(l);
    },
    flush: async () => {},
  };
  await runBook(files, { every: 20, levels: 10, format: 'json', ...opts }, out);
  return lines;
}

/** ns since the epoch as ISO-8601 with nanoseconds, worked out here from the integer. */
function iso(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

describe('scalper book', () => {
  test('real ES MBO: every 20th published event and the end equal the reference book states', async () => {
    const text = readFileSync(
      fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.book.json'),
      'utf8',
    );
    const ref = JSON.parse(text.replace(/"(ts_event|ts_recv)": (\d+)/g, '"$1": "$2"')) as {
      snapshots: {
        index: number;
        ts_event: string;
        ts_recv: string;
        sequence: number;
        bids: unknown[];
        asks: unknown[];
      }[];
    };
    const got = (await book([ES])).map((l) => JSON.parse(l));
    assert.equal(got.length, ref.snapshots.length);
    for (let i = 0; i < got.length; i++) {
      const s = ref.snapshots[i];
      assert.deepEqual(got[i], {
        index: s.index,
        ts_event: iso(BigInt(s.ts_event)),
        ts_recv: iso(BigInt(s.ts_recv)),
        sequence: s.sequence,
        instrument_id: 5602,
        symbol: 'ESM4',
        crossed: false,
        bids: s.bids,
        asks: s.asks,
      });
    }
  });

  test('--symbol keeps one instrument; --levels cuts the sides', async () => {
    assert.equal((await book([ES], { symbol: 'NQM4' })).length, 0);
    const three = (await book([ES], { symbol: 'ESM4', levels: 3, every: 100 })).map((l) => JSON.parse(l));
    assert.deepEqual(
      three.map((s) => [s.index, s.bids.length, s.asks.length]),
      [
        [13699, 3, 3],
        [13795, 3, 3],
      ],
    );
  });

  test('MBP-10: each state printed is the levels its own record carries', async () => {
    const file = fixture('dbn', 'test_data.mbp-10.dbn');
    const records: DbnRecord[] = [];
    for await (const rec of DbnDecoder.fromFile(file).records()) records.push(rec);
    const got = (await book([file], { every: 1 })).map((l) => JSON.parse(l));
    const published = records.filter((r) => ((r.flags as number) & Flags.LAST) !== 0);
    assert.ok(got.length >= published.length && got.length > 0);
    const px = (v: bigint) => `${v / 1_000_000_000n}.${(v % 1_000_000_000n).toString().padStart(9, '0')}`;
    for (const s of got) {
      const r = records[s.index];
      const lv = r.levels as {
        bid_px: bigint;
        ask_px: bigint;
        bid_sz: number;
        ask_sz: number;
        bid_ct: number;
        ask_ct: number;
      }[];
      const UNDEF = 9223372036854775807n;
      const bids = lv.filter((l) => l.bid_px !== UNDEF).map((l) => [px(l.bid_px), l.bid_sz, l.bid_ct]);
      const asks = lv.filter((l) => l.ask_px !== UNDEF).map((l) => [px(l.ask_px), l.ask_sz, l.ask_ct]);
      assert.deepEqual([s.bids, s.asks], [bids, asks], `record ${s.index}`);
      assert.equal(s.sequence, r.sequence);
    }
  });

  test('a crossed book is printed and marked, in JSON and in the table', async () => {
    const path = join(dir, 'crossed.mbo.dbn');
    const enc = DbnEncoder.toFile(path, { metadata: { dataset: 'GLBX.MDP3', schema: 'mbo' } });
    const add = (i: number, side: string, price: bigint): DbnRecord =>
      ({
        hd: { length: 14, rtype: RType.MBO, publisher_id: 1, instrument_id: 7, ts_event: 1_000n + BigInt(i) },
        order_id: BigInt(i + 1),
        price,
        size: 5,
        flags: Flags.LAST,
        channel_id: 0,
        action: 'A',
        side,
        ts_recv: 2_000n + BigInt(i),
        ts_in_delta: 0,
        sequence: i,
      }) as DbnRecord;
    enc.write(add(0, 'B', 101_000_000_000n));
    enc.write(add(1, 'A', 102_000_000_000n));
    enc.write(add(2, 'A', 100_000_000_000n)); // an ask below the bid
    await enc.end();
    const json = (await book([path], { every: 1 })).map((l) => JSON.parse(l));
    assert.deepEqual(
      json.map((s) => [s.index, s.crossed, s.bids[0]?.[0], s.asks[0]?.[0]]),
      [
        [0, false, '101.000000000', undefined],
        [1, false, '101.000000000', '102.000000000'],
        [2, true, '101.000000000', '100.000000000'],
      ],
    );
    const table = await book([path], { every: 3, format: 'table' });
    assert.match(table[0], /record 2 .*CROSSED$/);
  });

  test('bad input: a missing file, an unknown format; from the command line, exit 2 with the reason', async () => {
    await assert.rejects(
      book([join(dir, 'none.dbn')]),
      (e: unknown) => e instanceof DbnError && e.code === 'IO',
    );
    await assert.rejects(book([ES], { format: 'xml' as 'json' }), ConfigError);
    const r = await runScalper(['book', ES, '--every', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--every.*"0" is not a positive integer/);
  });
});
