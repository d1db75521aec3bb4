/**
 * `scalper book FILE... --every N`: replays MBO or MBP files (merged by ts_recv) into their books
 * and prints each instrument's book after every N-th published event (a record with F_LAST) and
 * after its last record, so users can check the books against their own tools. A crossed or locked
 * book is marked, never hidden.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { type Book, BookSet } from '../book/index.js';
import { ConfigError, formatPrice, formatTimestamp } from '../core/index.js';
import { DbnDecoder, DbnError, MergedRecords, SymbolMap } from '../data/index.js';
import { positiveInt } from './args.js';
import { summary } from './commands.js';
import { LineWriter } from './output.js';

/** Options of `scalper book`. */
export interface BookOptions {
  every: number;
  levels: number;
  symbol?: string;
  format: 'table' | 'json';
}

/** One printed state: where it came from and the top levels. */
interface BookState {
  index: number;
  book: Book;
  symbol: string;
}

/** What is kept per book while replaying. */
interface Tracked {
  events: number;
  symbol: string;
  /** Index in its file of the book's last record, and whether its state then was printed. */
  lastIndex: number;
  printed: boolean;
}

const tsOf = (hi: number, lo: number) => (BigInt(hi) << 32n) | BigInt(lo);

function levels(book: Book, bid: boolean, k: number): [string, number, number][] {
  const n = Math.min(k, bid ? book.bidLevels : book.askLevels);
  const out: [string, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const px = bid ? book.bidPx(i) : book.askPx(i);
    out.push([
      formatPrice(BigInt(px)) ?? '',
      bid ? book.bidSz(i) : book.askSz(i),
      bid ? book.bidCt(i) : book.askCt(i),
    ]);
  }
  return out;
}

/** One JSON line: the fields of CONVENTIONS-style book states, prices as decimal strings. */
export function bookJson(s: BookState, k: number): string {
  const b = s.book;
  return JSON.stringify({
    index: s.index,
    ts_event: formatTimestamp(tsOf(b.tsEventHi, b.tsEventLo)),
    ts_recv: formatTimestamp(tsOf(b.tsRecvHi, b.tsRecvLo)),
    sequence: b.sequence,
    instrument_id: b.instrumentId,
    symbol: s.symbol,
    crossed: b.crossed,
    bids: levels(b, true, k),
    asks: levels(b, false, k),
  });
}

/** A readable block: a header, then bids and asks side by side, best first. */
export function bookTable(s: BookState, k: number): string[] {
  const b = s.book;
  const bids = levels(b, true, k);
  const asks = levels(b, false, k);
  const lines = [
    `${s.symbol} (${b.instrumentId})  record ${s.index}  ts_recv ${formatTimestamp(tsOf(b.tsRecvHi, b.tsRecvLo))}  sequence ${b.sequence}${b.crossed ? '  CROSSED' : ''}`,
    `${'orders'.padStart(7)} ${'size'.padStart(8)} ${'bid'.padStart(18)} | ${'ask'.padEnd(18)} ${'size'.padStart(8)} ${'orders'.padStart(7)}`,
  ];
  for (let i = 0; i < Math.max(bids.length, asks.length); i++) {
    const bd = bids[i];
    const as = asks[i];
    const left = bd
      ? `${String(bd[2]).padStart(7)} ${String(bd[1]).padStart(8)} ${bd[0].padStart(18)}`
      : ' '.repeat(35);
    const right = as ? `${as[0].padEnd(18)} ${String(as[1]).padStart(8)} ${String(as[2]).padStart(7)}` : '';
    lines.push(`${left} | ${right}`.trimEnd());
  }
  lines.push('');
  return lines;
}

/** Replays `files` and writes the book states to `out` (see the module comment). */
export async function runBook(
  files: readonly string[],
  opts: BookOptions,
  out: Pick<LineWriter, 'line' | 'flush'> = new LineWriter(),
): Promise<number> {
  if (opts.format !== 'table' && opts.format !== 'json')
    throw new ConfigError(`--format must be table or json, got "${opts.format}"`);
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const decoders = files.map((f) => DbnDecoder.fromFile(f));
  const symbols: SymbolMap[] = [];
  for (const d of decoders) symbols.push(SymbolMap.fromMetadata(await d.readMetadata()));
  const merged = await MergedRecords.open(decoders);
  const books = new BookSet();
  const tracked = new Map<Book, Tracked>();
  const index = new Array<number>(files.length).fill(0);
  const print = async (book: Book, t: Tracked) => {
    const state = { index: t.lastIndex, book, symbol: t.symbol };
    if (opts.format === 'json') await out.line(bookJson(state, opts.levels));
    else for (const l of bookTable(state, opts.levels)) await out.line(l);
    t.printed = true;
  };
  let printed = 0;
  while (!merged.done) {
    const input = merged.input;
    const c = merged.cursor();
    const book = books.apply(c);
    if (book !== null) {
      let t = tracked.get(book);
      if (t === undefined) {
        const sym = symbols[input].resolve(c.instrumentId, c.tsRecv) ?? String(c.instrumentId);
        t = { events: 0, symbol: sym, lastIndex: 0, printed: false };
        tracked.set(book, t);
      }
      t.lastIndex = index[input];
      t.printed = false;
      if (book.consistent && (opts.symbol === undefined || opts.symbol === t.symbol)) {
        if (++t.events % opts.every === 0) {
          await print(book, t);
          printed++;
        }
      }
    }
    index[input]++;
    const loading = merged.next();
    if (loading) await loading;
  }
  for (const [book, t] of tracked) {
    if (t.printed || (opts.symbol !== undefined && opts.symbol !== t.symbol)) continue;
    await print(book, t);
    printed++;
  }
  await out.flush();
  return printed;
}

export function registerBook(program: Command): void {
  program
    .command('book')
    .description(summary('book'))
    .argument('<files...>', 'MBO or MBP-10/MBP-1 DBN files (several are merged by ts_recv)')
    .requiredOption(
      '--every <n>',
      'print the book after every n-th published event (record with F_LAST) of each instrument',
      positiveInt,
    )
    .option('--levels <n>', 'levels per side', positiveInt, 10)
    .option('--symbol <symbol>', 'only the book of this instrument (e.g. 6EZ6)')
    .option('--format <format>', 'table, or json: one object per line', 'table')
    .action(async (files: string[], opts: BookOptions) => {
      await runBook(files, opts);
    });
}
