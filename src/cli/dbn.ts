/** `scalper dbn inspect|dump`: look inside DBN files. */

import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, formatTimestamp, UNDEF_TIMESTAMP } from '../core/index.js';
import {
  csvHeader,
  type DbnDecoder,
  DbnError,
  type DbnVersion,
  DbnDecoder as Decoder,
  layoutFor,
  type Metadata,
  recordToCsv,
  recordToJsonLine,
  rtypeLabel,
  SCHEMA_RTYPE,
  SymbolMap,
} from '../data/dbn/index.js';
import { nonNegativeInt, parseBool } from './args.js';
import { summary } from './commands.js';
import { bytes, LineWriter, n } from './output.js';
import { progress } from './progress.js';

interface ReadOpts {
  fragment?: string | boolean;
  upgrade?: boolean;
}

function openDecoder(file: string, opts: ReadOpts): DbnDecoder {
  let version: DbnVersion | undefined;
  if (typeof opts.fragment === 'string' && opts.fragment !== 'auto') {
    const v = Number(opts.fragment);
    if (v !== 1 && v !== 2 && v !== 3)
      throw new ConfigError(`fragment version "${opts.fragment}" is not 1, 2 or 3`);
    version = v;
  }
  if (!existsSync(file)) throw new DbnError('IO', file, 0, 'file not found');
  return Decoder.fromFile(file, { fragment: opts.fragment !== undefined, version, upgrade: opts.upgrade });
}

function addReadOptions(cmd: Command): Command {
  return cmd
    .option(
      '--fragment [version]',
      'the file holds records without metadata, of DBN version 1, 2 or 3 (auto-detected when omitted)',
    )
    .option('--upgrade', 'upgrade v1/v2 records to the v3 layout, as Databento clients do');
}

function describeMetadata(md: Metadata): string[] {
  const iso = (v: bigint) => formatTimestamp(v) ?? 'not set';
  const list = (xs: string[]) =>
    xs.length === 0 ? '-' : xs.length > 8 ? `${xs.slice(0, 8).join(', ')}, … (${xs.length})` : xs.join(', ');
  const lines = [
    `DBN version  ${md.version === 0 ? 'DBZ (legacy)' : md.version}`,
    `Dataset      ${md.dataset}`,
    `Schema       ${md.schema ?? 'mixed'}`,
    `Start        ${iso(md.start)}`,
    `End          ${iso(md.end)}`,
    `Limit        ${md.limit === 0n ? 'none' : md.limit.toString()}`,
    `SType        ${md.stype_in ?? 'mixed'} -> ${md.stype_out ?? '-'}`,
    `ts_out       ${md.ts_out ? 'yes' : 'no'}`,
    `Symbols      ${list(md.symbols)}`,
    `Partial      ${list(md.partial)}`,
    `Not found    ${list(md.not_found)}`,
    `Mappings     ${md.mappings.length}`,
  ];
  for (const m of md.mappings.slice(0, 10)) {
    const ivs = m.intervals;
    const shown = ivs.slice(0, 3).map((iv) => `${iv.start_date}..${iv.end_date} -> ${iv.symbol}`);
    lines.push(
      `  ${m.raw_symbol}: ${shown.join('; ')}${ivs.length > 3 ? `; … (${ivs.length} intervals)` : ''}`,
    );
  }
  if (md.mappings.length > 10) lines.push(`  … ${md.mappings.length - 10} more`);
  return lines;
}

/** Counts records per rtype and instrument; reads the whole file in streaming batches. */
async function inspect(file: string, opts: ReadOpts & { json?: boolean }): Promise<void> {
  const dec = openDecoder(file, opts);
  const size = statSync(file).size;
  const md = await dec.readMetadata();
  const symbols = SymbolMap.fromMetadata(md);
  const byRtype = new Map<number, number>();
  const byInstrument = new Map<number, number>();
  let first: bigint | null = null;
  let last: bigint | null = null;
  let total = 0;
  const bar = progress('inspect', size);
  for await (const batch of dec) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      byRtype.set(c.rtype, (byRtype.get(c.rtype) ?? 0) + 1);
      byInstrument.set(c.instrumentId, (byInstrument.get(c.instrumentId) ?? 0) + 1);
    }
    if (batch.count > 0) {
      if (first === null) first = batch.at(0).tsEvent;
      last = batch.at(batch.count - 1).tsEvent;
    }
    total += batch.count;
    bar.update(dec.bytesRead);
  }
  bar.stop();
  const instruments = [...byInstrument.entries()].sort((a, b) => b[1] - a[1]);
  if (opts.json) {
    const out = {
      file,
      size,
      container: dec.container,
      version: dec.version,
      metadata: md && JSON.parse(JSON.stringify(md, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))),
      records: total,
      by_rtype: Object.fromEntries([...byRtype.entries()].map(([k, v]) => [rtypeLabel(k), v])),
      by_instrument: instruments.map(([id, count]) => ({
        instrument_id: id,
        symbol: symbols.resolve(id, first ?? undefined) ?? symbols.resolve(id) ?? null,
        count,
      })),
      first_ts_event: first === null ? null : formatTimestamp(first),
      last_ts_event: last === null ? null : formatTimestamp(last),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const lines = [`File         ${file} (${bytes(size)}, ${dec.container})`];
  if (md) lines.push(...describeMetadata(md));
  else lines.push(`Fragment     records only, DBN v${dec.version} layouts`);
  if (opts.upgrade && dec.version < 3) lines.push('Upgrade      records read in the DBN v3 layout');
  lines.push(`Records      ${n(total)}`);
  if (first !== null) lines.push(`ts_event     ${formatTimestamp(first)} .. ${formatTimestamp(last!)}`);
  lines.push('By rtype');
  for (const [rt, count] of [...byRtype.entries()].sort((a, b) => a[0] - b[0])) {
    lines.push(`  ${rtypeLabel(rt).padEnd(24)} ${n(count).padStart(12)}`);
  }
  lines.push('By instrument');
  for (const [id, count] of instruments.slice(0, 50)) {
    const sym = symbols.resolve(id, first ?? undefined) ?? symbols.resolve(id) ?? '?';
    lines.push(`  ${String(id).padEnd(10)} ${sym.padEnd(14)} ${n(count).padStart(12)}`);
  }
  if (instruments.length > 50) lines.push(`  … ${instruments.length - 50} more instruments`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Prints records as JSON lines or CSV. */
async function dump(
  file: string,
  opts: ReadOpts & { limit?: number; format: string; pretty: boolean; symbols: boolean },
): Promise<void> {
  if (opts.format !== 'json' && opts.format !== 'csv') {
    throw new ConfigError(`format "${opts.format}" is not json or csv`);
  }
  const dec = openDecoder(file, opts);
  const md = await dec.readMetadata();
  const symbols = SymbolMap.fromMetadata(md);
  // Without metadata (a fragment) there are no mappings to resolve symbols from.
  const withSymbols = opts.symbols && md !== null;
  const out = new LineWriter();
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  let written = 0;
  let csvRtype = -1;
  // Lines already formatted are printed even when a later record fails (a truncated file shows
  // every complete record before the error), so the buffer is flushed on the way out.
  try {
    outer: for await (const batch of dec) {
      for (let i = 0; i < batch.count; i++) {
        if (written >= limit) break outer;
        const rec = batch.toObject(i);
        symbols.update(rec);
        // Like Databento, symbols are looked up by the index timestamp: ts_recv where the record
        // has one (snapshot records carry the order's original entry time in ts_event).
        const tsRecv = rec.ts_recv as bigint | undefined;
        const tsIndex = tsRecv !== undefined && tsRecv !== UNDEF_TIMESTAMP ? tsRecv : rec.hd.ts_event;
        const textOpts = {
          pretty: opts.pretty,
          symbol: withSymbols ? (symbols.resolve(rec.hd.instrument_id, tsIndex) ?? null) : undefined,
        };
        if (opts.format === 'json') {
          await out.line(recordToJsonLine(rec, batch.version, textOpts));
        } else {
          const layout = layoutFor(rec.hd.rtype, batch.version);
          if (!layout)
            throw new ConfigError(
              `${file}: record ${written} has rtype ${rtypeLabel(rec.hd.rtype)}, which CSV cannot show (use --format json)`,
            );
          if (csvRtype === -1) {
            csvRtype = rec.hd.rtype;
            await out.line(csvHeader(layout, withSymbols, md?.ts_out ?? false).join(','));
          } else if (layout !== layoutFor(csvRtype, batch.version)) {
            throw new ConfigError(
              `${file}: CSV holds one record type, but record ${written} is ${rtypeLabel(rec.hd.rtype)} after ${rtypeLabel(csvRtype)} (use --format json)`,
            );
          }
          await out.line(recordToCsv(rec, layout, textOpts));
        }
        written++;
      }
    }
    if (opts.format === 'csv' && csvRtype === -1 && md?.schema) {
      // No records: still print the schema's header, so that a reader sees the columns.
      const layout = layoutFor(SCHEMA_RTYPE[md.schema], dec.version);
      if (layout) await out.line(csvHeader(layout, withSymbols, md.ts_out).join(','));
    }
  } finally {
    await out.flush();
  }
}

/** Registers `dbn` and its subcommands. */
export function registerDbn(program: Command): void {
  const dbn = program.command('dbn').description(summary('dbn'));
  addReadOptions(
    dbn
      .command('inspect')
      .description('print the metadata and record counts per rtype and instrument')
      .argument('<file>', 'DBN file (.dbn, .dbn.zst, .dbz, or a fragment with --fragment)')
      .option('--json', 'print one JSON object instead of text'),
  ).action((file: string, opts) => inspect(file, opts));
  addReadOptions(
    dbn
      .command('dump')
      .description('print records as JSON lines (pipe into jq) or CSV with Databento column names')
      .argument('<file>', 'DBN file')
      .option('-n, --limit <count>', 'print at most this many records', nonNegativeInt)
      .option('-f, --format <format>', 'json or csv', 'json')
      .option(
        '--pretty <bool>',
        'decimal prices and ISO-8601 timestamps; false prints raw integers',
        parseBool,
        true,
      )
      .option('--no-symbols', 'leave out the symbol resolved from the metadata mappings'),
  ).action((file: string, opts) => dump(file, opts));
}
