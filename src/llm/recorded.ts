/**
 * Model answers recorded and replayed, so that a backtest with a model can be run again exactly
 * without calling it: `RecordingProvider` passes each request to a real provider and appends its
 * answer to a JSON-lines file, keyed by the request (the system text, the messages, which hold the
 * frozen snapshot the model answered, and the schema's name, hashed with sha256);
 * `ReplayingProvider` answers from such a file, and a request it has no answer for fails as
 * `unavailable`, so the pipeline falls back to the quant step and records it, as it would if the
 * model were down.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { ConfigError, sha256 } from '../core/index.js';
import { validate } from './call.js';
import {
  type LlmFailureKind,
  type LlmProvider,
  NO_USAGE,
  type StructuredRequest,
  type StructuredResult,
  type Usage,
} from './types.js';

/** The key of a request: what the model was asked, not how (time-outs, signals). */
export function requestKey(req: StructuredRequest<unknown>): string {
  return sha256()
    .update(JSON.stringify([req.schemaName, req.system, req.messages]))
    .digest('hex');
}

/** One line of a recording. */
interface Recorded {
  readonly key: string;
  readonly value: unknown;
  readonly usage: Usage;
  readonly provider: string;
  readonly model: string;
}

/** A provider that answers as `inner` does and appends every answer to `path`. */
export class RecordingProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;

  constructor(
    readonly inner: LlmProvider,
    readonly path: string,
  ) {
    this.name = inner.name;
    this.model = inner.model;
  }

  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const r = await this.inner.complete(req);
    if (r.ok) {
      const line: Recorded = {
        key: requestKey(req),
        value: r.value,
        usage: r.usage,
        provider: r.provider,
        model: r.model,
      };
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    }
    return r;
  }
}

/** A provider that answers from a recording; what it has no answer for is `unavailable`. */
export class ReplayingProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  readonly #answers = new Map<string, Recorded>();
  /** Requests the recording had no answer for. */
  missing = 0;

  constructor(readonly path: string) {
    if (!existsSync(path)) throw new ConfigError(`${path}: no such recording of model answers`);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      let rec: Recorded;
      try {
        rec = JSON.parse(text);
      } catch (e) {
        throw new ConfigError(`${path}:${i + 1}: not a recorded answer (${(e as Error).message})`);
      }
      if (typeof rec?.key !== 'string' || !('value' in rec))
        throw new ConfigError(`${path}:${i + 1}: a recorded answer needs a key and a value`);
      // The first answer to a request is the one replayed (a later one came from a retry).
      if (!this.#answers.has(rec.key)) this.#answers.set(rec.key, rec);
    });
    const first = this.#answers.values().next().value;
    this.name = first?.provider ?? 'replay';
    this.model = first?.model ?? 'replay';
  }

  #failure(kind: LlmFailureKind, message: string): StructuredResult<never> {
    return {
      ok: false,
      failure: { kind, message },
      usage: NO_USAGE,
      latencyMs: 0,
      provider: this.name,
      model: this.model,
    };
  }

  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const rec = this.#answers.get(requestKey(req));
    if (rec === undefined) {
      this.missing++;
      return this.#failure('unavailable', 'no recorded answer for this request');
    }
    const checked = validate(req.schema, rec.value);
    if (!checked.ok) return this.#failure('malformed', 'the recorded answer does not fit the schema');
    return {
      ok: true,
      value: checked.value,
      source: 'model',
      repaired: false,
      usage: rec.usage ?? NO_USAGE,
      latencyMs: 0,
      provider: rec.provider,
      model: rec.model,
    };
  }
}
