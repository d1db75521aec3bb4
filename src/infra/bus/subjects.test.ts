import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusError } from './errors.js';
import {
  BUS_SUBJECTS,
  busSubject,
  checkFilter,
  checkSubject,
  filtersOverlap,
  subjectMatches,
} from './subjects.js';

test('subjects name the kind, then the product, then the schema without punctuation', () => {
  assert.equal(busSubject('md', '6E', 'mbp-10'), 'md.6E.mbp10');
  assert.equal(busSubject('md', '6J', 'ohlcv-1m'), 'md.6J.ohlcv1m');
  assert.equal(busSubject('features', '6E'), 'features.6E');
  assert.equal(busSubject('signals', '6B'), 'signals.6B');
  assert.equal(busSubject('orders'), 'orders');
  assert.equal(busSubject('fills'), 'fills');
});

test('a product that would break the subject into other tokens is refused, naming it', () => {
  for (const bad of ['6E.H6', 'EUR/USD', '', '6E*', 'a b']) {
    assert.throws(
      () => busSubject('signals', bad),
      (e: unknown) =>
        e instanceof BusError && e.code === 'BUS_SUBJECT' && e.message.includes(JSON.stringify(bad)),
    );
  }
});

test('every subject busSubject makes falls inside BUS_SUBJECTS', () => {
  const made = [
    busSubject('md', '6E', 'mbp-10'),
    busSubject('features', '6E'),
    busSubject('signals', '6E'),
    busSubject('orders'),
    busSubject('fills'),
  ];
  for (const s of made)
    assert.ok(
      BUS_SUBJECTS.some((f) => subjectMatches(f, s)),
      s,
    );
  assert.equal(
    BUS_SUBJECTS.some((f) => subjectMatches(f, 'quotes.6E')),
    false,
  );
});

test('filters match as NATS matches: * one token, > one or more at the end', () => {
  const cases: [string, string, boolean][] = [
    ['md.>', 'md.6E.mbp10', true],
    ['md.>', 'md', false],
    ['md.*', 'md.6E.mbp10', false],
    ['md.*.mbp10', 'md.6E.mbp10', true],
    ['md.*.mbp10', 'md.6E.trades', false],
    ['md.6E.>', 'md.6E.mbp10', true],
    ['orders', 'orders', true],
    ['orders', 'orders.x', false],
    ['*', 'fills', true],
    ['>', 'signals.6E', true],
  ];
  for (const [f, s, want] of cases) assert.equal(subjectMatches(f, s), want, `${f} ~ ${s}`);
});

test('publish subjects take no wildcards; filters take > only last', () => {
  assert.equal(checkSubject('b', 'md.6E.mbp10'), 'md.6E.mbp10');
  assert.throws(() => checkSubject('b', 'md.*.mbp10'), /"md\.\*\.mbp10"/);
  assert.throws(() => checkSubject('b', 'md..x'), /"md\.\.x"/);
  assert.equal(checkFilter('b', 'md.*.>'), 'md.*.>');
  assert.throws(() => checkFilter('b', 'md.>.mbp10'), /"md\.>\.mbp10"/);
});

test('two filters overlap when one subject can match both', () => {
  const cases: [string, string, boolean][] = [
    ['md.>', 'md.6E.mbp10', true],
    ['md.>', 'md.*.mbp10', true],
    ['md.*.mbp10', 'md.6E.>', true],
    ['md.>', 'fills', false],
    ['md.>', 'md', false],
    ['orders', 'orders', true],
    ['orders', '*', true],
    ['orders', 'orders.x', false],
    ['signals.*', 'signals.6E.x', false],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(filtersOverlap(a, b), want, `${a} & ${b}`);
    assert.equal(filtersOverlap(b, a), want, `${b} & ${a}`);
  }
});
