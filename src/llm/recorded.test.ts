import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as z from 'zod';
import { ok, useTestLlmServer } from '../../test/llm-server.js';
import { OpenAiCompatibleProvider } from './openai-provider.js';
import { RecordingProvider, ReplayingProvider } from './recorded.js';

const dir = mkdtempSync(join(tmpdir(), 'recorded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const Answer = z.object({ direction: z.enum(['long', 'short', 'flat']), confidence: z.number() });
const ask = (snapshot: string) => ({
  system: 'You judge a debate.',
  messages: [{ role: 'user' as const, content: `snapshot ${snapshot}` }],
  schema: Answer,
  schemaName: 'judge',
});

describe('recorded model answers', () => {
  const server = useTestLlmServer();

  test('answers recorded from a real server replay exactly, without calling it again', async () => {
    const path = join(dir, 'answers.jsonl');
    server().script(ok({ direction: 'long', confidence: 0.7 }), ok({ direction: 'short', confidence: 0.4 }));
    const live = new RecordingProvider(
      new OpenAiCompatibleProvider({ baseURL: server().openaiURL, model: 'm', timeoutMs: 2_000 }),
      path,
    );
    const a = await live.complete(ask('t=1'));
    const b = await live.complete(ask('t=2'));
    assert.equal(server().requests.length, 2);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2);

    const replay = new ReplayingProvider(path);
    const ra = await replay.complete(ask('t=1'));
    const rb = await replay.complete(ask('t=2'));
    assert.equal(server().requests.length, 2, 'the server is not called again');
    assert.deepEqual([ra.ok && ra.value, rb.ok && rb.value], [a.ok && a.value, b.ok && b.value]);
    // A snapshot it never answered is unavailable: the pipeline falls back to the quant step.
    const rc = await replay.complete(ask('t=3'));
    assert.deepEqual([rc.ok, !rc.ok && rc.failure.kind], [false, 'unavailable']);
    assert.equal(replay.missing, 1);
  });

  test('a damaged recording is refused with the line that is wrong', () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{"key":"k","value":{}}\nnot json\n');
    assert.throws(() => new ReplayingProvider(path), /bad\.jsonl:2: not a recorded answer/);
    assert.throws(() => new ReplayingProvider(join(dir, 'none.jsonl')), /no such recording/);
  });
});
