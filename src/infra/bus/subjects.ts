/**
 * Subjects of the bus: a kind, then the instrument (product code, as `6E`), then for market data
 * the DBN schema. One subject per kind and instrument is what keeps per-instrument order and lets
 * a stage read only its instruments (`md.6E.>`, `signals.*`).
 *
 * | kind       | subject                   | payload                                   |
 * |------------|---------------------------|-------------------------------------------|
 * | `md`       | `md.<product>.<schema>`   | one DBN record, as its bytes (`md.6E.mbp10`) |
 * | `features` | `features.<product>`      | a feature snapshot                        |
 * | `signals`  | `signals.<product>`       | an analyst signal or decision             |
 * | `orders`   | `orders`                  | an order request or state change          |
 * | `fills`    | `fills`                   | an execution                              |
 * | `portfolio`| `portfolio`               | positions and P&L as execution has them   |
 *
 * A replay's end travels on `md.<product>.end` (no DBN schema is named so): after it no record of
 * the product comes.
 *
 * The schema token is the DBN schema name without punctuation (`mbp-10` → `mbp10`, `ohlcv-1m` →
 * `ohlcv1m`), since `.` separates tokens and NATS tooling reads `-` poorly in filters.
 */
import { BusError } from './errors.js';

/** The subject families of the bus; a JetStream stream captures these by default. */
export const BUS_SUBJECTS: readonly string[] = [
  'md.>',
  'features.>',
  'signals.>',
  'orders',
  'fills',
  'portfolio',
];

/** Kinds of message on the bus. */
export type BusKind = 'md' | 'features' | 'signals' | 'orders' | 'fills' | 'portfolio';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(what: string, v: string): string {
  if (!TOKEN.test(v)) {
    throw new BusError(
      'BUS_SUBJECT',
      'subject',
      `${what} ${JSON.stringify(v)} must be letters, digits, "_" or "-" (no dots, spaces or wildcards)`,
    );
  }
  return v;
}

/**
 * The subject for a kind of message: `busSubject('md', '6E', 'mbp-10')` is `md.6E.mbp10`,
 * `busSubject('signals', '6E')` is `signals.6E`, `busSubject('fills')` is `fills`.
 */
export function busSubject(kind: 'md', product: string, schema: string): string;
export function busSubject(kind: 'features' | 'signals', product: string): string;
export function busSubject(kind: 'orders' | 'fills' | 'portfolio'): string;
export function busSubject(kind: BusKind, product?: string, schema?: string): string {
  switch (kind) {
    case 'md':
      if (product === undefined || schema === undefined) {
        throw new BusError('BUS_SUBJECT', 'subject', 'an "md" subject needs a product and a schema');
      }
      return `md.${token('product', product)}.${token('schema', schema.replace(/[^A-Za-z0-9]/g, ''))}`;
    case 'features':
    case 'signals':
      if (product === undefined) {
        throw new BusError('BUS_SUBJECT', 'subject', `a ${JSON.stringify(kind)} subject needs a product`);
      }
      return `${kind}.${token('product', product)}`;
    case 'orders':
    case 'fills':
    case 'portfolio':
      return kind;
    default:
      throw new BusError('BUS_SUBJECT', 'subject', `unknown kind ${JSON.stringify(kind)}`);
  }
}

const SUBJECT_TOKEN = /^[^\s.*>]+$/;

/** Checks a subject to publish on (tokens without wildcards or spaces); returns it. */
export function checkSubject(bus: string, subject: string): string {
  const tokens = subject.split('.');
  if (!tokens.every((t) => SUBJECT_TOKEN.test(t))) {
    throw new BusError(
      'BUS_SUBJECT',
      bus,
      `subject ${JSON.stringify(subject)} must be dot-separated tokens without spaces or wildcards`,
    );
  }
  return subject;
}

/** Checks a subscription filter (`*` for one token, `>` as the last token for the rest); returns it. */
export function checkFilter(bus: string, filter: string): string {
  const tokens = filter.split('.');
  const ok = tokens.every(
    (t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || SUBJECT_TOKEN.test(t),
  );
  if (!ok) {
    throw new BusError(
      'BUS_SUBJECT',
      bus,
      `filter ${JSON.stringify(filter)} must be dot-separated tokens, "*", or ">" as the last token`,
    );
  }
  return filter;
}

/** Whether `subject` matches `filter` under NATS rules (`*` one token, `>` one or more). */
export function subjectMatches(filter: string, subject: string): boolean {
  if (filter === subject) return true;
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** Whether some subject matches both filters (`md.*.mbp10` and `md.6E.>` do; `md.>` and `fills` do not). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; ; i++) {
    if (i >= x.length || i >= y.length) return x.length === y.length;
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] !== y[i] && x[i] !== '*' && y[i] !== '*') return false;
  }
}

/** Checks that `filter` can match something among the stream's `subjects`; returns it. */
export function checkFilterIn(bus: string, filter: string, subjects: readonly string[]): string {
  checkFilter(bus, filter);
  if (!subjects.some((s) => filtersOverlap(s, filter))) {
    throw new BusError(
      'BUS_SUBJECT',
      bus,
      `filter ${JSON.stringify(filter)} matches none of the stream's subjects ${subjects.join(', ')}`,
    );
  }
  return filter;
}
