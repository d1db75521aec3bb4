/**
 * Input files by CME trading day (17:00 Chicago the evening before to 16:00), from the time range
 * each file's metadata gives: what walk-forward folds and the jobs of a sweep split by day are
 * made of.
 */
import { ConfigError, formatDate, isTradingDate, tradingDayBounds, UNDEF_TIMESTAMP } from '../core/index.js';
import { DbnDecoder } from '../data/dbn/index.js';

const DAY_MS = 86_400_000;

/**
 * The CME trading dates each file covers, from the time range in its metadata: a file of one day
 * falls on that day, a file of a week on each of its days.
 */
export async function filesByDay(files: readonly string[]): Promise<Map<string, string[]>> {
  const byDay = new Map<string, string[]>();
  for (const f of files) {
    const dec = DbnDecoder.fromFile(f);
    const md = await dec.readMetadata().finally(() => dec.close());
    if (md === null || md.end === UNDEF_TIMESTAMP || md.end <= md.start)
      throw new ConfigError(
        `${f}: its metadata gives no end time, so its trading days are unknown; give files of whole days (as Databento's daily split writes them)`,
      );
    const startMs = Number(md.start / 1_000_000n);
    const endMs = Number((md.end - 1n) / 1_000_000n);
    for (let t = startMs - DAY_MS; t <= endMs + DAY_MS; t += DAY_MS) {
      const date = formatDate(t);
      if (!isTradingDate(date)) continue;
      const b = tradingDayBounds(date);
      if (b.startMs > endMs || b.endMs <= startMs) continue;
      const list = byDay.get(date) ?? [];
      list.push(f);
      byDay.set(date, list);
    }
  }
  return new Map([...byDay].sort(([a], [b]) => (a < b ? -1 : 1)));
}
