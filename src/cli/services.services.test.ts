/**
 * The headline of the services: a simulated hour of 6E through four processes (`scalper ingest`,
 * `featurize`, `decide --bus`, `execute`) over a NATS JetStream server of the test's own; `featurize`
 * killed (SIGKILL) a third of the way through and started again, then NATS itself killed and started
 * again on the same port and store. The decisions, orders, fills, round trips and equity are those
 * of `scalper run`, the same four stages in one process over the in-process bus.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningScalper, runScalper, startScalper } from '../../test/fixtures.js';
import { type OwnNats, startNats } from '../../test/nats.js';
import { freePort } from '../../test/ports.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { until } from '../../test/until.js';
import { JetStreamBus } from '../infra/index.js';
import { decodeMessage } from '../runtime/index.js';

const span = simulatedSpan({
  seed: 11,
  instruments: ['6E'],
  zstd: false,
  from: '2026-11-24T13:30:00Z',
  minutes: 60,
  prefix: 'services-headline-',
});

interface Service extends RunningScalper {
  readonly name: string;
}

function service(name: string, args: readonly string[]): Service {
  return { name, ...startScalper(args) };
}

/** decisions.jsonl without the wall-clock timings. */
function decisions(folder: string): unknown[] {
  return readFileSync(join(folder, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const d = JSON.parse(l) as Record<string, unknown>;
      return { id: d.id, trigger: d.trigger, route: d.route, approval: d.approval, verdicts: d.verdicts };
    });
}

describe('four services over NATS, featurize and NATS killed mid-way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'services-nats-'));
  let nats: OwnNats;
  let port: number;
  const running: Service[] = [];
  before(async () => {
    port = await freePort();
    nats = await startNats(join(dir, 'js'), port);
  });
  after(async () => {
    for (const s of running) s.proc.kill('SIGKILL');
    nats?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('the decisions, orders and fills of one process', { timeout: 600_000 }, async () => {
    const f = span.day.files;
    const files = [f.mbp10, f.trades];
    const one = join(dir, 'one');
    const single = await runScalper(['run', ...files, '--out', one], { timeoutMs: 300_000 });
    assert.equal(single.status, 0, single.stderr);

    const url = nats.url;
    const bus = ['--bus', url, '--stream', 'HEADLINE'];
    const four = join(dir, 'four');
    const start = (name: string, args: readonly string[]) => {
      const s = service(name, args);
      running.push(s);
      return s;
    };
    let featurize = start('featurize', ['featurize', ...bus]);
    const decide = start('decide', ['decide', ...bus]);
    const execute = start('execute', ['execute', ...bus, '--out', four]);
    const ingest = start('ingest', ['ingest', ...files, ...bus]);

    // Progress: the last grid second featurize published, as a share of the hour.
    const watcher = await JetStreamBus.connect({
      servers: url,
      stream: 'HEADLINE',
      connectTimeoutMs: 60_000,
    });
    const startNs = BigInt(Date.parse('2026-11-24T13:30:00Z')) * 1_000_000n;
    const hourNs = 3_600_000_000_000n;
    const share = async () => {
      const m = await watcher.lastMessage('features.6E');
      if (m === null) return 0;
      return Number(decodeMessage(m.data, 'features.6E').tNs - startNs) / Number(hourNs);
    };
    await until(async () => (await share()) > 1 / 3, 'featurize a third of the way', 300_000);
    featurize.proc.kill('SIGKILL');
    await featurize.exited;
    featurize = start('featurize again', ['featurize', ...bus]);
    await until(async () => (await share()) > 2 / 3, 'featurize two thirds of the way', 300_000);
    await watcher.close();

    // NATS killed and started again on the same port and store: every service reconnects.
    nats.proc.kill('SIGKILL');
    await new Promise((r) => nats.proc.once('exit', r));
    await new Promise((r) => setTimeout(r, 1_000));
    nats = await startNats(join(dir, 'js'), port);

    for (const s of [ingest, featurize, decide, execute]) {
      const code = await s.exited;
      assert.equal(code, 0, `${s.name} exited ${code}:\n${s.output()}`);
    }
    assert.match(execute.output(), /execute reached the end/);
    assert.deepEqual(decisions(four), decisions(one));
    assert.ok(decisions(one).length > 10, 'the hour has decisions');
    for (const file of ['orders.csv', 'fills.csv', 'trades.csv', 'equity.csv']) {
      assert.equal(readFileSync(join(four, file), 'utf8'), readFileSync(join(one, file), 'utf8'), file);
    }
    assert.ok(readFileSync(join(one, 'fills.csv'), 'utf8').trim().split('\n').length > 2, 'the hour fills');
  });
});
