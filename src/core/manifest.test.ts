import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildManifest, gitCommit, hashFile } from './manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('hashFile', () => {
  test('gives the size and sha256 of a file larger than one read chunk', async () => {
    const p = join(dir, 'big.bin');
    const data = Buffer.alloc(3 * (1 << 20) + 7);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    writeFileSync(p, data);
    assert.deepEqual(await hashFile(p), {
      path: p,
      bytes: 3 * (1 << 20) + 7,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
  });
});

describe('gitCommit', () => {
  test('follows HEAD to a loose ref, to packed-refs, and through a worktree to its common folder', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true });
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), `${A}\n`);
    assert.equal(gitCommit(join(repo, 'src', 'deep')), A);
    // The branch only in packed-refs (after `git gc`).
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/packed\n');
    writeFileSync(join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled\n${B} refs/heads/packed\n`);
    assert.equal(gitCommit(repo), B);
    // A worktree: `.git` is a file naming its git folder, whose commondir holds the shared refs.
    const wt = join(dir, 'wt');
    const wtGit = join(repo, '.git', 'worktrees', 'wt');
    mkdirSync(wtGit, { recursive: true });
    mkdirSync(wt);
    writeFileSync(join(wt, '.git'), `gitdir: ${wtGit}\n`);
    writeFileSync(join(wtGit, 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(wtGit, 'commondir'), '../..\n');
    assert.equal(gitCommit(wt), A);
    // A detached HEAD holds the commit itself.
    writeFileSync(join(wtGit, 'HEAD'), `${B}\n`);
    assert.equal(gitCommit(wt), B);
  });

  test('is null outside a repository', () => {
    const lone = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      assert.equal(gitCommit(lone), null);
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });

  test('agrees with git rev-parse HEAD on this checkout', (t) => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    let expected: string;
    try {
      expected = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    } catch {
      t.skip('not a git checkout, or git is not installed');
      return;
    }
    assert.equal(gitCommit(here), expected);
  });
});

describe('buildManifest', () => {
  test('records inputs as named, outputs relative to their folder, the config hash and the seed', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'x.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'in.dbn'), 'DBN');
    const m = await buildManifest({
      command: 'features',
      argv: ['features', 'in.dbn'],
      config: { b: 1, a: { apiKey: 'sk' } },
      seed: 7,
      inputs: [join(dir, 'in.dbn'), join(dir, 'in.dbn')],
      outputs: [join(out, 'x.csv')],
      outputDir: out,
      startedAt: new Date('2026-01-02T03:04:05Z'),
      endedAt: new Date('2026-01-02T03:04:06Z'),
    });
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.deepEqual(m.inputs, [{ path: join(dir, 'in.dbn'), bytes: 3, sha256: sha('DBN') }]);
    assert.deepEqual(m.outputs, [{ path: 'x.csv', bytes: 8, sha256: sha('a,b\n1,2\n') }]);
    // Keys sorted, the secret redacted before hashing.
    assert.equal(m.configHash, sha('{"a":{"apiKey":"[redacted]"},"b":1}'));
    assert.equal(m.seed, 7);
    assert.equal(m.node, process.version);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    assert.deepEqual(m.package, { name: pkg.name, version: pkg.version });
    assert.equal(m.startedAt, '2026-01-02T03:04:05.000Z');
  });
});
