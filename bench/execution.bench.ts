/**
 * The execution layer and the backtest. The paper broker over a simulated 6E day: decode + book + broker with 100 resting orders kept
 * working all day (each one that fills or ends is replaced by a new one 0–49 ticks from the
 * touch), against decode + book alone over the same file, for each queue model on MBP-10 and for
 * exact FIFO on MBO; and each queue model's own cost per event (its run minus the baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../src/backtest/index.js';
import { type Book, BookSet, type BookView } from '../src/book/index.js';
import { loadConfig } from '../src/cli/config.js';
import { backtestSetup } from '../src/cli/decide.js';
import { runFeatures } from '../src/cli/features.js';
import { DbnDecoder, type RecordCursor } from '../src/data/dbn/index.js';
import {
  logProbability,
  PaperBroker,
  type PaperInstrument,
  ProbabilisticQueue,
  powerProbability,
  type QueueModel,
  RiskAverseQueue,
} from '../src/execution/index.js';
import { simulateDay } from '../src/sim/index.js';
import { bestOfEachAsync, median, minorGcs, pairedNote, type Report } from './harness.js';

const RESTING = 100;
const ROUNDS = 3;

/** Decode + book over `file`; returns the records read. */
export async function decodeAndBook(file: string): Promise<number> {
  const books = new BookSet();
  let n = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) books.apply(batch.at(i));
    n += batch.count;
  }
  return n;
}

/** Decode + book + a broker that keeps `RESTING` limit orders working; returns records and fills. */
export async function withBroker(
  file: string,
  queue: QueueModel | undefined,
): Promise<{ records: number; fills: number }> {
  const books = new BookSet();
  const apply = (c: RecordCursor): Book | null => books.apply(c);
  let broker: PaperBroker | null = null;
  let open = 0;
  let fills = 0;
  let seq = 0;
  let n = 0;
  const keep = (c: RecordCursor, book: BookView, b: PaperBroker, terms: PaperInstrument) => {
    while (open < RESTING && !book.crossed && book.bidLevels > 0 && book.askLevels > 0) {
      const k = seq % 50;
      const buy = (seq & 1) === 0;
      const price = buy ? book.bestBidPx - k * terms.tickRaw : book.bestAskPx + k * terms.tickRaw;
      b.submit(
        {
          clientId: `bench-${++seq}`,
          instrumentId: terms.instrumentId,
          side: buy ? 'buy' : 'sell',
          type: 'limit',
          quantity: 1 + (seq % 5),
          limitPx: price,
          tif: 'GTC',
        },
        c.tsRecv,
      );
      open++;
    }
  };
  let terms: PaperInstrument | null = null;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (broker === null) {
        terms = { instrumentId: c.instrumentId, symbol: '6EZ6', tickRaw: 50_000, multiplier: 125_000 };
        broker = new PaperBroker({ instruments: [terms], queue });
        broker.onReport((r, o) => {
          if (r.kind === 'fill') fills++;
          if (
            o !== undefined &&
            (o.status === 'filled' || o.status === 'cancelled' || o.status === 'rejected')
          )
            open--;
        });
      }
      broker.before(c);
      const book = apply(c);
      if (book === null) continue;
      broker.after(c, book);
      if (open < RESTING && book.consistent) keep(c, book, broker, terms as PaperInstrument);
    }
    n += batch.count;
  }
  return { records: n, fills };
}

export async function executionBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scalper-execution-bench-'));
  try {
    report.say('Simulating a 6E day (MBP-10 and MBO) for the paper broker…');
    const day = await simulateDay({ date: '2026-11-24', seed: 7, out: dir, spot: false, mbo: true });
    const mbp = day.files.mbp10;
    const mbo = day.files.mbo as string;
    const models: [string, QueueModel | undefined, string][] = [
      ['risk-averse', new RiskAverseQueue(), mbp],
      ['probabilistic power-2', new ProbabilisticQueue(powerProbability(2)), mbp],
      ['probabilistic log', new ProbabilisticQueue(logProbability), mbp],
      ['exact FIFO (MBO)', undefined, mbo],
    ];
    const base = new Map<string, number>();
    const times = new Map<string, number>();
    const counts = new Map<string, { records: number; fills: number }>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const file of [mbp, mbo]) {
        const t0 = process.hrtime.bigint();
        const records = await decodeAndBook(file);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        base.set(file, Math.min(base.get(file) ?? Number.POSITIVE_INFINITY, s));
        counts.set(file, { records, fills: 0 });
      }
      for (const [name, queue, file] of models) {
        const t0 = process.hrtime.bigint();
        const c = await withBroker(file, queue);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        times.set(name, Math.min(times.get(name) ?? Number.POSITIVE_INFINITY, s));
        counts.set(name, c);
      }
    }
    const mbpBase = 'decode + L2 book, 6E day (MBP-10)';
    const mboBase = 'decode + L3 book, 6E day (MBO)';
    report.add(mbpBase, (counts.get(mbp)?.records as number) / (base.get(mbp) as number), 'events/s');
    report.add(mboBase, (counts.get(mbo)?.records as number) / (base.get(mbo) as number), 'events/s');
    for (const [name, , file] of models) {
      const c = counts.get(name) as { records: number; fills: number };
      const ratioTo = file === mbp ? mbpBase : mboBase;
      report.add(
        `+ paper broker, ${RESTING} resting orders: ${name}`,
        c.records / (times.get(name) as number),
        'events/s',
        ratioTo,
        `${c.fills.toLocaleString('en-US')} fills`,
      );
    }
    for (const [name, , file] of models) {
      const c = counts.get(name) as { records: number };
      const own = (((times.get(name) as number) - (base.get(file) as number)) / c.records) * 1e9;
      report.add(`paper broker with ${name} queue, own time per event`, own, 'ns/event');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A full backtest day without a model (features, techniques, triggers, the pipeline, the trader on
 * the paper broker) against the feature engine alone over the same merged files, both in events/s.
 */
export async function backtestBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scalper-backtest-bench-'));
  try {
    report.say('Simulating a 6E day for the backtest…');
    const day = await simulateDay({ date: '2026-11-24', seed: 5, out: dir, spot: false });
    const files = [day.files.mbp10, day.files.trades];
    const config = loadConfig({ env: {} });
    let events = 0;
    let trades = 0;
    // Records the trader skipped while quiet (`Trader.skippedRecords`).
    let skipped = 0;
    // The share of each backtest's time its decisions took (their own measured times).
    const deciding: number[] = [];
    // Seven turns each, in alternating order, each keeping its best: the machine's speed comes and
    // goes (by up to 2x on a shared host); each round's own ratio is noted too.
    const times = await bestOfEachAsync(['features', 'backtest'] as const, 7, async (k) => {
      if (k === 'features') {
        await runFeatures(files, { out: join(dir, 'f.csv'), every: 60_000_000_000n });
        return;
      }
      const t0 = performance.now();
      const run = await runBacktest(
        files,
        backtestSetup(config, { llm: null, regime: null, runId: 'bench' }),
      );
      const ms = performance.now() - t0;
      deciding.push(run.decisions.reduce((sum, d) => sum + d.timings.total, 0) / ms);
      events = run.records;
      trades = run.trader.fills.length;
      skipped = run.trader.skippedRecords;
    });
    const gcs = await minorGcs(() =>
      runBacktest(files, backtestSetup(config, { llm: null, regime: null, runId: 'bench' })),
    );
    const tFeat = times.get('features')!;
    const tBt = times.get('backtest')!;
    const ratios = times.paired(['features'], ['backtest']);
    const base = 'feature engine alone, merged 6E day';
    report.add(base, events / tFeat, 'events/s');
    report.add(
      'full backtest day, no model',
      events / tBt,
      'events/s',
      base,
      `${trades.toLocaleString('en-US')} fills; decisions ${(100 * median(deciding)).toFixed(0)}% of a run's time (median); the trader quiet on ${(100 * (skipped / events)).toFixed(0)}% of the records; ${gcs} minor GCs a day; ${pairedNote(ratios)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
