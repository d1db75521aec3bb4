import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../core/index.js';
import { frontContract } from './instruments.js';
import { InstrumentMarket, MinuteState, NS_PER_MIN, TradeTally } from './market.js';
import { DEFAULT_PARAMS } from './params.js';
import { BasePopulation, type FlowRole, type SimContext } from './populations/index.js';
import { EventPublisher } from './publisher.js';
import { RecordEmitter } from './records.js';
import { Scheduler } from './scheduler.js';
import { TruthRecorder } from './truth.js';

type Call = { lane: number; who: string; what: string; t: number; u?: number };

/** A population that records what it is asked; `takes(n)` decides for the n-th event offered. */
class Recorder extends BasePopulation {
  readonly flow: FlowRole;
  #offered = 0;
  constructor(
    readonly lane: number,
    readonly who: string,
    flow: FlowRole,
    readonly log: Call[],
    readonly weight = 0,
    readonly takes: (n: number) => boolean = () => false,
  ) {
    super();
    this.flow = flow;
  }
  override open(t: number): void {
    this.log.push({ lane: this.lane, who: this.who, what: 'open', t });
  }
  override beginMinute(): void {
    this.log.push({ lane: this.lane, who: this.who, what: 'minute', t: Number.NaN });
  }
  override takeEvent(t: number): boolean {
    this.log.push({ lane: this.lane, who: this.who, what: 'offer', t });
    return this.takes(this.#offered++);
  }
  override mixWeight(): number {
    return this.weight;
  }
  override mixEvent(t: number, u: number): void {
    this.log.push({ lane: this.lane, who: this.who, what: 'mix', t, u });
  }
}

/** Runs the window [startMs, startMs + minutes) over two markets (6E, 6B) of recorders. */
function run(startMs: number, minutes: number) {
  const p = DEFAULT_PARAMS;
  const rnd = new Random(9);
  const emitter = new RecordEmitter({ mbo: null, mbp10: null, trades: null }, 0n, 1);
  const ids = { next: 1 };
  const markets = ['6E', '6B'].map(
    (pr) =>
      new InstrumentMarket(
        frontContract(pr, '2026-03-04'),
        frontContract(pr, '2026-03-04').spec.startRaw,
        emitter,
        ids,
      ),
  );
  const ctx: SimContext = {
    rnd,
    p,
    minute: new MinuteState(p.initialRegime),
    publisher: new EventPublisher(emitter, rnd, p, undefined, false),
    tally: new TradeTally(),
    truth: new TruthRecorder(9, {}, markets, 0n),
  };
  const log: Call[] = [];
  const lanes = markets.map((market, lane) => ({
    market,
    populations: [
      new Recorder(lane, 'A', 'first', log, 0, (n) => n % 3 === 0),
      new Recorder(lane, 'B', 'first', log, 0, (n) => n % 2 === 0),
      new Recorder(lane, 'X', 'mix', log, 1),
      new Recorder(lane, 'Y', 'mix', log, 3),
      new Recorder(lane, 'W', 'none', log),
    ],
  }));
  const scheduler = new Scheduler(ctx, lanes, '2026-03-04');
  scheduler.run(startMs, startMs + minutes * 60_000);
  return { log, ctx, scheduler };
}

describe('scheduler', () => {
  // 13:00 UTC on 4 March 2026: the London–New York overlap.
  const { log, ctx, scheduler } = run(Date.parse('2026-03-04T13:00:00Z'), 2);
  const offersToA = log.filter((c) => c.who === 'A' && c.what === 'offer');

  it('opens each instrument once, on consecutive slots, before its first minute step', () => {
    const opens = log.filter((c) => c.what === 'open');
    // Five populations per lane see the open; lane 0 at t = 0, lane 1 on the next slot.
    assert.deepEqual([...new Set(opens.map((c) => `${c.lane}@${c.t}`))], ['0@0', '1@1']);
    assert.ok(
      log.findIndex((c) => c.what === 'minute') > log.findIndex((c) => c.what === 'open' && c.lane === 0),
    );
    assert.equal(log.filter((c) => c.what === 'minute').length, 2 * 2 * 5); // 2 minutes × 2 lanes × 5
  });

  it('interleaves both instruments in time order within each minute', () => {
    assert.ok(offersToA.length > 1_000, `events ${offersToA.length}`);
    for (let i = 1; i < offersToA.length; i++)
      assert.ok(offersToA[i].t >= offersToA[i - 1].t, `event ${i} goes back in time`);
    assert.ok(offersToA.some((c) => c.lane === 0) && offersToA.some((c) => c.lane === 1));
    assert.ok(offersToA.every((c) => c.t > 1 && c.t < 2 * NS_PER_MIN));
  });

  it('gives each event to exactly one population: first refusals in order, then the mix', () => {
    // Walk the log event by event: A is offered every event; B only those A passed; the mix only
    // those B passed too.
    const events = log.filter((c) => c.what === 'offer' || c.what === 'mix');
    let i = 0;
    let taken = { A: 0, B: 0, X: 0, Y: 0 };
    while (i < events.length) {
      const a = events[i++];
      assert.equal(a.who, 'A');
      const next = events[i];
      if (next === undefined || next.who === 'A') {
        taken.A++;
        continue;
      }
      assert.deepEqual([next.who, next.what, next.t, next.lane], ['B', 'offer', a.t, a.lane]);
      i++;
      const after = events[i];
      if (after === undefined || after.who === 'A') {
        taken.B++;
        continue;
      }
      assert.equal(after.what, 'mix');
      assert.equal(after.t, a.t);
      taken = { ...taken, [after.who]: taken[after.who as 'X' | 'Y'] + 1 };
      i++;
    }
    // A takes every third offer (1/3); B every other one it sees (1/3 of all); the mix the rest.
    const n = offersToA.length;
    assert.ok(Math.abs(taken.A / n - 1 / 3) < 0.01, `A ${taken.A / n}`);
    assert.ok(Math.abs(taken.B / n - 1 / 3) < 0.01, `B ${taken.B / n}`);
    // Weights 1 and 3: Y gets 3/4 of the mix (binomial sd √(0.75 · 0.25 / n) ≈ 0.006 at the
    // ~5,000 events of the mix; 4 sd allowed).
    const mixed = taken.X + taken.Y;
    assert.ok(mixed > 4_000, `mix events ${mixed}`);
    assert.ok(Math.abs(taken.Y / mixed - 0.75) < 0.025, `Y ${taken.Y / mixed} of ${mixed}`);
  });

  it('hands the mix a uniform within the chosen population’s weight', () => {
    for (const c of log.filter((x) => x.what === 'mix')) {
      if (c.who === 'X') assert.ok(c.u! >= 0 && c.u! < 1, `X u ${c.u}`);
      else assert.ok(c.u! >= 0 && c.u! < 3, `Y u ${c.u}`);
    }
  });

  it('records every open minute in the truth and the spot minutes', () => {
    assert.deepEqual(
      ctx.truth.file.minutes.map((m) => [m.ts, m.session]),
      [
        ['2026-03-04T13:00:00Z', 'overlap'],
        ['2026-03-04T13:01:00Z', 'overlap'],
      ],
    );
    assert.deepEqual(
      scheduler.spotMinutes.map((m) => [m.startNs, m.endNs]),
      [
        [0, NS_PER_MIN],
        [NS_PER_MIN, 2 * NS_PER_MIN],
      ],
    );
  });

  it('skips the minutes when Globex is closed', () => {
    // 21:58–22:02 UTC in March (CST): the daily break starts at 22:00 UTC.
    const closing = run(Date.parse('2026-03-04T21:58:00Z'), 4);
    assert.deepEqual(
      closing.ctx.truth.file.minutes.map((m) => m.ts),
      ['2026-03-04T21:58:00Z', '2026-03-04T21:59:00Z'],
    );
    assert.ok(closing.log.filter((c) => c.what === 'offer').every((c) => c.t < 2 * NS_PER_MIN));
  });
});
