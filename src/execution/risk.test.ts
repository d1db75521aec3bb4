import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CTX, LIMITS, S } from '../../test/risk.js';
import { EconomicCalendar, InvalidOptionError, instrumentCurrencies } from '../core/index.js';
import { type RiskContext, RiskEngine } from './risk.js';

const reason = (engine: RiskEngine, side: 'buy' | 'sell', qty: number, ctx: Partial<RiskContext> = {}) =>
  engine.check(side, qty, { ...CTX, ...ctx })?.reason ?? 'ok';

describe('pre-trade risk', () => {
  test('each limit refuses with its own reason', () => {
    const r = new RiskEngine(LIMITS);
    assert.equal(reason(r, 'buy', 6), 'MAX_ORDER_SIZE');
    assert.equal(reason(r, 'buy', 5, { position: 4, grossPosition: 4 }), 'MAX_POSITION'); // 4 + 5 = 9 > 8
    assert.equal(reason(r, 'sell', 5, { position: -4, grossPosition: 4 }), 'MAX_POSITION');
    // 10 elsewhere, 0 here: 10 + 3 = 13 > 12
    assert.equal(reason(r, 'buy', 3, { grossPosition: 10 }), 'MAX_GROSS_POSITION');
    assert.equal(reason(r, 'buy', 1, { lastDataNs: 97n * S }), 'STALE_DATA'); // 3 s old
    assert.equal(reason(r, 'buy', 1, { bidPx: 1_085_000_000 }), 'CROSSED_BOOK'); // locked
    assert.equal(reason(r, 'buy', 1, { bidPx: Number.NaN }), 'CROSSED_BOOK');
    assert.equal(reason(r, 'buy', 1, { bidPx: 1_084_850_000 }), 'WIDE_SPREAD'); // 3 ticks
    assert.equal(reason(r, 'buy', 1, { bidPx: 1_084_900_000 }), 'ok'); // 2 ticks
  });

  test("a spot pair's spread is held to pips, not to a future's ticks", () => {
    // EUR/USD quoted to 0.00001 (10,000 raw): 1.08490 / 1.08502 is 12 ticks, 1.2 pips.
    const eurusd = { bidPx: 1_084_900_000, askPx: 1_085_020_000, tickRaw: 10_000, spot: true };
    assert.equal(reason(new RiskEngine(LIMITS), 'buy', 1, eurusd), 'ok', 'within the default 2 pips');
    const tight = new RiskEngine({ ...LIMITS, maxSpotSpreadPips: 1 });
    const r = tight.check('buy', 1, { ...CTX, ...eurusd });
    assert.equal(r?.reason, 'WIDE_SPREAD');
    assert.match(r?.message ?? '', /spread of 1\.2 pips over 1/);
    // The same 12 ticks on a future are refused by maxSpreadTicks (2).
    assert.equal(reason(tight, 'buy', 1, { ...eurusd, spot: false }), 'WIDE_SPREAD');
  });

  test('untrusted market data refuses new risk, quoting why; an order that reduces passes', () => {
    const r = new RiskEngine(LIMITS);
    const why = 'gap: sequence 13 after 11, expected 12';
    assert.equal(r.check('buy', 1, { ...CTX, dataUntrusted: why })?.message, `DATA_UNTRUSTED: ${why}`);
    // Long 3, selling 2: risk comes off whatever the data.
    assert.equal(reason(r, 'sell', 2, { position: 3, grossPosition: 3, dataUntrusted: why }), 'ok');
    // Long 3, selling 5 would open a short of 2: new risk.
    assert.equal(
      reason(r, 'sell', 5, { position: 3, grossPosition: 3, dataUntrusted: why }),
      'DATA_UNTRUSTED',
    );
    assert.equal(reason(r, 'buy', 1, { dataUntrusted: null }), 'ok');
  });

  test('a rejection says what and why in its message, with a stable code', () => {
    const rej = new RiskEngine(LIMITS).check('buy', 6, CTX)!;
    assert.equal(rej.code, 'RISK_REJECTED');
    assert.equal(rej.message, 'MAX_ORDER_SIZE: order of 6 over the limit of 5');
  });

  test('three orders a minute: the fourth waits until the first is a minute old; refusals do not count', () => {
    const r = new RiskEngine(LIMITS);
    for (const t of [0n, 10n, 20n])
      assert.equal(reason(r, 'buy', 1, { nowNs: (100n + t) * S, lastDataNs: (100n + t) * S }), 'ok');
    assert.equal(reason(r, 'buy', 1, { nowNs: 130n * S, lastDataNs: 130n * S }), 'ORDER_RATE');
    assert.equal(reason(r, 'buy', 9, { nowNs: 131n * S, lastDataNs: 131n * S }), 'MAX_ORDER_SIZE');
    // At 160 s the order of 100 s is exactly a minute old: it no longer counts.
    assert.equal(reason(r, 'buy', 1, { nowNs: 160n * S, lastDataNs: 160n * S }), 'ok');
  });

  test('daily loss and drawdown halt new risk for the rest of the day, not the orders that reduce it', () => {
    const loss = new RiskEngine(LIMITS);
    assert.equal(reason(loss, 'buy', 1, { dayPnl: -500 }), 'DAILY_LOSS');
    assert.equal(reason(loss, 'buy', 1, { dayPnl: 100 }), 'DAILY_LOSS', 'halted for the day');
    assert.equal(reason(loss, 'sell', 2, { position: 3, grossPosition: 3 }), 'ok', 'reducing a long');
    assert.equal(
      reason(loss, 'sell', 4, { position: 3, grossPosition: 3 }),
      'DAILY_LOSS',
      'through zero is new risk',
    );
    loss.newDay();
    assert.equal(reason(loss, 'buy', 1), 'ok');
    const dd = new RiskEngine(LIMITS);
    dd.observe(250); // the day's high
    dd.observe(-40); // 290 below it
    assert.equal(dd.halted, null);
    assert.equal(reason(dd, 'buy', 1, { dayPnl: -50 }), 'DRAWDOWN'); // 300 below
  });

  test('the kill switch stops new risk until reset; closing still passes', () => {
    const r = new RiskEngine(LIMITS);
    r.kill();
    assert.equal(reason(r, 'buy', 1), 'KILL_SWITCH');
    assert.equal(reason(r, 'buy', 2, { position: -2, grossPosition: 2 }), 'ok');
    r.newDay();
    assert.equal(reason(r, 'buy', 1), 'KILL_SWITCH', 'a new day does not clear it');
    r.reset();
    assert.equal(reason(r, 'buy', 1), 'ok');
  });

  test('a pause refuses new risk until resumed; stops, targets and closes still pass', () => {
    const r = new RiskEngine(LIMITS);
    r.pause('from the dashboard');
    assert.equal(r.paused, 'from the dashboard');
    const refused = r.check('buy', 1, CTX);
    assert.equal(refused?.reason, 'PAUSED');
    assert.match(refused?.message ?? '', /from the dashboard/);
    // Adding to a long, or reversing through flat, is new risk; selling part or all of it is not.
    assert.equal(reason(r, 'buy', 1, { position: 2, grossPosition: 2 }), 'PAUSED');
    assert.equal(reason(r, 'sell', 3, { position: 2, grossPosition: 2 }), 'PAUSED');
    assert.equal(reason(r, 'sell', 2, { position: 2, grossPosition: 2 }), 'ok');
    assert.equal(reason(r, 'buy', 1, { position: -3, grossPosition: 3 }), 'ok');
    assert.equal(r.killed, false, 'a pause is not the kill switch');
    r.resume();
    assert.equal(r.paused, null);
    assert.equal(reason(r, 'buy', 1), 'ok');
  });

  test('orders of the last minute are counted as the rate limit counts them', () => {
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 10 });
    for (const s of [10n, 40n, 69n, 71n])
      assert.equal(reason(r, 'buy', 1, { nowNs: s * S, lastDataNs: s * S }), 'ok');
    // At 130 s the last minute is (70 s, 130 s]: only the order at 71 s; at 100 s, (40 s, 100 s].
    assert.equal(r.ordersInLastMinute(130n * S), 1);
    assert.equal(r.ordersInLastMinute(100n * S), 2);
    // At 71 s, (11 s, 71 s]: 40, 69 and 71.
    assert.equal(r.ordersInLastMinute(71n * S), 3);
  });

  test('limits outside their domain are refused', () => {
    assert.throws(() => new RiskEngine({ ...LIMITS, maxOrderSize: 0 }), InvalidOptionError);
    assert.throws(() => new RiskEngine({ ...LIMITS, dailyLossLimit: -1 }), InvalidOptionError);
    assert.throws(() => new RiskEngine({ ...LIMITS, staleAfterNs: 0n }), InvalidOptionError);
  });
});

describe('windows, sessions and the toxicity veto', () => {
  /** 2024-05-08 at `hhmm` UTC, ns (a Wednesday; Chicago is UTC−5 in May). */
  const utc = (hhmm: string) => BigInt(Date.parse(`2024-05-08T${hhmm}:00Z`)) * 1_000_000n;
  const at = (hhmm: string): Partial<RiskContext> => ({ nowNs: utc(hhmm), lastDataNs: utc(hhmm) });
  const cmeBreak = { from: '15:55', to: '17:05', zone: 'America/Chicago', reason: 'the CME daily break' };

  test('a daily window in its own zone: start included, end not', () => {
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100, noTradeWindows: [cmeBreak] });
    assert.equal(reason(r, 'buy', 1, at('20:54')), 'ok'); // 15:54 CDT
    assert.equal(reason(r, 'buy', 1, at('20:55')), 'NO_TRADE_WINDOW'); // 15:55
    assert.equal(reason(r, 'buy', 1, at('22:04')), 'NO_TRADE_WINDOW'); // 17:04
    assert.equal(reason(r, 'buy', 1, at('22:05')), 'ok'); // 17:05
    assert.match(
      r.check('buy', 1, { ...CTX, ...at('21:00') })?.message ?? '',
      /the CME daily break \(15:55–17:05 America\/Chicago\)/,
    );
    // Reducing a position is never refused.
    assert.equal(reason(r, 'sell', 1, { ...at('21:00'), position: 2, grossPosition: 2 }), 'ok');
  });

  test('a window across midnight, on some weekdays only', () => {
    const night = { from: '22:00', to: '02:00', zone: 'Europe/London', days: [3], reason: 'thin hours' };
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100, noTradeWindows: [night] });
    assert.equal(reason(r, 'buy', 1, at('21:30')), 'NO_TRADE_WINDOW'); // 22:30 BST, Wednesday
    assert.equal(reason(r, 'buy', 1, at('20:30')), 'ok'); // 21:30 BST
    // Thursday 00:30 BST (Wednesday 23:30 UTC): past midnight it is Thursday, not in `days`.
    assert.equal(reason(r, 'buy', 1, at('23:30')), 'ok');
  });

  test('only the listed FX sessions take new risk', () => {
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100, sessions: ['london', 'overlap'] });
    assert.equal(reason(r, 'buy', 1, at('03:00')), 'SESSION_CLOSED'); // Tokyo hours
    assert.equal(reason(r, 'buy', 1, at('09:00')), 'ok'); // London
    assert.equal(reason(r, 'buy', 1, at('13:30')), 'ok'); // London and New York: overlap
  });

  test('the toxicity veto at or over its VPIN CDF; unknown toxicity vetoes nothing', () => {
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100, toxicityVeto: 0.95 });
    assert.equal(reason(r, 'buy', 1, { toxicity: 0.95 }), 'TOXICITY');
    assert.equal(reason(r, 'buy', 1, { toxicity: 0.949 }), 'ok');
    assert.equal(reason(r, 'buy', 1, { toxicity: Number.NaN }), 'ok');
  });

  test('a window with a bad time or zone is refused when the engine is built', () => {
    assert.throws(
      () => new RiskEngine({ ...LIMITS, noTradeWindows: [{ ...cmeBreak, from: '25:00' }] }),
      InvalidOptionError,
    );
    assert.throws(
      () => new RiskEngine({ ...LIMITS, noTradeWindows: [{ ...cmeBreak, zone: 'Mars/Olympus' }] }),
      /no-trade window zone must be an IANA time zone/,
    );
  });

  test('news blackouts: an instrument of the release’s currency, inside [ts − before, ts + after)', () => {
    const calendar = new EconomicCalendar([
      {
        tsMs: Date.parse('2024-05-08T12:30:00Z'),
        currency: 'USD',
        event: 'CPI',
        minutesBefore: 5,
        minutesAfter: 10,
      },
      {
        tsMs: Date.parse('2024-05-08T09:00:00Z'),
        currency: 'GBP',
        event: 'BoE rate',
        minutesBefore: 2,
        minutesAfter: 3,
      },
    ]);
    const r = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100, economicCalendar: calendar });
    const eur = instrumentCurrencies('6EM4');
    assert.deepEqual(eur, ['EUR', 'USD']);
    assert.equal(reason(r, 'buy', 1, { ...at('12:24'), currencies: eur }), 'ok');
    assert.equal(reason(r, 'buy', 1, { ...at('12:25'), currencies: eur }), 'NEWS_BLACKOUT');
    assert.equal(reason(r, 'buy', 1, { ...at('12:39'), currencies: eur }), 'NEWS_BLACKOUT');
    assert.equal(reason(r, 'buy', 1, { ...at('12:40'), currencies: eur }), 'ok');
    assert.match(
      r.check('buy', 1, { ...CTX, ...at('12:30'), currencies: eur })?.message ?? '',
      /^NEWS_BLACKOUT: CPI \(USD\) at 2024-05-08T12:30:00.000Z: no new risk from 5 min before to 10 min after$/,
    );
    // The BoE release concerns GBP: 6B is blacked out, 6E is not; USD/JPY is by the CPI.
    assert.equal(
      reason(r, 'buy', 1, { ...at('09:01'), currencies: instrumentCurrencies('6BM4') }),
      'NEWS_BLACKOUT',
    );
    assert.equal(reason(r, 'buy', 1, { ...at('09:01'), currencies: eur }), 'ok');
    assert.equal(
      reason(r, 'buy', 1, { ...at('12:30'), currencies: instrumentCurrencies('USD/JPY') }),
      'NEWS_BLACKOUT',
    );
    // Unknown currencies, or reducing a position: no blackout.
    assert.equal(reason(r, 'buy', 1, at('12:30')), 'ok');
    assert.equal(
      reason(r, 'sell', 1, { ...at('12:30'), currencies: eur, position: 2, grossPosition: 2 }),
      'ok',
    );
  });
});
