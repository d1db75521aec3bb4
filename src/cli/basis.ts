/**
 * `scalper basis FILE|DIR...`: futures–spot return correlation per horizon, lead–lag and the basis
 * per FX session of each trading date (MICROSTRUCTURE.md §13), over whole files, as a table on
 * stdout and as JSON (`--json` on stdout, `--out FILE`).
 *
 * Futures and spot files are given together, in any order (a simulator folder holds both): they
 * are told apart by their symbols, CME FX futures (`6EH6`) and spot pairs (`EUR/USD`, IG.FX), and
 * each future is paired with its spot pair (6E–EUR/USD, 6B–GBP/USD, 6J–USD/JPY, compared as
 * 1/USDJPY). The files are merged by ts_recv (IG's spot has no other clock); `BasisStudy` says what
 * is measured and how gaps are handled.
 */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  ConfigError,
  fxFutureRoot,
  InvalidOptionError,
  productOf,
  SPOT_PAIRS,
  tickDecimals,
} from '../core/index.js';
import { DbnError, replay } from '../data/index.js';
import {
  type BasisPair,
  BasisStudies,
  type BasisStudiesOptions,
  type BasisStudySummary,
  DEFAULT_BASIS_HORIZONS_MS,
} from '../features/index.js';
import { parseInterval } from './args.js';
import { summary } from './commands.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { jsonNumber, jsonTime, n, printReport, writeAtomically } from './output.js';
import { progress } from './progress.js';

/** Options of `runBasis`. */
export interface BasisOptions {
  /** Grid step, ms (default 100). */
  readonly sampleMs?: number;
  /** Return horizons, ms (default 1 s, 10 s, 1 min, 5 min). */
  readonly horizonsMs?: readonly number[];
  /** Largest lead–lag examined, ms (default 5000). */
  readonly maxLagMs?: number;
  /** Longest silence a return may span, ms (default 60,000). */
  readonly maxGapMs?: number;
  /** Statistics from this time on (ns); earlier records only warm the books up. */
  readonly fromNs?: bigint;
  /** Records up to this time (ns). */
  readonly toNs?: bigint;
  /** Only the pairs of this future, product or spot pair. */
  readonly symbol?: string;
}

/** The correlation of one horizon, as JSON. */
export interface HorizonJson {
  horizon_ms: number;
  returns: number;
  correlation: number | null;
}

/** One lag of the cross-correlation, as JSON. */
export interface LagJson {
  lag_ms: number;
  pairs: number;
  correlation: number | null;
}

/** The basis of one session of one trading date, as JSON: price units, then ticks. */
export interface BasisRowJson {
  date: string;
  session: string;
  samples: number;
  mean: number;
  std: number | null;
  min: number;
  max: number;
  mean_ticks: number | null;
  std_ticks: number | null;
  min_ticks: number | null;
  max_ticks: number | null;
}

/** One future/spot pair, as JSON. */
export interface PairJson {
  future: string;
  spot: string;
  /** The spot is compared as 1/spot (6J against USD/JPY). */
  inverted: boolean;
  /** `F - S`, or `F - 1/S`. */
  basis_definition: string;
  /** The future's tick (decimal), null when unknown. */
  tick: number | null;
  /** Start of the first and end of the last grid sample counted, null when none. */
  from: string | null;
  to: string | null;
  samples: number;
  breaks: number;
  correlation: HorizonJson[];
  lead_lag: {
    /** The lag with the highest correlation (> 0: the future leads), null when none. */
    best_lag_ms: number | null;
    correlation: number | null;
    pairs: number;
    correlation_at_0: number | null;
    lags: LagJson[];
  };
  basis: BasisRowJson[];
}

/** What `scalper basis --json` prints. */
export interface BasisReport {
  version: 1;
  files: string[];
  sample_ms: number;
  max_lag_ms: number;
  max_gap_ms: number;
  pairs: PairJson[];
  /** Futures of the input (that `--symbol` selects) whose spot pair is not in it. */
  unpaired: { future: string; spot: string }[];
}

const NS_PER_MS = 1_000_000n;

/** One pair's summary as JSON, with the basis also in ticks of the future (`tickRaw`, NaN: unknown). */
export function pairJson(p: BasisPair, s: BasisStudySummary, tickRaw: number): PairJson {
  const tick = tickRaw * 1e-9;
  const ticks = (v: number) => jsonNumber(v / tick, 4);
  const at0 = s.crossCorrelation.find((c) => c.lagMs === 0);
  return {
    future: p.future,
    spot: p.spot,
    inverted: p.invert,
    basis_definition: p.invert ? 'F - 1/S' : 'F - S',
    tick: Number.isFinite(tick) ? jsonNumber(tick, 12) : null,
    from: jsonTime(s.firstMs),
    to: jsonTime(s.lastMs),
    samples: s.samples,
    breaks: s.breaks,
    correlation: s.horizons.map((h) => ({
      horizon_ms: h.horizonMs,
      returns: h.returns,
      correlation: jsonNumber(h.correlation, 6),
    })),
    lead_lag: {
      best_lag_ms: s.leadLag?.lagMs ?? null,
      correlation: s.leadLag !== null ? jsonNumber(s.leadLag.correlation, 6) : null,
      pairs: s.leadLag?.pairs ?? 0,
      correlation_at_0: at0 !== undefined ? jsonNumber(at0.correlation, 6) : null,
      lags: s.crossCorrelation.map((c) => ({
        lag_ms: c.lagMs,
        pairs: c.pairs,
        correlation: jsonNumber(c.correlation, 6),
      })),
    },
    basis: s.basis.map((b) => ({
      date: b.date,
      session: b.session,
      samples: b.samples,
      mean: jsonNumber(b.mean, 12) as number,
      std: jsonNumber(b.std, 12),
      min: jsonNumber(b.min, 12) as number,
      max: jsonNumber(b.max, 12) as number,
      mean_ticks: ticks(b.mean),
      std_ticks: ticks(b.std),
      min_ticks: ticks(b.min),
      max_ticks: ticks(b.max),
    })),
  };
}

/** A pair's selection by `--symbol`: its future, its future's product (`6E`, `6E.c.0`) or its spot pair. */
function selector(symbol: string | undefined): ((future: string, spot: string) => boolean) | undefined {
  if (symbol === undefined) return undefined;
  const product = productOf(symbol);
  return (future, spot) =>
    symbol === future || symbol === spot || (product !== undefined && fxFutureRoot(future) === product);
}

/** The message when the input holds no pair (or none that `--symbol` selects). */
function noPairMessage(
  files: readonly string[],
  symbols: ReadonlyMap<number, string>,
  symbol?: string,
): string {
  const futures = [...new Set([...symbols.values()].filter((s) => fxFutureRoot(s) !== undefined))];
  const spots = [...new Set([...symbols.values()].filter((s) => /^[A-Z]{3}\/[A-Z]{3}$/.test(s)))];
  const names =
    files.length <= 4 ? files.join(', ') : `${files.slice(0, 4).join(', ')} and ${files.length - 4} more`;
  const pairs = Object.entries(SPOT_PAIRS)
    .map(([root, s]) => `${root}–${s.pair}`)
    .join(', ');
  return (
    `no future–spot pair${symbol !== undefined ? ` for --symbol ${symbol}` : ''} in ${names}: ` +
    `futures ${futures.join(', ') || 'none'}, spot pairs ${spots.join(', ') || 'none'} ` +
    `(a CME FX future pairs with its spot: ${pairs}; give both, e.g. glbx-mdp3-DATE.mbp-10.dbn.zst ` +
    'and ig-fx-DATE.mbp-1.dbn.zst)'
  );
}

/** Checks that every input is there and is market data this command reads. */
function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new ConfigError('no input files');
  for (const f of files) {
    if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
    if (/\.json$/i.test(f)) {
      throw new ConfigError(
        `${f}: an IG price-history JSON holds 1-minute bars; basis needs the spot's quotes, the ` +
          'MBP-1 file beside it (ig-fx-DATE.mbp-1.dbn.zst)',
      );
    }
  }
}

/** The flag of each study option, for messages about them. */
const FLAGS: Readonly<Record<string, string>> = {
  sampleMs: '--sample',
  horizonsMs: '--horizons',
  maxLagMs: '--max-lag',
  maxGapMs: '--max-gap',
};

/** The studies, with a bad option reported by its flag (`--max-lag must be a multiple of 100 …`). */
function basisStudies(o: BasisStudiesOptions): BasisStudies {
  try {
    return new BasisStudies(o);
  } catch (err) {
    if (!(err instanceof InvalidOptionError) || FLAGS[err.option] === undefined) throw err;
    throw new ConfigError(`${err.message.replace(err.option, FLAGS[err.option])} (milliseconds)`, {
      cause: err,
    });
  }
}

/** The futures of the input without their spot pair (those `symbol` selects, when given). */
function unpaired(studies: BasisStudies, symbol: string | undefined): { future: string; spot: string }[] {
  const paired = new Set(studies.pairs.map((p) => p.future));
  const select = selector(symbol);
  const out: { future: string; spot: string }[] = [];
  for (const future of new Set(studies.symbols.values())) {
    const root = fxFutureRoot(future);
    if (root === undefined || paired.has(future)) continue;
    const spot = SPOT_PAIRS[root].pair;
    if (select === undefined || select(future, spot)) out.push({ future, spot });
  }
  return out;
}

/** Replays `files` and measures every future/spot pair in them (see the module comment). */
export async function runBasis(files: readonly string[], opts: BasisOptions = {}): Promise<BasisReport> {
  checkFiles(files);
  const sampleMs = opts.sampleMs ?? 100;
  const maxLagMs = opts.maxLagMs ?? 5000;
  const maxGapMs = opts.maxGapMs ?? 60_000;
  const studies = basisStudies({
    sampleMs,
    maxLagMs,
    maxGapMs,
    horizonsMs: opts.horizonsMs ?? DEFAULT_BASIS_HORIZONS_MS,
    fromMs: opts.fromNs !== undefined ? Number(opts.fromNs / NS_PER_MS) : undefined,
    select: selector(opts.symbol),
  });
  // The pairs are known once every file's symbols are: stop there, before any record, when none.
  const sink = {
    setSymbol: (id: number, sym: string) => studies.setSymbol(id, sym),
    setTickSize: (id: number, tick: number) => studies.setTickSize(id, tick),
    symbolsKnown: (symbols: ReadonlyMap<number, string>) => {
      studies.symbolsKnown(symbols);
      if (studies.pairs.length === 0) throw new ConfigError(noPairMessage(files, symbols, opts.symbol));
    },
    applyDefinition: studies.applyDefinition.bind(studies),
    apply: studies.apply.bind(studies),
    advance: studies.advance.bind(studies),
  };
  const bar = progress(
    'basis',
    files.reduce((s, f) => s + statSync(f).size, 0),
  );
  try {
    await replay(files, sink, {
      // The studies keep their own grid; a minute's grid only moves them on through silences.
      everyNs: 60_000n * NS_PER_MS,
      onGrid: () => {},
      fromNs: opts.fromNs,
      toNs: opts.toNs,
      onProgress: (done) => bar.update(done),
    });
  } finally {
    bar.stop();
  }
  return {
    version: 1,
    files: [...files],
    sample_ms: sampleMs,
    max_lag_ms: maxLagMs,
    max_gap_ms: maxGapMs,
    pairs: studies.pairs.map((p) => pairJson(p, p.study.summary(), studies.tickRaw(p.futureId))),
    unpaired: unpaired(studies, opts.symbol),
  };
}

/** `1 s`, `10 s`, `1 min`, `250 ms`. */
export function durationLabel(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** `v` with `d` decimals, `—` for none; a value that rounds to zero prints without a sign. */
function fix(v: number | null, d: number): string {
  if (v === null) return '—';
  const t = v.toFixed(d);
  return Number(t) === 0 ? (0).toFixed(d) : t;
}
const signed = (v: number) => (v > 0 ? `+${v}` : String(v));

/** The lags the table shows: within ±1 s, at most 21 of them (every grid step, or every k-th). */
function profile(p: PairJson, sampleMs: number): string[] {
  const within = p.lead_lag.lags.filter((l) => Math.abs(l.lag_ms) <= 1000);
  const k = Math.ceil(within.length / 21);
  const near = within.filter((l) => Math.round(l.lag_ms / sampleMs) % k === 0);
  return [
    `    lag ms ${near.map((l) => signed(l.lag_ms).padStart(7)).join('')}`,
    `    ρ      ${near.map((l) => fix(l.correlation, 3).padStart(7)).join('')}`,
  ];
}

/** The readable report of one pair. */
export function pairTable(
  p: PairJson,
  r: Pick<BasisReport, 'sample_ms' | 'max_lag_ms' | 'max_gap_ms'>,
): string[] {
  const { sample_ms: sampleMs, max_lag_ms: maxLagMs, max_gap_ms: maxGapMs } = r;
  const tickDigits = p.tick !== null ? tickDecimals(Math.round(p.tick * 1e9)) : 6;
  const priceDecimals = tickDigits + 2;
  const gaps = `${n(p.breaks)} ${p.breaks === 1 ? 'silence' : 'silences'} longer than ${durationLabel(maxGapMs)}`;
  const lines = [
    `${p.future} vs ${p.spot}  (basis ${p.basis_definition}${p.tick !== null ? `, tick ${p.tick.toFixed(tickDigits)}` : ''})`,
    `  ${p.from ?? '—'} to ${p.to ?? '—'}: ${n(p.samples)} samples of ${sampleMs} ms; ${gaps} broke the returns`,
    '',
    '  return correlation   returns  correlation',
  ];
  for (const h of p.correlation)
    lines.push(
      `  ${durationLabel(h.horizon_ms).padEnd(18)}${n(h.returns).padStart(9)}  ${fix(h.correlation, 3).padStart(11)}`,
    );
  const ll = p.lead_lag;
  lines.push(
    '',
    `  lead–lag of ${sampleMs} ms returns over ±${durationLabel(maxLagMs)} (> 0: the future leads):`,
    ll.best_lag_ms === null
      ? '    no lag has a correlation'
      : `    best ${signed(ll.best_lag_ms)} ms, ρ ${fix(ll.correlation, 3)} over ${n(ll.pairs)} pairs; ρ at 0 ms ${fix(ll.correlation_at_0, 3)}`,
    ...profile(p, sampleMs),
    '',
    `  basis per session    samples  ${['mean', 'std', 'min', 'max'].map((h) => h.padStart(priceDecimals + 4)).join('')}${'ticks: mean'.padStart(15)}${['std', 'min', 'max'].map((h) => h.padStart(7)).join('')}`,
  );
  for (const b of p.basis) {
    const px = [b.mean, b.std, b.min, b.max]
      .map((v) => fix(v, priceDecimals).padStart(priceDecimals + 4))
      .join('');
    const tk = [b.mean_ticks, b.std_ticks, b.min_ticks, b.max_ticks]
      .map((v) => fix(v, 2).padStart(7))
      .join('');
    lines.push(`  ${b.date} ${b.session.padEnd(9)}${n(b.samples).padStart(8)}  ${px}        ${tk}`);
  }
  if (p.basis.length === 0) lines.push('  (no sample inside Globex hours)');
  return lines;
}

/** The whole report as lines of text. */
export function basisTable(r: BasisReport): string[] {
  const lines: string[] = [];
  for (const p of r.pairs) {
    if (lines.length > 0) lines.push('');
    lines.push(...pairTable(p, r));
  }
  for (const u of r.unpaired) lines.push('', `${u.future}: not measured, no ${u.spot} in the input`);
  return lines;
}

/** An interval option in ms (`100ms`, `5s`, `1m`). */
function msArg(v: string): number {
  return Number(parseInterval(v) / NS_PER_MS);
}

/** A comma-separated list of intervals in ms. */
function msListArg(v: string): number[] {
  return v.split(',').map((x) => msArg(x));
}

/** Registers `basis`. */
export function registerBasis(program: Command): void {
  const cmd = program
    .command('basis')
    .description(summary('basis'))
    .argument(
      '<files...>',
      'futures and spot DBN files or folders, in any order (e.g. glbx-mdp3-DATE.mbp-10.dbn.zst and ig-fx-DATE.mbp-1.dbn.zst), merged by ts_recv',
    )
    .option('--json', 'print the report as JSON instead of the table')
    .option('-o, --out <file>', 'also write the report as JSON to this file')
    .option('--symbol <symbol>', 'only this future (6EH6), product (6E) or spot pair (EUR/USD)')
    .option('--sample <interval>', 'grid step of the mids and of the lead–lag returns (default 100ms)', msArg)
    .option('--horizons <list>', 'return horizons (default 1s,10s,1m,5m)', msListArg)
    .option('--max-lag <interval>', 'largest lead–lag examined, each way (default 5s)', msArg)
    .option(
      '--max-gap <interval>',
      'a leg silent for longer breaks the returns: none spans it (CME break, weekends; default 60s)',
      msArg,
    )
    .addHelpText(
      'after',
      `
Pairs: each CME FX future with its spot pair, 6E–EUR/USD, 6B–GBP/USD, 6J–USD/JPY (compared as
1/USDJPY, in USD per JPY like the future). Times are ts_recv: the spot's only clock, so the
broker's stream latency is part of the measured lead.

Measured over the whole input: mids sampled on the grid (the last mid before each step ends);
Pearson correlation of the log returns of F and S at each horizon (returns between multiples of the
horizon), with the number of returns; the cross-correlation ρ(ℓ) of grid returns, pairing the
future's return ℓ earlier with the spot's (ℓ > 0: the future leads), its best lag and value; the
basis F − S (F − 1/S for 6J) sampled on the grid per CME trading date and FX session (sydney,
tokyo, london, overlap, new_york): samples, mean, sample std, min, max, in price and in ticks.

JSON (--json, --out): { version, files, sample_ms, max_lag_ms, max_gap_ms, pairs: [{ future, spot,
inverted, basis_definition, tick, from, to, samples, breaks, correlation: [{ horizon_ms, returns,
correlation }], lead_lag: { best_lag_ms, correlation, pairs, correlation_at_0, lags: [{ lag_ms,
pairs, correlation }] }, basis: [{ date, session, samples, mean, std, min, max, mean_ticks,
std_ticks, min_ticks, max_ticks }] }], unpaired: [{ future, spot }] }; null where a value is
undefined.

Example:
  scalper basis data/glbx-mdp3-20260304.mbp-10.dbn.zst data/ig-fx-20260304.mbp-1.dbn.zst
  scalper basis data/ --symbol 6E --json > basis.json`,
    )
    .action(
      async (
        paths: string[],
        cli: {
          json?: boolean;
          out?: string;
          symbol?: string;
          sample?: number;
          horizons?: number[];
          maxLag?: number;
          maxGap?: number;
          from?: string;
          to?: string;
        },
      ) => {
        const { files, fromNs, toNs } = await commandInputs(paths, cli);
        const report = await runBasis(files, {
          sampleMs: cli.sample,
          horizonsMs: cli.horizons,
          maxLagMs: cli.maxLag,
          maxGapMs: cli.maxGap,
          fromNs,
          toNs,
          symbol: cli.symbol,
        });
        const json = `${JSON.stringify(report, null, 2)}\n`;
        if (cli.out !== undefined) await writeAtomically(cli.out, (tmp) => writeFile(tmp, json));
        await printReport(report, cli.json === true, basisTable);
      },
    );
  timeRangeOptions(cmd);
}
