import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../core/index.js';
import { ASK, BID, Owner } from '../engine.js';
import { frontContract } from '../instruments.js';
import { InstrumentMarket, MinuteState, NS_PER_MIN, TradeTally } from '../market.js';
import { DEFAULT_PARAMS, type SimParams } from '../params.js';
import { EventPublisher } from '../publisher.js';
import { RecordEmitter } from '../records.js';
import { TruthRecorder } from '../truth.js';
import {
  InformedTraders,
  MarketMakers,
  NoiseTraders,
  type Population,
  populationsOf,
  type SimContext,
  StaleQuoteWithdrawal,
  ValueTraders,
  Walls,
} from './index.js';

/** A stream whose uniforms are given in advance; every other draw is built on them. */
class ScriptedRandom extends Random {
  readonly #queue: number[];
  constructor(uniforms: number[]) {
    super(0);
    this.#queue = uniforms;
  }
  override uniform(): number {
    const u = this.#queue.shift();
    if (u === undefined) throw new Error('no scripted draw left');
    return u;
  }
  get left(): number {
    return this.#queue.length;
  }
}

/** u with −ln(1 − u) = 1: an exponential draw of exactly its mean. */
const U_EXP_1 = 1 - Math.exp(-1);

/**
 * One 6E market whose engine starts at tick 100 (value 100.5), with a context over `rnd`. Orders
 * are added before any population acts; nothing is written (the emitter has no encoders).
 */
function setup(rnd: Random, params: Partial<SimParams> = {}) {
  const p: SimParams = { ...DEFAULT_PARAMS, ...params };
  const emitter = new RecordEmitter({ mbo: null, mbp10: null, trades: null }, 0n, 1);
  const market = new InstrumentMarket(frontContract('6E', '2026-11-24'), 100 * 50_000, emitter, { next: 1 });
  const ctx: SimContext = {
    rnd,
    p,
    minute: new MinuteState(1),
    publisher: new EventPublisher(emitter, rnd, p, undefined, false),
    tally: new TradeTally(),
    truth: new TruthRecorder(1, {}, [market], 0n),
  };
  ctx.minute.begin(0, 1, 1, 0);
  // Orders placed outside any event are not published; the emitter only needs a target.
  emitter.begin(market, 0, 0, 0);
  return { p, market, e: market.engine, ctx, emitter };
}

describe('value traders', () => {
  it('buy at the ask once the value has passed it by more than the edge', () => {
    // Value 100.5 > ask 100 + 0.25. Draws: 0.1 < 0.15 takes the event; size 1 + floor(1.5 · 1) = 2.
    const rnd = new ScriptedRandom([0.1, U_EXP_1]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 4, Owner.NOISE);
    e.add(ASK, 100, 5, Owner.NOISE);
    const value = new ValueTraders(market, ctx);
    assert.equal(value.takeEvent(1), true);
    assert.equal(e.sizeAt(100), 3);
    assert.equal(ctx.tally.volume, 2);
    assert.equal(ctx.tally.informedVolume, 0);
    assert.equal(rnd.left, 0);
  });

  it('pass when the value lies within the touch, or when their chance fails', () => {
    const rnd = new ScriptedRandom([0.1, 0.2]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 4, Owner.NOISE);
    e.add(ASK, 101, 5, Owner.NOISE);
    const value = new ValueTraders(market, ctx);
    assert.equal(value.takeEvent(1), false); // 100.5 < 101 + 0.25 and > 99 − 0.25
    market.value = 102;
    assert.equal(value.takeEvent(2), false); // 0.2 ≥ 0.15: not their event
    assert.equal(e.sizeAt(101), 5);
  });
});

describe('stale-quote withdrawals', () => {
  it('cancel the newest order of a touch the value has passed', () => {
    // Bid 99: 3 then 2 lots; value 98.6 is 0.4 below it (> 0.25).
    const rnd = new ScriptedRandom([0.1]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 3, Owner.NOISE);
    e.add(BID, 99, 2, Owner.MAKER);
    e.add(ASK, 100, 5, Owner.NOISE);
    market.value = 98.6;
    assert.equal(new StaleQuoteWithdrawal(market, ctx).takeEvent(1), true);
    assert.equal(e.sizeAt(99), 3);
  });

  it('thin the queue the value approaches but leave its last order', () => {
    // Value 99.1 is 0.1 above the bid of 99: inside the 0.25 ramp, so the chance is
    // (−0.1 + 0.25) / 0.25 = 0.6; u = 0.5 withdraws the newest 2 lots, then the single order stays.
    const rnd = new ScriptedRandom([0.1, 0.5, 0.1, 0.5]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 3, Owner.NOISE);
    e.add(BID, 99, 2, Owner.NOISE);
    e.add(ASK, 100, 5, Owner.NOISE);
    market.value = 99.1;
    const w = new StaleQuoteWithdrawal(market, ctx);
    assert.equal(w.takeEvent(1), true);
    assert.equal(e.sizeAt(99), 3);
    assert.equal(w.takeEvent(2), false);
    assert.equal(e.sizeAt(99), 3);
  });
});

describe('informed traders', () => {
  it('start an episode at a random moment of the minute and record it in the truth', () => {
    // Regime medium at activity 1: rate 0.008, u = 0.001 starts one; u = 0.7 → sell; intensity
    // 0.3 + 0.7 · 0.5 = 0.65; start 30 s into the minute; duration 3 + 7 · 1 = 10 minutes.
    const rnd = new ScriptedRandom([0.001, 0.7, 0.5, 0.5, U_EXP_1]);
    const { market, ctx } = setup(rnd);
    ctx.minute.begin(5 * NS_PER_MIN, 1, 1, 0);
    new InformedTraders(market, ctx).beginMinute();
    const ep = market.episode;
    assert.deepEqual([ep.dir, ep.intensity, ep.start], [-1, 0.65, 5.5 * NS_PER_MIN]);
    assert.ok(Math.abs(ep.end - 15.5 * NS_PER_MIN) < 1e-3 * NS_PER_MIN, `end ${ep.end}`);
    assert.deepEqual(
      ctx.truth.file.episodes.map((x) => [x.start, x.direction, x.intensity]),
      [['1970-01-01T00:05:30.000000000Z', 'sell', 0.65]],
    );
  });

  it('trade in the episode direction only while it runs', () => {
    // Intensity 1: u = 0.05 < 0.08 takes the event; u = 0.5 ≥ 0.04 is no sweep; size 1 + floor(4 · 0) = 1.
    const rnd = new ScriptedRandom([0.05, 0.5, 0]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 4, Owner.NOISE);
    e.add(ASK, 100, 5, Owner.NOISE);
    Object.assign(market.episode, { dir: 1, intensity: 1, start: 10, end: 20 });
    const informed = new InformedTraders(market, ctx);
    assert.equal(informed.takeEvent(5), false); // before the start: no draw
    assert.equal(informed.takeEvent(10), true);
    assert.equal(e.sizeAt(100), 4);
    assert.equal(ctx.tally.informedVolume, 1);
    assert.equal(informed.takeEvent(20), false); // over
    assert.equal(rnd.left, 0);
  });
});

describe('walls', () => {
  it('place a large order behind the touch and cancel it when its life is over', () => {
    // u = 0.01 < 0.02 places one; bid side; 2 + floor(0.5 · 7) = 5 ticks behind the bid;
    // 150 + floor(0.5 · 250) = 275 lots; life 8 minutes (an exponential draw of its mean). Each
    // published event draws two more (capture latency and in-delta).
    const event = [0.5, 0.5];
    const rnd = new ScriptedRandom([0.01, 0.2, 0.5, 0.5, ...event, U_EXP_1, 0.9, ...event, 0.9]);
    const { market, e, ctx } = setup(rnd);
    e.add(BID, 99, 4, Owner.NOISE);
    e.add(ASK, 100, 5, Owner.NOISE);
    const walls = new Walls(market, ctx);
    walls.beginMinute();
    assert.equal(e.sizeAt(94), 275);
    assert.equal(e.liveCount(Owner.WALL), 1);
    ctx.minute.begin(7 * NS_PER_MIN, 1, 1, 0);
    walls.beginMinute();
    assert.equal(e.sizeAt(94), 275); // 7 minutes: still there
    ctx.minute.begin(8 * NS_PER_MIN, 1, 1, 0);
    walls.beginMinute();
    assert.equal(e.sizeAt(94), 0);
    assert.equal(rnd.left, 0);
  });
});

describe('noise traders and market makers', () => {
  it('weigh noise cancels by the resting noise orders, up to twice the base share', () => {
    const { market, e, ctx } = setup(new Random(1));
    const noise = new NoiseTraders(market, ctx);
    const m = DEFAULT_PARAMS.mix;
    const base = m.limit + m.market + m.modify;
    assert.equal(noise.mixWeight(), base);
    for (let i = 0; i < 60; i++) e.add(BID, 90 - (i % 5), 1, Owner.NOISE);
    assert.equal(noise.mixWeight(), m.limit + m.cancel * 0.5 + m.market + m.modify); // 60 of a target of 120
    for (let i = 0; i < 300; i++) e.add(BID, 90 - (i % 5), 1, Owner.NOISE);
    assert.equal(noise.mixWeight(), m.limit + m.cancel * 2 + m.market + m.modify);
    assert.equal(new MarketMakers(market, ctx).mixWeight(), m.requote);
  });

  it('open with a snapshot book, then each maker quotes a tick further out', () => {
    const { market, e, ctx } = setup(new Random(3));
    new NoiseTraders(market, ctx).open(ctx.minute.slot());
    assert.equal(e.liveCount(Owner.NOISE) >= 30, true);
    // The snapshot rests on the 15 levels either side of the value 100.5: bids 100…86, asks 101…115.
    assert.deepEqual([e.bestBid, e.bestAsk, e.bidLevels, e.askLevels], [100, 101, 15, 15]);
    e.clear();
    // No flow yet (imbalance 0): centre 100.5, maker k bids 100 − k and asks 101 + k.
    new MarketMakers(market, ctx).open(0);
    assert.equal(e.liveCount(Owner.MAKER), 6);
    const top = new Float64Array(60);
    e.topLevels(3, top);
    assert.deepEqual([top[0], top[6], top[12], top[3], top[9], top[15]], [100, 99, 98, 101, 102, 103]);
    assert.equal(ctx.minute.flowStart, 4); // the snapshot's slot, then one per maker
  });
});

describe('population roles', () => {
  const { market, ctx } = setup(new Random(1));
  const pops = populationsOf(market, ctx);
  const role = (p: Population) => `${p.constructor.name}:${p.flow}`;

  it('offer events first to informed traders, withdrawals and value traders, in that order', () => {
    assert.deepEqual(pops.filter((p) => p.flow === 'first').map(role), [
      'InformedTraders:first',
      'StaleQuoteWithdrawal:first',
      'ValueTraders:first',
    ]);
    assert.deepEqual(pops.filter((p) => p.flow === 'mix').map(role), [
      'NoiseTraders:mix',
      'MarketMakers:mix',
    ]);
    assert.deepEqual(pops.filter((p) => p.flow === 'none').map(role), ['Walls:none']);
  });

  it('give a weight only to populations of the mix', () => {
    for (const p of pops) assert.equal(p.mixWeight() > 0, p.flow === 'mix', role(p));
  });
});
