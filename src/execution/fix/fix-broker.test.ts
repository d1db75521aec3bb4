import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { FixVenue, tagOf, tagsOf } from '../../../test/fix-venue.js';
import { until } from '../../../test/until.js';
import { venueContract } from '../../../test/venue-contract.js';
import type { ExecutionReport, VenueEvent } from '../broker.js';
import { executionConfig } from '../config.js';
import type { OrderSpec } from '../order.js';
import { carryOut, describeMismatches, reconcile, reconciliationPlan } from '../reconcile.js';
import { FixBroker, type FixBrokerOptions } from './fix-broker.js';
import { fixBrokerOptions } from './options.js';
import { type FixInstrument, fixPrice, rawPrice } from './wire.js';

/** 6E March 2026 (instrument id as in Databento's definitions), tick 0.00005 = 50,000 raw. */
const SIXE: FixInstrument = {
  instrumentId: 42140878,
  tickRaw: 50_000,
  symbology: { kind: 'symbol', symbol: '6E', maturityMonthYear: '202603', securityExchange: 'XCME' },
};
/** 6E 1.08505 = 1_085_050_000 raw units (1e-9). */
const PRICE = 1_085_050_000;

interface Rig {
  readonly venue: FixVenue;
  readonly broker: FixBroker;
  readonly dir: string;
  readonly reports: ExecutionReport[];
  readonly events: VenueEvent[];
}

const open: Rig[] = [];

async function rig(
  opts: Partial<FixBrokerOptions> = {},
  instruments: readonly FixInstrument[] = [SIXE],
  dir = mkdtempSync(join(tmpdir(), 'fix-broker-')),
): Promise<Rig> {
  const venue = await FixVenue.start({
    compId: 'VENUE',
    brokerCompId: 'SCALPER',
    heartbeatSeconds: 1,
    instruments,
  });
  await venue.harness.quote(PRICE - 50_000, PRICE + 50_000);
  const broker = brokerAt(venue, dir, instruments, opts);
  const r: Rig = { venue, broker, dir, reports: [], events: [] };
  broker.onReport((x) => r.reports.push(x));
  broker.onVenueEvent((e) => r.events.push(e));
  open.push(r);
  return r;
}

function brokerAt(
  venue: FixVenue,
  dir: string,
  instruments: readonly FixInstrument[],
  opts: Partial<FixBrokerOptions> = {},
): FixBroker {
  return new FixBroker({
    host: '127.0.0.1',
    port: opts.port ?? venue.port,
    senderCompId: 'SCALPER',
    targetCompId: 'VENUE',
    heartbeatSeconds: 1,
    account: 'ACC-7',
    storeDirectory: dir,
    instruments,
    reconnect: { initialMs: 50, maxMs: 400, factor: 2 },
    timeoutMs: 3_000,
    ...opts,
  });
}

/** The problem events' messages, one a line. */
function problems(r: Rig): string {
  return r.events.map((e) => (e.kind === 'problem' ? e.message : '')).join('\n');
}

afterEach(async () => {
  for (const r of open.splice(0)) {
    await r.broker.close();
    await r.venue.close();
    rmSync(r.dir, { recursive: true, force: true });
  }
});

venueContract('FIX 4.4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fix-contract-'));
  const venue = await FixVenue.start({
    compId: 'VENUE',
    brokerCompId: 'SCALPER',
    heartbeatSeconds: 1,
    instruments: [SIXE],
  });
  return {
    broker: brokerAt(venue, dir, [SIXE]),
    venue: venue.harness,
    instrumentId: SIXE.instrumentId,
    tickRaw: SIXE.tickRaw,
    price: PRICE,
    quantity: 1,
    partialFills: true,
    replace: true,
    close: async () => {
      await venue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let n = 0;
const spec = (o: Partial<OrderSpec>): OrderSpec => ({
  clientId: `fx${++n}`,
  instrumentId: SIXE.instrumentId,
  side: 'buy',
  type: 'limit',
  quantity: 2,
  tif: 'GTC',
  ...o,
});

describe('FIX prices', () => {
  test('raw units to the shortest exact decimal and back', () => {
    // 6E 1.08505: 1 whole unit and 85,050,000 of 1e9.
    assert.equal(fixPrice(1_085_050_000), '1.08505');
    assert.equal(rawPrice('1.08505'), 1_085_050_000);
    // 6J 0.0066155 (tick 0.0000005 = 500 raw).
    assert.equal(fixPrice(6_615_500), '0.0066155');
    assert.equal(rawPrice('0.0066155'), 6_615_500);
    assert.equal(fixPrice(2_000_000_000), '2');
    assert.equal(fixPrice(1), '0.000000001');
    assert.equal(rawPrice('1.0850500000'), null, 'ten decimals are finer than 1e-9');
    assert.equal(rawPrice('1,08505'), null);
    assert.equal(rawPrice('abc'), null);
  });
});

describe('FixBroker', () => {
  test('a NewOrderSingle for a CME future names it by Symbol, MaturityMonthYear and SecurityExchange', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(
      spec({ side: 'buy', type: 'limit', quantity: 2, limitPx: PRICE, tif: 'GTC' }),
      0n,
    );
    await until(() => order.status === 'accepted', 'the ack');
    const [d] = r.venue.messages('D');
    const tags = new Map(tagsOf(d.text));
    assert.equal(tags.get(35), 'D');
    assert.equal(tags.get(11), order.clientId);
    assert.equal(tags.get(1), 'ACC-7');
    assert.equal(tags.get(55), '6E');
    assert.equal(tags.get(200), '202603');
    assert.equal(tags.get(207), 'XCME');
    assert.equal(tags.has(48), false);
    assert.equal(tags.has(22), false);
    assert.equal(tags.get(54), '1', 'buy');
    assert.equal(tags.get(38), '2');
    assert.equal(tags.get(40), '2', 'limit');
    assert.equal(tags.get(44), '1.08505');
    assert.equal(tags.has(99), false);
    assert.equal(tags.get(59), '1', 'GTC');
    assert.match(tags.get(60) ?? '', /^\d{8}-\d{2}:\d{2}:\d{2}\.\d{3}$/, 'TransactTime in UTC');
    assert.equal(tags.get(49), 'SCALPER');
    assert.equal(tags.get(56), 'VENUE');
    const logon = new Map(tagsOf(r.venue.messages('A')[0].text));
    assert.equal(logon.get(108), '1', 'HeartBtInt');
    assert.equal(logon.get(98), '0', 'EncryptMethod none');
    assert.equal(logon.get(141), 'N', 'sequence numbers kept, not reset');
  });

  test('a NewOrderSingle names a future by SecurityID and SecurityIDSource when the counterparty wants that', async () => {
    const byId: FixInstrument = {
      instrumentId: 42140878,
      tickRaw: 50_000,
      symbology: { kind: 'security-id', securityId: '42140878', securityIdSource: '8' },
    };
    const r = await rig({}, [byId]);
    await r.broker.connect();
    // Stop-limit sell: limit 1.08490 (1_084_900_000), stop 1.08495 (1_084_950_000), DAY.
    const order = r.broker.submit(
      spec({
        side: 'sell',
        type: 'stop-limit',
        quantity: 3,
        limitPx: 1_084_900_000,
        stopPx: 1_084_950_000,
        tif: 'DAY',
      }),
      0n,
    );
    await until(() => order.status === 'accepted', 'the ack');
    const tags = new Map(tagsOf(r.venue.messages('D')[0].text));
    assert.equal(tags.get(48), '42140878');
    assert.equal(tags.get(22), '8');
    for (const absent of [55, 200, 207]) assert.equal(tags.has(absent), false, `tag ${absent}`);
    assert.equal(tags.get(54), '2', 'sell');
    assert.equal(tags.get(38), '3');
    assert.equal(tags.get(40), '4', 'stop-limit');
    assert.equal(tags.get(44), '1.0849');
    assert.equal(tags.get(99), '1.08495');
    assert.equal(tags.get(59), '0', 'DAY');
  });

  test('a post-only GTT limit goes out as GTD with its ExpireTime and ExecInst 6', async () => {
    const r = await rig();
    await r.broker.connect();
    // 2026-03-13 15:00:00 UTC = 1_773_414_000 s since the epoch.
    const expireAtNs = 1_773_414_000n * 1_000_000_000n;
    const order = r.broker.submit(
      spec({ limitPx: PRICE - 100_000, tif: 'GTT', expireAtNs, postOnly: true }),
      0n,
    );
    await until(() => order.status === 'accepted', 'the ack');
    const tags = new Map(tagsOf(r.venue.messages('D')[0].text));
    assert.equal(tags.get(59), '6', 'good till date');
    assert.equal(tags.get(126), '20260313-15:00:00.000');
    assert.equal(tags.get(18), '6', 'participate, do not initiate');
  });

  test('a fill at "1.08505" is booked at 1_085_050_000 raw units', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.venue.fill(order.clientId, 2, PRICE);
    await until(() => order.status === 'filled', 'the fill');
    const er = r.venue.sent().find((m) => m.body.ExecType === 'F');
    assert.equal(er?.body.LastPx, '1.08505');
    const fill = r.reports.find((x) => x.kind === 'fill');
    assert.equal(fill?.price, 1_085_050_000);
    assert.equal(fill?.quantity, 2);
  });

  test('sequence numbers survive a restart: a new broker on the same store logs on with the next number', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    await r.broker.close();
    const first = r.venue.received.filter((m) => tagOf(m.text, 49) === 'SCALPER');
    const lastSeq = Number(tagOf(first[first.length - 1].text, 34));
    // Logon, NewOrderSingle and Logout at least: the last of them is numbered 3 or more.
    assert.ok(lastSeq >= 3, `last sequence number ${lastSeq}`);
    await until(() => !r.venue.connected, 'the venue to see the logout');

    const again = brokerAt(r.venue, r.dir, [SIXE]);
    open.push({ ...r, broker: again });
    const seen = r.venue.received.length;
    await again.connect();
    const logon = r.venue.received.slice(seen).find((m) => m.msgType === 'A');
    assert.equal(Number(tagOf(logon?.text ?? '', 34)), lastSeq + 1);
    assert.equal(tagOf(logon?.text ?? '', 141) ?? 'N', 'N', 'no sequence reset');
    // The venue's numbers carried on too: nothing was asked again, and trading goes on.
    const next = again.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => next.status === 'accepted', 'the ack after the restart');
    assert.deepEqual(r.venue.messages('2'), []);
  });

  test('a fill made while the link is down arrives by resend (PossDupFlag=Y) and is booked once', async () => {
    const r = await rig({ reconnect: { initialMs: 300, maxMs: 300, factor: 1 } });
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    const expected = r.venue.nextSeqNum;
    await r.venue.drop();
    await until(() => r.events.some((e) => e.kind === 'disconnected'), 'the disconnect');
    r.venue.fill(order.clientId, 2, PRICE - 100_000);
    await until(() => order.status === 'filled', 'the fill after reconnecting');
    const [resend] = r.venue.messages('2');
    assert.equal(Number(tagOf(resend.text, 7)), expected, 'BeginSeqNo: the first number the broker missed');
    assert.equal(tagOf(resend.text, 16), '0', 'EndSeqNo 0: to the end');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(r.reports.filter((x) => x.kind === 'fill').length, 1);
  });

  test('an execution report replayed with PossDupFlag=Y and the same ExecID books one fill', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ quantity: 3, limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.venue.fill(order.clientId, 1, PRICE - 100_000);
    await until(() => order.status === 'partially-filled', 'the first fill');
    const fill = r.venue.sent().find((m) => m.body.ExecType === 'F');
    r.venue.replay(fill?.seq as number);
    r.venue.fill(order.clientId, 2, PRICE - 100_000);
    await until(() => order.status === 'filled', 'the second fill');
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(
      r.reports.filter((x) => x.kind === 'fill').map((x) => x.quantity),
      [1, 2],
    );
    assert.equal(order.filledQuantity, 3);
    assert.deepEqual(
      r.events.filter((e) => e.kind === 'problem'),
      [],
    );
  });

  test('an execution report for an unknown ClOrdID is a problem and a session Reject, and the session goes on', async () => {
    const r = await rig();
    await r.broker.connect();
    const seq = r.venue.nextSeqNum;
    r.venue.send('8', {
      OrderID: 'X1',
      ClOrdID: 'nobody',
      ExecID: 'EX-1',
      ExecType: 'F',
      OrdStatus: '2',
      Instrument: { Symbol: '6E', MaturityMonthYear: '202603', SecurityExchange: 'XCME' },
      Side: '1',
      LeavesQty: 0,
      CumQty: 1,
      AvgPx: '1.08505',
      LastQty: 1,
      LastPx: '1.08505',
    });
    await until(() => r.venue.messages('3').length > 0, 'a Reject');
    const reject = new Map(tagsOf(r.venue.messages('3')[0].text));
    assert.equal(Number(reject.get(45)), seq, 'RefSeqNum: the report');
    assert.equal(reject.get(371), '11', 'RefTagID: ClOrdID');
    assert.equal(reject.get(372), '8');
    assert.equal(reject.get(373), '5', 'value is incorrect');
    assert.match(problems(r), /ClOrdID "nobody"/);
    assert.equal(r.broker.connected, true);
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'an order after the problem');
    assert.deepEqual(
      r.reports.filter((x) => x.kind === 'fill'),
      [],
    );
  });

  test('a malformed LastQty is answered with a Reject naming tag 32', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.venue.hostile();
    await until(() => r.venue.messages('3').length > 0, 'a Reject');
    const reject = new Map(tagsOf(r.venue.messages('3')[0].text));
    assert.equal(reject.get(371), '32');
    assert.equal(reject.get(373), '6', 'incorrect data format');
    assert.equal(order.status, 'accepted');
    assert.equal(order.filledQuantity, 0);
  });

  test("a refused logon rejects connect() with the venue's text, and nothing reconnects", async () => {
    const r = await rig();
    r.venue.refuseLogons('account ACC-7 is suspended');
    await assert.rejects(r.broker.connect(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'FIX_LOGON_REFUSED');
      assert.match(e.message, /account ACC-7 is suspended/);
      return true;
    });
    const logons = r.venue.messages('A').length;
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(r.venue.messages('A').length, logons);
  });

  test('connect() rejects at once when nothing listens at the address', async () => {
    const r = await rig();
    const port = r.venue.port;
    await r.venue.close();
    const broker = brokerAt(r.venue, r.dir, [SIXE], { port });
    await assert.rejects(broker.connect(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'FIX_CONNECT');
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      return true;
    });
    await broker.close();
  });
});

describe('FIX configuration', () => {
  const section = {
    host: 'fix.example-fcm.com',
    port: 9878,
    senderCompId: 'SCALPER',
    targetCompId: 'FCM',
    account: 'ACC-7',
    symbology: {
      '42140878': { kind: 'symbol', symbol: '6E', maturityMonthYear: '202603', securityExchange: 'XCME' },
      '42001620': { kind: 'security-id', securityId: '42001620', securityIdSource: '8' },
    },
  } as const;

  test('a configuration without a fix section is as before; a fix section gets its defaults', () => {
    assert.equal(executionConfig().fix, undefined);
    const fix = executionConfig({ fix: section }).fix;
    assert.equal(fix?.heartbeatSeconds, 30);
    assert.equal(fix?.storeDirectory, 'var/fix');
    assert.deepEqual(fix?.reconnect, { initialMs: 500, maxMs: 30_000, factor: 2 });
    assert.equal(fix?.timeoutMs, 10_000);
    assert.equal(fix?.username, undefined);
  });

  test('a bad fix section names each bad field', () => {
    assert.throws(
      () =>
        executionConfig({
          fix: {
            ...section,
            port: 70_000,
            symbology: {
              '42140878': {
                kind: 'symbol',
                symbol: '6E',
                maturityMonthYear: 'March',
                securityExchange: 'XCME',
              },
              '6E': { kind: 'security-id', securityId: '42140878', securityIdSource: '8' },
            },
          },
        }),
      (e: Error) => {
        assert.match(e.message, /fix\.port/);
        assert.match(e.message, /fix\.symbology\.42140878\.maturityMonthYear/);
        assert.match(e.message, /fix\.symbology\.6E/);
        return true;
      },
    );
  });

  test('broker options take ticks from the definitions and refuse an instrument without one', () => {
    const fix = executionConfig({ fix: section }).fix;
    assert.ok(fix !== undefined);
    // 6E outright tick 0.00005 = 50,000 raw; M6E 0.0001 = 100,000.
    const ticks = new Map([
      [42140878, 50_000],
      [42001620, 100_000],
    ]);
    const o = fixBrokerOptions(fix, (id) => ticks.get(id));
    assert.deepEqual(
      o.instruments.map((i) => [i.instrumentId, i.tickRaw, i.symbology.kind]),
      [
        [42001620, 100_000, 'security-id'],
        [42140878, 50_000, 'symbol'],
      ],
    );
    assert.throws(() => fixBrokerOptions(fix, (id) => (id === 42140878 ? 50_000 : undefined)), /42001620/);
    // The logon password: never from a file, from SCALPER_FIX_PASSWORD.
    assert.equal(o.password, undefined);
    const withEnv = fixBrokerOptions(fix, (id) => ticks.get(id), {}, { SCALPER_FIX_PASSWORD: 'pw-7' });
    assert.equal(withEnv.password, 'pw-7');
  });
});

describe('FixBroker on a bad link', () => {
  test('a message with a wrong CheckSum is ignored and comes again by resend; the fill is booked once', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ quantity: 2, limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.venue.garbleNext();
    r.venue.fill(order.clientId, 1, PRICE - 100_000);
    r.venue.fill(order.clientId, 1, PRICE - 150_000);
    await until(() => order.status === 'filled', 'both fills');
    assert.match(problems(r), /failed its CheckSum/);
    assert.equal(r.venue.messages('2').length, 1, 'one ResendRequest');
    await new Promise((res) => setTimeout(res, 100));
    // One lot at L − 2 ticks and one at L − 3 ticks (tick 50,000), in whichever order they were booked.
    assert.deepEqual(
      r.reports
        .filter((x) => x.kind === 'fill')
        .map((x) => x.price)
        .sort(),
      [PRICE - 150_000, PRICE - 100_000],
    );
  });

  test('a venue gone silent gets a TestRequest, then the link is dropped, and the broker reconnects', async () => {
    const r = await rig();
    await r.broker.connect();
    r.venue.mute();
    // HeartBtInt 1 s: a TestRequest after 1.5 s without a word from the venue, the link dropped
    // after 2.5 s (jspurefix's rule, checked every 200 ms).
    await until(
      () => r.events.some((e) => e.kind === 'disconnected'),
      'the broker to give up on the link',
      10_000,
    );
    assert.ok(r.venue.messages('1').length >= 1, 'a TestRequest came before the drop');
    assert.ok(r.venue.messages('0').length >= 1, 'the broker heartbeats while it hears nothing');
    await until(() => r.events.filter((e) => e.kind === 'connected').length >= 2, 'the reconnect');
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'an order on the new link');
  });
});

describe('FixBroker session details', () => {
  test('a sequence file that is not readable fails connect() naming the file', async () => {
    const r = await rig();
    writeFileSync(join(r.dir, 'FIX.4.4-SCALPER-VENUE.seqnums.json'), '{"sender": "three"}');
    await assert.rejects(r.broker.connect(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'FIX_STORE');
      assert.match(e.message, /FIX\.4\.4-SCALPER-VENUE\.seqnums\.json/);
      assert.match(e.message, /"sender"/);
      return true;
    });
    assert.deepEqual(r.venue.messages('A'), [], 'nothing was sent');
  });

  test('a logon refused on reconnecting is a problem, and the broker keeps trying until it is let in', async () => {
    const r = await rig();
    await r.broker.connect();
    r.venue.refuseLogons('maintenance until 17:00 CT');
    await r.venue.drop();
    await until(
      () => r.events.some((e) => e.kind === 'problem' && /maintenance until 17:00 CT/.test(e.message)),
      'the refusal',
    );
    assert.equal(r.broker.connected, false);
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    assert.equal(order.status, 'rejected');
    assert.match(order.history.at(-1)?.reason ?? '', /NOT_CONNECTED/);
    r.venue.refuseLogons(null);
    await until(() => r.events.filter((e) => e.kind === 'connected').length >= 2, 'the reconnect');
    assert.equal(r.broker.connected, true);
  });

  test('the sequence file holds the next numbers each way after a session', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    await r.broker.close();
    const ours = r.venue.received.filter((m) => tagOf(m.text, 49) === 'SCALPER');
    const lastSent = Number(tagOf(ours[ours.length - 1].text, 34));
    const file = JSON.parse(readFileSync(join(r.dir, 'FIX.4.4-SCALPER-VENUE.seqnums.json'), 'utf8')) as {
      sender: number;
      target: number;
    };
    assert.equal(file.sender, lastSent + 1);
    // The venue numbered its messages from 1; the next it sends is the next we expect.
    assert.equal(file.target, r.venue.nextSeqNum);
  });
});

describe('FixBroker messages', () => {
  test('a fill with no New before it acknowledges the order first, then fills it', async () => {
    const r = await rig();
    await r.broker.connect();
    r.venue.ignoreNextOrder();
    const order = r.broker.submit(spec({ type: 'market', tif: 'IOC', limitPx: undefined, quantity: 1 }), 0n);
    await until(() => r.venue.messages('D').length === 1, 'the order to arrive');
    r.venue.send('8', {
      OrderID: 'O77',
      ClOrdID: order.clientId,
      ExecID: 'E-only-fill',
      ExecType: 'F',
      OrdStatus: '2',
      Instrument: { Symbol: '6E', MaturityMonthYear: '202603', SecurityExchange: 'XCME' },
      Side: '1',
      LeavesQty: 0,
      CumQty: 1,
      AvgPx: '1.0851',
      LastQty: 1,
      LastPx: '1.0851',
    });
    await until(() => order.status === 'filled', 'the fill');
    assert.deepEqual(
      r.reports.map((x) => [x.kind, x.price]),
      [
        ['ack', undefined],
        ['fill', 1_085_100_000],
      ],
    );
    assert.equal(problems(r), '');
  });

  test('an order the venue expires (ExecType C) is reported expired with its text', async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000, tif: 'DAY' }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.venue.send('8', {
      OrderID: 'O1',
      ClOrdID: order.clientId,
      ExecID: 'E-expired',
      ExecType: 'C',
      OrdStatus: 'C',
      Instrument: { Symbol: '6E', MaturityMonthYear: '202603', SecurityExchange: 'XCME' },
      Side: '1',
      LeavesQty: 0,
      CumQty: 0,
      AvgPx: 0,
      Text: 'day order expired at the close',
    });
    await until(() => order.status === 'expired', 'the expiry');
    const expired = r.reports.find((x) => x.kind === 'expired');
    assert.equal(expired?.reason, 'day order expired at the close');
  });

  test("positions the venue will not give: venueState() rejects at once with the venue's text", async () => {
    // Unanswered, it would fail with FIX_TIMEOUT after 30 s; refused, it fails with FIX_REQUEST.
    const r = await rig({ timeoutMs: 30_000 });
    await r.broker.connect();
    r.venue.refusePositions('positions are not served on this gateway');
    await assert.rejects(r.broker.venueState(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'FIX_REQUEST');
      assert.match(e.message, /positions are not served on this gateway/);
      return true;
    });
  });

  test("a session Reject of our NewOrderSingle rejects the order with the venue's text", async () => {
    const r = await rig();
    await r.broker.connect();
    r.venue.ignoreNextOrder();
    const order = r.broker.submit(spec({ limitPx: PRICE - 100_000 }), 0n);
    await until(() => r.venue.messages('D').length === 1, 'the order to arrive');
    const seq = Number(tagOf(r.venue.messages('D')[0].text, 34));
    r.venue.send('3', {
      RefSeqNum: seq,
      RefMsgType: 'D',
      SessionRejectReason: 1,
      Text: 'Required tag missing: 60',
    });
    await until(() => order.status === 'rejected', 'the rejection');
    assert.match(order.history.at(-1)?.reason ?? '', /our MsgSeqNum \d+: Required tag missing: 60/);
  });

  test("what the broker sends passes the venue's FIX 4.4 dictionary checks: no Reject comes back", async () => {
    const r = await rig();
    await r.broker.connect();
    const order = r.broker.submit(spec({ limitPx: PRICE - 200_000 }), 0n);
    await until(() => order.status === 'accepted', 'the ack');
    r.broker.replace(order.clientId, { limitPx: PRICE - 150_000, quantity: 3 }, 0n);
    await until(() => r.reports.some((x) => x.kind === 'replaced'), 'the replace');
    const state = await r.broker.venueState();
    assert.deepEqual(state.orders, [
      {
        clientId: order.clientId,
        venueId: 'O1',
        instrumentId: SIXE.instrumentId,
        side: 'buy',
        type: 'limit',
        quantity: 3,
        limitPx: PRICE - 150_000,
      },
    ]);
    r.broker.cancel(order.clientId, 0n);
    await until(() => order.status === 'cancelled', 'the cancel');
    const [g] = r.venue.messages('G');
    assert.equal(tagOf(g.text, 41), order.clientId, 'OrigClOrdID: the order as the venue knows it');
    // 1.08505 − 3 ticks of 0.00005 = 1.08490, trailing zero dropped.
    assert.equal(tagOf(g.text, 44), '1.0849');
    assert.equal(tagOf(g.text, 38), '3');
    const [f] = r.venue.messages('F');
    assert.equal(tagOf(f.text, 41), tagOf(g.text, 11), 'the cancel names the order by its replaced ClOrdID');
    assert.notEqual(tagOf(f.text, 11), tagOf(g.text, 11));
    assert.equal(tagOf(f.text, 37), 'O1', "the venue's OrderID once known");
    assert.deepEqual(
      r.events.filter((e) => e.kind === 'problem'),
      [],
    );
  });
});

describe('reconciliation after a restart', () => {
  /**
   * The first session buys 3 at the market (the venue's ask, PRICE + 1 tick) and leaves a target
   * (sell 3 @ PRICE + 4 ticks) and a bid (buy 1 @ PRICE − 4 ticks) working; a new process on the
   * same store holds nothing of it. The venue still has it all.
   */
  async function leftovers(): Promise<{ r: Rig; again: FixBroker; target: string; bid: string }> {
    const r = await rig();
    await r.broker.connect();
    const buy = r.broker.submit(spec({ type: 'market', quantity: 3, tif: 'IOC' }), 0n);
    await until(() => buy.status === 'filled', 'the buy');
    const target = r.broker.submit(spec({ side: 'sell', quantity: 3, limitPx: PRICE + 200_000 }), 0n);
    const bid = r.broker.submit(spec({ quantity: 1, limitPx: PRICE - 200_000 }), 0n);
    await until(() => target.status === 'accepted' && bid.status === 'accepted', 'the acks');
    await r.broker.close();
    await until(() => !r.venue.connected, 'the venue to see the logout');
    const again = brokerAt(r.venue, r.dir, [SIXE]);
    open.push({ ...r, broker: again });
    await again.connect();
    return { r, again, target: target.clientId, bid: bid.clientId };
  }

  test("the venue's position and orders are named against an empty book of ours", async () => {
    const { again, target, bid } = await leftovers();
    const theirs = await again.venueState();
    const result = reconcile({ positions: [], orders: [] }, theirs);
    assert.deepEqual(
      describeMismatches(
        result,
        () => '6EH6',
        (raw) => (raw / 1e9).toFixed(5),
      ),
      [
        '6EH6: position ours 0, venue +3',
        `6EH6: order ${target} (sell 3 limit 1.08525) at the venue, not ours`,
        `6EH6: order ${bid} (buy 1 limit 1.08485) at the venue, not ours`,
      ],
    );
  });

  test('flatten cancels both leftover orders and sells the 3 at the bid: the venue is left flat', async () => {
    const { r, again } = await leftovers();
    const theirs = await again.venueState();
    const plan = reconciliationPlan(reconcile({ positions: [], orders: [] }, theirs), theirs, 'flatten');
    let k = 0;
    const done = carryOut(plan, again, 0n, () => `flat-${++k}`);
    assert.equal(done.trading, true);
    assert.equal(done.cancelling.length, 2);
    assert.equal(done.closing.length, 1);
    await until(
      () => done.cancelling.every((o) => o.status === 'cancelled') && done.closing[0].status === 'filled',
      'the cancels and the close',
    );
    // Sold at the venue's bid, one tick under PRICE.
    assert.equal(done.closing[0].averagePx, PRICE - 50_000);
    const after = await again.venueState();
    assert.deepEqual(after.orders, []);
    assert.deepEqual(
      after.positions.filter((p) => p.quantity !== 0),
      [],
    );
    // Each cancel named the venue's order by the ClOrdID it was sent with.
    const cancels = r.venue.messages('F').map((m) => tagOf(m.text, 41));
    assert.deepEqual(cancels.sort(), theirs.orders.map((o) => o.clientId as string).sort());
  });

  test('wait holds trading; adopt takes the orders on so that they can be cancelled later', async () => {
    const { again, bid } = await leftovers();
    const theirs = await again.venueState();
    const result = reconcile({ positions: [], orders: [] }, theirs);
    assert.deepEqual(
      carryOut(reconciliationPlan(result, theirs, 'wait'), again, 0n, () => 'x'),
      {
        trading: false,
        held: '3 differences with the venue: waiting for a decision',
        closing: [],
        cancelling: [],
        adopted: [],
        forgotten: [],
        positions: [],
      },
    );
    const adopted = carryOut(reconciliationPlan(result, theirs, 'adopt'), again, 0n, () => 'x');
    assert.deepEqual(adopted.positions, [{ instrumentId: SIXE.instrumentId, quantity: 3 }]);
    assert.deepEqual(
      adopted.adopted.map((o) => [o.clientId, o.status, o.leavesQuantity]),
      theirs.orders.map((o) => [o.clientId, 'accepted', o.quantity]),
    );
    again.cancel(bid, 0n);
    const order = again.order(bid);
    await until(() => order?.status === 'cancelled', 'the adopted bid to be cancelled');
    const left = await again.venueState();
    assert.equal(left.orders.length, 1);
  });
});
