/**
 * The parts of a sweep split by day that need no server: `--workers` read as threads or a NATS
 * URL, sweep and message ids, the jobs of a grid over days, the wire format, the check of a job
 * read from the queue, the failed jobs reported; and, on one simulated day, that a day's parts
 * give back exactly the metrics of its plain backtest.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { combineDays } from '../backtest/index.js';
import { simulateDay } from '../sim/index.js';
import runJob from './backtest-worker.js';
import { loadConfig, withValues } from './config.js';
import {
  checkSweepId,
  fromWire,
  jobHash,
  jobMessageId,
  jobSubject,
  newSweepId,
  parseJob,
  parseWorkers,
  SweepJobError,
  SweepJobFormatError,
  streamSubjects,
  sweepJobs,
  sweepOfDays,
  toWire,
} from './sweep-jobs.js';

describe('sweep jobs', () => {
  test('--workers: a thread count, a NATS URL, or "nats" for SCALPER_NATS_URL', () => {
    assert.deepEqual(parseWorkers('0'), { kind: 'threads', threads: 0 });
    assert.deepEqual(parseWorkers('12'), { kind: 'threads', threads: 12 });
    assert.deepEqual(parseWorkers('nats://10.0.0.5:4222'), { kind: 'nats', url: 'nats://10.0.0.5:4222' });
    assert.deepEqual(parseWorkers('tls://u:p@queue.example:4443'), {
      kind: 'nats',
      url: 'tls://u:p@queue.example:4443',
    });
    assert.deepEqual(parseWorkers('nats', { SCALPER_NATS_URL: 'nats://q:4222' }), {
      kind: 'nats',
      url: 'nats://q:4222',
    });
    assert.deepEqual(parseWorkers('nats', {}), { kind: 'nats', url: 'nats://127.0.0.1:4222' });
    for (const bad of ['-1', '2.5', 'http://x:1', 'nats://', 'four', ''])
      assert.throws(() => parseWorkers(bad), InvalidArgumentError, bad);
  });

  test('ids: the message id names sweep, point and day; the subject names the sweep', () => {
    assert.equal(jobMessageId('sw-1', 3, '2026-11-24'), 'sw-1:3:2026-11-24');
    assert.equal(jobSubject('SCALPER_SWEEP_JOBS', 'sw-1'), 'sweep.SCALPER_SWEEP_JOBS.sw-1');
    assert.equal(streamSubjects('T1_JOBS'), 'sweep.T1_JOBS.>');
    assert.throws(() => jobSubject('S', 'a.b'), InvalidArgumentError);
    assert.throws(() => streamSubjects('a.b'), InvalidArgumentError);
    assert.throws(() => checkSweepId('has space'), InvalidArgumentError);
    assert.throws(() => checkSweepId('x'.repeat(65)), InvalidArgumentError);
    // 2026-11-24 13:30:05 UTC, then six hex digits.
    assert.match(newSweepId(Date.UTC(2026, 10, 24, 13, 30, 5)), /^sw-20261124T133005-[0-9a-f]{6}$/);
    assert.notEqual(newSweepId(), newSweepId());
  });

  test('one job per (point, day), points slowest, days clipped to the range, files made absolute', () => {
    const config = loadConfig({ env: {} });
    const configs = [withValues(config, { 'pipeline.sizing.baseSize': 1 }, 't'), config];
    const byDay = new Map([
      ['2026-11-23', ['a/23.dbn']],
      ['2026-11-24', ['a/24.dbn', 'b/24.dbn']],
    ]);
    // 2026-11-24 runs from 17:00 Chicago (23:00 UTC) on the 23rd to 16:00 (22:00 UTC) on the 24th.
    const dayStart = BigInt(Date.UTC(2026, 10, 23, 23)) * 1_000_000n;
    const dayEnd = BigInt(Date.UTC(2026, 10, 24, 22)) * 1_000_000n;
    const from = BigInt(Date.UTC(2026, 10, 24, 13, 30)) * 1_000_000n;
    const jobs = sweepJobs('sw', configs, byDay, { fromNs: from });
    assert.deepEqual(
      jobs.map((j) => [j.point, j.day, j.files, j.fromNs, j.toNs]),
      [
        [0, '2026-11-24', [resolve('a/24.dbn'), resolve('b/24.dbn')], from, dayEnd],
        [1, '2026-11-24', [resolve('a/24.dbn'), resolve('b/24.dbn')], from, dayEnd],
      ],
    );
    assert.equal(jobs[0].config.pipeline.sizing.baseSize, 1);
    const all = sweepJobs('sw', configs, byDay);
    assert.deepEqual(
      all.map((j) => [j.point, j.day]),
      [
        [0, '2026-11-23'],
        [0, '2026-11-24'],
        [1, '2026-11-23'],
        [1, '2026-11-24'],
      ],
    );
    assert.equal(all[1].fromNs, dayStart);
  });

  test("a job's fingerprint is what it runs, not where it sits in a sweep", () => {
    const config = loadConfig({ env: {} });
    const byDay = new Map([['2026-11-24', ['/d/x.dbn']]]);
    const [a] = sweepJobs('one', [config], byDay);
    const [b] = sweepJobs('two', [config], byDay);
    assert.equal(jobHash({ ...b, point: 7 }), jobHash(a));
    assert.match(jobHash(a), /^[0-9a-f]{32}$/);
    const [c] = sweepJobs('one', [withValues(config, { 'pipeline.sizing.baseSize': 2 }, 't')], byDay);
    assert.notEqual(jobHash(c), jobHash(a));
    const [d] = sweepJobs('one', [config], new Map([['2026-11-24', ['/d/y.dbn']]]));
    assert.notEqual(jobHash(d), jobHash(a));
  });

  test('the wire keeps bigints, NaN, infinities and −0', () => {
    const v = {
      ns: 1_763_000_000_123_456_789n,
      r: [Number.NaN, Infinity, -Infinity, -0, 0.1],
      s: 'x',
      n: null,
    };
    const back = fromWire(toWire(v)) as typeof v;
    assert.deepEqual(back, v);
    assert.ok(Object.is(back.r[3], -0));
    // A plain object with one of the tag names among other keys is left alone.
    assert.deepEqual(fromWire('{"$bigint":"1","other":2}'), { $bigint: '1', other: 2 });
  });

  test('a job read from the queue is checked, and what is wrong is said', () => {
    const config = loadConfig({ env: {} });
    const [job] = sweepJobs('sw', [config], new Map([['2026-11-24', ['/d/x.dbn']]]));
    assert.deepEqual(parseJob(toWire(job)), job);
    const bad = (v: unknown, what: RegExp) =>
      assert.throws(
        () => parseJob(typeof v === 'string' ? v : toWire(v)),
        (e: unknown) => {
          assert.ok(e instanceof SweepJobFormatError);
          assert.match(e.message, what);
          return true;
        },
      );
    bad('{', /not JSON/);
    bad({ ...job, version: 2 }, /version 2/);
    bad({ ...job, point: -1 }, /point/);
    bad({ ...job, day: '24/11/2026' }, /day/);
    bad({ ...job, files: [] }, /files/);
    bad({ ...job, fromNs: 5 }, /time range/);
  });

  test('failed jobs are named, with their worker and error; no ranking is made', () => {
    const ok = { ok: false as const, error: 'x' };
    assert.throws(
      () =>
        sweepOfDays('sw-9', [{}], 'pnl', [
          { point: 0, day: '2026-11-23', worker: 'h1:10', outcome: { ...ok, error: 'file not found' } },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof SweepJobError);
        assert.equal(e.code, 'SWEEP_JOB');
        assert.match(e.message, /sweep sw-9: 1 of 1 job\(s\) failed/);
        assert.match(e.message, /point 0 day 2026-11-23 \(worker h1:10\): file not found/);
        return true;
      },
    );
  });
});

describe('a day run alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-day-'));
  const files: string[] = [];
  before(async () => {
    const startMs = Date.parse('2026-11-24T13:30:00Z');
    const day = await simulateDay({
      date: '2026-11-24',
      seed: 41,
      spot: false,
      out: dir,
      window: { startMs, endMs: startMs + 30 * 60_000 },
    });
    files.push(day.files.mbp10, day.files.trades);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("its parts give back its plain backtest's metrics, and survive the wire", async () => {
    const config = loadConfig({ env: {} });
    const plain = await runJob({ files, config });
    const split = await runJob({ files, config, parts: true });
    assert.ok(split.parts !== undefined);
    assert.ok(plain.metrics.trades > 0, 'the day trades');
    assert.deepEqual(combineDays([split.parts]), plain.metrics);
    const wired = fromWire(toWire(split.parts)) as typeof split.parts;
    assert.deepEqual(combineDays([wired]), plain.metrics);
  });
});
