import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { ConfigError, EngineError, InvalidOptionError } from './errors.js';
import {
  requireFinite,
  requireInRange,
  requireIntInRange,
  requireLength,
  requireNonEmpty,
  requireNonNegative,
  requireNonNegativeInt,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
  requireSteps,
} from './validate.js';

/** Asserts `f` throws an InvalidOptionError with exactly `message`, naming `option`. */
function rejects(f: () => unknown, option: string, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError && e instanceof ConfigError && e instanceof EngineError);
    assert.equal(e.code, 'INVALID_OPTION');
    assert.equal(e.option, option);
    assert.equal(e.message, message);
    return true;
  });
}

describe('core/validate', () => {
  it('returns values inside the domain unchanged', () => {
    assert.equal(requireFinite('x', -2.5), -2.5);
    assert.equal(requirePositive('x', 1e-9), 1e-9);
    assert.equal(requireNonNegative('x', 0), 0);
    assert.equal(requirePositiveInt('x', 3), 3);
    assert.equal(requireNonNegativeInt('x', 0), 0);
    assert.equal(requireInRange('x', 1, 0, 1), 1, 'bounds are inclusive');
    assert.equal(requireOneOf('x', 'gmm', ['hmm', 'gmm']), 'gmm');
    assert.equal(requireLength('states', 3, 3, 'one per state'), 3);
  });

  it('names the option and quotes the value outside it', () => {
    rejects(() => requireFinite('sigma', Number.NaN), 'sigma', 'sigma must be a finite number, got NaN');
    rejects(() => requirePositive('sampleMs', 0), 'sampleMs', 'sampleMs must be a positive number, got 0');
    rejects(
      () => requirePositive('sampleMs', Number.POSITIVE_INFINITY),
      'sampleMs',
      'sampleMs must be a positive number, got Infinity',
    );
    rejects(() => requireNonNegative('lag', -1), 'lag', 'lag must be a non-negative number, got -1');
    rejects(
      () => requirePositiveInt('windowBuckets', 2.5),
      'windowBuckets',
      'windowBuckets must be a positive integer, got 2.5',
    );
    rejects(
      () => requireNonNegativeInt('restarts', -1),
      'restarts',
      'restarts must be a non-negative integer, got -1',
    );
    rejects(
      () => requireInRange('volatilityFeature', 2, 0, 1, true),
      'volatilityFeature',
      'volatilityFeature must be an integer in [0, 1], got 2',
    );
    rejects(() => requireInRange('p', 0.5, 0, 1, true), 'p', 'p must be an integer in [0, 1], got 0.5');
    rejects(
      () => requireOneOf('orderBy', 'median' as 'mean' | 'variance', ['mean', 'variance']),
      'orderBy',
      'orderBy must be one of "mean", "variance", got "median"',
    );
    rejects(
      () => requireLength('stances', 2, 3, 'one per state'),
      'stances length',
      'stances length must be 3 (one per state), got 2',
    );
  });
});

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
