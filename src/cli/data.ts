/**
 * `scalper data cost|get|datasets|schemas|range|resolve`: Databento's historical API. `get` prices
 * the request first and downloads it (after a confirmation on a terminal, or with `--yes`) to a
 * `.dbn.zst` file streamed to disk under a `.partial` name. `scalper data live` records a live
 * subscription to a DBN file (data-live.ts, loaded when it runs).
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ConfigError } from '../core/index.js';
import { Historical, type RangeQuery } from '../data/databento/index.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import type { LiveOpts } from './data-live.js';
import { bytes, LineWriter, n, outputFolder, printReport } from './output.js';

interface ClientOpts {
  baseUrl?: string;
}

interface RangeOpts extends ClientOpts {
  dataset: string;
  schema: string;
  symbols: string;
  stypeIn: string;
  start: string;
  end?: string;
  limit?: number;
}

const EXAMPLES = `
Examples:
  export DATABENTO_API_KEY=db-...
  scalper data cost --dataset GLBX.MDP3 --schema mbp-10 --symbols 6E.FUT --stype-in parent \\
    --start 2024-05-08T00:00:00Z --end 2024-05-09T00:00:00Z
  scalper data get --dataset GLBX.MDP3 --schema mbp-10 --symbols 6E.FUT --stype-in parent \\
    --start 2024-05-08T00:00:00Z --end 2024-05-09T00:00:00Z --out data/
  scalper data get ... --out data/ --yes          (no question: for scripts)
  scalper data range --dataset GLBX.MDP3
  scalper data resolve --dataset GLBX.MDP3 --symbols 6E.c.0 --stype-in continuous --start 2024-05-08
  scalper data live --dataset GLBX.MDP3 --schema mbp-10 --symbols 6E.FUT --stype-in parent \
    --duration 60 --out 6e-live.mbp-10.dbn

The key is read from DATABENTO_API_KEY (HTTP basic authentication, the key as user name).
A 429 is retried after its Retry-After and a 5xx with growing pauses, up to 3 times each.
`;

const LIVE_EXAMPLES = `
Examples:
  export DATABENTO_API_KEY=db-...
  scalper data live --dataset GLBX.MDP3 --schema mbp-10 --symbols 6E.FUT --stype-in parent \\
    --duration 60 --out 6e-live.mbp-10.dbn
  scalper data live --dataset GLBX.MDP3 --schema mbo --symbols 6EM4 --snapshot --max-records 100000 --out 6em4.mbo.dbn
  scalper dbn inspect 6e-live.mbp-10.dbn

The gateway is glbx-mdp3.lsg.databento.com:13000 for GLBX.MDP3 (the dataset, lower case, dots as
dashes); --gateway HOST:PORT names another. A dropped or silent link (no byte for twice the
heartbeat interval plus 5 s) is reconnected and the subscription replayed from the last record
recorded, without recording any record twice. Ctrl-C stops the recording with the file complete.
`;

function client(opts: ClientOpts): Historical {
  return new Historical({ baseUrl: opts.baseUrl });
}

function query(opts: RangeOpts): RangeQuery {
  const symbols = opts.symbols.split(',').map((s) => s.trim());
  if (symbols.some((s) => s === '')) throw new ConfigError(`--symbols "${opts.symbols}" has an empty symbol`);
  return {
    dataset: opts.dataset,
    schema: opts.schema,
    symbols: symbols.length === 1 && symbols[0] === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : symbols,
    stypeIn: opts.stypeIn,
    start: opts.start,
    end: opts.end,
    limit: opts.limit,
  };
}

function addRangeOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--dataset <code>', 'dataset, e.g. GLBX.MDP3')
    .requiredOption('--schema <name>', 'schema: mbp-10, mbo, trades, mbp-1, definition, ohlcv-1m, …')
    .requiredOption('--symbols <list>', 'comma-separated symbols, or ALL_SYMBOLS')
    .option(
      '--stype-in <type>',
      'how --symbols are given: raw_symbol, parent, continuous, instrument_id',
      'raw_symbol',
    )
    .requiredOption(
      '--start <time>',
      'start, inclusive: ISO 8601 (2024-05-08T00:00:00Z) or ns since the epoch',
    )
    .option('--end <time>', 'end, exclusive (the dataset’s end when left out)')
    .option('--limit <n>', 'at most this many records', nonNegativeInt)
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com');
}

/** What a request would cost, count and weigh. */
interface Price {
  readonly cost_usd: number;
  readonly record_count: number;
  readonly billable_bytes: number;
}

async function price(api: Historical, q: RangeQuery): Promise<Price> {
  const cost_usd = await api.metadata.getCost(q);
  const record_count = await api.metadata.getRecordCount(q);
  const billable_bytes = await api.metadata.getBillableSize(q);
  return { cost_usd, record_count, billable_bytes };
}

function priceLines(q: RangeQuery, p: Price): string[] {
  const syms = q.symbols === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : q.symbols.join(',');
  return [
    `${q.dataset} ${q.schema} ${syms} (${q.stypeIn}) ${q.start} .. ${q.end ?? 'end of dataset'}`,
    `cost      $${p.cost_usd.toFixed(2)}`,
    `records   ${n(p.record_count)}`,
    `billable  ${bytes(p.billable_bytes)} uncompressed`,
  ];
}

/** The download's file name: dataset, schema, symbols and range, safe on every file system. */
export function downloadName(q: RangeQuery): string {
  const syms = q.symbols === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : q.symbols.join('+');
  const time = (t: string) => t.replace(/[-:]/g, '').replace(/\.0+(?=Z|$)/, '');
  const range = `${time(q.start)}-${q.end === undefined ? 'end' : time(q.end)}`;
  const name = `${q.dataset.toLowerCase().replace(/\./g, '-')}.${q.schema}.${syms}.${range}.dbn.zst`;
  return name.replace(/[^A-Za-z0-9._+-]/g, '_');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function get(opts: RangeOpts & { out: string; yes?: boolean }): Promise<void> {
  const q = query(opts);
  const api = client(opts);
  const p = await price(api, q);
  const out = new LineWriter();
  for (const l of priceLines(q, p)) await out.line(l);
  await out.flush();
  if (opts.yes !== true) {
    if (process.stdin.isTTY !== true) {
      throw new ConfigError(
        `data get: this download costs $${p.cost_usd.toFixed(2)}; with no terminal to ask, pass --yes to accept it`,
      );
    }
    if (!(await confirm(`Download for $${p.cost_usd.toFixed(2)}? [y/N] `))) {
      process.stderr.write('not downloaded\n');
      return;
    }
  }
  const path = join(outputFolder(opts.out), downloadName(q));
  const drawn = process.stderr.isTTY === true && !process.env.CI;
  let last = 0;
  const d = await api.timeseries.getRangeToFile(q, path, (b) => {
    if (drawn && b - last >= 1 << 20) {
      last = b;
      process.stderr.write(`\r${path}: ${bytes(b)}`);
    }
  });
  if (drawn && last > 0) process.stderr.write('\n');
  await out.line(`wrote     ${d.path} (${bytes(d.bytes)})`);
  await out.flush();
}

async function printList(items: readonly string[], json: boolean | undefined): Promise<void> {
  await printReport(items, json === true, (xs) => xs);
}

export function registerData(program: Command): void {
  const data = program.command('data').description(summary('data')).addHelpText('after', EXAMPLES);
  addRangeOptions(
    data.command('cost').description('what a request would cost (USD), how many records and bytes it holds'),
  )
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: RangeOpts & { json?: boolean }) => {
      const q = query(opts);
      const p = await price(client(opts), q);
      await printReport(p, opts.json === true, (r) => priceLines(q, r));
    });
  addRangeOptions(
    data
      .command('get')
      .description(
        'download records as a .dbn.zst file (zstd-compressed DBN), after showing the cost and asking (or --yes)',
      ),
  )
    .requiredOption('--out <dir>', 'folder to write the file in (made when missing)')
    .option('--yes', 'accept the cost without asking (needed when there is no terminal)')
    .addHelpText('after', EXAMPLES)
    .action((opts: RangeOpts & { out: string; yes?: boolean }) => get(opts));
  data
    .command('live')
    .description(
      'record a live subscription (Databento Raw API) to a DBN file until --duration, --max-records or Ctrl-C, reconnecting without duplicates',
    )
    .requiredOption('--dataset <code>', 'dataset, e.g. GLBX.MDP3')
    .requiredOption('--schema <name>', 'schema: mbp-10, mbo, trades, mbp-1, definition, …')
    .requiredOption('--symbols <list>', 'comma-separated symbols, or ALL_SYMBOLS')
    .option(
      '--stype-in <type>',
      'how --symbols are given: raw_symbol, parent, continuous, instrument_id',
      'raw_symbol',
    )
    .option('--snapshot', 'open with a snapshot of the book (mbo only; not with --start)')
    .option(
      '--start <time>',
      'replay from this time (ISO 8601 UTC or ns since the epoch, within the last 24 hours)',
    )
    .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
    .option('--max-records <n>', 'stop after this many market-data records', positiveInt)
    .requiredOption('--out <file>', 'the DBN file to write (under a .partial name until done)')
    .option('--gateway <host:port>', 'the gateway’s address (default: the dataset’s own, port 13000)')
    .option('--heartbeat <seconds>', 'heartbeat interval asked of the gateway (at least 5)', positiveInt, 30)
    .addHelpText('after', LIVE_EXAMPLES)
    .action(async (opts: LiveOpts) => (await import('./data-live.js')).recordLive(opts));
  data
    .command('datasets')
    .description('the datasets the key can reach')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .option('--json', 'print a JSON array')
    .action(async (opts: ClientOpts & { json?: boolean }) =>
      printList(await client(opts).metadata.listDatasets(), opts.json),
    );
  data
    .command('schemas')
    .description('the schemas of a dataset')
    .requiredOption('--dataset <code>', 'dataset, e.g. GLBX.MDP3')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .option('--json', 'print a JSON array')
    .action(async (opts: ClientOpts & { dataset: string; json?: boolean }) =>
      printList(await client(opts).metadata.listSchemas(opts.dataset), opts.json),
    );
  data
    .command('range')
    .description('the first and last times a dataset holds (JSON)')
    .requiredOption('--dataset <code>', 'dataset, e.g. GLBX.MDP3')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .action(async (opts: ClientOpts & { dataset: string }) =>
      printReport(await client(opts).metadata.getDatasetRange(opts.dataset), true, () => []),
    );
  data
    .command('resolve')
    .description('what symbols stand for over a range of dates (symbology.resolve, JSON)')
    .requiredOption('--dataset <code>', 'dataset, e.g. GLBX.MDP3')
    .requiredOption('--symbols <list>', 'comma-separated symbols, or ALL_SYMBOLS')
    .option('--stype-in <type>', 'how --symbols are given', 'raw_symbol')
    .option('--stype-out <type>', 'what to resolve them to', 'instrument_id')
    .requiredOption('--start <date>', 'first date (YYYY-MM-DD), inclusive')
    .option('--end <date>', 'last date, exclusive')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .action(
      async (
        opts: ClientOpts & {
          dataset: string;
          symbols: string;
          stypeIn: string;
          stypeOut: string;
          start: string;
          end?: string;
        },
      ) => {
        const symbols = opts.symbols.split(',').map((s) => s.trim());
        const r = await client(opts).symbology.resolve({
          dataset: opts.dataset,
          symbols: symbols.length === 1 && symbols[0] === 'ALL_SYMBOLS' ? 'ALL_SYMBOLS' : symbols,
          stypeIn: opts.stypeIn,
          stypeOut: opts.stypeOut,
          startDate: opts.start,
          endDate: opts.end,
        });
        await printReport(r, true, () => []);
      },
    );
}
