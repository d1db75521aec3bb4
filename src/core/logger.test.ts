import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import {
  componentLogger,
  createLogger,
  levelEnabled,
  parseLogLevel,
  rootLogger,
  setRootLogger,
  silentLogger,
} from './logger.js';

/** A destination that keeps each JSON line as an object. */
function capture(): { lines: Record<string, unknown>[]; write(s: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (s: string) => lines.push(JSON.parse(s)) };
}

describe('createLogger', () => {
  test('writes one JSON object per line with the level name, an ISO time and the child bindings', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out });
    componentLogger('breaker', log).warn({ failures: 3 }, 'breaker open');
    log.debug('below the level');
    assert.equal(out.lines.length, 1);
    const l = out.lines[0];
    assert.equal(l.level, 'warn');
    assert.equal(l.component, 'breaker');
    assert.equal(l.failures, 3);
    assert.equal(l.msg, 'breaker open');
    assert.match(String(l.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('the root logger is silent until one is installed', () => {
    assert.equal(rootLogger(), silentLogger());
    const out = capture();
    setRootLogger(createLogger({ level: 'debug', destination: out }));
    try {
      componentLogger('cache').debug({ hits: 1 }, 'stats');
      assert.deepEqual(
        out.lines.map((l) => [l.component, l.hits]),
        [['cache', 1]],
      );
    } finally {
      setRootLogger(silentLogger());
    }
  });
});

describe('a root logger made on first use', () => {
  test('the function is called only when something logs through the root, and only once', () => {
    const out = capture();
    let made = 0;
    setRootLogger(() => {
      made++;
      return createLogger({ level: 'info', destination: out });
    });
    try {
      assert.equal(made, 0);
      componentLogger('feed').info('first');
      componentLogger('feed').info('second');
      assert.equal(made, 1);
      assert.deepEqual(
        out.lines.map((l) => l.msg),
        ['first', 'second'],
      );
    } finally {
      setRootLogger(silentLogger());
    }
  });

  test('levelEnabled follows pino: a threshold lets through its level and the more severe ones', () => {
    assert.equal(levelEnabled('warn', 'error'), true);
    assert.equal(levelEnabled('warn', 'warn'), true);
    assert.equal(levelEnabled('warn', 'info'), false);
    assert.equal(levelEnabled('trace', 'debug'), true);
    assert.equal(levelEnabled('silent', 'fatal'), false);
    assert.equal(levelEnabled('info', 'silent'), false);
  });
});

describe('parseLogLevel', () => {
  test('accepts pino levels in any case and rejects others naming the valid ones', () => {
    assert.equal(parseLogLevel('DEBUG'), 'debug');
    assert.equal(parseLogLevel('silent'), 'silent');
    assert.throws(
      () => parseLogLevel('verbose', '--log-level'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(
          e.message,
          '--log-level "verbose" is not one of fatal, error, warn, info, debug, trace, silent',
        );
        return true;
      },
    );
  });
});
