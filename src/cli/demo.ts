/**
 * `scalper demo`: the main job on embedded defaults. It needs no data subscription, key or
 * network: it writes a synthetic 6E day with our DBN encoder, reads it back with our decoder,
 * and replays the book, printing what it made and what it measured.
 */
import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { BookSide, L2Book } from '../book/index.js';
import { formatPrice } from '../core/price.js';
import { formatTimestamp } from '../core/time.js';
import { DbnDecoder, recordToJsonLine, rtypeLabel } from '../data/dbn/index.js';
import { SIXE_TICK_RAW, writeSampleFiles } from '../data/sample.js';
import { bytes, n } from './output.js';

interface DemoOpts {
  out?: string;
  records: number;
  seed: number;
}

async function demo(opts: DemoOpts): Promise<void> {
  const dir = opts.out ?? mkdtempSync(join(tmpdir(), 'scalper-demo-'));
  mkdirSync(dir, { recursive: true });
  const say = (s = '') => process.stdout.write(`${s}\n`);
  say('scalper demo: a synthetic CME 6E (EUR/USD future) session, written and read back as DBN v3');
  say();
  const t0 = performance.now();
  const files = await writeSampleFiles(dir, { records: opts.records, seed: opts.seed });
  const tWrite = performance.now() - t0;
  say(
    `Wrote ${n(files.records)} MBP-10 records and ${n(files.tradeCount)} trades in ${tWrite.toFixed(0)} ms to ${dir}`,
  );
  for (const p of [files.mbp10, files.trades, files.definition]) say(`  ${p}  ${bytes(statSync(p).size)}`);
  say();

  const dec = DbnDecoder.fromFile(files.mbp10);
  const md = await dec.readMetadata();
  const counts = new Map<number, number>();
  let total = 0;
  let spreadTicks = 0;
  let oneTick = 0;
  let minBid = Number.POSITIVE_INFINITY;
  let maxAsk = 0;
  let firstTs: bigint | null = null;
  let lastTs = 0n;
  const t1 = performance.now();
  const book = new L2Book();
  let depth5 = 0;
  for await (const batch of dec) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      counts.set(c.rtype, (counts.get(c.rtype) ?? 0) + 1);
      book.applyMbp(c);
      const s = book.spread / SIXE_TICK_RAW;
      spreadTicks += s;
      if (s === 1) oneTick++;
      if (book.bestBidPx < minBid) minBid = book.bestBidPx;
      if (book.bestAskPx > maxAsk) maxAsk = book.bestAskPx;
      depth5 += book.depth(BookSide.BID, 5) + book.depth(BookSide.ASK, 5);
    }
    if (batch.count > 0) {
      if (firstTs === null) firstTs = batch.at(0).tsEvent;
      lastTs = batch.at(batch.count - 1).tsEvent;
    }
    total += batch.count;
  }
  const tRead = performance.now() - t1;
  say(
    `Read back ${files.mbp10.split('/').pop()} (${dec.container}, DBN v${dec.version}, dataset ${md?.dataset}, schema ${md?.schema})`,
  );
  for (const [rt, c] of counts) say(`  ${rtypeLabel(rt)}: ${n(c)} records in ${tRead.toFixed(0)} ms`);
  say(`  ts_event ${formatTimestamp(firstTs ?? 0n)} .. ${formatTimestamp(lastTs)}`);
  say(`  best bid low ${formatPrice(BigInt(minBid))}, best ask high ${formatPrice(BigInt(maxAsk))}`);
  say(
    `  L2 book replayed: mean size over the top 5 levels ${(depth5 / Math.max(1, 2 * total)).toFixed(1)} lots per side`,
  );
  say(
    `  mean spread ${(spreadTicks / Math.max(1, total)).toFixed(3)} ticks; one tick ${((100 * oneTick) / Math.max(1, total)).toFixed(1)}% of the time`,
  );
  say();
  say('First record, as `scalper dbn dump --limit 1` prints it:');
  for await (const rec of DbnDecoder.fromFile(files.mbp10).records()) {
    const line = recordToJsonLine(rec, 3, { symbol: '6EZ6' });
    say(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    break;
  }
  say();
  if (!opts.out) say(`The files stay in ${dir} (about ${bytes(dirSize(dir))}); remove it when done.`);
  say(`Next: npm run -s scalper -- dbn inspect ${files.mbp10}`);
}

function dirSize(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir)) total += statSync(join(dir, f)).size;
  return total;
}

function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
  return x;
}

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'write a synthetic 6E session as DBN, read it back and summarise it (no data or network needed)',
    )
    .option('-o, --out <dir>', 'folder for the files (default: a new temporary folder)')
    .option('--records <count>', 'MBP-10 records to generate', positiveInt, 200_000)
    .option('--seed <seed>', 'random seed (same seed, same bytes)', positiveInt, 7)
    .action((opts: DemoOpts) => demo(opts));
}
