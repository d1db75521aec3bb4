/**
 * PostgreSQL for the services tests: the machine's server (`SCALPER_PG_URL`, default
 * `postgres://127.0.0.1:5432/test`, started by scripts/services.sh), a unique schema per store so
 * that two runs never see each other's data, and the rule that under CI a test never skips
 * silently: when the server does not answer, a failing test says so.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { pgUrl, redactUrl, withUser } from '../src/infra/index.js';
import { inCi } from './browser.js';

/** The URL of the machine's PostgreSQL. */
export const PG_URL = pgUrl();

/** A client of `url` (the caller ends it). */
export async function pgClient(url = PG_URL): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: withUser(url), connectionTimeoutMillis: 3_000 });
  await c.connect();
  return c;
}

/** Why `url` cannot be used, or null when it answers. */
export async function pgProblem(url = PG_URL): Promise<string | null> {
  try {
    const c = await pgClient(url);
    await c.query('SELECT 1');
    await c.end();
    return null;
  } catch (e) {
    return `PostgreSQL at ${redactUrl(url)} does not answer (${e instanceof Error ? e.message || String((e as { code?: string }).code) : String(e)}); run scripts/services.sh or set SCALPER_PG_URL`;
  }
}

let n = 0;
/** A schema name no other run uses: `<prefix>_<pid>_<time>_<n>`. */
export function uniqueSchema(prefix = 'test'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++n}`;
}

/** Drops `schemas` with everything in them. */
export async function dropSchemas(schemas: readonly string[], url = PG_URL): Promise<void> {
  if (schemas.length === 0) return;
  const c = await pgClient(url);
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * Null when PostgreSQL answers. Otherwise it registers the test that reports why: failing under
 * CI (`CI` set), skipped with the reason elsewhere, and returns the reason so the caller defines
 * no other test.
 */
export async function requirePostgres(what: string, url = PG_URL): Promise<string | null> {
  const problem = await pgProblem(url);
  if (problem === null) return null;
  if (inCi()) test(`${what}: PostgreSQL answers`, () => assert.fail(problem));
  else test(what, { skip: problem }, () => {});
  return problem;
}
