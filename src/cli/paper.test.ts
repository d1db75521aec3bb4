/**
 * `scalper paper` as a user runs it, on a simulated hour and a half of 6E replayed as fast as it
 * reads: killed with SIGKILL while it trades, then started again on the same data folder. The
 * second start resumes from the state store: the positions and fills the first left, client order
 * ids that go on from the first's (none sent twice), no decision taken again on data the first had
 * acted on, and the books of both still balance (every position the sum of its fills).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScalper, scalperBin } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { openSqliteStore, type StoredFill, stateStorePath } from '../infra/index.js';
import { sessionFolder } from './paper.js';

/** Rows of a CSV file as objects (no quoted commas in the columns read here). */
function rows(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

/** What the state store holds now: fills, the positions table, the run's sequence, the feed position. */
async function stored(dataDir: string) {
  const s = openSqliteStore(stateStorePath(dataDir));
  try {
    return {
      fills: await s.fills(),
      positions: await s.positions(),
      sequence: await s.lastClientOrderSequence('paper'),
      feedNs: await s.feedPosition('files'),
    };
  } finally {
    await s.close();
  }
}

/** Signed quantity per instrument from fills. */
function net(
  fills: readonly { instrumentId: number; side: string; quantity: number }[],
): Map<number, number> {
  const m = new Map<number, number>();
  for (const f of fills)
    m.set(f.instrumentId, (m.get(f.instrumentId) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
  return m;
}

describe('scalper paper, killed and started again', () => {
  const span = simulatedSpan({
    seed: 21,
    spot: false,
    from: '2026-11-24T13:00:00Z',
    minutes: 90,
    prefix: 'paper-cli-',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'paper-data-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('resumes with the same positions, new client order ids and no decision taken twice', async () => {
    const files = [span.day.files.mbp10, span.day.files.trades];
    const args = [
      'paper',
      ...files,
      '--speed',
      '0',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--log-level',
      'warn',
    ];
    // The first run: killed once it has traded a few times.
    // Paced (300x real time) so that it is surely still trading when it is killed.
    const paced = args.map((a, i) => (args[i - 1] === '--speed' ? '300' : a));
    const child = spawn(process.execPath, [scalperBin(), ...paced], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let before: Awaited<ReturnType<typeof stored>> | null = null;
    for (let i = 0; i < 1200 && before === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const now = await stored(dataDir);
        if (now.fills.length >= 4) {
          child.kill('SIGKILL');
          before = now;
        }
      } catch {
        // The store is not there yet.
      }
    }
    const code = await exited;
    assert.ok(before !== null, 'the first run traded before it ended');
    assert.equal(code, null, 'the first run was killed, not ended');
    // What the store held when it died (read again: the last writes before the kill are in).
    const killed = await stored(dataDir);
    assert.ok(killed.feedNs !== null && killed.sequence > 0);

    const second = await runScalper(args, { timeoutMs: 120_000 });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /resuming the session of this data folder/);
    const sessions = readdirSync(join(dataDir, 'sessions'));
    const folder = join(dataDir, 'sessions', sessions.sort().at(-1) as string);

    // Client order ids go on from the first run's: none is used twice.
    const orders = rows(join(folder, 'orders.csv'));
    assert.ok(orders.length > 0, 'the second run traded');
    for (const o of orders) {
      const n = Number(/^paper-(\d+)$/.exec(o.client_order_id)?.[1]);
      assert.ok(n > killed.sequence, `${o.client_order_id} after paper-${killed.sequence}`);
    }
    // The second run starts from the first's fills: its fills begin with them, in order.
    const fills = rows(join(folder, 'fills.csv'));
    const firsts = killed.fills.map((f: StoredFill) => [f.clientId, String(f.quantity)]);
    assert.deepEqual(
      fills.slice(0, firsts.length).map((f) => [f.client_order_id, f.qty]),
      firsts,
    );
    // No decision was taken again on data the first run had acted on.
    const decisions = readFileSync(join(folder, 'decisions.jsonl'), 'utf8').trim().split('\n');
    const feedMs = Number((killed.feedNs as bigint) / 1_000_000n);
    for (const line of decisions) {
      const d = JSON.parse(line) as { trigger: { tMs: number } };
      assert.ok(
        d.trigger.tMs > feedMs - 1_000,
        `a decision at ${d.trigger.tMs}, the first run got to ${feedMs}`,
      );
    }
    // The store's positions are the sum of all fills of both runs.
    const end = await stored(dataDir);
    const sums = net(end.fills);
    for (const p of end.positions) assert.equal(p.quantity, sums.get(p.instrumentId) ?? 0);
    assert.ok(end.fills.length >= fills.length);
  });
});

describe('session folders', () => {
  test('a session started in the same second as another gets a folder of its own', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'paper-folders-'));
    try {
      // 2026-12-05 12:34:56.789 UTC.
      const ms = Date.UTC(2026, 11, 5, 12, 34, 56, 789);
      const a = sessionFolder(dataDir, 'paper', ms);
      const b = sessionFolder(dataDir, 'paper', ms + 100);
      assert.equal(a, join(dataDir, 'sessions', '20261205T123456Z-paper'));
      assert.equal(b, join(dataDir, 'sessions', '20261205T123456Z-paper-2'));
      assert.deepEqual(readdirSync(join(dataDir, 'sessions')).sort(), [
        '20261205T123456Z-paper',
        '20261205T123456Z-paper-2',
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
