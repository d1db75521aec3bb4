/**
 * The historical client against a real HTTP server on 127.0.0.1 that speaks the API's documented
 * shapes (INTEGRATIONS.md §2): basic authentication, form or query parameters, JSON answers and
 * error bodies, and `timeseries.get_range` serving a real DBN fixture as its body.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  dbnSource,
  decompress,
  FAKE_KEY,
  FakeDatabento,
  fixtureStream,
  type Seen,
} from '../../../test/databento-http.js';
import { DbnDecoder, DbnEncoder, type DbnRecord, type MbpRecord, type Metadata } from '../dbn/index.js';
import {
  type DatabentoError,
  Historical,
  type RangeProgress,
  type RangeQuery,
  retryAfterMs,
} from './index.js';

const KEY = FAKE_KEY;
let fake: FakeDatabento;
let seen: Seen[] = [];
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'scalper-databento-'));

before(async () => {
  fake = await FakeDatabento.start();
  seen = fake.seen;
  base = fake.baseUrl;
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

/** The API answers `body` (JSON) on `path`. */
const answer = (path: string, body: unknown) => fake.answers.set(path, body);
/** The API answers the next request (to `path`, or any) with an error. */
const fail = (status: number, body: unknown, headers?: Record<string, string>, path?: string) =>
  fake.failures.push({ status, body, headers, path });

const client = () => new Historical({ key: KEY, baseUrl: base, backoffMs: 10 });

const QUERY: RangeQuery = {
  dataset: 'GLBX.MDP3',
  schema: 'mbp-10',
  symbols: ['6E.FUT'],
  stypeIn: 'parent',
  start: '2024-05-08T00:00:00Z',
  end: '2024-05-09T00:00:00Z',
};

describe('Databento historical client: metadata and symbology', () => {
  test('get_cost posts the selectors as a form with basic authentication and reads the dollars', async () => {
    answer('/v0/metadata.get_cost', 12.5);
    assert.equal(await client().metadata.getCost(QUERY), 12.5);
    assert.equal(seen.length, 1);
    const s = seen[0];
    assert.equal(s.method, 'POST');
    assert.equal(s.path, '/v0/metadata.get_cost');
    assert.equal(s.params.get('dataset'), 'GLBX.MDP3');
    assert.equal(s.params.get('symbols'), '6E.FUT');
    assert.equal(s.params.get('schema'), 'mbp-10');
    assert.equal(s.params.get('stype_in'), 'parent');
    assert.equal(s.params.get('start'), '2024-05-08T00:00:00Z');
    assert.equal(s.params.get('end'), '2024-05-09T00:00:00Z');
  });

  test('get_record_count and get_billable_size read integers', async () => {
    answer('/v0/metadata.get_record_count', 123456);
    answer('/v0/metadata.get_billable_size', 78901234);
    const c = client();
    assert.equal(await c.metadata.getRecordCount(QUERY), 123456);
    assert.equal(await c.metadata.getBillableSize(QUERY), 78901234);
    assert.deepEqual(
      seen.map((s) => s.path),
      ['/v0/metadata.get_record_count', '/v0/metadata.get_billable_size'],
    );
    assert.deepEqual(
      seen.map((s) => [s.method, s.params.get('dataset'), s.params.get('schema')]),
      [
        ['POST', 'GLBX.MDP3', 'mbp-10'],
        ['POST', 'GLBX.MDP3', 'mbp-10'],
      ],
    );
    assert.equal(seen[1].params.get('stype_out'), 'instrument_id');
  });

  test('list_datasets, list_schemas and get_dataset_range are GETs with query parameters', async () => {
    answer('/v0/metadata.list_datasets', ['GLBX.MDP3', 'XNAS.ITCH']);
    answer('/v0/metadata.list_schemas', ['mbo', 'mbp-10', 'trades']);
    answer('/v0/metadata.get_dataset_range', {
      start: '2010-06-06T00:00:00.000000000Z',
      end: '2024-05-09T00:00:00.000000000Z',
    });
    const c = client();
    assert.deepEqual(await c.metadata.listDatasets({ startDate: '2024-01-01' }), ['GLBX.MDP3', 'XNAS.ITCH']);
    assert.deepEqual(await c.metadata.listSchemas('GLBX.MDP3'), ['mbo', 'mbp-10', 'trades']);
    const range = await c.metadata.getDatasetRange('GLBX.MDP3');
    assert.equal(range.start, '2010-06-06T00:00:00.000000000Z');
    assert.equal(range.end, '2024-05-09T00:00:00.000000000Z');
    assert.deepEqual(
      seen.map((s) => [s.method, s.path, s.params.toString()]),
      [
        ['GET', '/v0/metadata.list_datasets', 'start_date=2024-01-01'],
        ['GET', '/v0/metadata.list_schemas', 'dataset=GLBX.MDP3'],
        ['GET', '/v0/metadata.get_dataset_range', 'dataset=GLBX.MDP3'],
      ],
    );
  });

  test('symbology.resolve reads the intervals, partial and not-found symbols', async () => {
    answer('/v0/symbology.resolve', {
      result: { '6E.c.0': [{ d0: '2024-05-08', d1: '2024-05-09', s: '42140864' }] },
      symbols: ['6E.c.0', 'XX.c.0'],
      stype_in: 'continuous',
      stype_out: 'instrument_id',
      start_date: '2024-05-08',
      end_date: '2024-05-09',
      partial: [],
      not_found: ['XX.c.0'],
      message: 'Not found',
      status: 2,
    });
    const r = await client().symbology.resolve({
      dataset: 'GLBX.MDP3',
      symbols: ['6E.c.0', 'XX.c.0'],
      stypeIn: 'continuous',
      stypeOut: 'instrument_id',
      startDate: '2024-05-08',
      endDate: '2024-05-09',
    });
    assert.deepEqual(r.result['6E.c.0'], [{ d0: '2024-05-08', d1: '2024-05-09', s: '42140864' }]);
    assert.deepEqual(r.not_found, ['XX.c.0']);
    assert.equal(seen[0].path, '/v0/symbology.resolve');
    assert.equal(seen[0].params.get('symbols'), '6E.c.0,XX.c.0');
    assert.equal(seen[0].params.get('stype_out'), 'instrument_id');
  });
});

describe('Databento historical client: errors', () => {
  test('a wrong key is refused with the API’s message and a pointer to DATABENTO_API_KEY', async () => {
    const c = new Historical({ key: 'db-wrong', baseUrl: base, backoffMs: 10 });
    await assert.rejects(c.metadata.getCost(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_AUTH');
      assert.equal(err.status, 401);
      assert.equal(err.case, 'auth_authentication_failed');
      assert.match(
        err.message,
        /metadata\.get_cost: the API key was refused \(401\): "Authentication failed\."/,
      );
      assert.match(err.message, /DATABENTO_API_KEY/);
      return true;
    });
    assert.equal(seen.length, 1, 'a refused key is not retried');
  });

  test('no key at all is a clear error before any request', () => {
    const saved = process.env.DATABENTO_API_KEY;
    delete process.env.DATABENTO_API_KEY;
    try {
      assert.throws(() => new Historical({ baseUrl: base }), /No Databento API key: set DATABENTO_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.DATABENTO_API_KEY = saved;
    }
    assert.equal(seen.length, 0);
  });

  test('a 422 quotes the API’s detail message and its request id, without retrying', async () => {
    fail(
      422,
      {
        detail: {
          case: 'data_start_after_available_end',
          message: 'The dataset GLBX.MDP3 has data available up to 2024-05-09. The `start` is after that.',
          status_code: 422,
          docs: null,
        },
      },
      { 'request-id': 'req-42' },
    );
    await assert.rejects(client().metadata.getRecordCount(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_REQUEST');
      assert.equal(err.case, 'data_start_after_available_end');
      assert.equal(err.requestId, 'req-42');
      assert.match(
        err.message,
        /request refused \(422\): "The dataset GLBX\.MDP3 has data available up to 2024-05-09/,
      );
      assert.match(err.message, /\[request-id req-42\]/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('a 422 whose detail is a plain string is quoted too', async () => {
    fail(422, { detail: 'Invalid schema "mbp-11".' });
    await assert.rejects(
      client().metadata.getCost(QUERY),
      /request refused \(422\): "Invalid schema \\"mbp-11\\"\."/,
    );
  });

  test('a 429 is retried after its Retry-After, then succeeds', async () => {
    fail(429, { detail: 'Too many requests' }, { 'retry-after': '1' });
    answer('/v0/metadata.get_cost', 3.25);
    const t0 = performance.now();
    assert.equal(await client().metadata.getCost(QUERY), 3.25);
    const waited = performance.now() - t0;
    assert.equal(seen.length, 2);
    assert.ok(waited >= 990, `waited ${waited} ms, Retry-After asked 1000`);
  });

  test('a 429 that persists fails after the bounded retries with the API’s message', async () => {
    for (let i = 0; i < 3; i++) fail(429, { detail: 'Too many requests' }, { 'retry-after': '0' });
    const c = new Historical({ key: KEY, baseUrl: base, backoffMs: 10, maxRetries: 2 });
    await assert.rejects(c.metadata.getCost(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_RATE_LIMIT');
      assert.match(err.message, /rate limited \(429\) after 3 attempts: "Too many requests"/);
      return true;
    });
    assert.equal(seen.length, 3);
  });

  test('a Retry-After beyond the longest wait allowed fails at once, naming the wait', async () => {
    fail(429, { detail: 'Too many requests' }, { 'retry-after': '120' });
    await assert.rejects(client().metadata.getCost(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_RATE_LIMIT');
      assert.match(err.message, /asked to wait 120000 ms, longer than 60000 ms/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('a 403 is a refused key too, not retried', async () => {
    fail(403, { detail: { case: 'auth_no_dataset_entitlement', message: 'No access to dataset.' } });
    await assert.rejects(client().metadata.listSchemas('OPRA.PILLAR'), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_AUTH');
      assert.match(err.message, /refused \(403\): "No access to dataset\." \(auth_no_dataset_entitlement\)/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('an address nobody answers on is retried, then a clear error naming it', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new Historical({ key: KEY, baseUrl: `http://127.0.0.1:${port}`, backoffMs: 5, maxRetries: 1 });
    await assert.rejects(c.metadata.listDatasets(), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_NETWORK');
      assert.match(
        err.message,
        new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port} .* after 2 attempts`),
      );
      return true;
    });
  });

  test('a 500 is retried with backoff and succeeds when the server recovers', async () => {
    fail(500, { detail: 'Internal error' });
    fail(500, { detail: 'Internal error' });
    answer('/v0/metadata.list_schemas', ['mbo']);
    assert.deepEqual(await client().metadata.listSchemas('GLBX.MDP3'), ['mbo']);
    assert.equal(seen.length, 3);
  });

  test('a 500 that persists is a clear error after 1 + maxRetries attempts', async () => {
    for (let i = 0; i < 4; i++) fail(503, { detail: 'Service unavailable' });
    await assert.rejects(client().metadata.listDatasets(), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_SERVER');
      assert.equal(err.status, 503);
      assert.match(
        err.message,
        /metadata\.list_datasets: server error 503 after 4 attempts: "Service unavailable"/,
      );
      return true;
    });
    assert.equal(seen.length, 4);
  });

  test('a body that is not JSON, or JSON of the wrong shape, names the endpoint', async () => {
    fake.failures.push({ status: 200, raw: '{"cost": 1.5' });
    await assert.rejects(
      client().metadata.getCost(QUERY),
      /Databento metadata\.get_cost answered with a body that is not JSON: "\{\\"cost\\": 1\.5"/,
    );
    answer('/v0/metadata.get_record_count', { count: 5 });
    await assert.rejects(
      client().metadata.getRecordCount(QUERY),
      /Databento metadata\.get_record_count answered with JSON of an unexpected shape/,
    );
  });

  test('Retry-After as seconds or as an HTTP date', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 1000), 4000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});

/** The fixture served by get_range: GLBX.MDP3 mbp-10, 2 records (expected.json). */
const MBP10 = 'test_data.mbp-10.v3.dbn.zst';

/** A query whose range holds the fixture's records (2020-12-28). */
const RANGE: RangeQuery = { ...QUERY, start: '2020-12-28T00:00:00Z', end: '2020-12-29T00:00:00Z' };
const RANGE_START = BigInt(Date.UTC(2020, 11, 28)) * 1_000_000n;

async function recordsOf(dec: DbnDecoder): Promise<DbnRecord[]> {
  const out: DbnRecord[] = [];
  for await (const r of dec.records()) out.push(r);
  return out;
}

/**
 * A stream of 48 MBP-10 records made from the fixture's two: record k is the fixture's record
 * k % 2 with sequence 1000 + k and ts_recv = the first record's + 1 µs per group of 8, so that
 * 8 records share each ts_recv, as many do in a busy day.
 */
async function tiedStream(): Promise<{ bytes: Uint8Array; expected: DbnRecord[]; times: bigint[] }> {
  const dec = DbnDecoder.fromBytes(fixtureStream(MBP10));
  const base = (await recordsOf(dec)) as MbpRecord[];
  const { encoder, result } = DbnEncoder.toBuffer({ metadata: dec.metadata as Metadata });
  const times: bigint[] = [];
  for (let k = 0; k < 48; k++) {
    const r = structuredClone(base[k % 2]);
    r.ts_recv = base[0].ts_recv + BigInt(Math.floor(k / 8)) * 1000n;
    r.sequence = 1000 + k;
    times.push(r.ts_recv);
    encoder.write(r);
  }
  await encoder.end();
  const bytes = result();
  return { bytes, expected: await recordsOf(DbnDecoder.fromBytes(bytes)), times };
}

const rangeRequests = () => seen.filter((s) => s.path === '/v0/timeseries.get_range');

describe('Databento historical client: timeseries.get_range to a file', () => {
  test('an uncut stream becomes a fresh .dbn.zst holding the served metadata and records', async () => {
    await fake.serve('mbp-10', fixtureStream(MBP10));
    const out = join(dir, 'ok.mbp-10.dbn.zst');
    const progress: RangeProgress[] = [];
    const d = await client().timeseries.getRangeToFile(RANGE, out, (p) => progress.push({ ...p }));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('ok.')),
      ['ok.mbp-10.dbn.zst'],
    );
    // The file decompresses to exactly what was served: one metadata header, then the records.
    assert.deepEqual(decompress(readFileSync(out)), decompress(fake.lastBody));
    const expected = await recordsOf(DbnDecoder.fromBytes(fixtureStream(MBP10)));
    const dec = DbnDecoder.fromFile(out);
    assert.deepEqual(await recordsOf(dec), expected);
    assert.equal(expected.length, 2);
    assert.equal(dec.metadata?.dataset, 'GLBX.MDP3');
    assert.equal(dec.metadata?.start, RANGE_START);
    assert.equal(d.records, 2);
    assert.equal(d.bytes, statSync(out).size);
    const last = progress.at(-1);
    assert.equal(last?.records, 2);
    assert.equal(last?.bytes, fake.lastBody.length);
    // expected.json: the second record's ts_recv.
    assert.equal(last?.ts, 1609160400000750544n);
    const s = rangeRequests()[0];
    assert.equal(s.params.get('encoding'), 'dbn');
    assert.equal(s.params.get('compression'), 'zstd');
    assert.equal(s.params.get('stype_out'), 'instrument_id');
    assert.equal(s.params.get('start'), '2020-12-28T00:00:00Z');
  });

  test('a stream cut anywhere resumes at the last written ts_recv and writes every record once', async () => {
    const { bytes, expected, times } = await tiedStream();
    const metaLen = 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    // Frames of 1000 decompressed bytes: frame boundaries fall inside 368-byte records.
    const serve = async () => {
      fake.reset();
      fake.frameBytes = 1000;
      await fake.serve('mbp-10', bytes);
    };
    await serve();
    await client().timeseries.getRangeToFile(RANGE, join(dir, 'probe.dbn.zst'));
    const frames = fake.lastFrames;
    const total = fake.lastBody.length;
    assert.ok(frames.length >= 15, `${frames.length} frames`);
    // [cut offset, complete frames before it]
    const cuts: [number, number][] = [
      [40, 0], // inside the first frame, before the metadata is whole
      [frames[2], 2], // exactly at a frame boundary
      [frames[4] + 7, 4], // inside a frame
      [frames[9] + Math.floor((frames[10] - frames[9]) / 2), 9],
      [total - 1, frames.length - 1], // the last byte missing
    ];
    for (const [after, whole] of cuts) {
      await serve();
      fake.cuts.push({ after });
      const out = join(dir, `cut-${after}.dbn.zst`);
      await client().timeseries.getRangeToFile(RANGE, out);
      const got = await recordsOf(DbnDecoder.fromFile(out));
      assert.deepEqual(got, expected, `cut after ${after} bytes`);
      assert.deepEqual(
        got.map((r) => (r as MbpRecord).sequence),
        Array.from({ length: 48 }, (_, k) => 1000 + k),
      );
      const reqs = rangeRequests();
      assert.equal(reqs.length, 2, `cut after ${after}: one restart`);
      // The restart asks from the ts_recv of the last record wholly inside the frames received.
      const recordsIn = Math.floor((whole * 1000 - metaLen) / 368);
      const restart = recordsIn <= 0 ? RANGE.start : String(times[recordsIn - 1]);
      assert.equal(reqs[1].params.get('start'), restart, `cut after ${after}`);
      assert.notEqual((whole * 1000 - metaLen) % 368, 0, 'the frames end inside a record');
      assert.equal(existsSync(`${out}.partial`), false);
    }
  });

  test('several cuts in a row, a body ended early and a silent one are all resumed', async () => {
    const { bytes, expected } = await tiedStream();
    fake.frameBytes = 700;
    await fake.serve('mbp-10', bytes);
    fake.cuts.push(
      { after: 900 },
      { after: 1200, how: 'end' },
      { after: 600, how: 'stall' },
      { after: 1500 },
    );
    const out = join(dir, 'many-cuts.dbn.zst');
    const c = new Historical({ key: KEY, baseUrl: base, backoffMs: 5, idleTimeoutMs: 150 });
    const d = await c.timeseries.getRangeToFile(RANGE, out);
    assert.deepEqual(await recordsOf(DbnDecoder.fromFile(out)), expected);
    assert.equal(d.records, 48);
    assert.equal(rangeRequests().length, 5);
    const starts = rangeRequests().map((s) => s.params.get('start'));
    for (let i = 2; i < starts.length; i++) assert.ok(BigInt(starts[i] ?? 0) >= BigInt(starts[i - 1] ?? 0));
  });

  test('a body arriving a byte at a time, cut inside its first 4 bytes, is read all the same', async () => {
    await fake.serve('mbp-10', fixtureStream(MBP10));
    fake.chunkBytes = 1;
    fake.cuts.push({ after: 2 });
    const out = join(dir, 'bytewise.dbn.zst');
    const d = await client().timeseries.getRangeToFile(RANGE, out);
    assert.equal(d.records, 2);
    assert.deepEqual(decompress(readFileSync(out)), decompress(fake.lastBody));
    assert.deepEqual(
      rangeRequests().map((s) => s.params.get('start')),
      [RANGE.start, RANGE.start],
    );
  });

  test('a restart answered 429, then 503, is retried like any request and the download completes', async () => {
    const { bytes, expected } = await tiedStream();
    await fake.serve('mbp-10', bytes);
    fake.cuts.push({ after: 300 });
    fake.onGetRange = (_s, before) => {
      if (before === 0) {
        fail(429, { detail: 'Too many requests' }, { 'retry-after': '0' }, '/v0/timeseries.get_range');
        fail(503, { detail: 'Service unavailable' }, {}, '/v0/timeseries.get_range');
      }
    };
    const out = join(dir, 'busy.dbn.zst');
    await client().timeseries.getRangeToFile(RANGE, out);
    assert.deepEqual(await recordsOf(DbnDecoder.fromFile(out)), expected);
    assert.equal(rangeRequests().length, 4);
  });

  test('a limit is kept across a restart: the records written before the cut count', async () => {
    const { bytes, expected } = await tiedStream();
    fake.frameBytes = 1000;
    await fake.serve('mbp-10', bytes);
    fake.cuts.push({ after: 2500 });
    const out = join(dir, 'limit.dbn.zst');
    await client().timeseries.getRangeToFile({ ...RANGE, limit: 20 }, out);
    assert.deepEqual(await recordsOf(DbnDecoder.fromFile(out)), expected.slice(0, 20));
    const [first, second] = rangeRequests();
    assert.equal(first.params.get('limit'), '20');
    // Asked again from a ts_recv whose records were partly written: the limit is what is left
    // plus the records at that time, which come again and are dropped.
    const from = BigInt(second.params.get('start') ?? '');
    const already = expected.filter((r) => (r as MbpRecord).ts_recv < from).length;
    assert.equal(second.params.get('limit'), String(20 - already));
  });

  test('cut more often than allowed: a clear error, and no file under either name', async () => {
    await fake.serve('mbp-10', fixtureStream(MBP10));
    fake.cuts.push({ after: 100 }, { after: 100 }, { after: 100 });
    const out = join(dir, 'gave-up.dbn.zst');
    const c = new Historical({ key: KEY, baseUrl: base, backoffMs: 5, maxResumes: 2 });
    await assert.rejects(c.timeseries.getRangeToFile(RANGE, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_INTERRUPTED');
      assert.match(
        err.message,
        /timeseries\.get_range: the stream was cut 3 times .* gave up after 2 resumptions/,
      );
      assert.match(err.message, /nothing kept/);
      return true;
    });
    assert.equal(rangeRequests().length, 3);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('a resumed stream whose records at the restart time differ is refused', async () => {
    const { bytes } = await tiedStream();
    fake.frameBytes = 1000;
    await fake.serve('mbp-10', bytes);
    fake.cuts.push({ after: 3000 });
    // The second answer serves the fixture's own two records: not those written before the cut.
    const other = await dbnSource(fixtureStream(MBP10));
    fake.onGetRange = (_s, before) => {
      if (before === 1) fake.streams.set('mbp-10', other);
    };
    const out = join(dir, 'differ.dbn.zst');
    await assert.rejects(client().timeseries.getRangeToFile(RANGE, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_RESUME');
      assert.match(err.message, /cannot resume: /);
      return true;
    });
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('a 422 before the body writes no file at all', async () => {
    const out = join(dir, 'refused.dbn.zst');
    fail(422, { detail: { case: 'symbology_invalid_symbol', message: 'Invalid symbol "6X.FUT".' } });
    await assert.rejects(
      client().timeseries.getRangeToFile(RANGE, out),
      /request refused \(422\): "Invalid symbol \\"6X\.FUT\\"\."/,
    );
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('a body that is not DBN is a clear error, not retried', async () => {
    fake.failures.push({ status: 200, raw: 'this is not DBN at all', path: '/v0/timeseries.get_range' });
    const out = join(dir, 'not-dbn.dbn.zst');
    await assert.rejects(client().timeseries.getRangeToFile(RANGE, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_BODY');
      assert.match(err.message, /timeseries\.get_range: the answer is not DBN/);
      return true;
    });
    assert.equal(seen.length, 1);
    assert.equal(existsSync(`${out}.partial`), false);
  });
});
