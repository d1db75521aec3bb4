/**
 * `scalper data live` as a user runs it (the built command) against a local Databento live
 * gateway on 127.0.0.1 (test/databento-gateway.ts) serving a DBN fixture: the recorded file reads
 * back with our decoder and `scalper dbn inspect` as the gateway's metadata, its symbol mapping and
 * the fixture's records; Ctrl-C and --duration end the recording with the file complete; a drop
 * is recorded through without a duplicate; no key, a wrong key are clear errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestGateway } from '../../test/databento-gateway.js';
import { fixture, runScalper, scalperBin, withoutEnv } from '../../test/fixtures.js';
import { DbnDecoder, type DbnRecord, RType } from '../data/dbn/index.js';

const KEY = 'db-CliLiveKey00000000000QWERT';
const MBP10 = readFileSync(fixture('dbn', 'test_data.mbp-10.dbn'));
const dir = mkdtempSync(join(tmpdir(), 'scalper-data-live-'));
const gateways: TestGateway[] = [];
after(async () => {
  for (const g of gateways) await g.close();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(opts: Partial<Parameters<typeof TestGateway.start>[0]> = {}): Promise<TestGateway> {
  const g = await TestGateway.start({ key: KEY, dbn: MBP10, ...opts });
  gateways.push(g);
  return g;
}

function args(g: TestGateway, out: string, ...more: string[]): string[] {
  return [
    'data',
    'live',
    '--dataset',
    'GLBX.MDP3',
    '--schema',
    'mbp-10',
    '--symbols',
    'ESH1',
    '--gateway',
    g.address,
    '--out',
    out,
    ...more,
  ];
}

async function decode(path: string) {
  const dec = DbnDecoder.fromFile(path);
  const metadata = await dec.readMetadata();
  const records: DbnRecord[] = [];
  for await (const r of dec.records()) records.push(r);
  return { metadata, records };
}

/** What the fixture holds, read straight from it. */
async function fixtureFile() {
  return decode(fixture('dbn', 'test_data.mbp-10.dbn'));
}

/** Checks `path` holds the fixture's metadata, the gateway's symbol mapping, then the fixture's records. */
async function assertRecording(path: string): Promise<void> {
  const got = await decode(path);
  const want = await fixtureFile();
  assert.deepEqual(got.metadata, want.metadata);
  assert.equal(got.records[0].hd.rtype, RType.SYMBOL_MAPPING);
  assert.equal(got.records[0].hd.instrument_id, 5482);
  assert.deepEqual(got.records.slice(1), want.records);
  assert.equal(existsSync(`${path}.partial`), false);
}

describe('scalper data live', { concurrency: true }, () => {
  test('records the subscription to a DBN file that reads back as the fixture', async () => {
    const g = await gateway();
    const out = join(dir, 'max.dbn');
    const r = await runScalper(args(g, out, '--stype-in', 'raw_symbol', '--max-records', '2'), {
      env: { DATABENTO_API_KEY: KEY },
      timeoutMs: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote {5}.*max\.dbn \(2 records, .*; 1 session\)/);
    await assertRecording(out);
    assert.equal(
      g.connections[0].lines[1],
      'schema=mbp-10|stype_in=raw_symbol|symbols=ESH1|snapshot=0|id=0|is_last=1',
    );
    const inspect = await runScalper(['dbn', 'inspect', out]);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.match(inspect.stdout, /Records +3\n/);
    assert.match(inspect.stdout, /0x0A MBP_10 +2\n/);
    assert.match(inspect.stdout, /0x16 SYMBOL_MAPPING +1\n/);
  });

  test('Ctrl-C stops the recording with the file complete', async () => {
    const g = await gateway({ heartbeatMs: 20 });
    const out = join(dir, 'sigint.dbn');
    const child = spawn(process.execPath, [scalperBin(), ...args(g, out)], {
      env: { ...process.env, DATABENTO_API_KEY: KEY, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Ctrl-C once the recorder holds every record: its file (flushed each second) is then at least
    // the fixture's size, metadata and records, the symbol mapping besides. Records the gateway
    // sent that the recorder had not read yet would end with the recording, as a Ctrl-C ends it.
    const partial = `${out}.partial`;
    const size = () => (existsSync(partial) ? statSync(partial).size : 0);
    for (let k = 0; k < 500 && size() < MBP10.length; k++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(size() >= MBP10.length, `${size()} bytes recorded; ${stderr}`);
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /\(2 records/);
    await assertRecording(out);
  });

  test('--duration ends the recording', async () => {
    const g = await gateway({ heartbeatMs: 20 });
    const out = join(dir, 'duration.dbn');
    const began = performance.now();
    const r = await runScalper(args(g, out, '--duration', '0.4'), {
      env: { DATABENTO_API_KEY: KEY },
      timeoutMs: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(performance.now() - began >= 400);
    await assertRecording(out);
  });

  test('a link dropped inside a record is reconnected and recorded through once', async () => {
    const g = await gateway({ plans: [{ dropAfter: 1, dropInsideRecord: true }, {}] });
    const out = join(dir, 'drop.dbn');
    const r = await runScalper(args(g, out, '--max-records', '2'), {
      env: { DATABENTO_API_KEY: KEY },
      timeoutMs: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /link lost after 2020-12-28T13:00:00\.000429831Z \(the gateway closed the connection\); resumed .* by replay/,
    );
    assert.match(r.stdout, /\(2 records, .*; 2 sessions, 1 replayed duplicates dropped\)/);
    // The second session sends its symbol mapping again: recorded too, before the second record.
    const got = await decode(out);
    const want = await fixtureFile();
    assert.deepEqual(
      got.records.map((x) => x.hd.rtype),
      [RType.SYMBOL_MAPPING, RType.MBP_10, RType.SYMBOL_MAPPING, RType.MBP_10],
    );
    assert.deepEqual([got.records[1], got.records[3]], want.records);
    assert.equal(g.connections[1].subscriptions[0].get('start'), '1609160400000429831');
  });

  test('without a key it says which variable to set, and writes nothing', async () => {
    const out = join(dir, 'nokey.dbn');
    const r = await runScalper(
      ['data', 'live', '--dataset', 'GLBX.MDP3', '--schema', 'mbp-10', '--symbols', 'ESH1', '--out', out],
      {
        env: withoutEnv((name) => name === 'DATABENTO_API_KEY'),
      },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /DATABENTO_NO_KEY.*set DATABENTO_API_KEY/);
    assert.equal(existsSync(out) || existsSync(`${out}.partial`), false);
  });

  test('a wrong key is refused with the gateway’s message and leaves no file', async () => {
    const g = await gateway();
    const out = join(dir, 'wrongkey.dbn');
    const r = await runScalper(args(g, out), {
      env: { DATABENTO_API_KEY: 'db-NotTheKey0000000000000ZZZZZ' },
      timeoutMs: 20_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /DATABENTO_AUTH.*refused the authentication: "Authentication failed\."/);
    assert.equal(existsSync(out) || existsSync(`${out}.partial`), false);
  });
});
