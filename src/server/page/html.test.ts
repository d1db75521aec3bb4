/** The dashboard's HTML and the files it loads: every one is there, every element the script needs is in the page. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../../test/fixtures.js';
import { dashboardAssets, dashboardHtml, PAGE_MODULES } from './html.js';

const SRC = join(repoRoot(), 'src', 'server', 'page');
const html = dashboardHtml({ title: 'Desk <A&B> "live"' });

describe('dashboard page HTML', () => {
  test('the title is escaped', () => {
    assert.match(html, /<title>Desk &#60;A&#38;B&#62; &#34;live&#34;<\/title>/);
    assert.doesNotMatch(html, /<A&B>/);
  });

  test('it loads the chart library, then the page module, from /assets', () => {
    const lib = html.indexOf('<script src="/assets/lightweight-charts.js"></script>');
    const app = html.indexOf('<script type="module" src="/assets/page/app.js"></script>');
    assert.ok(lib > 0 && app > lib);
    assert.doesNotMatch(html, /https?:\/\//);
  });

  test('every browser module of src/server/page is served, and every served file exists', () => {
    const browser = readdirSync(SRC)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'html.ts')
      .map((f) => f.slice(0, -3))
      .sort();
    assert.deepEqual([...PAGE_MODULES].sort(), browser);
    const assets = dashboardAssets();
    for (const m of PAGE_MODULES) assert.ok(assets.has(`/assets/page/${m}.js`), m);
    assert.ok(assets.has('/assets/apply.js'));
    for (const a of assets.values()) assert.ok(existsSync(a.file), `${a.path} from ${a.file}`);
    // The page module imports the update function one folder up, as /assets/apply.js.
    const app = readFileSync(assets.get('/assets/page/app.js')!.file, 'utf8');
    assert.match(app, /from '\.\.\/apply\.js'/);
  });

  test('every element the page script looks up by id is in the page', () => {
    const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const wanted = new Set<string>();
    for (const m of PAGE_MODULES) {
      const text = readFileSync(join(SRC, `${m}.ts`), 'utf8');
      for (const x of text.matchAll(/byId(?:<[^>]+>)?\('([^']+)'\)/g)) wanted.add(x[1]);
      for (const x of text.matchAll(/'(btn-[a-z]+)'/g)) wanted.add(x[1]);
    }
    assert.ok(wanted.size > 30, `${wanted.size} ids`);
    assert.deepEqual(
      [...wanted].filter((id) => !ids.has(id)),
      [],
    );
    for (const id of [
      'chart',
      'ladder',
      'agents',
      'decisions',
      'positions',
      'risk-state',
      'kill-state',
      'conn',
      'clock',
      'control-answer',
      'token',
    ])
      assert.ok(ids.has(id), id);
  });
});
