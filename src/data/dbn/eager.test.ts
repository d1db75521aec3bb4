/**
 * An eager decoder (DecoderOptions `eager`, for sockets) hands over each chunk's whole records
 * before it asks its input for the next chunk; a record split across chunks comes out once its
 * last byte has arrived. The default decoder fills its buffer first, asking for every chunk.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RType } from './constants.js';
import { DbnDecoder } from './decoder.js';
import { DbnEncoder } from './encoder.js';
import { DbnError } from './errors.js';
import type { DbnRecord } from './record.js';

const T0 = 1_795_617_000_000_000_000n;

function trade(i: number): DbnRecord {
  return {
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: 42, ts_event: T0 + BigInt(i) },
    price: 1_085_000_000n,
    size: 1 + i,
    action: 'T',
    side: 'B',
    flags: 128,
    depth: 0,
    ts_recv: T0 + BigInt(i) + 100n,
    ts_in_delta: 0,
    sequence: i,
  } as unknown as DbnRecord;
}

/** Metadata, then five 48-byte trades; returns the bytes and where the records begin. */
async function stream(): Promise<{ bytes: Uint8Array; first: number }> {
  const { encoder, result } = DbnEncoder.toBuffer({
    metadata: { dataset: 'GLBX.MDP3', schema: 'trades', stype_in: 'raw_symbol', stype_out: 'instrument_id' },
  });
  for (let i = 0; i < 5; i++) encoder.write(trade(i));
  await encoder.end();
  const bytes = result();
  const metaLen = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  return { bytes, first: 8 + metaLen };
}

/** Yields `bytes` cut at `cuts`, logging each time the decoder asks for a chunk. */
async function* cut(bytes: Uint8Array, cuts: readonly number[], log: string[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const [k, to] of [...cuts, bytes.length].entries()) {
    log.push(`chunk ${k + 1}`);
    yield bytes.slice(from, to);
    from = to;
  }
  log.push('end');
}

async function run(eager: boolean, cuts: (first: number) => number[]): Promise<string[]> {
  const { bytes, first } = await stream();
  const log: string[] = [];
  const dec = DbnDecoder.fromStream(cut(bytes, cuts(first), log), { eager });
  for await (const batch of dec) {
    const sizes: number[] = [];
    for (let i = 0; i < batch.count; i++) sizes.push(batch.at(i).size);
    log.push(`records ${sizes.join(',')}`);
  }
  return log;
}

describe('eager decoding', () => {
  // Trade i has size 1 + i. Chunk 1: metadata and trade 0 and half of trade 1 (24 of 48 bytes);
  // chunk 2: the rest of trade 1 and trade 2; chunk 3: trades 3 and 4.
  const cuts = (first: number) => [first + 48 + 24, first + 3 * 48];

  test('hands over each chunk’s whole records before asking for the next chunk', async () => {
    assert.deepEqual(await run(true, cuts), [
      'chunk 1',
      'records 1',
      'chunk 2',
      'records 2,3',
      'chunk 3',
      'records 4,5',
      'end',
    ]);
  });

  test('without it, the decoder reads every chunk before the first batch', async () => {
    assert.deepEqual(await run(false, cuts), ['chunk 1', 'chunk 2', 'chunk 3', 'end', 'records 1,2,3,4,5']);
  });

  test('a record cut one byte at a time comes out whole, once', async () => {
    const log = await run(true, (first) => Array.from({ length: 48 }, (_, k) => first + 48 + k + 1));
    assert.deepEqual(
      log.filter((l) => l.startsWith('records')),
      ['records 1', 'records 2', 'records 3,4,5'],
    );
  });

  test('an input ending inside a record is an error naming its offset', async () => {
    const { bytes, first } = await stream();
    const dec = DbnDecoder.fromStream(cut(bytes.subarray(0, first + 48 + 20), [first + 10], []), {
      eager: true,
      source: 'gateway',
    });
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const batch of dec) for (let i = 0; i < batch.count; i++) seen.push(batch.at(i).size);
      },
      (e: unknown) =>
        e instanceof DbnError &&
        e.code === 'TRUNCATED_RECORD' &&
        e.offset === first + 48 &&
        /gateway/.test(e.message),
    );
    assert.deepEqual(seen, [1]);
  });

  test('a bad record after good ones: they are handed over, and the error comes before more input', async () => {
    const { bytes, first } = await stream();
    const bad = new Uint8Array(bytes); // a copy (a Buffer's slice is a view)
    bad[first + 2 * 48] = 13; // trade 2's length byte: 52 bytes, not 48
    const log: string[] = [];
    let release = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The whole stream in one chunk, then an input that says nothing more until released (a
    // socket gone quiet): the decoder must not wait for it to report the bad record.
    async function* quiet(): AsyncGenerator<Uint8Array> {
      yield bad;
      log.push('waiting');
      await stalled;
    }
    const dec = DbnDecoder.fromStream(quiet(), { eager: true, source: 'gateway' });
    const seen: number[] = [];
    // A decoder that waits for more input is let go after a second, so that it fails, not hangs.
    const timer = setTimeout(() => release(), 1000);
    try {
      await assert.rejects(
        async () => {
          for await (const batch of dec) for (let i = 0; i < batch.count; i++) seen.push(batch.at(i).size);
        },
        (e: unknown) =>
          e instanceof DbnError && e.code === 'BAD_RECORD_LENGTH' && e.offset === first + 2 * 48,
      );
    } finally {
      clearTimeout(timer);
      release();
    }
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(log, []);
  });
});
