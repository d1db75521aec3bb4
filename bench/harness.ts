/**
 * Benchmark harness: runs workloads, keeps the best of several runs (the least disturbed by the
 * rest of the machine), and prints a table or, with --json, one JSON object per line with the
 * ratio to a named row measured in the same run. Absolute figures do not travel between
 * machines; ratios to a baseline measured alongside do.
 */
import { cpus } from 'node:os';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

/**
 * How many minor (young-generation) collections `fn` caused: a count of the garbage a hot path
 * leaves behind, which costs time in every collection and does not show in a CPU profile.
 */
export async function minorGcs(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as PerformanceEntry & { detail?: { kind?: number } }).detail;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) n++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    await fn();
    // Entries reach an observer two turns of the event loop after the collection (Node records
    // them in one immediate and delivers them in the next); disconnecting drops the rest.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    obs.disconnect();
  }
  return n;
}

/** One printed figure. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  ratio_to?: string;
  note?: string;
}

/** Times `fn` `runs` times (after one warm-up) and returns the best wall time in seconds. */
export function best(fn: () => void, runs = 7): number {
  fn();
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (s < min) min = s;
  }
  return min;
}

/** As `best`, for asynchronous workloads. */
export async function bestAsync(fn: () => Promise<void>, runs = 7): Promise<number> {
  await fn();
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (s < min) min = s;
  }
  return min;
}

/** Each key's best time (the map) and its time in every round, in order (`rounds`). */
export class Timings<K> extends Map<K, number> {
  readonly rounds = new Map<K, number[]>();

  /** Per round, `num`'s summed times over `den`'s: the ratio of their speeds in that round. */
  paired(num: readonly K[], den: readonly K[]): number[] {
    const sum = (ks: readonly K[], i: number) => ks.reduce((s, k) => s + this.rounds.get(k)![i], 0);
    return this.rounds.get(num[0])!.map((_, i) => sum(num, i) / sum(den, i));
  }
}

/**
 * Best wall time in seconds of `fn(k)` for each key, after one warm-up each, with the runs of the
 * keys interleaved and their order reversed every round (a b, b a, a b, …) so that a burst of
 * load elsewhere, or the garbage one run leaves to the next, falls on all of them alike. Each
 * round's times are kept too, for the ratios of runs next to each other in time.
 */
export async function bestOfEachAsync<K>(
  keys: readonly K[],
  runs: number,
  fn: (k: K) => Promise<void>,
): Promise<Timings<K>> {
  const min = new Timings<K>();
  for (const k of keys) {
    await fn(k);
    min.set(k, Number.POSITIVE_INFINITY);
    min.rounds.set(k, []);
  }
  for (let i = 0; i < runs; i++) {
    for (const k of i % 2 === 0 ? keys : [...keys].reverse()) {
      const t = process.hrtime.bigint();
      await fn(k);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (s < min.get(k)!) min.set(k, s);
      min.rounds.get(k)!.push(s);
    }
  }
  return min;
}

/** The median of `xs` (not empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The note of a ratio row: the median and range of the same ratio over rounds whose two runs were
 * next to each other in time. On a host whose speed comes and goes, the ratio of the best runs can
 * pair a fast minute with a slow one; the paired rounds show how far it can be trusted.
 */
export function pairedNote(ratios: readonly number[]): string {
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  return `median of ${ratios.length} paired rounds ${median(ratios).toFixed(3)}x, ${lo.toFixed(2)}–${hi.toFixed(2)}x`;
}

/** Collects rows and prints them. */
export class Report {
  readonly rows: Row[] = [];
  readonly #json: boolean;

  /** Prints the run's date, CPU, Node and command first, unless `header` is false (a section of a run). */
  constructor(json: boolean, command: string, header = true) {
    this.#json = json;
    if (!header) return;
    const env = {
      name: 'env',
      date: new Date().toISOString(),
      cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
      node: process.version,
      command,
    };
    if (json) process.stdout.write(`${JSON.stringify(env)}\n`);
    else process.stdout.write(`${env.date}  ${env.cpu}  node ${env.node}\n$ ${command}\n\n`);
  }

  /** Adds a row; `ratioTo` names an earlier row whose value this one is divided by. */
  add(name: string, value: number, unit: string, ratioTo?: string, note?: string): Row {
    const row: Row = { name, value, unit };
    if (ratioTo) {
      const base = this.rows.find((r) => r.name === ratioTo);
      if (!base) throw new Error(`No row "${ratioTo}" to compare "${name}" with`);
      row.ratio = value / base.value;
      row.ratio_to = ratioTo;
    }
    if (note) row.note = note;
    this.rows.push(row);
    // Every JSON row carries ratio and ratio_to (null without a baseline), as CONVENTIONS.md lists.
    if (this.#json) {
      const { ratio = null, ratio_to = null } = row;
      process.stdout.write(
        `${JSON.stringify({ name, value, unit, ratio, ratio_to, ...(note ? { note } : {}) })}\n`,
      );
    } else {
      const v = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(4);
      const r = row.ratio === undefined ? '' : `${row.ratio.toFixed(3)}x ${row.ratio_to}`;
      process.stdout.write(
        `${name.padEnd(44)} ${v.padStart(14)} ${unit.padEnd(10)} ${r}${note ? `  (${note})` : ''}\n`,
      );
    }
    return row;
  }

  /** A free-text line (table mode only). */
  say(text: string): void {
    if (!this.#json) process.stdout.write(`${text}\n`);
  }
}
