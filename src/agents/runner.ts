/**
 * Tier 1 runner: every analyst runs concurrently on the same frozen input; each answer is checked
 * against `AgentSignalSchema`; an analyst that overruns its budget, throws or answers malformed is
 * left out of the vote, and its outcome records why. `runAgents` never rejects.
 *
 * Budgets (CONVENTIONS.md "Time, clocks and determinism"): a finite budget arms a real timer
 * (wall clock) that aborts the analyst's own `AbortSignal`; backtests pass `budgetMs: Infinity`,
 * so no timer exists and the run stays a pure function of its inputs. Start and finish times are
 * read from the injected clock, so under a `ManualClock` they are the decision's time.
 */
import type { Clock } from '../core/index.js';
import { EngineError, isThenable } from '../core/index.js';
import {
  type Agent,
  type AgentInput,
  type AgentName,
  type AgentSignal,
  AgentSignalSchema,
  isValidatedSignal,
} from './types.js';

/** An analyst that overran its time budget. */
export class AgentTimeoutError extends EngineError {
  constructor(
    readonly agent: AgentName,
    readonly budgetMs: number,
  ) {
    super('AGENT_TIMEOUT', `Agent "${agent}" exceeded its budget of ${budgetMs} ms`);
  }
}

/** The run was cancelled by the caller's signal. */
export class AgentsAbortedError extends EngineError {
  constructor(options?: { cause?: unknown }) {
    super('AGENTS_ABORTED', 'Tier 1 aborted by the caller', options);
  }
}

/** How one analyst's run ended. */
export type AgentStatus = 'ok' | 'timeout' | 'error' | 'invalid';

/** One analyst's run. */
export interface AgentOutcome {
  readonly agent: AgentName;
  readonly status: AgentStatus;
  /** finishedAt − startedAt on the injected clock. */
  readonly ms: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Why it was left out (absent when ok). */
  readonly error?: string;
}

/** The result of tier 1. */
export interface AgentsRun {
  /** Valid signals, in the order of the agents given. */
  readonly signals: AgentSignal[];
  /** Every agent's outcome, in the order of the agents given. */
  readonly outcomes: AgentOutcome[];
  /** Last finish − first start, on the injected clock. */
  readonly tier1Ms: number;
  /** Σ of the agents' own times: tier1Ms / sumAgentMs ≈ 1 / number of agents when they overlap. */
  readonly sumAgentMs: number;
}

/** Waits `ms`; settles early (either way) once `signal` aborts. */
export type Timer = (ms: number, signal: AbortSignal) => Promise<void>;

/** Options of `runAgents`. */
export interface RunAgentsOptions {
  readonly clock: Clock;
  /** Budget for every agent instead of its own, ms (`Infinity`: none, as in backtests). */
  readonly budgetMs?: number;
  /** Aborts every agent still running (their outcomes: 'error'). */
  readonly signal?: AbortSignal;
  /** The budget timer (default: `setTimeout`); tests may inject one. */
  readonly timer?: Timer;
}

/** `setTimeout` as a promise, cleared when `signal` aborts. */
export const realTimer: Timer = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const id = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(id);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

type Settled =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * Why an agent's timer and outer-signal listeners are released once it has settled. Aborting with
 * no reason builds a DOMException, stack trace included: seven per decision for nothing.
 */
const SETTLED = Object.freeze({ settled: true });

/**
 * A signal nothing aborts (its controller is this module's): an analyst's when it has neither a
 * budget nor a caller's signal, and what a caller whose run is never cut short passes, so that no
 * listener is added to it and taken off again for each analyst of each decision.
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** One analyst's run: its outcome, and its signal when it answered one the schema takes. */
interface AgentRun {
  readonly outcome: AgentOutcome;
  readonly signal: AgentSignal | null;
}

/** The run of `agent` that ended as `r`, started and finished at the given times of the clock. */
function agentRun(agent: Agent, r: Settled, budget: number, startedAt: number, finishedAt: number): AgentRun {
  switch (r.kind) {
    case 'timeout':
      return leftOut(
        agent,
        'timeout',
        new AgentTimeoutError(agent.name, budget).message,
        startedAt,
        finishedAt,
      );
    case 'aborted':
      return leftOut(agent, 'error', 'aborted by the caller', startedAt, finishedAt);
    case 'error':
      return leftOut(agent, 'error', message(r.error), startedAt, finishedAt);
    case 'value': {
      let s: AgentSignal;
      if (isValidatedSignal(r.value)) s = r.value;
      else {
        const p = AgentSignalSchema.safeParse(r.value);
        if (!p.success) {
          const problems = p.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          return leftOut(agent, 'invalid', problems.join('; '), startedAt, finishedAt);
        }
        s = p.data;
      }
      if (s.agent !== agent.name)
        return leftOut(agent, 'invalid', `answered as "${s.agent}"`, startedAt, finishedAt);
      // Written out rather than spread from shared fields: on Node 20 each property a literal
      // defines after a spread costs about a microsecond, and there are seven outcomes a decision.
      const ms = finishedAt - startedAt;
      return { outcome: { agent: agent.name, ms, startedAt, finishedAt, status: 'ok' }, signal: s };
    }
  }
}

/** The run of an analyst left out of the vote, and why. */
function leftOut(
  agent: Agent,
  status: AgentStatus,
  error: string,
  startedAt: number,
  finishedAt: number,
): AgentRun {
  const ms = finishedAt - startedAt;
  return { outcome: { agent: agent.name, ms, startedAt, finishedAt, status, error }, signal: null };
}

/**
 * Runs one agent to its outcome. An analyst with nothing to time and nothing that aborts it that
 * answers at once gets its run at once, without a promise (a backtest asks seven analysts a
 * decision, each answering synchronously); `runAgents` waits only for the others.
 */
function runOne(agent: Agent, input: AgentInput, opts: RunAgentsOptions): AgentRun | Promise<AgentRun> {
  const clock = opts.clock;
  const budget = opts.budgetMs ?? agent.budgetMs;
  const startedAt = clock.now();
  const outer = opts.signal === NEVER_ABORTED ? undefined : opts.signal;
  // Without a budget the analyst's signal is the caller's (or one nothing aborts): no controllers
  // to build per analyst and decision, which a backtest does seven times a decision.
  const timed = Number.isFinite(budget);

  if (!timed && outer === undefined) {
    let value: unknown;
    let later: boolean;
    try {
      value = agent.analyze(input, NEVER_ABORTED);
      // Read inside the try: a `then` that throws is the analyst's error, as a promise's would be.
      later = isThenable(value);
    } catch (error) {
      return agentRun(agent, { kind: 'error', error }, budget, startedAt, clock.now());
    }
    if (!later) return agentRun(agent, { kind: 'value', value }, budget, startedAt, clock.now());
    return Promise.resolve(value).then(
      (v) => agentRun(agent, { kind: 'value', value: v }, budget, startedAt, clock.now()),
      (error) => agentRun(agent, { kind: 'error', error }, budget, startedAt, clock.now()),
    );
  }

  const controller = timed ? new AbortController() : null;
  const timerStop = timed ? new AbortController() : null;
  const agentSignal = controller?.signal ?? outer ?? NEVER_ABORTED;
  let release = () => {};
  const outcomeOf = (r: Settled): AgentRun => {
    timerStop?.abort(SETTLED);
    release();
    return agentRun(agent, r, budget, startedAt, clock.now());
  };

  const settled = new Promise<Settled>((resolve) => {
    const onOuter = () => {
      controller?.abort(new AgentsAbortedError({ cause: outer?.reason }));
      resolve({ kind: 'aborted' });
    };
    if (outer !== undefined) {
      if (outer.aborted) {
        onOuter();
        return;
      }
      outer.addEventListener('abort', onOuter, { once: true });
      release = () => outer.removeEventListener('abort', onOuter);
      controller?.signal.addEventListener('abort', release, { once: true });
    }
    if (timerStop !== null) {
      (opts.timer ?? realTimer)(budget, timerStop.signal).then(
        () => {
          controller?.abort(new AgentTimeoutError(agent.name, budget));
          resolve({ kind: 'timeout' });
        },
        () => {},
      );
    }
    // `new Promise` turns a synchronous throw of `analyze` into a rejection.
    new Promise<unknown>((res) => res(agent.analyze(input, agentSignal))).then(
      (value) => resolve({ kind: 'value', value }),
      (error) => resolve({ kind: 'error', error }),
    );
  });

  return settled.then(outcomeOf);
}

/**
 * Runs `agents` concurrently on `input` (tier 1). Every agent is started before any result is
 * awaited; each gets its own `AbortSignal`, aborted at its budget or when `opts.signal` aborts.
 */
export async function runAgents(
  agents: readonly Agent[],
  input: AgentInput,
  opts: RunAgentsOptions,
): Promise<AgentsRun> {
  const runs = agents.map((a) => runOne(a, input, opts));
  const results = runs.some(isThenable) ? await Promise.all(runs) : (runs as AgentRun[]);
  const signals: AgentSignal[] = [];
  const outcomes: AgentOutcome[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const { outcome, signal } of results) {
    outcomes.push(outcome);
    if (signal !== null) signals.push(signal);
    first = Math.min(first, outcome.startedAt);
    last = Math.max(last, outcome.finishedAt);
    sum += outcome.ms;
  }
  return { signals, outcomes, tier1Ms: results.length > 0 ? last - first : 0, sumAgentMs: sum };
}
