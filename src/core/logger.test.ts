import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import {
  componentLogger,
  createLogger,
  parseLogLevel,
  rootLogger,
  SILENT_LOGGER,
  setRootLogger,
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
    assert.equal(rootLogger(), SILENT_LOGGER);
    const out = capture();
    setRootLogger(createLogger({ level: 'debug', destination: out }));
    try {
      componentLogger('cache').debug({ hits: 1 }, 'stats');
      assert.deepEqual(
        out.lines.map((l) => [l.component, l.hits]),
        [['cache', 1]],
      );
    } finally {
      setRootLogger(SILENT_LOGGER);
    }
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
