import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { defineConfig } from './config.js';
import { ConfigError } from './errors.js';

const Schema = z.strictObject({
  windowMs: z.number().positive().default(1_000),
  inner: z.strictObject({ k: z.number().int().default(3), on: z.boolean().default(true) }).prefault({}),
});

describe('defineConfig', () => {
  const cfg = defineConfig(Schema, 'test config');

  it('gives the defaults, deeply frozen', () => {
    assert.deepEqual(cfg.defaults, { windowMs: 1_000, inner: { k: 3, on: true } });
    assert.ok(Object.isFrozen(cfg.defaults) && Object.isFrozen(cfg.defaults.inner));
    assert.equal(cfg.schema, Schema);
  });

  it('merges partial overrides over the defaults, from an object or JSON text', () => {
    assert.deepEqual(cfg.with({ inner: { k: 5 } }), { windowMs: 1_000, inner: { k: 5, on: true } });
    assert.deepEqual(cfg.parse('{"windowMs": 250}'), { windowMs: 250, inner: { k: 3, on: true } });
    assert.deepEqual(cfg.parse(undefined), cfg.defaults);
  });

  it('reports every bad field against the source, by default the module name', () => {
    assert.throws(
      () => cfg.parse({ windowMs: -1, inner: { k: 1.5, extra: 1 } }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /^test config: /);
        assert.match(e.message, /windowMs: /);
        assert.match(e.message, /inner\.k: /);
        assert.match(e.message, /inner: .*extra/);
        return true;
      },
    );
    assert.throws(() => cfg.parse('{', 'file.json'), /^ConfigError: file\.json: not valid JSON/);
    assert.throws(() => cfg.with({ windowMs: 0 }), /^ConfigError: overrides: windowMs/);
  });
});
