/**
 * The live gateway's control lines as Databento documents them (INTEGRATIONS.md §2): the CRAM
 * answer, the authentication line, subscriptions split at 500 symbols with `is_last` on the last
 * line only, `snapshot=1` without `start`, and the gateway's default address.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../core/index.js';
import {
  authLine,
  checkSubscription,
  cramResponse,
  defaultGateway,
  formatGateway,
  parseControl,
  parseGateway,
  subscriptionLines,
} from './live-protocol.js';

const KEY = 'db-TestKey0000000000000ABCDE';
// Worked out with Python: hashlib.sha256(b'4f9a2c7e|db-TestKey0000000000000ABCDE').hexdigest()
const HASH = '0f5bdf2e3d1e5e67f8f54777fd4c8fcd3781db745c06b72c1e32c6dbbd43b864';

describe('live control lines', () => {
  test('the CRAM answer is sha256("challenge|key") in hex, a dash and the key’s last five characters', () => {
    assert.equal(cramResponse('4f9a2c7e', KEY), `${HASH}-ABCDE`);
  });

  test('the authentication line carries the answer, dataset, plain DBN, heartbeat and client', () => {
    assert.equal(
      authLine({
        key: KEY,
        challenge: '4f9a2c7e',
        dataset: 'GLBX.MDP3',
        heartbeatIntervalS: 30,
        client: 'scalper-engine/1.2.3',
      }),
      `auth=${HASH}-ABCDE|dataset=GLBX.MDP3|encoding=dbn|ts_out=0|compression=none|heartbeat_interval_s=30|client=scalper-engine/1.2.3\n`,
    );
    assert.match(
      authLine({
        key: KEY,
        challenge: 'x',
        dataset: 'GLBX.MDP3',
        heartbeatIntervalS: 10,
        client: 'c/1',
        slowReaderBehavior: 'skip',
      }),
      /\|heartbeat_interval_s=10\|slow_reader_behavior=skip\|client=c\/1\n$/,
    );
  });

  test('1200 symbols go in lines of 500, 500 and 200, is_last=1 on the last only', () => {
    const symbols = Array.from({ length: 1200 }, (_, i) => `S${i}`);
    const lines = subscriptionLines({ schema: 'trades', symbols, stypeIn: 'raw_symbol', start: 5n }, 3);
    assert.equal(lines.length, 3);
    const fields = lines.map((l) => parseControl(l.replace(/\n$/, '')));
    assert.deepEqual(
      fields.map((f) => f.get('symbols')?.split(',').length),
      [500, 500, 200],
    );
    assert.deepEqual(
      fields.map((f) => f.get('is_last')),
      ['0', '0', '1'],
    );
    assert.deepEqual(
      fields.map((f) => [f.get('symbols')?.split(',')[0], f.get('start'), f.get('id')]),
      [
        ['S0', '5', '3'],
        ['S500', '5', '3'],
        ['S1000', '5', '3'],
      ],
    );
    assert.ok(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
  });

  test('exactly 500 symbols are one line', () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${i}`);
    assert.equal(subscriptionLines({ schema: 'trades', symbols }, 0).length, 1);
  });

  test('a line in the documented field order; an ISO start becomes nanoseconds', () => {
    assert.deepEqual(
      subscriptionLines(
        {
          schema: 'mbp-10',
          stypeIn: 'continuous',
          symbols: ['6E.c.0', '6B.c.0'],
          start: '2024-05-08T12:00:00.5Z',
        },
        0,
      ),
      // 2024-05-08T12:00:00Z = 1715169600 s.
      [
        'schema=mbp-10|stype_in=continuous|symbols=6E.c.0,6B.c.0|start=1715169600500000000|snapshot=0|id=0|is_last=1\n',
      ],
    );
  });

  test('a snapshot subscription has snapshot=1 and no start, even when a replay start is given', () => {
    const sub = { schema: 'mbo', symbols: ['6EM4'], snapshot: true } as const;
    assert.deepEqual(subscriptionLines(sub, 1, 1234n), [
      'schema=mbo|stype_in=raw_symbol|symbols=6EM4|snapshot=1|id=1|is_last=1\n',
    ]);
  });

  test('ALL_SYMBOLS is sent as such', () => {
    assert.match(
      subscriptionLines({ schema: 'definition', symbols: 'ALL_SYMBOLS' }, 0)[0],
      /\|symbols=ALL_SYMBOLS\|/,
    );
  });

  test('subscriptions the gateway would refuse are caught before sending', () => {
    assert.throws(
      () => checkSubscription({ schema: 'mbp-10', symbols: ['6EM4'], snapshot: true }),
      ConfigError,
    );
    assert.throws(
      () => checkSubscription({ schema: 'mbo', symbols: ['6EM4'], snapshot: true, start: 1n }),
      /snapshot replaces start/,
    );
    assert.throws(() => checkSubscription({ schema: 'mbo', symbols: [] }), /no symbols/);
    assert.throws(() => checkSubscription({ schema: 'mbo', symbols: ['6E|M4'] }), /"6E\|M4"/);
    assert.throws(
      () => checkSubscription({ schema: 'mbo', symbols: ['6EM4'], start: 'yesterday' }),
      ConfigError,
    );
  });

  test('the default gateway is the dataset, lower case, dots as dashes, on port 13000', () => {
    assert.deepEqual(defaultGateway('GLBX.MDP3'), { host: 'glbx-mdp3.lsg.databento.com', port: 13000 });
    assert.deepEqual(defaultGateway('XNAS.ITCH'), { host: 'xnas-itch.lsg.databento.com', port: 13000 });
  });

  test('gateway addresses: host:port, bare host, IPv6 in brackets; nonsense refused', () => {
    assert.deepEqual(parseGateway('127.0.0.1:4000'), { host: '127.0.0.1', port: 4000 });
    assert.deepEqual(parseGateway('gw.example'), { host: 'gw.example', port: 13000 });
    assert.deepEqual(parseGateway('[::1]:4000'), { host: '::1', port: 4000 });
    assert.equal(formatGateway({ host: '::1', port: 4000 }), '[::1]:4000');
    assert.throws(() => parseGateway('host:99999'), ConfigError);
    assert.throws(() => parseGateway('a:b:c'), /not host:port/);
  });

  test('control lines split into fields; a value may hold "="', () => {
    const f = parseControl('success=0|error=bad key=value');
    assert.deepEqual(
      [...f],
      [
        ['success', '0'],
        ['error', 'bad key=value'],
      ],
    );
  });
});
