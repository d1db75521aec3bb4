/**
 * PostgreSQL bulk writes: rows per second for a run's fills and for feature snapshots written
 * through the store's COPY path (streamed into a staging table, moved with one upsert) against
 * its multi-row INSERT path (the same upsert, 1,000 rows a statement), each in one transaction,
 * into the partitioned history tables of a schema made for the bench and dropped after it. Each
 * timed write uses keys not written before, so every run inserts rather than replaces. Skipped,
 * with the reason printed, when PostgreSQL does not answer (SCALPER_PG_URL, default
 * postgres://127.0.0.1:5432/test).
 */
import { FEATURE_COLUMNS } from '../src/features/index.js';
import { openPgStore, type StoredFeatureSnapshot, type StoredFill } from '../src/infra/index.js';
import { dropSchemas, PG_URL, pgProblem, uniqueSchema } from '../test/pg.js';
import { bestAsync, type Report } from './harness.js';

/** Rows per timed write. */
const ROWS = 20_000;
const T0 = BigInt(Date.UTC(2026, 2, 4, 14, 30)) * 1_000_000n;

function fills(k: number): StoredFill[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    fillId: `exec-${k}-${i}`,
    clientId: `bench-${i >> 1}`,
    instrumentId: 42,
    side: i % 2 === 0 ? 'buy' : 'sell',
    quantity: 1 + (i % 5),
    price: 1_085_000_000 + 250_000 * (i % 17),
    fee: 0.85,
    tsNs: T0 + BigInt(i) * 1_000_000n,
    liquidity: i % 3 === 0 ? 'maker' : 'taker',
  }));
}

/** Snapshots of 17 feature columns, one per 100 ms; one column not ready (null) for the first 100. */
function snapshots(k: number): StoredFeatureSnapshot[] {
  // The first 17 of the engine's columns, as a features CSV names them.
  const names = FEATURE_COLUMNS.slice(0, 17);
  return Array.from({ length: ROWS }, (_, i) => {
    const features: Record<string, number | null> = {};
    for (const [j, n] of names.entries()) features[n] = j === 15 && i < 100 ? null : 1.0852 + i * 1e-7 * j;
    return { instrumentId: k, tsNs: T0 + BigInt(i) * 100_000_000n, features };
  });
}

export async function storeBench(report: Report): Promise<void> {
  const problem = await pgProblem(PG_URL);
  if (problem !== null) {
    report.say(`postgres: skipped: ${problem}`);
    process.stderr.write(`bench postgres: skipped: ${problem}\n`);
    return;
  }
  const schema = uniqueSchema('bench');
  try {
    await writeRates(report, schema);
  } catch (e) {
    // A server that fails mid-bench costs this section only.
    report.say(`postgres: failed: ${e instanceof Error ? e.message : String(e)}`);
    process.stderr.write(`bench postgres: failed: ${e instanceof Error ? e.message : String(e)}\n`);
  } finally {
    await dropSchemas([schema]).catch(() => undefined);
  }
}

async function writeRates(report: Report, schema: string): Promise<void> {
  const store = await openPgStore({ url: PG_URL, schema });
  try {
    let k = 0;
    // Made before timing, so that no run pays for COPY's staging table or the day's partition.
    const f = Array.from({ length: 10 }, (_, i) => fills(i));
    const s = Array.from({ length: 10 }, (_, i) => snapshots(i + 1));
    const time = (fn: () => Promise<unknown>) => bestAsync(async () => void (await fn()), 3);
    k = 0;
    const fillInsert = await time(() => store.writeRunFills('bench', f[k++], 'insert'));
    const fillCopy = await time(() => store.writeRunFills('bench', f[k++], 'copy'));
    k = 0;
    const snapInsert = await time(() => store.writeFeatureSnapshots(s[k++], 'insert'));
    const snapCopy = await time(() => store.writeFeatureSnapshots(s[k++], 'copy'));
    report.say(
      `PostgreSQL bulk writes (${ROWS.toLocaleString('en-US')} rows a transaction, ${store.historyLayout} tables)`,
    );
    report.add('pg run fills, INSERT (multi-row)', ROWS / fillInsert, 'rows/s');
    report.add('pg run fills, COPY', ROWS / fillCopy, 'rows/s', 'pg run fills, INSERT (multi-row)');
    report.add('pg feature snapshots, INSERT (multi-row)', ROWS / snapInsert, 'rows/s');
    report.add(
      'pg feature snapshots, COPY',
      ROWS / snapCopy,
      'rows/s',
      'pg feature snapshots, INSERT (multi-row)',
    );
  } finally {
    await store.close();
  }
}
