/**
 * Response cache (issue 7, "Cache"), three layers tried in order:
 *
 * 1. exact: sha256 of (provider, model, system prompt, messages, schema name); the same question
 *    asked again within the TTL is answered without a call.
 * 2. state: (provider, model, schema name, `req.stateKey`); a question about the same quantised
 *    market state (`stateKey`: regime, OFI direction, VPIN bucket, the set of setups) gets the
 *    answer given to that state within the TTL, though the prompt's exact numbers differ.
 * 3. the provider's own prompt-prefix cache (OpenAI `cached_tokens`, Anthropic `cache_control`),
 *    which makes a call cheaper rather than avoiding it; it is reported from the calls' usage.
 *
 * Only validated answers are stored, in both layers, for `ttlMs` (default 45 s, inside the 30–60 s
 * a scalping view stays useful; 0 turns caching off). A stored value is checked against the
 * request's schema again when read, so an entry written for another schema of the same name, or
 * mangled by an external store, is a miss rather than a bad answer. A store that fails (`get` or `set`
 * rejects) is a miss too: the cache never fails a call. The TTL runs on the injected clock, the
 * simulated one in a backtest (CONVENTIONS.md "Time, clocks and determinism").
 *
 * `ResponseCache` is the store interface; `MemoryLruCache` is the default, and a Redis store can
 * implement the same two methods (values are plain JSON).
 */

import { createHash } from 'node:crypto';
import { type Clock, ConfigError, wallClock } from '../core/index.js';
import { validate } from './call.js';
import { DEFAULT_CACHE_TTL_MS } from './config-schema.js';
import { type LlmProvider, NO_USAGE, type StructuredRequest, type StructuredResult } from './types.js';

/** A key-value store with expiry. */
export interface ResponseCache {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<unknown | undefined>;
  /** Stores `value` (plain JSON) for `ttlMs`. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
}

/** Options of `MemoryLruCache`. */
export interface MemoryLruCacheOptions {
  /** Entries kept; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  /** Clock of the TTLs. Default the wall clock. */
  readonly clock?: Clock;
}

/** An in-process LRU with a TTL per entry. */
export class MemoryLruCache implements ResponseCache {
  readonly #max: number;
  readonly #clock: Clock;
  /** Map order is recency order: a hit is moved to the end, eviction takes the front. */
  readonly #entries = new Map<string, { readonly value: unknown; readonly expiresAt: number }>();

  constructor(options: MemoryLruCacheOptions = {}) {
    const max = options.maxEntries ?? 1000;
    if (!Number.isInteger(max) || max < 1)
      throw new ConfigError(`maxEntries must be a positive integer, got ${max}`);
    this.#max = max;
    this.#clock = options.clock ?? wallClock;
  }

  async get(key: string): Promise<unknown | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#clock.now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#entries.delete(key);
    if (!(ttlMs > 0)) return;
    this.#entries.set(key, { value, expiresAt: this.#clock.now() + ttlMs });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size;
  }
}

/** Lookups and hits of one cache layer. */
export interface CacheLayerStats {
  readonly lookups: number;
  readonly hits: number;
  /** hits / lookups (0 before any lookup). */
  readonly hitRate: number;
}

/** What `CachedProvider` served from where. */
export interface CacheStats {
  readonly requests: number;
  /** Every request with caching on is looked up here. */
  readonly exact: CacheLayerStats;
  /** Requests that missed the exact layer and carried a `stateKey`. */
  readonly state: CacheLayerStats;
  /** Calls that reached the provider. */
  readonly modelCalls: number;
  /** The provider's prompt-prefix cache over those calls, in tokens. */
  readonly prompt: {
    readonly inputTokens: number;
    readonly cachedInputTokens: number;
    /** cachedInputTokens / inputTokens (0 before any token). */
    readonly hitRate: number;
  };
}

/** Options of `CachedProvider`. */
export interface CachedProviderOptions {
  /** Default a `MemoryLruCache` of 1000 entries on `clock`. */
  readonly cache?: ResponseCache;
  /** How long an answer is reused, ms. Default 45000; 0 turns caching off. */
  readonly ttlMs?: number;
  /** Clock of the TTLs and of `latencyMs` on hits. Default the wall clock. */
  readonly clock?: Clock;
}

/** An `LlmProvider` answering from the exact and state layers before calling `inner`. */
export class CachedProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  readonly #inner: LlmProvider;
  readonly #cache: ResponseCache;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  #requests = 0;
  #exactLookups = 0;
  #exactHits = 0;
  #stateLookups = 0;
  #stateHits = 0;
  #modelCalls = 0;
  #inputTokens = 0;
  #cachedInputTokens = 0;

  constructor(inner: LlmProvider, options: CachedProviderOptions = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new ConfigError(`Cache ttlMs must be >= 0, got ${ttlMs}`);
    this.name = inner.name;
    this.model = inner.model;
    this.#inner = inner;
    this.#clock = options.clock ?? wallClock;
    this.#cache = options.cache ?? new MemoryLruCache({ clock: this.#clock });
    this.#ttlMs = ttlMs;
  }

  /** The provider behind the cache. */
  get inner(): LlmProvider {
    return this.#inner;
  }

  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const started = this.#clock.now();
    this.#requests++;
    const on = this.#ttlMs > 0;
    const exactKey = on ? this.#exactKey(req) : '';
    const stateKey = on && req.stateKey !== undefined ? this.#stateKey(req, req.stateKey) : undefined;
    if (on) {
      this.#exactLookups++;
      const hit = await this.#lookup(exactKey, req);
      if (hit !== undefined) {
        this.#exactHits++;
        return this.#hit(hit.value, 'exact_cache', started);
      }
    }
    if (stateKey !== undefined) {
      this.#stateLookups++;
      const hit = await this.#lookup(stateKey, req);
      if (hit !== undefined) {
        this.#stateHits++;
        return this.#hit(hit.value, 'state_cache', started);
      }
    }
    const result = await this.#inner.complete(req);
    this.#modelCalls++;
    this.#inputTokens += result.usage.inputTokens;
    this.#cachedInputTokens += result.usage.cachedInputTokens;
    if (on && result.ok) {
      await this.#store(exactKey, result.value);
      if (stateKey !== undefined) await this.#store(stateKey, result.value);
    }
    return result.ok ? { ...result, source: 'model' } : result;
  }

  /** Hit rates per layer so far. */
  stats(): CacheStats {
    const rate = (hits: number, lookups: number) => (lookups > 0 ? hits / lookups : 0);
    return {
      requests: this.#requests,
      exact: {
        lookups: this.#exactLookups,
        hits: this.#exactHits,
        hitRate: rate(this.#exactHits, this.#exactLookups),
      },
      state: {
        lookups: this.#stateLookups,
        hits: this.#stateHits,
        hitRate: rate(this.#stateHits, this.#stateLookups),
      },
      modelCalls: this.#modelCalls,
      prompt: {
        inputTokens: this.#inputTokens,
        cachedInputTokens: this.#cachedInputTokens,
        hitRate: rate(this.#cachedInputTokens, this.#inputTokens),
      },
    };
  }

  #exactKey(req: StructuredRequest<unknown>): string {
    const messages = req.messages.map((m) => [m.role, m.content]);
    return `llm:exact:${sha256([this.name, this.model, req.system, messages, req.schemaName])}`;
  }

  #stateKey(req: StructuredRequest<unknown>, stateKey: string): string {
    return `llm:state:${sha256([this.name, this.model, req.schemaName, stateKey])}`;
  }

  async #lookup<T>(key: string, req: StructuredRequest<T>): Promise<{ readonly value: T } | undefined> {
    let stored: unknown;
    try {
      stored = await this.#cache.get(key);
    } catch {
      return undefined;
    }
    if (stored === undefined) return undefined;
    const checked = validate(req.schema, stored);
    return checked.ok ? { value: checked.value } : undefined;
  }

  async #store(key: string, value: unknown): Promise<void> {
    try {
      await this.#cache.set(key, value, this.#ttlMs);
    } catch {
      // A store that cannot write only costs the next call its hit.
    }
  }

  #hit<T>(value: T, source: 'exact_cache' | 'state_cache', started: number): StructuredResult<T> {
    return {
      ok: true,
      value,
      source,
      repaired: false,
      usage: NO_USAGE,
      latencyMs: this.#clock.now() - started,
      provider: this.name,
      model: this.model,
    };
  }
}

function sha256(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The market state the state layer is keyed on, before quantisation. */
export interface MarketStateInput {
  /** Regime state name, e.g. 'low', 'medium', 'high'. */
  readonly regime: string;
  /** Normalised OFI (in half best-level depths, see features/book/ofi.ts). */
  readonly ofi: number;
  /** VPIN, 0–1. */
  readonly vpin: number;
  /** Names of the setups valid now, in any order. */
  readonly setups: readonly string[];
}

/** The quantised market state. */
export interface QuantisedState {
  readonly regime: string;
  /** -1, 0 or +1: the sign of OFI outside the dead band (0 inside it, and for NaN). */
  readonly ofiDirection: -1 | 0 | 1;
  /** floor(VPIN / 0.1), clamped to 0–9; -1 when VPIN is not ready (NaN). */
  readonly vpinBucket: number;
  /** Distinct setup names, sorted. */
  readonly setups: readonly string[];
}

/** Options of `quantiseState` and `stateKey`. */
export interface StateKeyOptions {
  /** |OFI| at or under which the direction is 0. Default 0.5 (half a best-level depth). */
  readonly ofiDeadBand?: number;
}

/** Quantises a market state: OFI to its sign with a dead band, VPIN to 0.1-wide buckets, setups to a sorted set. */
export function quantiseState(state: MarketStateInput, options: StateKeyOptions = {}): QuantisedState {
  const band = options.ofiDeadBand ?? 0.5;
  const ofiDirection = state.ofi > band ? 1 : state.ofi < -band ? -1 : 0;
  // The small epsilon keeps 0.3 (0.29999… after float arithmetic) in bucket 3.
  const vpinBucket = Number.isFinite(state.vpin)
    ? Math.min(9, Math.max(0, Math.floor(state.vpin * 10 + 1e-9)))
    : -1;
  return { regime: state.regime, ofiDirection, vpinBucket, setups: [...new Set(state.setups)].sort() };
}

/** The state-layer key of a market state, e.g. `regime=high|ofi=+1|vpin=7|setups=breakout,sweep`. */
export function stateKey(state: MarketStateInput, options: StateKeyOptions = {}): string {
  const q = quantiseState(state, options);
  const ofi = q.ofiDirection > 0 ? '+1' : q.ofiDirection < 0 ? '-1' : '0';
  return `regime=${q.regime}|ofi=${ofi}|vpin=${q.vpinBucket}|setups=${q.setups.join(',')}`;
}
