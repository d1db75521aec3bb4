/**
 * `scalper data` as a user runs it (the built command), against the fake Databento historical API
 * on 127.0.0.1 (test/databento-http.ts) serving a real DBN fixture.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { FAKE_KEY, FakeDatabento, fixtureStream } from '../../test/databento-http.js';
import { fixture, runScalper } from '../../test/fixtures.js';
import { DbnDecoder, type DbnRecord } from '../data/dbn/index.js';
import { downloadName, transferBar } from './data.js';

const KEY = FAKE_KEY;
const MBP10 = 'test_data.mbp-10.v3.dbn.zst';
const dir = mkdtempSync(join(tmpdir(), 'scalper-data-cli-'));
let fake: FakeDatabento;
let base = '';
const env = { env: { DATABENTO_API_KEY: KEY } };

async function recordsOf(dec: DbnDecoder): Promise<DbnRecord[]> {
  const out: DbnRecord[] = [];
  for await (const r of dec.records()) out.push(r);
  return out;
}

before(async () => {
  fake = await FakeDatabento.start();
  base = fake.baseUrl;
  fake.answers.set('/v0/metadata.get_cost', 4.2);
  fake.answers.set('/v0/metadata.get_record_count', 1234567);
  fake.answers.set('/v0/metadata.get_billable_size', 3 << 20);
  await fake.serve('mbp-10', fixtureStream(MBP10));
});
after(async () => {
  await fake.close();
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
  '2020-12-28T00:00:00Z',
  '--end',
  '2020-12-29T00:00:00Z',
];
const NAME = 'glbx-mdp3.mbp-10.6E.FUT.20201228T000000Z-20201229T000000Z.dbn.zst';

describe('scalper data', { concurrency: true }, () => {
  test('cost prints the price, record count and billable size', async () => {
    const r = await runScalper(['data', 'cost', ...SELECT, '--base-url', base], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    assert.match(r.stdout, /records {3}1,234,567/);
    assert.match(r.stdout, /billable {2}3\.0 MiB uncompressed/);
    const j = await runScalper(['data', 'cost', ...SELECT, '--base-url', base, '--json'], env);
    assert.deepEqual(JSON.parse(j.stdout), { cost_usd: 4.2, record_count: 1234567, billable_bytes: 3 << 20 });
  });

  test('get --yes shows the cost, then writes the served records, with no bar off a terminal', async () => {
    const out = join(dir, 'yes');
    const r = await runScalper(['data', 'get', ...SELECT, '--base-url', base, '--out', out, '--yes'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    assert.match(r.stdout, new RegExp(`wrote {5}.*${NAME.replace(/\./g, '\\.')} \\(\\d+ B, 2 records\\)`));
    assert.deepEqual(readdirSync(out), [NAME]);
    const expected = await recordsOf(DbnDecoder.fromBytes(fixtureStream(MBP10)));
    assert.deepEqual(await recordsOf(DbnDecoder.fromFile(join(out, NAME))), expected);
    assert.doesNotMatch(r.stderr, /get_range \[/);
  });

  test('get without --yes and without a terminal refuses with exit 2 and downloads nothing', async () => {
    const out = join(dir, 'no-tty');
    const r = await runScalper(['data', 'get', ...SELECT, '--base-url', base, '--out', out], env);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /cost {6}\$4\.20/);
    assert.match(r.stderr, /data get: this costs \$4\.20; with no terminal to ask, pass --yes to accept it/);
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

  test('batch submit shows the cost, asks (or --yes), then prints the job', async () => {
    const refused = await runScalper(['data', 'batch', 'submit', ...SELECT, '--base-url', base], env);
    assert.equal(refused.status, 2);
    assert.match(refused.stdout, /cost {6}\$4\.20/);
    assert.match(
      refused.stderr,
      /data batch submit: this costs \$4\.20; with no terminal to ask, pass --yes/,
    );
    const r = await runScalper(
      ['data', 'batch', 'submit', ...SELECT, '--split-duration', 'week', '--yes', '--base-url', base],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    const id = /job {7}(\S+) \(received\)/.exec(r.stdout)?.[1] ?? '';
    const job = fake.jobs.get(id);
    assert.equal(job?.params.split_duration, 'week');
    assert.equal(job?.params.symbols, '6E.FUT');
    assert.equal(job?.params.encoding, 'dbn');
  });

  test('batch list names the jobs and their states; a state that does not exist is refused', async () => {
    const job = fake.addJob([]);
    const r = await runScalper(['data', 'batch', 'list', '--states', 'done', '--base-url', base], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${job.id} {2}done {8}2024-05-09T10:00:00`));
    const bad = await runScalper(['data', 'batch', 'list', '--states', 'finished', '--base-url', base], env);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--states: "finished" is not one of received, queued, processing, done, expired/,
    );
  });

  test('batch files of an unknown job is a 404 naming it, exit 2', async () => {
    const r = await runScalper(['data', 'batch', 'files', 'GLBX-NOPE', '--base-url', base], env);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\[DATABENTO_NOT_FOUND\].*not found \(404\): "No batch job with id GLBX-NOPE\."/);
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

describe('scalper data: downloads cut short, batch files, the progress bar', () => {
  test('get resumes a stream cut short and still writes every record once', async () => {
    fake.cuts.push({ after: 120, how: 'end' });
    const out = join(dir, 'cut');
    const r = await runScalper(['data', 'get', ...SELECT, '--base-url', base, '--out', out, '--yes'], env);
    assert.equal(r.status, 0, r.stderr);
    const expected = await recordsOf(DbnDecoder.fromBytes(fixtureStream(MBP10)));
    assert.deepEqual(await recordsOf(DbnDecoder.fromFile(join(out, NAME))), expected);
  });

  test('get --resumes 0 gives up at the first cut, exit 2, no file', async () => {
    fake.cuts.push({ after: 120 });
    const out = join(dir, 'no-resume');
    const r = await runScalper(
      ['data', 'get', ...SELECT, '--base-url', base, '--out', out, '--yes', '--resumes', '0'],
      env,
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\[DATABENTO_INTERRUPTED\].*cut 1 times/);
    assert.deepEqual(readdirSync(out), []);
  });

  test('batch download writes each file under OUT/<job id>/ and reports its checked hash', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('dbn', MBP10)));
    const job = fake.addJob([{ filename: 'glbx-mdp3-20201228.mbp-10.dbn.zst', bytes }]);
    fake.cuts.push({ after: 200 });
    const out = join(dir, 'batch');
    const r = await runScalper(['data', 'batch', 'download', job.id, '--out', out, '--base-url', base], env);
    assert.equal(r.status, 0, r.stderr);
    const path = join(out, job.id, 'glbx-mdp3-20201228.mbp-10.dbn.zst');
    assert.deepEqual(readFileSync(path), Buffer.from(bytes));
    assert.match(
      r.stdout,
      /wrote {5}.*glbx-mdp3-20201228\.mbp-10\.dbn\.zst \(376 B, sha256 [0-9a-f]{12}… ok\)/,
    );
  });

  test('the bar draws bytes, records and time on a terminal, and nothing elsewhere', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 160 });
    let drawn = '';
    tty.on('data', (c: Buffer) => {
      drawn += c.toString('utf8');
    });
    const bar = transferBar('get_range', 4, tty, true);
    bar.update(2, '2/4 records | 1.5 KiB | 2020-12-28T13:00:00.000704060Z');
    bar.stop();
    assert.match(
      drawn,
      /get_range \[.*\] 50% \| 2\/4 records \| 1\.5 KiB \| 2020-12-28T13:00:00\.000704060Z/,
    );
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    let piped = '';
    pipe.on('data', (c: Buffer) => {
      piped += c.toString('utf8');
    });
    const none = transferBar('get_range', 4, pipe);
    none.update(2, 'x');
    none.stop();
    assert.equal(piped, '');
  });
});
