import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../core/index.js';
import {
  AGENT_NAMES,
  AgentSignalSchema,
  DIRECTIONS,
  isValidatedSignal,
  ownSignal,
  RISK_FLAGS,
  validSignal,
} from './types.js';

/** What `AgentSignalSchema.parse` makes of `v`, or its error's issues. */
function bySchema(v: unknown): unknown {
  const r = AgentSignalSchema.safeParse(v);
  return r.success
    ? { ok: r.data }
    : { error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

/** What `validSignal` (or `ownSignal`) makes of `v`, in the same form. */
function byValid(v: unknown, check: (v: never) => unknown = validSignal): unknown {
  try {
    return { ok: check(v as never) };
  } catch (e) {
    const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
    return { error: issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
}

const ODD: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  0,
  0.5,
  1,
  1.5,
  2,
  2.5,
  3,
  2 ** 60,
  '',
  'x',
  true,
  [],
  {},
  ['toxicity'],
  ['nope'],
];

/**
 * A generated answer, in most with one field set to something odd. With `full`, every key of the
 * schema in its order, as `signal` (common.ts) builds them; else the optional keys now and then,
 * and an unknown key.
 */
function generated(rnd: Random, full: boolean): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[rnd.int(xs.length)];
  const v: Record<string, unknown> = {
    agent: pick(AGENT_NAMES),
    direction: pick(DIRECTIONS),
    confidence: rnd.uniform(),
    horizonSec: 1 + rnd.int(600),
    evidence: { ofi: rnd.uniform() - 0.5, label: 'x', ok: true, none: null },
    flags: rnd.chance(0.5) ? [] : [pick(RISK_FLAGS)],
  };
  if (full || rnd.chance(0.5)) v.sizeScale = 2 * rnd.uniform();
  v.rationale = 'because';
  if (full || rnd.chance(0.5)) v.passivePrice = rnd.chance(0.5) ? null : 1.1 + rnd.uniform() / 100;
  if (!full && rnd.chance(0.2)) v.extra = 'dropped';
  if (rnd.chance(full ? 0.7 : 0.8)) {
    const keys = full
      ? Object.keys(v)
      : [...Object.keys(v), 'sizeScale', 'passivePrice', 'agent', 'evidence'];
    const key = pick(keys);
    v[key] = key === 'evidence' && rnd.chance(0.5) ? { bad: pick(ODD) } : pick(ODD);
  }
  return v;
}

describe('validSignal', () => {
  it('gives what the schema gives, value for value or error for error, on 40,000 generated inputs', () => {
    const rnd = new Random(21);
    for (let i = 0; i < 40_000; i++) {
      const v = generated(rnd, false);
      const input = rnd.chance(0.02) ? ODD[rnd.int(ODD.length)] : v;
      assert.deepEqual(byValid(input), bySchema(input), JSON.stringify(input));
    }
  });

  it('freezes what it returns and marks it validated', () => {
    const s = validSignal({
      agent: 'momentum',
      direction: 'long',
      confidence: 0.5,
      horizonSec: 60,
      evidence: { a: 1 },
      flags: [],
      rationale: 'r',
    });
    assert.ok(Object.isFrozen(s) && Object.isFrozen(s.evidence) && Object.isFrozen(s.flags));
    assert.ok(isValidatedSignal(s));
    assert.equal(isValidatedSignal({ ...s }), false);
    assert.deepEqual([s.sizeScale, s.passivePrice], [1, null]);
  });

  it('an evidence key "__proto__" is a plain key, as the schema has it', () => {
    const v = JSON.parse(
      '{"agent":"momentum","direction":"flat","confidence":0,"horizonSec":1,"evidence":{"__proto__":1},"flags":[],"rationale":""}',
    );
    assert.deepEqual(byValid(v), bySchema(v));
  });
});

describe('ownSignal', () => {
  it('gives what the schema gives on signals in the shape `signal` builds, on 40,000 generated inputs', () => {
    const rnd = new Random(22);
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const v = generated(rnd, true);
      const expected = bySchema(v);
      assert.deepEqual(byValid(v, ownSignal), expected, JSON.stringify(v));
      if ('ok' in (expected as object)) accepted++;
    }
    // Both outcomes were tried often.
    assert.ok(accepted > 10_000 && accepted < 30_000, `${accepted} accepted`);
  });

  it('returns the signal itself, frozen with its evidence and flags, and marked validated', () => {
    const evidence = { a: 1 };
    const flags: never[] = [];
    const v = {
      agent: 'momentum' as const,
      direction: 'long' as const,
      confidence: 0.5,
      horizonSec: 60,
      evidence,
      flags,
      sizeScale: 1,
      rationale: 'r',
      passivePrice: null,
    };
    const s = ownSignal(v);
    assert.equal(s, v);
    assert.equal(s.evidence, evidence);
    assert.ok(Object.isFrozen(s) && Object.isFrozen(evidence) && Object.isFrozen(flags));
    assert.ok(isValidatedSignal(s));
  });
});
