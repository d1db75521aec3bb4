/**
 * Regime model fitting: one Baum–Welch fit of a 3-state, 2-feature Gaussian HMM on 100,000
 * observations sampled from a known HMM, from the deterministic volatility-quantile start to
 * relative convergence (CONVENTIONS.md, "Regime fitting"; the goal is under 2 s), and a GMM fit of
 * the same data for comparison. Two workloads: `exampleHmm()` (well separated states, few EM
 * iterations) and the same chain with overlapping states (feature-0 means ±0.4 instead of ±1), which
 * needs more iterations. Random restarts are not part of the figures.
 */
import { fitGmm, fitHmm, type HmmFit, type HmmModel } from '../src/strategy/regime/index.js';
import { exampleHmm, sampleHmm } from '../test/regime-sample.js';
import { best, type Report } from './harness.js';

function workload(report: Report, label: string, model: HmmModel, observations: number): void {
  const sample = sampleHmm(model, observations, 2024);
  let hmm: HmmFit | undefined;
  const tHmm = best(() => {
    hmm = fitHmm(sample);
  }, 3);
  const { iterations, converged } = hmm!.fit;
  const hmmRow = `regime: HMM fit, ${label} states`;
  report.add(
    hmmRow,
    tHmm * 1000,
    'ms',
    undefined,
    `3 states x 2 features, ${observations.toLocaleString('en-US')} obs, ${iterations} iterations, ${converged ? 'converged' : 'not converged'}`,
  );
  // Each iteration is one E-step (emissions, scaled forward, fused backward) and one M-step; the
  // final E-step that detects convergence is counted too.
  report.add(`regime: HMM E+M step, ${label} states`, (observations * (iterations + 1)) / tHmm, 'obs·iter/s');
  let gmmIterations = 0;
  const tGmm = best(() => {
    gmmIterations = fitGmm(sample).fit.iterations;
  }, 3);
  report.add(`regime: GMM fit, ${label} states`, tGmm * 1000, 'ms', hmmRow, `${gmmIterations} iterations`);
}

export async function regimeBench(report: Report, observations = 100_000): Promise<void> {
  report.say(`Fitting regime models on ${observations.toLocaleString('en-US')} sampled observations…`);
  const separated = exampleHmm();
  workload(report, 'separated', separated, observations);
  const overlapping: HmmModel = {
    ...separated,
    means: Float64Array.of(-0.4, 0, 0, 0, 0.4, 0),
    variances: Float64Array.of(0.16, 0.5, 0.16, 1, 0.16, 2),
  };
  workload(report, 'overlapping', overlapping, observations);
}
