import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../core/index.js';
import { RType } from './constants.js';
import { DbnDecoder } from './decoder.js';
import { DbnEncoder } from './encoder.js';
import { DbnError } from './errors.js';
import { hasTsRecv, MergedRecords } from './merge.js';
import type { DbnRecord } from './record.js';

function trade(seq: number, tsRecv: bigint): DbnRecord {
  return {
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: 7, ts_event: tsRecv - 100n },
    price: 1_085_000_000n,
    size: 1,
    action: 'T',
    side: 'B',
    flags: 128,
    depth: 0,
    ts_recv: tsRecv,
    ts_in_delta: 0,
    sequence: seq,
  };
}

function bar(seq: number, tsEvent: bigint): DbnRecord {
  // OHLCV has no ts_recv: it is merged by ts_event. `volume` carries a label to read back.
  return {
    hd: { length: 14, rtype: RType.OHLCV_1M, publisher_id: 1, instrument_id: 8, ts_event: tsEvent },
    open: 1n,
    high: 1n,
    low: 1n,
    close: 1n,
    volume: BigInt(seq),
  };
}

function bytes(recs: DbnRecord[]): Uint8Array {
  const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'TEST' } });
  for (const r of recs) encoder.write(r);
  void encoder.end();
  return result();
}

/**
 * Merges inputs of trades at the given keys (4 KiB batches) and checks the order against a stable
 * sort of every record by key, then input, then position in its input.
 */
async function mergesAsStableSort(inputs: readonly bigint[][]): Promise<void> {
  const m = await MergedRecords.open(
    inputs.map((keys, k) =>
      DbnDecoder.fromBytes(bytes(keys.map((t, i) => trade(k * 10_000 + i, t))), { chunkSize: 4096 }),
    ),
  );
  const seen: number[] = [];
  while (!m.done) {
    seen.push(m.cursor().sequence);
    const p = m.next();
    if (p) await p;
  }
  const expected = inputs
    .flatMap((keys, k) => keys.map((t, i) => ({ t, k, i })))
    .sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.k - y.k || x.i - y.i))
    .map((r) => r.k * 10_000 + r.i);
  assert.equal(seen.length, expected.length);
  assert.deepEqual(seen, expected);
}

test('merges inputs by ts_recv (ts_event without one), ties by input order, across batch boundaries', async () => {
  // Input 0: trades at ts_recv 10, 20, 20, 40 … (100 of them, 4 KiB batches: several loads).
  // Input 1: bars at ts_event 15, 20, 45.
  const a: DbnRecord[] = [];
  for (let i = 0; i < 100; i++) a.push(trade(i, BigInt(10 + 10 * i - (i === 2 ? 10 : 0))));
  const b = [bar(1001, 15n), bar(1002, 20n), bar(1003, 45n)];
  const m = await MergedRecords.open([
    DbnDecoder.fromBytes(bytes(a), { chunkSize: 4096 }),
    DbnDecoder.fromBytes(bytes(b), { chunkSize: 4096 }),
  ]);
  const seen: string[] = [];
  while (!m.done) {
    const c = m.cursor();
    seen.push(c.rtype === RType.MBP_0 ? `t${c.sequence}@${c.tsRecv}` : `b${c.volume}@${c.tsEvent}`);
    const p = m.next();
    if (p) await p;
  }
  assert.equal(seen.length, 103);
  // Worked order: t0@10, b1001@15, then the three records at 20: t1 and t2 (input 0 first, in
  // file order), then b1002 (input 1); t3@40, b1003@45, t4@50 …
  assert.deepEqual(seen.slice(0, 8), [
    't0@10',
    'b1001@15',
    't1@20',
    't2@20',
    'b1002@20',
    't3@40',
    'b1003@45',
    't4@50',
  ]);
  assert.equal(seen[102], 't99@1000');
});

test('keys whose low half is 2^31 or more order as the unsigned times they are, by ts_recv and by ts_event', async () => {
  // The low 32 bits of a time cross 2^31 (a negative word when read signed) and 2^32 (the high half
  // moves on); a 2026 time has its low half above 2^31 about half the time.
  const T = 1_795_000_000_000_000_000n - (1_795_000_000_000_000_000n % 2n ** 32n);
  const around = [
    2n ** 31n - 1n,
    2n ** 31n,
    2n ** 31n + 1n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 32n + 2n ** 31n,
  ];
  await mergesAsStableSort([around.map((d) => T + d), around.map((d) => T + d + 1n)]);
  await mergesAsStableSort([
    [T + 2n ** 31n, T + 2n ** 32n],
    [T + 2n ** 31n - 1n, T + 2n ** 31n + 5n, T + 2n ** 33n],
  ]);
  const m = await MergedRecords.open([DbnDecoder.fromBytes(bytes([trade(1, T + 2n ** 31n + 7n)]))]);
  assert.equal(m.keyLo, 2 ** 31 + 7);
  assert.equal(m.keyHi, Number(T >> 32n));
  const bars = await MergedRecords.open([
    DbnDecoder.fromBytes(bytes([bar(1, T + 2n ** 32n - 1n), bar(2, T + 2n ** 32n)])),
    DbnDecoder.fromBytes(bytes([bar(3, T + 2n ** 31n), bar(4, T + 2n ** 32n - 1n)])),
  ]);
  const order: number[] = [];
  while (!bars.done) {
    order.push(Number(bars.cursor().volume));
    const p = bars.next();
    if (p) await p;
  }
  assert.deepEqual(order, [3, 1, 4, 2]);
});

test('an empty input and no inputs at all are simply done', async () => {
  const m = await MergedRecords.open([DbnDecoder.fromBytes(bytes([]))]);
  assert.equal(m.done, true);
  assert.equal((await MergedRecords.open([])).done, true);
});

test('ts_recv is known for market data and definitions, not for bars', () => {
  assert.equal(hasTsRecv(RType.MBP_10), true);
  assert.equal(hasTsRecv(RType.MBO), true);
  assert.equal(hasTsRecv(RType.BBO_1S), true);
  assert.equal(hasTsRecv(RType.INSTRUMENT_DEF), true);
  assert.equal(hasTsRecv(RType.OHLCV_1M), false);
  assert.equal(hasTsRecv(RType.SYMBOL_MAPPING), false);
});

test('three inputs with many equal keys come out as a stable sort by key, then input, then position', async () => {
  // Keys drawn from a few values, so that runs of one input and ties across inputs are common;
  // each input's keys are non-decreasing, as in a file.
  const rnd = new Random(77);
  const inputs: bigint[][] = [[], [], []];
  for (const keys of inputs) {
    let t = 1000n;
    const n = 200 + Math.floor(rnd.uniform() * 300);
    for (let i = 0; i < n; i++) {
      if (rnd.uniform() < 0.4) t += BigInt(1 + Math.floor(rnd.uniform() * 3));
      keys.push(t);
    }
  }
  await mergesAsStableSort(inputs);
});

test('inputs that start later join the merge where they belong, ties included', async () => {
  // Five inputs whose first keys are staggered: some start together, some at a key another input
  // is still at (equal keys go by input order, whichever input is read first), one after all the
  // others have ended. Expected: the stable sort by key, then input, then position.
  const rnd = new Random(91);
  const starts = [1200n, 1000n, 1200n, 1100n, 9000n];
  const inputs: bigint[][] = starts.map((t0) => {
    const keys: bigint[] = [];
    let t = t0;
    const n = 150 + Math.floor(rnd.uniform() * 200);
    for (let i = 0; i < n; i++) {
      keys.push(t);
      if (rnd.uniform() < 0.4) t += BigInt(1 + Math.floor(rnd.uniform() * 3));
    }
    return keys;
  });
  await mergesAsStableSort(inputs);
});

test('an input is read only once the merge reaches its first record', async () => {
  // Two days: the second day's input is handed over in 512-byte chunks, counted as they are
  // pulled. Opening the merge looks at its first record only; none of its other chunks is
  // pulled while the first day's records are merged, and all of them are by the end.
  const day1 = Array.from({ length: 300 }, (_, i) => trade(i, 1_000n + BigInt(i)));
  const day2 = Array.from({ length: 300 }, (_, i) => trade(1000 + i, 90_000n + BigInt(i)));
  const encoded = bytes(day2);
  const chunks = Math.ceil(encoded.length / 512);
  let pulled = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let k = 0; k < chunks; k++) {
      pulled++;
      yield encoded.slice(k * 512, (k + 1) * 512);
    }
  }
  const m = await MergedRecords.open([
    DbnDecoder.fromBytes(bytes(day1), { chunkSize: 4096 }),
    DbnDecoder.fromStream(source(), { chunkSize: 4096 }),
  ]);
  const atOpen = pulled;
  // The chunks that hold the metadata and the first record (48 bytes), and no more.
  const header = encoded.length - 300 * 48;
  assert.equal(
    atOpen,
    Math.ceil((header + 48) / 512),
    `${atOpen} of ${chunks} chunks pulled to open the merge`,
  );
  let n = 0;
  while (!m.done) {
    if (n < 300) assert.equal(pulled, atOpen, `chunks pulled before record ${n} of the first day`);
    assert.equal(m.cursor().sequence, n < 300 ? n : 700 + n);
    n++;
    const p = m.next();
    if (p) await p;
  }
  assert.equal(n, 600);
  assert.equal(pulled, chunks);
});

test('a merge that cannot open an input closes the others', async () => {
  let closed = false;
  async function* good(): AsyncGenerator<Uint8Array> {
    try {
      yield bytes([trade(1, 10n), trade(2, 20n)]);
    } finally {
      closed = true;
    }
  }
  await assert.rejects(
    MergedRecords.open([
      DbnDecoder.fromStream(good()),
      DbnDecoder.fromBytes(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { source: 'bad.dbn' }),
    ]),
    (e: unknown) => e instanceof DbnError && e.code === 'BAD_MAGIC' && e.message.startsWith('bad.dbn: '),
  );
  assert.equal(closed, true);
});
