/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), for tests of
 * metrics endpoints: every line is a `# HELP`, a `# TYPE` or a sample of a family whose type was
 * declared before it; anything else throws, naming the line.
 */

/** One sample line. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromExposition {
  /** Family name → its type (counter, gauge, histogram, summary, untyped). */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`${where}: value "${text}" is not a number`);
  return v;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (m === null) throw new Error(`${where}: malformed labels at "${rest}"`);
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The family a sample belongs to: histograms and summaries add `_bucket`, `_sum`, `_count`. */
function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m === null) return undefined;
  const t = types.get(m[1]);
  if (t === 'histogram' || (t === 'summary' && m[2] !== 'bucket')) return m[1];
  return undefined;
}

/** Parses an exposition, throwing at the first line that breaks the format. */
export function parsePrometheusText(text: string): PromExposition {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1} "${line}"`;
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      if (HELP.exec(line) === null) throw new Error(`${where}: malformed HELP`);
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const m = TYPE.exec(line);
      if (m === null) throw new Error(`${where}: malformed TYPE`);
      if (types.has(m[1])) throw new Error(`${where}: a second TYPE for ${m[1]}`);
      types.set(m[1], m[2]);
      return;
    }
    if (line.startsWith('#')) return;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`${where}: not a sample line`);
    if (familyOf(m[1], types) === undefined) throw new Error(`${where}: no TYPE declared for ${m[1]}`);
    samples.push({ name: m[1], labels: parseLabels(m[2] ?? '', where), value: parseValue(m[3], where) });
  });
  return { types, samples };
}

/** The sum of the values of `name`'s samples whose labels include `labels`. */
export function promSum(
  e: PromExposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const s of e.samples)
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}
