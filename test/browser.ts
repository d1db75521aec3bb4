/**
 * Debian's Chromium for tests of pages, driven by playwright-core: never a browser download, only
 * the `chromium` package (scripts/install-chromium.sh installs it when /usr/bin/chromium is
 * missing). Launched headless with the flags of ../shared/CONVENTIONS.md and a new empty profile:
 * without the networking flags Chromium keeps trying to reach hosts the test machines cannot reach.
 * Pages are served from 127.0.0.1 (`servePage`), and screenshots kept under `test-artifacts/`
 * (ignored by git).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { repoRoot } from './fixtures.js';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** The launch flags (CONVENTIONS.md, "Browsers in tests"); the profile is a new folder each time. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** A CI run: `CI` set to anything but empty, `0` or `false`. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** Where `ensureChromium` looks and what it runs; the defaults are the real ones. */
export interface EnsureChromiumOptions {
  readonly executable?: string;
  readonly installer?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Makes sure Chromium is at /usr/bin/chromium, running scripts/install-chromium.sh (`apt-get
 * install -y chromium`) when it is not. Returns null when it is there, else why it is not. In CI a
 * missing browser is an error, never a reason to skip: it throws with that reason.
 */
export function ensureChromium(o: EnsureChromiumOptions = {}): string | null {
  const executable = o.executable ?? CHROMIUM;
  if (existsSync(executable)) return null;
  const installer = o.installer ?? join(repoRoot(), 'scripts', 'install-chromium.sh');
  const r = spawnSync('sh', [installer], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
    env: o.env ?? process.env,
  });
  if (existsSync(executable)) return null;
  const output = `${r.stderr ?? ''}${r.error ? r.error.message : ''}`
    .trim()
    .split('\n')
    .slice(-5)
    .join(' | ');
  const why = `${executable} is missing and sh ${installer} could not install it (exit ${r.status ?? r.signal}: ${output})`;
  if (inCi(o.env)) throw new Error(`The browser tests need Debian's Chromium: ${why}`);
  return why;
}

/** A running headless Chromium with its own empty profile. */
export interface ChromiumSession {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless with the conventions' flags and a new empty profile. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<ChromiumSession> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A file served over HTTP on 127.0.0.1 at `url`; every request's path is kept in `requests`. */
export interface ServedPage {
  readonly url: string;
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** Serves `file` as `text/html` at `/NAME` on 127.0.0.1 (a free port); other paths answer 404. */
export async function servePage(file: string, name = 'index.html'): Promise<ServedPage> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** The folder for this run's screenshots and other artifacts of `name` (created, kept after the run). */
export function artifactsDir(name: string): string {
  const dir = join(repoRoot(), 'test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
