/**
 * `scalper data cost|get` as a user runs them (the built command), against a local HTTP server on
 * 127.0.0.1 that answers as Databento's historical API does and serves a real DBN fixture.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixture, runScalper } from '../../test/fixtures.js';
import { downloadName } from './data.js';

const KEY = 'db-CLITESTKEY000000000000000';
const SERVED = readFileSync(fixture('dbn', 'test_data.mbp-10.v3.dbn.zst'));
const paths: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'scalper-data-cli-'));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    paths.push(path);
    if (req.headers.authorization !== `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`) {
      json(res, 401, { detail: { case: 'auth_authentication_failed', message: 'Authentication failed.' } });
    } else if (path === '/v0/metadata.get_cost') json(res, 200, 4.2);
    else if (path === '/v0/metadata.get_record_count') json(res, 200, 1234567);
    else if (path === '/v0/metadata.get_billable_size') json(res, 200, 3 << 20);
    else if (path === '/v0/timeseries.get_range') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(SERVED);
    } else json(res, 404, { detail: 'Not found' });
  });
});

let base = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const SELECT = [
  '--dataset',
  'GLBX.MDP3',
  '--schema',
  'mbp-10',
  '--symbols',
  '6E.FUT',
  '--stype-in',
  'parent',
  '--start',
  '2024-05-08T00:00:00Z',
  '--end',
  '2024-05-09T00:00:00Z',
];

describe('scalper data', { concurrency: true }, () => {
  test('cost prints the price, record count and billable size', async () => {
    const r = await runScalper(['data', 'cost', ...SELECT, '--base-url', base], {
      env: { DATABENTO_API_KEY: KEY },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    assert.match(r.stdout, /records {3}1,234,567/);
    assert.match(r.stdout, /billable {2}3\.0 MiB uncompressed/);
    const j = await runScalper(['data', 'cost', ...SELECT, '--base-url', base, '--json'], {
      env: { DATABENTO_API_KEY: KEY },
    });
    assert.deepEqual(JSON.parse(j.stdout), { cost_usd: 4.2, record_count: 1234567, billable_bytes: 3 << 20 });
  });

  test('get --yes shows the cost, then writes the served file byte for byte', async () => {
    const out = join(dir, 'yes');
    const r = await runScalper(['data', 'get', ...SELECT, '--base-url', base, '--out', out, '--yes'], {
      env: { DATABENTO_API_KEY: KEY },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    const name = 'glbx-mdp3.mbp-10.6E.FUT.20240508T000000Z-20240509T000000Z.dbn.zst';
    assert.match(r.stdout, new RegExp(`wrote {5}.*${name.replace(/\./g, '\\.')} \\(376 B\\)`));
    assert.deepEqual(readdirSync(out), [name]);
    assert.deepEqual(readFileSync(join(out, name)), SERVED);
  });

  test('get without --yes and without a terminal refuses with exit 2 and downloads nothing', async () => {
    const out = join(dir, 'no-tty');
    const r = await runScalper(['data', 'get', ...SELECT, '--base-url', base, '--out', out], {
      env: { DATABENTO_API_KEY: KEY },
    });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    assert.match(r.stderr, /this download costs \$4\.20; with no terminal to ask, pass --yes to accept it/);
    assert.equal(existsSync(out), false);
  });

  test('no key, or a wrong one, is a clear error with exit 2', async () => {
    const none = await runScalper(['data', 'cost', ...SELECT, '--base-url', base], {
      env: { DATABENTO_API_KEY: '' },
    });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /error \[DATABENTO_NO_KEY\]: No Databento API key: set DATABENTO_API_KEY/);
    const wrong = await runScalper(['data', 'cost', ...SELECT, '--base-url', base], {
      env: { DATABENTO_API_KEY: 'db-wrong' },
    });
    assert.equal(wrong.status, 2);
    assert.match(
      wrong.stderr,
      /error \[DATABENTO_AUTH\]: Databento metadata\.get_cost: the API key was refused \(401\): "Authentication failed\."/,
    );
  });

  test('the file name holds dataset, schema, symbols and range', () => {
    assert.equal(
      downloadName({
        dataset: 'GLBX.MDP3',
        schema: 'trades',
        symbols: ['6E.c.0', '6B.c.0'],
        start: '2024-05-08',
        end: '2024-05-10T12:30:00.000Z',
      }),
      'glbx-mdp3.trades.6E.c.0+6B.c.0.20240508-20240510T123000Z.dbn.zst',
    );
  });
});
