/**
 * `scalper stoikov fit FILES... --out stoikov.json` fits Stoikov's micro-price table
 * (features/micro/stoikov.ts) on the top of book of MBP-10 files: the last quote at or before every
 * `--sample-ms` of ts_recv, one chain per file (a new file, a new day, starts a new chain).
 * `readStoikovModel` loads the written model back, for `scalper features --stoikov stoikov.json`.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { L2Book } from '../book/index.js';
import { CME_FX_FUTURES, ConfigError, fxFutureRoot, isFrontMonth, productOf } from '../core/index.js';
import { DbnDecoder, DbnError, SymbolMap } from '../data/dbn/index.js';
import { StoikovFitter, type StoikovModel } from '../features/index.js';
import { positiveInt } from './args.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, runOf } from './config.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';

/** `stoikov.json`: the fitted table and what it was fitted on. */
export interface StoikovModelFile extends StoikovModel {
  readonly version: 1;
  /** Instrument the table was fitted on. */
  readonly symbol: string;
  /** Sampling step of the top of book, ms. */
  readonly sampleMs: number;
  /** Terms of the series Σ Bⁱ·G1. */
  readonly terms: number;
}

/** Options of `fitStoikovFiles`. */
export interface StoikovFitFileOptions {
  /** Sampling step, ms (default 1000). */
  sampleMs?: number;
  /** Imbalance buckets (default 10). */
  buckets?: number;
  /** Largest spread state in ticks (default 2). */
  spreads?: number;
  /** Terms of the series (default 6). */
  terms?: number;
  /** Instrument to fit on when the files hold several: a contract, or a product for its front month. */
  symbol?: string;
  /** Samples from this time on (ns); earlier records only build the book. */
  fromNs?: bigint;
  /** Samples up to this time (ns); later records are not read. */
  toNs?: bigint;
  /** Tick size in raw 1e-9 units; default from the product of the symbol (6E, 6B, 6J). */
  tickRaw?: number;
}

/** Top-of-book samples of one instrument, kept per chain (file). */
interface Samples {
  symbol: string;
  chains: Float64Array[];
  /** Time of each chain's first sample, ms. */
  starts: number[];
}

/** Tick size of a CME futures symbol (`6EH6` → 6E's tick), or undefined for unknown products. */
function tickOf(symbol: string): number | undefined {
  const root = productOf(symbol) ?? fxFutureRoot(symbol);
  return root === undefined ? undefined : CME_FX_FUTURES[root].tickRaw;
}

/**
 * Reads the MBP-10 records of `files` and samples each instrument's top of book every `sampleMs`
 * (the last quote at or before each multiple of `sampleMs` since the epoch, in ts_recv), as
 * (bid px, ask px, bid size, ask size) quadruples.
 */
async function sampleFiles(
  files: readonly string[],
  sampleMs: number,
  range: { fromNs?: bigint; toNs?: bigint } = {},
): Promise<Map<string, Samples>> {
  const out = new Map<string, Samples>();
  const fromMs = range.fromNs !== undefined ? Number(range.fromNs / 1_000_000n) : Number.NEGATIVE_INFINITY;
  const toMs = range.toNs !== undefined ? Number(range.toNs / 1_000_000n) : Number.POSITIVE_INFINITY;
  for (const file of files) {
    if (!existsSync(file)) throw new DbnError('IO', file, 0, 'file not found');
    const dec = DbnDecoder.fromFile(file);
    const symbols = SymbolMap.fromMetadata(await dec.readMetadata());
    const books = new Map<
      number,
      { book: L2Book; next: number; data: number[]; name: string; start: number }
    >();
    const flush = (s: { book: L2Book; next: number; data: number[] }, uptoMs: number): void => {
      const b = s.book;
      // A side empty or crossed gives no state and so breaks the chain in the fitter.
      for (; s.next <= uptoMs; s.next += sampleMs)
        s.data.push(b.bestBidPx, b.bestAskPx, b.bestBidSz, b.bestAskSz);
    };
    reading: for await (const batch of dec) {
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (c.tsRecvMs > toMs) break reading;
        const id = c.instrumentId;
        let s = books.get(id);
        if (s === undefined) {
          const name = symbols.resolve(id, c.tsRecv) ?? symbols.resolve(id) ?? String(id);
          s = { book: new L2Book(), next: Number.NaN, data: [], name, start: Number.NaN };
          books.set(id, s);
        }
        const ms = c.tsRecvMs;
        // The book as it stood before this record holds at every sample time before `ms`.
        if (!Number.isNaN(s.next)) flush(s, ms - 1e-9);
        if (!s.book.applyMbp(c)) continue;
        if (Number.isNaN(s.next) && ms >= fromMs) {
          s.next = Math.ceil(ms / sampleMs) * sampleMs;
          s.start = s.next;
        }
      }
    }
    for (const s of books.values()) {
      if (s.data.length === 0) continue;
      let e = out.get(s.name);
      if (e === undefined) {
        e = { symbol: s.name, chains: [], starts: [] };
        out.set(s.name, e);
      }
      e.chains.push(Float64Array.from(s.data));
      e.starts.push(s.start);
    }
  }
  return out;
}

/**
 * The samples `symbol` names: an instrument's own, or a product's (`6E`) front-month chains across
 * rolls; without `symbol`, the only instrument, or the only futures product.
 */
function chooseSamples(all: ReadonlyMap<string, Samples>, symbol: string | undefined): Samples {
  const names = [...all.keys()];
  const product = symbol !== undefined ? productOf(symbol) : undefined;
  if (symbol !== undefined && all.has(symbol)) return all.get(symbol)!;
  if (symbol !== undefined && product === undefined) {
    throw new ConfigError(
      `--symbol ${symbol} is not in the input (symbols with MBP-10 quotes: ${names.join(', ') || 'none'})`,
    );
  }
  if (names.length === 0)
    throw new ConfigError('the input holds no MBP-10 (or MBP-1) quotes with both sides');
  if (symbol === undefined && names.length === 1) return all.get(names[0])!;
  const products = [...new Set(names.map((n) => fxFutureRoot(n)).filter((p) => p !== undefined))];
  const p = product ?? (products.length === 1 ? products[0] : undefined);
  if (p === undefined) {
    throw new ConfigError(
      `the input holds several instruments (${names.join(', ')}): choose one with --symbol (a contract, or a product such as 6E for its front month)`,
    );
  }
  const front: Samples = { symbol: p, chains: [], starts: [] };
  for (const s of all.values()) {
    for (let k = 0; k < s.chains.length; k++) {
      if (!isFrontMonth(p, s.symbol, s.starts[k])) continue;
      front.chains.push(s.chains[k]);
      front.starts.push(s.starts[k]);
    }
  }
  if (front.chains.length === 0) {
    throw new ConfigError(
      `--symbol ${symbol}: no quotes of ${p}'s front month in the input (symbols: ${names.join(', ')})`,
    );
  }
  return front;
}

/** Fits the micro-price table on the MBP-10 records of `files` (one instrument). */
export async function fitStoikovFiles(
  files: readonly string[],
  opts: StoikovFitFileOptions = {},
): Promise<StoikovModelFile> {
  const sampleMs = opts.sampleMs ?? 1000;
  if (!(sampleMs > 0)) throw new ConfigError(`--sample-ms must be positive, got ${sampleMs}`);
  const all = await sampleFiles(files, sampleMs, opts);
  const chosen = chooseSamples(all, opts.symbol);
  const tickRaw = opts.tickRaw ?? tickOf(chosen.symbol);
  if (tickRaw === undefined)
    throw new ConfigError(
      `${chosen.symbol}: unknown tick size (not a 6E, 6B or 6J contract); give --tick-raw`,
    );
  const terms = opts.terms ?? 6;
  const fitter = new StoikovFitter({ tickRaw, n: opts.buckets ?? 10, m: opts.spreads ?? 2, terms });
  for (const chain of chosen.chains) {
    fitter.breakChain();
    for (let k = 0; k < chain.length; k += 4)
      fitter.sample(chain[k], chain[k + 1], chain[k + 2], chain[k + 3]);
  }
  const model = fitter.fit();
  if (model.samples === 0)
    throw new ConfigError(`${chosen.symbol}: no transitions between sampled quotes to fit on`);
  return { version: 1, symbol: chosen.symbol, sampleMs, terms, ...model };
}

/** Writes `stoikov.json` (g as null for states never seen). */
export function writeStoikovModel(path: string, m: StoikovModelFile): void {
  const doc = {
    version: m.version,
    symbol: m.symbol,
    sample_ms: m.sampleMs,
    terms: m.terms,
    n: m.n,
    m: m.m,
    tickRaw: m.tickRaw,
    samples: m.samples,
    g: m.g.map((v) => (Number.isFinite(v) ? v : null)),
    counts: m.counts,
  };
  writeFileSync(path, `${JSON.stringify(doc, null, 1)}\n`);
}

/** Reads `stoikov.json`, failing with a `ConfigError` that names the file and the field. */
export function readStoikovModel(path: string): StoikovModelFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: cannot read a Stoikov model (${(e as Error).message})`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(`${path}: not a Stoikov model (expected a JSON object)`);
  const o = doc as Record<string, unknown>;
  const bad = (field: string, want: string): never => {
    throw new ConfigError(
      `${path}: field "${field}" must be ${want}, got ${JSON.stringify(o[field]) ?? 'nothing'}`,
    );
  };
  if (o.version !== 1) bad('version', '1');
  const int = (field: string): number => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(field, 'a positive integer');
    return v as number;
  };
  const n = int('n');
  const m = int('m');
  const tickRaw = int('tickRaw');
  const samples = int('samples');
  const sampleMs = int('sample_ms');
  const terms = int('terms');
  if (typeof o.symbol !== 'string') bad('symbol', 'a string');
  const arr = (field: string, allowNull: boolean): number[] => {
    const v = o[field];
    const want = `an array of ${n * m} numbers${allowNull ? ' (null for states never seen)' : ''}`;
    if (!Array.isArray(v) || v.length !== n * m) bad(field, want);
    return (v as unknown[]).map((x) => {
      if (x === null && allowNull) return Number.NaN;
      if (typeof x !== 'number' || !Number.isFinite(x)) bad(field, want);
      return x as number;
    });
  };
  const g = arr('g', true);
  const counts = arr('counts', false);
  return { version: 1, symbol: o.symbol as string, sampleMs, terms, n, m, tickRaw, samples, g, counts };
}

/** Registers `stoikov fit`. */
export function registerStoikov(program: Command): void {
  const stoikov = program.command('stoikov').description(summary('stoikov'));
  const S = defaultConfig().stoikov;
  const fit = stoikov
    .command('fit')
    .description(
      'fit the micro-price table on the top of book of MBP-10 files, sampled every --sample-ms (Stoikov 2018)',
    )
    .argument(
      '<files...>',
      'MBP-10 DBN files (.dbn or .dbn.zst) or folders of them, one chain of samples per file',
    )
    .requiredOption('-o, --out <file>', 'model file to write (stoikov.json)')
    .option('--sample-ms <ms>', `sampling step of the top of book, ms (default ${S.sampleMs})`, positiveInt)
    .option('--buckets <n>', `imbalance buckets of qb/(qb+qa) (default ${S.buckets})`, positiveInt)
    .option('--spreads <n>', `largest spread state, ticks (default ${S.spreads})`, positiveInt)
    .option('--terms <n>', `terms of the series g = Σ Bⁱ·G1 (default ${S.terms})`, positiveInt)
    .option('--tick-raw <n>', 'tick size in raw 1e-9 units (default: from the 6E/6B/6J symbol)', positiveInt)
    .option(
      '--symbol <symbol>',
      'instrument when the files hold several: a contract (6EZ6) or a product (6E: its front month across rolls; the default when the input holds one futures product)',
    )
    .action(async (paths: string[], o, self: Command) => {
      const run = runOf(self);
      const { files, fromNs, toNs } = await commandInputs(paths, o);
      const cfg = run.config.stoikov;
      const model = await fitStoikovFiles(files, {
        sampleMs: cfg.sampleMs,
        buckets: cfg.buckets,
        spreads: cfg.spreads,
        terms: cfg.terms,
        tickRaw: o.tickRaw,
        symbol: o.symbol,
        fromNs,
        toNs,
      });
      writeStoikovModel(o.out, model);
      await recordRun(run, { file: o.out, inputs: files });
      const row = (s: number): string =>
        model.g
          .slice((s - 1) * model.n, s * model.n)
          .map((v) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(3) : 'n/a'))
          .join(' ');
      const lines = [
        `Stoikov micro-price fitted on ${model.symbol}: ${model.samples.toLocaleString('en-US')} transitions of quotes sampled every ${model.sampleMs} ms, ${model.n} imbalance buckets, ${model.terms} terms`,
      ];
      for (let s = 1; s <= model.m; s++) lines.push(`g (ticks), spread ${s}: ${row(s)}`);
      lines.push(`wrote ${o.out}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  timeRangeOptions(fit);
  configFlags(fit, {
    sampleMs: 'stoikov.sampleMs',
    buckets: 'stoikov.buckets',
    spreads: 'stoikov.spreads',
    terms: 'stoikov.terms',
  });
}
