/**
 * `scalper data cost|get|datasets|schemas|range|resolve|batch`: Databento's historical API. `get`
 * prices the request first and downloads it (after a confirmation on a terminal, or with `--yes`)
 * to a `.dbn.zst` file written under a `.partial` name, resuming a stream cut short. `batch`
 * submits jobs (priced and confirmed the same way), lists jobs and files, and downloads a job's
 * files with `Range` resumption and SHA-256 checks. On a terminal, downloads draw a progress bar
 * on stderr. `scalper data live` records a live subscription to a DBN file (data-live.ts, loaded
 * when it runs).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import type cliProgressModule from 'cli-progress';
import type { Command } from 'commander';
import { ConfigError, formatTimestamp } from '../core/index.js';
import { type BatchQuery, Historical, JOB_STATES, type RangeQuery } from '../data/databento/index.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import type { LiveOpts } from './data-live.js';
import { bytes, LineWriter, n, outputFolder, printReport } from './output.js';

interface ClientOpts {
  baseUrl?: string;
  resumes?: number;
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
A download cut short is resumed (get: from the last record's ts_recv; batch: with Range) up to
--resumes times (5 by default).
`;

const BATCH_EXAMPLES = `
Examples:
  scalper data batch submit --dataset GLBX.MDP3 --schema mbp-10 --symbols 6E.FUT --stype-in parent \\
    --start 2024-05-01 --end 2024-06-01 --split-duration day
  scalper data batch list --states queued,processing,done
  scalper data batch files GLBX-20240509-ABCDEFGHIJ
  scalper data batch download GLBX-20240509-ABCDEFGHIJ --out data/batch/
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
  return new Historical({ baseUrl: opts.baseUrl, maxResumes: opts.resumes });
}

/** A progress bar: a value out of a total, with a line of facts after it. */
export interface TransferBar {
  update(value: number, info: string): void;
  stop(): void;
}

const NO_BAR: TransferBar = { update() {}, stop() {} };

/**
 * A bar on `stream` (stderr) of `value` out of `total`, followed by `info` (bytes, records, the
 * time reached). Drawn only when `draw` (by default: the stream is a terminal and CI is unset,
 * as src/cli/progress.ts does), so pipes and logs stay clean.
 */
export function transferBar(
  label: string,
  total: number,
  stream: Writable & { isTTY?: boolean } = process.stderr,
  draw = stream.isTTY === true && !process.env.CI,
): TransferBar {
  if (!draw) return NO_BAR;
  // Loaded only when a bar is drawn.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: (options, params, payload: { info?: string }) =>
        `${label} [${cliProgress.Format.BarFormat(params.progress, options)}] ${Math.floor(params.progress * 100)}% | ${payload.info ?? ''}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, total), 0, { info: '' });
  return {
    update: (value, info) => bar.update(Math.min(value, Math.max(1, total)), { info }),
    stop: () => bar.stop(),
  };
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

function addResumes(cmd: Command): Command {
  return cmd.option('--resumes <n>', 'restarts of a download cut short before giving up', nonNegativeInt, 5);
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

/** Asks before spending `cost` dollars, unless `--yes`; false when the answer is no. */
async function accept(what: string, cost: number, yes: boolean | undefined): Promise<boolean> {
  if (yes === true) return true;
  if (process.stdin.isTTY !== true) {
    throw new ConfigError(
      `${what}: this costs $${cost.toFixed(2)}; with no terminal to ask, pass --yes to accept it`,
    );
  }
  if (await confirm(`Spend $${cost.toFixed(2)}? [y/N] `)) return true;
  process.stderr.write('nothing submitted or downloaded\n');
  return false;
}

async function get(opts: RangeOpts & { out: string; yes?: boolean }): Promise<void> {
  const q = query(opts);
  const api = client(opts);
  const p = await price(api, q);
  const out = new LineWriter();
  for (const l of priceLines(q, p)) await out.line(l);
  await out.flush();
  if (!(await accept('data get', p.cost_usd, opts.yes))) return;
  const path = join(outputFolder(opts.out), downloadName(q));
  const bar = transferBar('get_range', p.record_count);
  let d: Awaited<ReturnType<Historical['timeseries']['getRangeToFile']>>;
  try {
    d = await api.timeseries.getRangeToFile(q, path, (g) =>
      bar.update(
        g.records,
        `${n(g.records)}/${n(p.record_count)} records | ${bytes(g.bytes)} | ${g.ts === null ? '…' : formatTimestamp(g.ts)}${g.resumes > 0 ? ` | resumed ${g.resumes}×` : ''}`,
      ),
    );
  } finally {
    bar.stop();
  }
  await out.line(`wrote     ${d.path} (${bytes(d.bytes)}, ${n(d.records ?? 0)} records)`);
  await out.flush();
}

async function batchSubmit(
  opts: RangeOpts & {
    splitDuration: string;
    splitSize?: number;
    splitSymbols?: boolean;
    yes?: boolean;
    json?: boolean;
  },
): Promise<void> {
  const q: BatchQuery = {
    ...query(opts),
    splitDuration: opts.splitDuration,
    splitSize: opts.splitSize,
    splitSymbols: opts.splitSymbols,
  };
  const api = client(opts);
  const p = await price(api, q);
  const out = new LineWriter();
  for (const l of priceLines(q, p)) await out.line(l);
  await out.flush();
  if (!(await accept('data batch submit', p.cost_usd, opts.yes))) return;
  const job = await api.batch.submitJob(q);
  await printReport(job, opts.json === true, (j) => [`job       ${j.id} (${j.state})`]);
}

async function batchDownload(
  jobId: string,
  opts: ClientOpts & { out: string; file?: string[] },
): Promise<void> {
  const dir = outputFolder(opts.out);
  let bar: TransferBar = NO_BAR;
  let current = '';
  const got = await client(opts)
    .batch.download(jobId, dir, {
      only: opts.file,
      onProgress: (p) => {
        if (p.filename !== current) {
          bar.stop();
          current = p.filename;
          bar = transferBar(p.filename, p.total);
        }
        bar.update(p.bytes, `${bytes(p.bytes)}/${bytes(p.total)}`);
      },
    })
    .finally(() => bar.stop());
  const out = new LineWriter();
  for (const d of got) {
    const check = d.sha256 === undefined ? 'hash not checked' : `sha256 ${d.sha256.slice(0, 12)}… ok`;
    await out.line(`${d.kept ? 'kept ' : 'wrote'}     ${d.path} (${bytes(d.bytes)}, ${check})`);
  }
  await out.flush();
}

function registerBatch(data: Command): void {
  const batch = data
    .command('batch')
    .description('batch jobs: submit a large request, follow it, download its files')
    .addHelpText('after', BATCH_EXAMPLES);
  addRangeOptions(
    batch
      .command('submit')
      .description('submit a job (DBN + zstd files), after showing the cost and asking (or --yes)'),
  )
    .option('--split-duration <d>', 'one file per day, week, month, or none', 'day')
    .option('--split-size <bytes>', 'split files above this many bytes', positiveInt)
    .option('--split-symbols', 'one file per symbol')
    .option('--yes', 'accept the cost without asking (needed when there is no terminal)')
    .option('--json', 'print the job as JSON')
    .action(batchSubmit);
  batch
    .command('list')
    .description('the account’s jobs and their state')
    .option(
      '--states <list>',
      `comma-separated states (${JOB_STATES.join(', ')})`,
      'received,queued,processing,done',
    )
    .option('--since <time>', 'only jobs submitted since then (ISO 8601 or ns)')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .option('--json', 'print a JSON array')
    .action(async (opts: ClientOpts & { states: string; since?: string; json?: boolean }) => {
      const states = opts.states.split(',').map((x) => x.trim());
      const bad = states.filter((x) => !(JOB_STATES as readonly string[]).includes(x));
      if (bad.length > 0) {
        throw new ConfigError(
          `--states: ${bad.map((b) => `"${b}"`).join(', ')} is not one of ${JOB_STATES.join(', ')}`,
        );
      }
      const jobs = await client(opts).batch.listJobs({ states, since: opts.since });
      await printReport(jobs, opts.json === true, (js) =>
        js.length === 0
          ? ['no jobs']
          : js.map((j) => `${j.id}  ${j.state.padEnd(10)}  ${j.ts_received ?? ''}`),
      );
    });
  batch
    .command('files')
    .description('the files of a job: name, size, hash')
    .argument('<job-id>', 'the job’s id (from submit or list)')
    .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com')
    .option('--json', 'print a JSON array')
    .action(async (jobId: string, opts: ClientOpts & { json?: boolean }) => {
      const files = await client(opts).batch.listFiles(jobId);
      await printReport(files, opts.json === true, (fs) =>
        fs.length === 0 ? ['no files yet'] : fs.map((f) => `${f.filename}  ${bytes(f.size)}  ${f.hash}`),
      );
    });
  addResumes(
    batch
      .command('download')
      .description(
        'download a job’s files to OUT/<job-id>/, resuming cut downloads and checking each SHA-256',
      )
      .argument('<job-id>', 'the job’s id')
      .requiredOption('--out <dir>', 'folder to write in (made when missing)')
      .option('--file <name...>', 'only these files of the job')
      .option('--base-url <url>', 'the API’s address', 'https://hist.databento.com'),
  ).action(batchDownload);
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
    .option('--resumes <n>', 'restarts of a download cut short before giving up', nonNegativeInt, 5)
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
  registerBatch(data);
}
