/**
 * The historical client against a real HTTP server on 127.0.0.1 that speaks the API's documented
 * shapes (INTEGRATIONS.md §2): basic authentication, form or query parameters, JSON answers and
 * error bodies, and `timeseries.get_range` serving a real DBN fixture as its body.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fixture } from '../../../test/fixtures.js';
import { DbnDecoder } from '../dbn/index.js';
import { type DatabentoError, Historical, type RangeQuery, retryAfterMs } from './index.js';

const KEY = 'db-TESTKEY0123456789abcdef';
const FIXTURE = fixture('dbn', 'test_data.mbp-10.v3.dbn.zst');

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly auth: string | undefined;
  readonly params: URLSearchParams;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let handler: Handler = (_req, res) => res.writeHead(404).end();
const seen: Seen[] = [];
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'scalper-databento-'));

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params =
      req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
    const s: Seen = { method: req.method ?? '', path: url.pathname, auth: req.headers.authorization, params };
    seen.push(s);
    // The API's own check: basic authentication with the key as user and an empty password.
    if (s.auth !== `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`) {
      json(res, 401, {
        detail: { case: 'auth_authentication_failed', message: 'Authentication failed.', status_code: 401 },
      });
      return;
    }
    handler(s, res);
  });
});

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req-42', ...headers });
  res.end(JSON.stringify(body));
}

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
});

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
    handler = (_s, res) => json(res, 200, 12.5);
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
    handler = (s, res) => json(res, 200, s.path.endsWith('get_record_count') ? 123456 : 78901234);
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
    handler = (s, res) => {
      if (s.path === '/v0/metadata.list_datasets') json(res, 200, ['GLBX.MDP3', 'XNAS.ITCH']);
      else if (s.path === '/v0/metadata.list_schemas') json(res, 200, ['mbo', 'mbp-10', 'trades']);
      else json(res, 200, { start: '2010-06-06T00:00:00.000000000Z', end: '2024-05-09T00:00:00.000000000Z' });
    };
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
    handler = (_s, res) =>
      json(res, 200, {
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
    handler = (_s, res) =>
      json(res, 422, {
        detail: {
          case: 'data_start_after_available_end',
          message: 'The dataset GLBX.MDP3 has data available up to 2024-05-09. The `start` is after that.',
          status_code: 422,
          docs: null,
        },
      });
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
    handler = (_s, res) => json(res, 422, { detail: 'Invalid schema "mbp-11".' });
    await assert.rejects(
      client().metadata.getCost(QUERY),
      /request refused \(422\): "Invalid schema \\"mbp-11\\"\."/,
    );
  });

  test('a 429 is retried after its Retry-After, then succeeds', async () => {
    let calls = 0;
    handler = (_s, res) => {
      calls++;
      if (calls === 1) json(res, 429, { detail: 'Too many requests' }, { 'retry-after': '1' });
      else json(res, 200, 3.25);
    };
    const t0 = performance.now();
    assert.equal(await client().metadata.getCost(QUERY), 3.25);
    const waited = performance.now() - t0;
    assert.equal(calls, 2);
    assert.ok(waited >= 990, `waited ${waited} ms, Retry-After asked 1000`);
  });

  test('a 429 that persists fails after the bounded retries with the API’s message', async () => {
    handler = (_s, res) => json(res, 429, { detail: 'Too many requests' }, { 'retry-after': '0' });
    const c = new Historical({ key: KEY, baseUrl: base, backoffMs: 10, maxRetries: 2 });
    await assert.rejects(c.metadata.getCost(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_RATE_LIMIT');
      assert.match(err.message, /rate limited \(429\) after 3 attempts: "Too many requests"/);
      return true;
    });
    assert.equal(seen.length, 3);
  });

  test('a Retry-After beyond the longest wait allowed fails at once, naming the wait', async () => {
    handler = (_s, res) => json(res, 429, { detail: 'Too many requests' }, { 'retry-after': '120' });
    await assert.rejects(client().metadata.getCost(QUERY), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_RATE_LIMIT');
      assert.match(err.message, /asked to wait 120000 ms, longer than 60000 ms/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('a 403 is a refused key too, not retried', async () => {
    handler = (_s, res) =>
      json(res, 403, { detail: { case: 'auth_no_dataset_entitlement', message: 'No access to dataset.' } });
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
    let calls = 0;
    handler = (_s, res) => {
      calls++;
      if (calls <= 2) json(res, 500, { detail: 'Internal error' });
      else json(res, 200, ['mbo']);
    };
    assert.deepEqual(await client().metadata.listSchemas('GLBX.MDP3'), ['mbo']);
    assert.equal(calls, 3);
  });

  test('a 500 that persists is a clear error after 1 + maxRetries attempts', async () => {
    handler = (_s, res) => json(res, 503, { detail: 'Service unavailable' });
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
    handler = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"cost": 1.5');
    };
    await assert.rejects(
      client().metadata.getCost(QUERY),
      /Databento metadata\.get_cost answered with a body that is not JSON: "\{\\"cost\\": 1\.5"/,
    );
    handler = (_s, res) => json(res, 200, { count: 5 });
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

describe('Databento historical client: timeseries.get_range to a file', () => {
  const served = readFileSync(FIXTURE);

  test('streams the DBN body to a file identical to the one served, decodable by DbnDecoder', async () => {
    handler = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'request-id': 'req-7' });
      // Chunked, in pieces, as the API streams it.
      res.write(served.subarray(0, 100));
      setTimeout(() => res.end(served.subarray(100)), 20);
    };
    const out = join(dir, 'ok.mbp-10.dbn.zst');
    const progress: number[] = [];
    const d = await client().timeseries.getRangeToFile(QUERY, out, (b) => progress.push(b));
    assert.equal(d.bytes, served.length);
    assert.deepEqual(readFileSync(out), served);
    assert.equal(existsSync(`${out}.partial`), false);
    assert.equal(progress.at(-1), served.length);
    assert.ok(progress.length >= 2);
    const s = seen[0];
    assert.equal(s.path, '/v0/timeseries.get_range');
    assert.equal(s.params.get('encoding'), 'dbn');
    assert.equal(s.params.get('compression'), 'zstd');
    assert.equal(s.params.get('stype_out'), 'instrument_id');
    // expected.json: GLBX.MDP3 mbp-10, 2 MBP-10 records.
    const dec = DbnDecoder.fromFile(out);
    const recs = [];
    for await (const r of dec.records()) recs.push(r);
    assert.equal(recs.length, 2);
    assert.equal(dec.metadata?.dataset, 'GLBX.MDP3');
  });

  test('a connection dropped mid-body leaves only the .partial file, and a rerun starts over', async () => {
    const out = join(dir, 'cut.mbp-10.dbn.zst');
    handler = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(served.subarray(0, 150));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await assert.rejects(client().timeseries.getRangeToFile(QUERY, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_NETWORK');
      assert.match(err.message, /timeseries\.get_range: the download stopped after 150 bytes/);
      assert.match(err.message, /\.partial, and running it again starts over/);
      return true;
    });
    assert.equal(existsSync(out), false);
    assert.deepEqual(readFileSync(`${out}.partial`), served.subarray(0, 150));

    handler = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(served);
    };
    await client().timeseries.getRangeToFile(QUERY, out);
    assert.deepEqual(readFileSync(out), served);
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('a 422 before the body writes no file at all', async () => {
    const out = join(dir, 'refused.dbn.zst');
    handler = (_s, res) =>
      json(res, 422, { detail: { case: 'symbology_invalid_symbol', message: 'Invalid symbol "6X.FUT".' } });
    await assert.rejects(
      client().timeseries.getRangeToFile(QUERY, out),
      /request refused \(422\): "Invalid symbol \\"6X\.FUT\\"\."/,
    );
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });
});
