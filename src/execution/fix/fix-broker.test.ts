import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { FixVenue } from '../../../test/fix-venue.js';
import { venueContract } from '../../../test/venue-contract.js';
import type { ExecutionReport, VenueEvent } from '../broker.js';
import type { OrderSpec } from '../order.js';
import { FixBroker, type FixBrokerOptions } from './fix-broker.js';
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

async function _rig(
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
    port: venue.port,
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

async function _until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
const _spec = (o: Partial<OrderSpec>): OrderSpec => ({
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
