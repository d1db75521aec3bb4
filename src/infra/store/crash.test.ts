/**
 * kill -9: a separate Node process writes orders, fills, positions and risk state to a store in
 * a tight loop (test/store-writer.ts) and is killed with SIGKILL at five different moments; after
 * each kill the store opens, and what it holds is consistent: every transaction is there whole or
 * not at all. Each run first resumes the orders the killed one left open, so the store is also
 * read back and extended after every crash.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../../test/fixtures.js';
import { openSqlite } from './driver.js';
import { openSqliteStore } from './sqlite-store.js';

const WRITER = join(repoRoot(), 'dist', 'test', 'store-writer.js');
const RUN = 'crash';
const dir = mkdtempSync(join(tmpdir(), 'state-store-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer, kills it `delayMs` after it says it is writing; resolves with the signal it died of. */
function writeAndKill(path: string, delayMs: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, RUN], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (code !== null) reject(new Error(`the writer exited with ${code} before it was killed: ${stderr}`));
      else resolve(signal);
    });
  });
}

/** Rows breaking a rule, by a query that should return none. */
const BROKEN: Readonly<Record<string, string>> = {
  'filled quantity is the sum of the fills': `SELECT client_id FROM orders o
    WHERE filled_quantity != (SELECT coalesce(sum(quantity), 0) FROM fills f WHERE f.client_id = o.client_id)`,
  'status is that of the last transition': `SELECT client_id FROM orders o
    WHERE status != (SELECT to_status FROM order_events e WHERE e.client_id = o.client_id ORDER BY seq DESC LIMIT 1)`,
  'the history is numbered 1..n': `SELECT client_id FROM order_events GROUP BY client_id
    HAVING count(*) != max(seq) OR min(seq) != 1`,
  'each transition starts where the one before ended': `SELECT a.client_id FROM order_events a
    JOIN order_events b ON b.client_id = a.client_id AND b.seq = a.seq + 1 WHERE b.from_status != a.to_status`,
  'one fill transition per fill': `SELECT client_id FROM orders o
    WHERE (SELECT count(*) FROM order_events e WHERE e.client_id = o.client_id AND e.event = 'fill')
       != (SELECT count(*) FROM fills f WHERE f.client_id = o.client_id)`,
  'a position is the signed sum of its fills': `SELECT instrument_id FROM (
      SELECT instrument_id, sum(CASE side WHEN 'buy' THEN quantity ELSE -quantity END) AS q FROM fills
      GROUP BY instrument_id) s
    WHERE q != coalesce((SELECT quantity FROM positions p WHERE p.instrument_id = s.instrument_id), 0)`,
  'every client order id was reserved': `SELECT client_id FROM orders
    WHERE CAST(substr(client_id, ${RUN.length + 2}) AS INTEGER)
      > (SELECT last FROM client_order_sequences WHERE run_id = '${RUN}')`,
  'an acknowledged order has its ack in its history': `SELECT client_id FROM orders o WHERE (acked_ns IS NULL)
    = EXISTS (SELECT 1 FROM order_events e WHERE e.client_id = o.client_id AND e.event = 'ack')`,
};

/** Checks the store at `path` as a restarted runtime finds it; returns how many orders it holds. */
async function checkConsistent(path: string): Promise<number> {
  // The store itself opens it (migrations run, nothing refused).
  const store = openSqliteStore(path);
  const last = await store.lastClientOrderSequence(RUN);
  const open = await store.openOrders();
  await store.close();
  const db = openSqlite(path);
  try {
    assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    for (const [rule, sql] of Object.entries(BROKEN))
      assert.deepEqual(
        db
          .prepare(sql)
          .all()
          .map((r) => Object.values(r)[0]),
        [],
        rule,
      );
    const orders = Number(db.prepare('SELECT count(*) AS n FROM orders').get()?.n);
    assert.ok(orders <= last, `${orders} orders, ${last} ids reserved`);
    // The writer resumes and finishes every order it finds open: at most the one being written when killed.
    assert.ok(open.length <= 1, `${open.length} orders open`);
    return orders;
  } finally {
    db.close();
  }
}

test('killed with SIGKILL at five moments, the store opens consistent each time and the next run resumes from it', async () => {
  const path = join(dir, 'data', 'state.sqlite');
  let before = 0;
  for (const delayMs of [5, 40, 90, 160, 250]) {
    assert.equal(await writeAndKill(path, delayMs), 'SIGKILL');
    const orders = await checkConsistent(path);
    assert.ok(orders > before, `the run killed after ${delayMs} ms wrote orders (${before} → ${orders})`);
    before = orders;
  }
});
