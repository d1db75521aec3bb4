/**
 * `scalper activity FILE|DIR...`: the intraday activity profile of futures data, traded contracts
 * and trades by hour of the day (UTC, or the local hour of `--zone`) per product over every day
 * of the input, each hour's share of the volume, the busiest and the quietest traded hour; with
 * `--profile NAME`, beside it the share the simulator's activity profile `NAME` gives each hour of
 * the same trading dates (sim/profile.ts), to compare simulated or real days with it.
 *
 * Volume is read from the trades files of the input (`glbx-mdp3-DATE.trades.dbn.zst`), or from the
 * trade records of its MBP-10 files when it has none.
 */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, fxFutureRoot, localTime, productOf, tradingDateOf } from '../core/index.js';
import { DbnDecoder, DbnError, SymbolMap } from '../data/index.js';
import { ACTIVITY_PROFILES, isTimeZone, profileHourShares, profileParams } from '../sim/index.js';
import { summary } from './commands.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { jsonNumber, n, printReport } from './output.js';

/** An activity profile of the simulator (`sessions`, `cme`). */
export type ActivityProfileName = (typeof ACTIVITY_PROFILES)[number];

/** Options of `runActivity`. */
export interface ActivityCliOptions {
  /** Hours of this IANA zone (default UTC). */
  readonly zone?: string;
  /** Only this contract (`6EH6`) or product (`6E`). */
  readonly symbol?: string;
  /** Also the share this simulator profile gives each hour of the same trading dates. */
  readonly profile?: ActivityProfileName;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
}

/** One hour of the day, as JSON. */
export interface HourJson {
  /** Local hour of the report's zone, 0..23 (the hour starting then). */
  hour: number;
  trades: number;
  /** Traded contracts. */
  volume: number;
  /** Share of the product's volume, 0..1. */
  share: number | null;
  /** Share of the activity `--profile` gives the hour on the same dates, 0..1. */
  profile_share: number | null;
}

/** One product, as JSON. */
export interface ProductActivityJson {
  /** Product (`6E`), or the symbol of anything else. */
  product: string;
  symbols: string[];
  /** CME trading dates with trades. */
  dates: string[];
  trades: number;
  volume: number;
  hours: HourJson[];
  /** Hour with the most and with the least volume among hours with trades; null without trades. */
  busiest: number | null;
  quietest: number | null;
  /** Hours without a trade. */
  silent: number[];
}

/** What `scalper activity --json` prints. */
export interface ActivityReport {
  version: 1;
  files: string[];
  zone: string;
  profile: ActivityProfileName | null;
  products: ProductActivityJson[];
}

/** Volume and trades by hour of one product. */
class ProductHours {
  readonly symbols = new Set<string>();
  readonly dates = new Set<string>();
  readonly trades = new Float64Array(24);
  readonly volume = new Float64Array(24);
}

const TRADE = 'T'.charCodeAt(0);

/** The files of `files` with trades: those of the trades schema, else the MBP-10 ones. */
async function tradeFiles(files: readonly string[]): Promise<string[]> {
  if (files.length === 0) throw new ConfigError('no input files');
  const bySchema = new Map<string, string[]>();
  for (const f of files) {
    if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
    const dec = DbnDecoder.fromFile(f);
    const schema = (await dec.readMetadata())?.schema ?? 'mixed';
    await dec.close();
    bySchema.set(schema, [...(bySchema.get(schema) ?? []), f]);
  }
  const use = bySchema.get('trades') ?? bySchema.get('mbp-10');
  if (use === undefined)
    throw new ConfigError(
      `no trades or MBP-10 input (schemas: ${[...bySchema.keys()].join(', ')}); activity reads glbx-mdp3-DATE.trades.dbn.zst`,
    );
  return use;
}

/** Counts the trades of `file` into `out` by product. */
async function countFile(
  file: string,
  out: Map<string, ProductHours>,
  o: { zone: string; keep: (symbol: string) => boolean; fromMs: number; toMs: number },
): Promise<void> {
  const dec = DbnDecoder.fromFile(file);
  const symbols = SymbolMap.fromMetadata(await dec.readMetadata());
  for await (const batch of dec) {
    for (let i = 0; i < batch.count; i++) {
      const r = batch.at(i);
      if (r.action !== TRADE || r.size === 0) continue;
      const ms = r.tsEventMs;
      if (ms < o.fromMs || ms >= o.toMs) continue;
      const symbol = symbols.resolve(r.instrumentId) ?? String(r.instrumentId);
      if (!o.keep(symbol)) continue;
      const product = fxFutureRoot(symbol) ?? symbol;
      let p = out.get(product);
      if (p === undefined) {
        p = new ProductHours();
        out.set(product, p);
      }
      p.symbols.add(symbol);
      const date = tradingDateOf(ms);
      if (date !== null) p.dates.add(date);
      const h = localTime(ms, o.zone).hour;
      p.trades[h]++;
      p.volume[h] += r.size;
    }
  }
}

function productJson(
  product: string,
  p: ProductHours,
  o: ActivityCliOptions,
  zone: string,
): ProductActivityJson {
  const dates = [...p.dates].sort();
  const total = p.volume.reduce((s, v) => s + v, 0);
  const expected = o.profile !== undefined ? profileHourShares(dates, profileParams(o.profile), zone) : null;
  const hours: HourJson[] = [];
  let busiest: number | null = null;
  let quietest: number | null = null;
  const silent: number[] = [];
  for (let h = 0; h < 24; h++) {
    const v = p.volume[h];
    hours.push({
      hour: h,
      trades: p.trades[h],
      volume: v,
      share: total > 0 ? jsonNumber(v / total, 6) : null,
      profile_share: expected ? jsonNumber(expected[h], 6) : null,
    });
    if (p.trades[h] === 0) {
      silent.push(h);
      continue;
    }
    if (busiest === null || v > p.volume[busiest]) busiest = h;
    if (quietest === null || v < p.volume[quietest]) quietest = h;
  }
  return {
    product,
    symbols: [...p.symbols].sort(),
    dates,
    trades: p.trades.reduce((s, v) => s + v, 0),
    volume: total,
    hours,
    busiest,
    quietest,
    silent,
  };
}

/** Reads the trades of `files` and measures volume by hour for every product in them. */
export async function runActivity(
  files: readonly string[],
  o: ActivityCliOptions = {},
): Promise<ActivityReport> {
  const zone = o.zone ?? 'UTC';
  if (!isTimeZone(zone))
    throw new ConfigError(`--zone ${zone}: not an IANA time zone (UTC, America/Chicago)`);
  const inputs = await tradeFiles(files);
  const product = o.symbol !== undefined ? productOf(o.symbol) : undefined;
  const keep = (s: string) =>
    o.symbol === undefined || s === o.symbol || (product !== undefined && fxFutureRoot(s) === product);
  const byProduct = new Map<string, ProductHours>();
  const fromMs = o.fromNs !== undefined ? Number(o.fromNs / 1_000_000n) : -Infinity;
  const toMs = o.toNs !== undefined ? Number(o.toNs / 1_000_000n) : Infinity;
  for (const f of inputs) await countFile(f, byProduct, { zone, keep, fromMs, toMs });
  if (byProduct.size === 0)
    throw new ConfigError(
      o.symbol !== undefined
        ? `--symbol ${o.symbol}: no trades of it in ${inputs.join(', ')}`
        : `no trades in ${inputs.join(', ')}`,
    );
  return {
    version: 1,
    files: [...files],
    zone,
    profile: o.profile ?? null,
    products: [...byProduct.keys()].sort().map((k) => productJson(k, byProduct.get(k)!, o, zone)),
  };
}

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** The readable report. */
export function activityTable(r: ActivityReport): string[] {
  const lines: string[] = [];
  for (const p of r.products) {
    if (lines.length > 0) lines.push('');
    const days = p.dates.length === 1 ? '1 trading date' : `${p.dates.length} trading dates`;
    lines.push(
      `${p.product}  (${p.symbols.join(', ')}; ${days}, ${p.dates[0] ?? '—'} to ${p.dates.at(-1) ?? '—'}): ` +
        `${n(p.volume)} contracts in ${n(p.trades)} trades`,
      '',
      `  ${`hour (${r.zone})`.padEnd(22)}${'trades'.padStart(10)}${'contracts'.padStart(12)}${'share'.padStart(9)}` +
        (r.profile !== null ? `${`${r.profile} profile`.padStart(18)}` : ''),
    );
    for (const h of p.hours) {
      lines.push(
        `  ${hh(h.hour).padEnd(22)}${n(h.trades).padStart(10)}${n(h.volume).padStart(12)}${pct(h.share).padStart(9)}` +
          (r.profile !== null ? pct(h.profile_share).padStart(18) : ''),
      );
    }
    const at = (h: number | null) => (h === null ? '—' : `${hh(h)} (${pct(p.hours[h].share)})`);
    lines.push(
      '',
      `  busiest ${at(p.busiest)}, quietest traded ${at(p.quietest)}; no trades: ${p.silent.map(hh).join(', ') || 'none'}`,
    );
  }
  return lines;
}

function profileArg(v: string): ActivityProfileName {
  if (!(ACTIVITY_PROFILES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`"${v}" is not one of ${ACTIVITY_PROFILES.join(', ')}`);
  return v as ActivityProfileName;
}

/** Registers `activity`. */
export function registerActivity(program: Command): void {
  const cmd = program
    .command('activity')
    .description(summary('activity'))
    .argument(
      '<files...>',
      'trades (or MBP-10) DBN files or folders of them (a simulator run, a Databento download)',
    )
    .option('--json', 'print the report as JSON instead of the table')
    .option('--symbol <symbol>', 'only this contract (6EH6) or product (6E)')
    .option('--zone <zone>', 'hours of this IANA time zone (default UTC; America/Chicago for CME hours)')
    .option(
      '--profile <name>',
      `also the share the simulator's activity profile gives each hour of the same dates: ${ACTIVITY_PROFILES.join(', ')}`,
      profileArg,
    )
    .addHelpText(
      'after',
      `
Traded contracts and trades by hour of the day (of --zone), pooled over every trading date of the
input, per product (6E, 6B, 6J; other symbols by name), each hour's share of the volume, and the
busiest and the quietest hour with trades. Trades are read from the input's trades files, or from
the trade records of its MBP-10 files when it has none; the hour is that of ts_event.

--profile sessions|cme adds the share of the day's activity that the simulator's profile gives each
hour of the same trading dates (the simulator's event rate follows it; scenario activity.profile):
compare it with the measured shares of simulated days, or with real ones.

JSON (--json): { version, files, zone, profile, products: [{ product, symbols, dates, trades,
volume, hours: [{ hour, trades, volume, share, profile_share }], busiest, quietest, silent }] }.

Example:
  printf 'simulate:\\n  scenario: { activity: { profile: cme } }\\n' > cme.yaml
  scalper simulate --config cme.yaml --days 2 --out /tmp/cme
  scalper activity /tmp/cme --profile cme`,
    )
    .action(
      async (
        paths: string[],
        cli: {
          json?: boolean;
          symbol?: string;
          zone?: string;
          profile?: ActivityProfileName;
          from?: string;
          to?: string;
        },
      ) => {
        const { files, fromNs, toNs } = await commandInputs(paths, cli);
        const report = await runActivity(files, {
          zone: cli.zone,
          symbol: cli.symbol,
          profile: cli.profile,
          fromNs,
          toNs,
        });
        await printReport(report, cli.json === true, activityTable);
      },
    );
  timeRangeOptions(cmd);
}
