/**
 * A process on the in-process bus never loads the NATS client: importing `src/infra` and using
 * `MemoryBus` leaves `@nats-io/*` unloaded, and only `JetStreamBus.connect` loads it. Checked in a
 * child Node with a module hook that reports every `@nats-io` module it resolves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'bus-loading-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  // Written to a file at once: hooks run on a thread of their own, whose stderr may be lost at exit.
  if (r.url.includes('/@nats-io/')) appendFileSync(process.env.LOADED_LOG, 'LOADED ' + r.url + '\\n');
  return r;
}
`,
);
const INFRA = new URL('../index.js', import.meta.url).href;

let runs = 0;

/**
 * Runs `body` (module code with `infra` imported) in a child Node; returns its stdout and, as
 * `err`, its stderr followed by the modules the hook saw loaded.
 */
function run(body: string): { out: string; err: string } {
  const log = join(dir, `loaded-${++runs}.log`);
  writeFileSync(log, '');
  const code = `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const infra = await import(${JSON.stringify(INFRA)});
${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, LOADED_LOG: log },
  });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout, err: r.stderr + readFileSync(log, 'utf8') };
}

test('the in-process bus runs without loading the NATS client', () => {
  const r = run(`const bus = new infra.MemoryBus();
const ack = await bus.publish('orders', new Uint8Array([1]));
console.log(ack.seq);
await bus.close();`);
  assert.equal(r.out.trim(), '1');
  assert.doesNotMatch(r.err, /LOADED/);
});

test('JetStreamBus.connect loads it', () => {
  const r = run(`try {
  await infra.JetStreamBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 100 });
} catch (e) { console.log(e.code); }`);
  assert.equal(r.out.trim(), 'BUS_CONNECT');
  assert.match(r.err, /LOADED .*@nats-io\/transport-node/);
  assert.match(r.err, /LOADED .*@nats-io\/jetstream/);
});
