/**
 * A sweep spread over `scalper worker` processes through the machine's NATS JetStream, with its
 * results in the machine's PostgreSQL: two points × two simulated trading days (30 minutes each)
 * give the rows and the table of the same sweep split by day on this machine's threads (and, on
 * one day, of the plain sweep); a worker
 * killed with SIGKILL in the middle of a job leaves that job to another worker and every (point,
 * day) is stored once; one stopped with SIGTERM hands its job back at once; a job whose file a worker cannot read is reported by the sweep with its
 * error; a sweep nobody works for says so; unreachable servers are named with what to start. Each run has its own stream and
 * PostgreSQL schema, removed at the end.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScalper, scalperBin } from '../../test/fixtures.js';
import { SHARED_NATS, sharedNatsSkip, uniquePrefix } from '../../test/nats.js';
import { dropSchemas, PG_URL, pgClient, requirePostgres } from '../../test/pg.js';
import { freePort } from '../../test/ports.js';
import { until } from '../../test/until.js';
import { WorkQueue } from '../infra/index.js';
import { simulateDay } from '../sim/index.js';
import { loadConfig } from './config.js';
import { SweepJobError, streamSubjects, sweepJobs, sweepOfDays } from './sweep-jobs.js';
import { runJobsOnWorkers } from './sweep-remote.js';

const DATES = ['2026-11-23', '2026-11-24'];
const PARAM = 'pipeline.sizing.baseSize=1,4';

/** A `scalper worker` child and its stderr so far. */
interface Worker {
  readonly proc: ChildProcess;
  readonly pid: number;
  log(): string;
  /** Its exit status, once it has ended. */
  readonly exited: Promise<number | null>;
}

const nats = await sharedNatsSkip();
const pg = await requirePostgres('distributed sweep');

describe('a sweep on workers behind NATS', { skip: nats }, () => {
  if (pg !== null) return;
  const dir = mkdtempSync(join(tmpdir(), 'sweep-workers-'));
  const data = join(dir, 'data');
  const id = uniquePrefix();
  const schema = `${id}_sweep`;
  const stream = `${id.toUpperCase()}_SWEEP`;
  // The children's database: the shared one, with this run's schema first on the search path.
  const pgUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = { SCALPER_PG_URL: pgUrl, SCALPER_NATS_URL: SHARED_NATS };
  const workers: Worker[] = [];
  let reference: { rows: unknown; table: string };

  const startWorker = (ackWaitS: number, more: readonly string[] = []): Worker => {
    const proc = spawn(
      process.execPath,
      [
        scalperBin(),
        'worker',
        '--stream',
        stream,
        '--ack-wait',
        String(ackWaitS),
        '--log-level',
        'info',
        ...more,
      ],
      { env: { ...process.env, ...env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    proc.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const w = { proc, pid: proc.pid ?? -1, log: () => log, exited };
    workers.push(w);
    return w;
  };
  /** Waits for `check`, failing with the worker's log. */
  const waitFor = (w: Worker, check: () => boolean, what: string, ms: number) =>
    until(check, what, ms).catch((e: Error) => assert.fail(`${e.message}\n${w.log()}`));
  const ready = (w: Worker) =>
    waitFor(w, () => w.log().includes('worker: taking sweep jobs'), 'the worker to start', 20_000);
  /** Stops a worker with SIGTERM: it ends by itself, with status 0. */
  const stopWorker = async (w: Worker) => {
    w.proc.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.log());
  };
  const table = (stdout: string) => stdout.slice(stdout.indexOf('points ranked'), stdout.indexOf('wrote '));
  const sweepJson = (out: string) =>
    JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { rows: unknown; sweepId: string };
  const storedRows = async (sweepId: string) => {
    const c = await pgClient(PG_URL);
    try {
      return (
        await c.query<{ point: number; day: string; worker: string; error: string | null }>(
          `SELECT point, day, worker, error FROM ${schema}.sweep_results WHERE sweep_id = $1 ORDER BY point, day`,
          [sweepId],
        )
      ).rows;
    } finally {
      await c.end();
    }
  };

  before(async () => {
    for (const [i, date] of DATES.entries()) {
      const startMs = Date.parse(`${date}T13:30:00Z`);
      await simulateDay({
        date,
        seed: 60 + i,
        spot: false,
        out: data,
        window: { startMs, endMs: startMs + 30 * 60_000 },
      });
    }
    const c = await pgClient(PG_URL);
    await c.query(`CREATE SCHEMA ${schema}`).finally(() => c.end());
    // The same sweep split by day on this machine, in this thread.
    const ref = await runScalper(
      ['sweep', '--data', data, '-p', PARAM, '--workers', '0', '--by-day', '--out', join(dir, 'ref')],
      { env },
    );
    assert.equal(ref.status, 0, ref.stderr);
    reference = { rows: sweepJson(join(dir, 'ref')).rows, table: table(ref.stdout) };
  });

  after(async () => {
    for (const w of workers)
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    const q = await WorkQueue.connect({
      servers: SHARED_NATS,
      stream,
      subjects: [streamSubjects(stream)],
      durable: 'cleanup',
    });
    await q.deleteStream();
    await q.close();
    await dropSchemas([schema]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('two workers give the rows and the table of the sweep on threads, each job stored once', async () => {
    const [a, b] = [startWorker(30), startWorker(30)];
    await Promise.all([ready(a), ready(b)]);
    const out = join(dir, 'two');
    const run = await runScalper(
      ['sweep', '--data', data, '-p', PARAM, '--workers', SHARED_NATS, '--stream', stream, '--out', out],
      { env, timeoutMs: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const json = sweepJson(out);
    assert.deepEqual(json.rows, reference.rows);
    assert.equal(table(run.stdout), reference.table);
    const rows = await storedRows(json.sweepId);
    assert.deepEqual(
      rows.map((r) => [r.point, r.day, r.error]),
      [
        [0, DATES[0], null],
        [0, DATES[1], null],
        [1, DATES[0], null],
        [1, DATES[1], null],
      ],
    );
    for (const r of rows)
      assert.ok(
        [a.pid, b.pid].some((p) => r.worker.endsWith(`:${p}`)),
        r.worker,
      );
    await Promise.all([stopWorker(a), stopWorker(b)]);
    // No worker left: the same sweep under its id is resumed from the rows stored, and finishes.
    const again = ['sweep', '--data', data, '--workers', SHARED_NATS, '--stream', stream];
    const resumed = await runScalper(
      [...again, '-p', PARAM, '--sweep-id', json.sweepId, '--out', join(dir, 'resumed')],
      {
        env,
        timeoutMs: 60_000,
      },
    );
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(sweepJson(join(dir, 'resumed')).rows, reference.rows);
    // Another grid under that id: its stored rows are not this sweep's results.
    const other = await runScalper(
      [
        ...again,
        '-p',
        'pipeline.sizing.baseSize=2,4',
        '--sweep-id',
        json.sweepId,
        '--out',
        join(dir, 'other'),
      ],
      { env, timeoutMs: 60_000 },
    );
    assert.equal(other.status, 2);
    assert.match(other.stderr, /SWEEP_ID_REUSED.*point 0 day 2026-11-23/);
  });

  test('on one trading day, the workers give the rows of the plain sweep (not split by day)', async () => {
    const w = startWorker(30);
    await ready(w);
    const day = ['mbp-10', 'trades'].map((s) => join(data, `glbx-mdp3-20261124.${s}.dbn.zst`));
    const plain = await runScalper(
      ['sweep', ...day, '-p', PARAM, '--workers', '0', '--out', join(dir, 'plain')],
      {
        env,
      },
    );
    assert.equal(plain.status, 0, plain.stderr);
    const out = join(dir, 'one-day');
    const run = await runScalper(
      ['sweep', ...day, '-p', PARAM, '--workers', SHARED_NATS, '--stream', stream, '--out', out],
      { env, timeoutMs: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(sweepJson(out).rows, sweepJson(join(dir, 'plain')).rows);
    assert.equal(table(run.stdout), table(plain.stdout));
    await stopWorker(w);
  });

  test('a worker killed in the middle of a job: another runs it, every (point, day) stored once', async () => {
    const ackWaitS = 2;
    const doomed = startWorker(ackWaitS);
    await ready(doomed);
    const out = join(dir, 'killed');
    const sweep = runScalper(
      ['sweep', '--data', data, '-p', PARAM, '--workers', SHARED_NATS, '--stream', stream, '--out', out],
      { env, timeoutMs: 120_000 },
    );
    // The first job it starts: SIGKILL at once, while its backtest runs.
    const started = /"point":(\d+),"day":"([\d-]+)","redeliveries":0,"msg":"job started"/;
    await waitFor(doomed, () => started.test(doomed.log()), 'a job to start', 30_000);
    doomed.proc.kill('SIGKILL');
    await doomed.exited;
    const [, point, day] = started.exec(doomed.log()) ?? [];
    assert.ok(!doomed.log().includes('"msg":"job done"'), 'killed before it finished a job');
    const [c, d] = [startWorker(ackWaitS), startWorker(ackWaitS)];
    const run = await sweep;
    assert.equal(run.status, 0, run.stderr);
    const json = sweepJson(out);
    assert.deepEqual(json.rows, reference.rows);
    const rows = await storedRows(json.sweepId);
    assert.deepEqual(
      rows.map((r) => [r.point, r.day]),
      [
        [0, DATES[0]],
        [0, DATES[1]],
        [1, DATES[0]],
        [1, DATES[1]],
      ],
    );
    const killedJob = rows.find((r) => r.point === Number(point) && r.day === day);
    assert.ok(killedJob !== undefined && !killedJob.worker.endsWith(`:${doomed.pid}`), killedJob?.worker);
    // The job came back to one of the others as a redelivery.
    const again = new RegExp(`"point":${point},"day":"${day}","redeliveries":[1-9]\\d*,"msg":"job started"`);
    assert.ok(again.test(c.log() + d.log()), c.log() + d.log());
    await Promise.all([stopWorker(c), stopWorker(d)]);
  });

  test('SIGTERM in the middle of a job, no grace: the job is handed back at once, not recorded as failed', async () => {
    const w = startWorker(60, ['--grace', '0']);
    await ready(w);
    const out = join(dir, 'stopped');
    const startedAt = Date.now();
    const sweep = runScalper(
      ['sweep', '--data', data, '-p', PARAM, '--workers', SHARED_NATS, '--stream', stream, '--out', out],
      { env, timeoutMs: 120_000 },
    );
    const started = /"point":(\d+),"day":"([\d-]+)","redeliveries":0,"msg":"job started"/;
    await waitFor(w, () => started.test(w.log()), 'a job to start', 30_000);
    w.proc.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.log());
    const [, point, day] = started.exec(w.log()) ?? [];
    assert.ok(!w.log().includes('"msg":"job done"'), 'stopped before it finished a job');
    const next = startWorker(60);
    const run = await sweep;
    assert.equal(run.status, 0, run.stderr);
    // Well within the 60 s ack wait: handed back, not left to time out.
    assert.ok(Date.now() - startedAt < 45_000);
    assert.deepEqual(sweepJson(out).rows, reference.rows);
    const again = new RegExp(`"point":${point},"day":"${day}","redeliveries":[1-9]\\d*,"msg":"job started"`);
    assert.ok(again.test(next.log()), next.log());
    await stopWorker(next);
  });

  test('a job whose file a worker cannot read: the sweep names the job, the worker and the error', async () => {
    const w = startWorker(30);
    await ready(w);
    const config = loadConfig({ env: {} });
    const missing = join(dir, 'nowhere', 'glbx-mdp3-20261124.mbp-10.dbn.zst');
    const sweepId = `${id}-missing`;
    const jobs = sweepJobs(sweepId, [config], new Map([['2026-11-24', [missing]]]));
    const results = await runJobsOnWorkers(jobs, { natsUrl: SHARED_NATS, stream, pgUrl, sweepId });
    assert.equal(results.length, 1);
    const r = results[0];
    assert.ok(!r.outcome.ok);
    assert.match(r.outcome.error, /nowhere/);
    assert.ok(r.worker?.endsWith(`:${w.pid}`), r.worker);
    assert.throws(
      () => sweepOfDays(sweepId, [{}], 'pnl', results),
      (e: unknown) => e instanceof SweepJobError && /point 0 day 2026-11-24/.test(e.message),
    );
    await stopWorker(w);
  });

  test('no worker taking jobs: the waiting sweep says so, naming the stream and the server', async () => {
    const config = loadConfig({ env: {} });
    const sweepId = `${id}-idle`;
    const jobs = sweepJobs(sweepId, [config], new Map([['2026-11-24', [join(data, 'x.dbn')]]]));
    const stop = new AbortController();
    const told: string[] = [];
    await assert.rejects(
      runJobsOnWorkers(jobs, {
        natsUrl: SHARED_NATS,
        stream,
        pgUrl,
        sweepId,
        pollMs: 50,
        idleHintMs: 300,
        signal: stop.signal,
        onIdle: (text) => {
          told.push(text);
          stop.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.equal(told.length, 1);
    assert.match(
      told[0],
      new RegExp(`no worker is taking jobs from stream ${stream} on ${SHARED_NATS} \\(1 waiting\\)`),
    );
    assert.match(told[0], /scalper worker --nats/);
  });

  test('NATS or PostgreSQL not there: the error names the server, password hidden, and what to start', async () => {
    const port = await freePort();
    const noNats = await runScalper(['worker', '--nats', `nats://u:secret@127.0.0.1:${port}`], { env });
    assert.equal(noNats.status, 2);
    assert.match(noNats.stderr, new RegExp(`nats://u:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    assert.match(noNats.stderr, /nats-server -js/);
    assert.ok(!noNats.stderr.includes('secret'));
    const noPg = await runScalper(['worker', '--pg', `postgres://u:secret@127.0.0.1:${port}/test`], { env });
    assert.equal(noPg.status, 2);
    assert.match(noPg.stderr, new RegExp(`postgres://u:\\*\\*\\*@127\\.0\\.0\\.1:${port}/test`));
    assert.match(noPg.stderr, /start PostgreSQL/);
  });
});
