/**
 * The batch endpoints against the fake historical API on 127.0.0.1 (test/databento-http.ts):
 * a job submitted as a form, jobs and files listed, files downloaded with `Range` resumption and
 * checked against their listed SHA-256.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { FAKE_KEY, FakeDatabento } from '../../../test/databento-http.js';
import { expectedFiles } from '../../../test/dbn.js';
import { fixture } from '../../../test/fixtures.js';
import { type DatabentoError, type FileProgress, Historical } from './index.js';

let fake: FakeDatabento;
const dir = mkdtempSync(join(tmpdir(), 'scalper-batch-'));
const MBP10 = new Uint8Array(readFileSync(fixture('dbn', 'test_data.mbp-10.v3.dbn.zst')));
const TRADES = new Uint8Array(readFileSync(fixture('dbn', 'test_data.trades.v3.dbn.zst')));
// expected.json: the fixture's SHA-256, worked out by the reference decoder's tooling.
const MBP10_SHA = expectedFiles()['test_data.mbp-10.v3.dbn.zst'].sha256;

before(async () => {
  fake = await FakeDatabento.start();
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  fake.jobs.clear();
});

const client = (opts: { maxResumes?: number; idleTimeoutMs?: number } = {}) =>
  new Historical({ key: FAKE_KEY, baseUrl: fake.baseUrl, backoffMs: 5, ...opts });
const downloads = () => fake.seen.filter((s) => s.path.startsWith('/v0/batch/download/'));

describe('Databento batch: jobs and files', () => {
  test('submit_job posts the selectors, DBN + zstd and the split as a form', async () => {
    const job = await client().batch.submitJob({
      dataset: 'GLBX.MDP3',
      schema: 'mbp-10',
      symbols: ['6E.FUT', '6B.FUT'],
      stypeIn: 'parent',
      start: '2024-05-01T00:00:00Z',
      end: '2024-05-08T00:00:00Z',
      splitDuration: 'week',
    });
    assert.equal(job.state, 'received');
    assert.equal(fake.jobs.get(job.id)?.id, job.id);
    const s = fake.seen[0];
    assert.equal(s.method, 'POST');
    assert.equal(s.path, '/v0/batch.submit_job');
    assert.deepEqual(Object.fromEntries(s.params), {
      dataset: 'GLBX.MDP3',
      symbols: '6E.FUT,6B.FUT',
      schema: 'mbp-10',
      start: '2024-05-01T00:00:00Z',
      end: '2024-05-08T00:00:00Z',
      stype_in: 'parent',
      stype_out: 'instrument_id',
      encoding: 'dbn',
      compression: 'zstd',
      split_duration: 'week',
      delivery: 'download',
    });
  });

  test('list_jobs filters by state; list_files gives name, size, sha256 and the https URL', async () => {
    const done = fake.addJob([{ filename: 'a.mbp-10.dbn.zst', bytes: MBP10 }]);
    const queued = fake.addJob([]);
    queued.state = 'queued';
    const c = client();
    assert.deepEqual(
      (await c.batch.listJobs()).map((j) => [j.id, j.state]),
      [
        [done.id, 'done'],
        [queued.id, 'queued'],
      ],
    );
    assert.deepEqual(
      (await c.batch.listJobs({ states: ['done'] })).map((j) => j.id),
      [done.id],
    );
    assert.equal(fake.seen[1].params.get('states'), 'done');
    const files = await c.batch.listFiles(done.id);
    assert.equal(files.length, 1);
    assert.equal(files[0].filename, 'a.mbp-10.dbn.zst');
    assert.equal(files[0].size, 376);
    assert.equal(files[0].hash, `sha256:${MBP10_SHA}`);
    assert.equal(files[0].urls.https, `${fake.baseUrl}/v0/batch/download/${done.id}/a.mbp-10.dbn.zst`);
    assert.equal(fake.seen[2].params.get('job_id'), done.id);
  });

  test('an unknown job is a clear 404 naming the job', async () => {
    await assert.rejects(client().batch.listFiles('GLBX-00000000-NOSUCHJOB'), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_NOT_FOUND');
      assert.equal(err.status, 404);
      assert.match(
        err.message,
        /batch\.list_files: not found \(404\): "No batch job with id GLBX-00000000-NOSUCHJOB\."/,
      );
      return true;
    });
  });
});

describe('Databento batch: downloads', () => {
  test('each file lands under DIR/<job id>/ byte for byte, with its sha256 checked', async () => {
    const job = fake.addJob([
      { filename: 'glbx-mdp3-20201228.mbp-10.dbn.zst', bytes: MBP10 },
      { filename: 'glbx-mdp3-20201228.trades.dbn.zst', bytes: TRADES },
    ]);
    const progress: FileProgress[] = [];
    const out = join(dir, 'whole');
    const got = await client().batch.download(job.id, out, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(readdirSync(join(out, job.id)).sort(), [
      'glbx-mdp3-20201228.mbp-10.dbn.zst',
      'glbx-mdp3-20201228.trades.dbn.zst',
    ]);
    assert.deepEqual(
      readFileSync(join(out, job.id, 'glbx-mdp3-20201228.mbp-10.dbn.zst')),
      Buffer.from(MBP10),
    );
    assert.deepEqual(
      readFileSync(join(out, job.id, 'glbx-mdp3-20201228.trades.dbn.zst')),
      Buffer.from(TRADES),
    );
    assert.deepEqual(
      got.map((d) => [d.filename, d.bytes, d.kept]),
      [
        ['glbx-mdp3-20201228.mbp-10.dbn.zst', 376, false],
        ['glbx-mdp3-20201228.trades.dbn.zst', 175, false],
      ],
    );
    assert.equal(got[0].sha256, MBP10_SHA);
    assert.deepEqual(progress.at(-1), {
      filename: 'glbx-mdp3-20201228.trades.dbn.zst',
      bytes: 175,
      total: 175,
    });
    // Basic authentication on the file URLs too.
    assert.ok(downloads().every((s) => s.auth === `Basic ${Buffer.from(`${FAKE_KEY}:`).toString('base64')}`));

    // Again: both files are there and whole, so none is fetched.
    const before = downloads().length;
    const again = await client().batch.download(job.id, out);
    assert.deepEqual(
      again.map((d) => d.kept),
      [true, true],
    );
    assert.equal(downloads().length, before);
  });

  test('a download cut, ended early or gone silent resumes with Range: bytes=<held>-', async () => {
    const job = fake.addJob([{ filename: 'f.dbn.zst', bytes: MBP10 }]);
    fake.cuts.push({ after: 100 }, { after: 50, how: 'end' }, { after: 1, how: 'stall' });
    const out = join(dir, 'cut');
    await client({ idleTimeoutMs: 150 }).batch.download(job.id, out);
    assert.deepEqual(readFileSync(join(out, job.id, 'f.dbn.zst')), Buffer.from(MBP10));
    assert.deepEqual(
      downloads().map((s) => s.headers.range),
      [undefined, 'bytes=100-', 'bytes=150-', 'bytes=151-'],
    );
    assert.equal(existsSync(join(out, job.id, 'f.dbn.zst.partial')), false);
  });

  test('a .partial file left by an earlier run is resumed, not fetched again', async () => {
    const job = fake.addJob([{ filename: 'f.dbn.zst', bytes: MBP10 }]);
    const out = join(dir, 'earlier');
    mkdirSync(join(out, job.id), { recursive: true });
    writeFileSync(join(out, job.id, 'f.dbn.zst.partial'), MBP10.subarray(0, 120));
    await client().batch.download(job.id, out, { only: ['f.dbn.zst'] });
    assert.deepEqual(
      downloads().map((s) => s.headers.range),
      ['bytes=120-'],
    );
    assert.deepEqual(readFileSync(join(out, job.id, 'f.dbn.zst')), Buffer.from(MBP10));
  });

  test('a checksum mismatch is a clear error and keeps nothing', async () => {
    const wrong = createHash('sha256').update(TRADES).digest('hex');
    const job = fake.addJob([{ filename: 'bad.dbn.zst', bytes: MBP10, hash: `sha256:${wrong}` }]);
    const out = join(dir, 'bad');
    await assert.rejects(client().batch.download(job.id, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_CHECKSUM');
      assert.match(
        err.message,
        new RegExp(`bad\\.dbn\\.zst: SHA-256 ${MBP10_SHA} is not the listed ${wrong}`),
      );
      return true;
    });
    assert.deepEqual(readdirSync(join(out, job.id)), []);
  });

  test('cut more often than allowed: a clear error, the part held kept to resume', async () => {
    const job = fake.addJob([{ filename: 'f.dbn.zst', bytes: MBP10 }]);
    fake.cuts.push({ after: 30 }, { after: 30 }, { after: 30 });
    const out = join(dir, 'gave-up');
    await assert.rejects(client({ maxResumes: 2 }).batch.download(job.id, out), (err: DatabentoError) => {
      assert.equal(err.code, 'DATABENTO_INTERRUPTED');
      assert.match(
        err.message,
        /f\.dbn\.zst: cut 3 times .* gave up after 2 resumptions with 90 of 376 bytes/,
      );
      return true;
    });
    assert.equal(existsSync(join(out, job.id, 'f.dbn.zst')), false);
    assert.deepEqual(
      readFileSync(join(out, job.id, 'f.dbn.zst.partial')),
      Buffer.from(MBP10.subarray(0, 90)),
    );
  });

  test('a file name the job does not have, or a job with no files, is a clear error', async () => {
    const job = fake.addJob([{ filename: 'f.dbn.zst', bytes: MBP10 }]);
    await assert.rejects(
      client().batch.download(job.id, dir, { only: ['g.dbn.zst'] }),
      new RegExp(`batch job ${job.id} has no file "g\\.dbn\\.zst" \\(it has 1: f\\.dbn\\.zst\\)`),
    );
    const empty = fake.addJob([]);
    await assert.rejects(client().batch.download(empty.id, dir), /has no files yet/);
  });
});
