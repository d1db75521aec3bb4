import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, EngineError, InvalidOptionError } from './errors.js';
import {
  requireFinite,
  requireIntInRange,
  requireNonEmpty,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
  requireSteps,
} from './validate.js';

/** Asserts that `fn` throws an InvalidOptionError for `option` with exactly `message`. */
function rejects(fn: () => unknown, option: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError && e instanceof ConfigError && e instanceof EngineError);
    assert.equal(e.code, 'CONFIG');
    assert.equal(e.option, option);
    assert.equal(e.message, message);
    return true;
  });
}

describe('validate', () => {
  test('each helper returns the value it accepts', () => {
    assert.equal(requirePositive('x', 0.5), 0.5);
    assert.equal(requirePositiveInt('n', 3), 3);
    assert.equal(requireFinite('t', -2), -2);
    assert.equal(requireIntInRange('levels', 10, 1, 255), 10);
    assert.equal(requireOneOf('flow', 'sqrt', ['linear', 'sqrt']), 'sqrt');
    assert.deepEqual(requireNonEmpty('windows', [1]), [1]);
    // 60,000 ms of 5,000 ms steps is 12 steps; 0 of 100 ms is allowed when min is 0.
    assert.equal(requireSteps('windowMs', 60_000, 5_000), 12);
    assert.equal(requireSteps('maxLagMs', 0, 100, 0), 0);
  });

  test('each helper names the option and quotes the value it rejects', () => {
    rejects(
      () => requirePositive('bucketVolume', 0),
      'bucketVolume',
      'bucketVolume must be a positive number, got 0',
    );
    rejects(
      () => requirePositive('tick', Number.POSITIVE_INFINITY),
      'tick',
      'tick must be a positive number, got Infinity',
    );
    rejects(() => requirePositiveInt('period', 1.5), 'period', 'period must be a positive integer, got 1.5');
    rejects(
      () => requireFinite('threshold', Number.NaN),
      'threshold',
      'threshold must be a finite number, got NaN',
    );
    rejects(
      () => requireIntInRange('minPoints', 2, 3, 60),
      'minPoints',
      'minPoints must be an integer in [3, 60], got 2',
    );
    rejects(
      () => requireOneOf('flow', 'cube', ['linear', 'sqrt']),
      'flow',
      'flow must be one of "linear", "sqrt", got "cube"',
    );
    rejects(
      () => requireNonEmpty('windowsMs', []),
      'windowsMs',
      'windowsMs must be a non-empty list, got []',
    );
    rejects(
      () => requireSteps('windowsMs[0]', 1000, 300),
      'windowsMs[0]',
      'windowsMs[0] must be a multiple of 300 of at least 300, got 1000',
    );
    rejects(
      () => requireSteps('windowMs', 100, 100, 2),
      'windowMs',
      'windowMs must be a multiple of 100 of at least 200, got 100',
    );
  });
});
