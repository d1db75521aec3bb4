/** Deliberate errors of the encoder and of the decoder's misuse: named, with stable codes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../core/index.js';
import { RType, rtypeLabel } from './constants.js';
import { DbnDecoder, RecordBatch } from './decoder.js';
import { DbnEncoder } from './encoder.js';
import { DbnEncodeError, DbnUsageError } from './errors.js';
import { encodeMetadata } from './metadata.js';
import type { DbnRecord } from './record.js';

/** Asserts `f` throws an `E` with `code` and `message`. */
function throwsNamed(
  f: () => unknown,
  E: typeof DbnEncodeError | typeof DbnUsageError,
  code: string,
  message: string,
) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof E && e instanceof EngineError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

const trade = (over: Partial<DbnRecord> = {}): DbnRecord =>
  ({
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: 7, ts_event: 1n },
    price: 1_160_000_000n,
    size: 1,
    action: 84,
    side: 65,
    ...over,
  }) as DbnRecord;

describe('DBN encoder and decoder errors', () => {
  it('an unknown rtype, a non-numeric field or too many levels is a DbnEncodeError', () => {
    const { encoder } = DbnEncoder.toBuffer();
    throwsNamed(
      () =>
        encoder.write(
          trade({ hd: { length: 4, rtype: 0xee, publisher_id: 1, instrument_id: 7, ts_event: 1n } }),
        ),
      DbnEncodeError,
      'DBN_ENCODE',
      `Cannot encode rtype ${rtypeLabel(0xee)}: unknown record type`,
    );
    throwsNamed(
      () => encoder.write(trade({ size: 'one' } as never)),
      DbnEncodeError,
      'DBN_ENCODE',
      'Field size must be a number, got string',
    );
    throwsNamed(
      () => encoder.write(trade({ price: 1.5 } as never)),
      DbnEncodeError,
      'DBN_ENCODE',
      'Field price must be an integer, got 1.5',
    );
  });

  it('metadata with an unknown schema or an over-long dataset is a DbnEncodeError', () => {
    throwsNamed(
      () => encodeMetadata({ dataset: 'GLBX.MDP3', schema: 'mbp-11' as never }),
      DbnEncodeError,
      'DBN_ENCODE',
      'Unknown schema "mbp-11"',
    );
    throwsNamed(
      () => encodeMetadata({ dataset: 'X'.repeat(16) }),
      DbnEncodeError,
      'DBN_ENCODE',
      `dataset "${'X'.repeat(16)}" is longer than 15 characters`,
    );
  });

  it('a decoder iterated twice, or a batch over a view inside its buffer, is a DbnUsageError', async () => {
    const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'GLBX.MDP3' } });
    encoder.write(trade());
    await encoder.end();
    const dec = DbnDecoder.fromBytes(result(), { source: 'mem.dbn' });
    for await (const _ of dec) {
      // consume
    }
    throwsNamed(
      () => dec[Symbol.asyncIterator](),
      DbnUsageError,
      'DBN_USAGE',
      'mem.dbn: a DbnDecoder can be iterated only once',
    );
    throwsNamed(
      () => new RecordBatch(new Uint8Array(64).subarray(8), 3, false),
      DbnUsageError,
      'DBN_USAGE',
      'A RecordBatch needs a view from the start of its ArrayBuffer',
    );
  });
});
