/**
 * The package's public entry points (`exports` in package.json), imported by name as a user of
 * the package imports them: each resolves to its folder's index and carries the API it is for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './fixtures.js';

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
};

/** One class or function per entry point that a user of it needs. */
const EXPECTED: Record<string, string[]> = {
  './core': ['EngineError', 'parsePrice', 'fxSession', 'ManualClock'],
  './dbn': ['DbnDecoder', 'DbnEncoder', 'MergedRecords', 'replay'],
  './databento': ['Historical', 'DatabentoError'],
  './ig': ['IgRest', 'IgStream', 'IgError', 'pointsToRaw'],
  './ig-broker': ['IgBroker', 'dealReferenceOf'],
  './book': ['L2Book', 'L3Book', 'BookSet'],
  './features': ['FeatureEngine', 'Vpin', 'BestLevelOfi', 'Ema'],
  './sim': ['simulate', 'simulateDay'],
  './strategy': ['TechniqueSet', 'fitHmm', 'RegimeFilter'],
  './agents': ['runAgents'],
  './llm': ['OpenAiCompatibleProvider', 'AnthropicProvider', 'CachedProvider'],
  './execution': ['PaperBroker', 'Trader', 'RiskEngine', 'FillPortfolio', 'planBracket'],
  './infra': [
    'openSqliteStore',
    'SqliteStateStore',
    'StateStoreError',
    'MemoryFeatureStore',
    'RedisFeatureStore',
    'RedisResponseCache',
    'RedisConnection',
    'MemoryBus',
    'JetStreamBus',
    'busSubject',
  ],
  './pipeline': ['DecisionLoop'],
};

test('every entry point in exports resolves by package name and exports its API', async () => {
  const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
  assert.deepEqual(entries.sort(), Object.keys(EXPECTED).sort());
  for (const entry of entries) {
    const mod = (await import(`${pkg.name}/${entry.slice(2)}`)) as Record<string, unknown>;
    for (const name of EXPECTED[entry]) {
      assert.equal(typeof mod[name], 'function', `${pkg.name}/${entry.slice(2)} exports ${name}`);
    }
  }
});

test('entry points export no test support', async () => {
  for (const entry of Object.keys(EXPECTED)) {
    const mod = (await import(`${pkg.name}/${entry.slice(2)}`)) as Record<string, unknown>;
    for (const name of ['sampleHmm', 'exampleHmm', 'writeSample', 'fixture', 'startTestServer']) {
      assert.equal(mod[name], undefined, `${entry} exports ${name}`);
    }
  }
});
