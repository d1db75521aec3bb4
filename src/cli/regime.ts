/**
 * `scalper regime fit FILES... --out model.json` fits a volatility-regime model (Gaussian HMM or GMM,
 * unsupervised) on the minute observations of DBN files; `scalper regime label FILES... --model
 * model.json` labels the minutes of other files offline and online, and scores them against a
 * simulator truth file when one is given.
 */

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DbnError } from '../data/dbn/index.js';
import { FeatureEngine } from '../features/index.js';
import {
  fitRegimeModel,
  type ImpliedVolSeries,
  labelSeries,
  type MinuteSeries,
  RV_IV_WINDOW_MIN,
  readImpliedVolCsv,
  realizedImpliedGap,
  scoreLabels,
} from '../strategy/index.js';
import { nonNegativeInt, positiveInt, seedArg } from './args.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, runOf } from './config.js';
import { type CommandInputs, commandInputs, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { progress } from './progress.js';
import {
  chooseSeries,
  minuteSeries,
  readRegimeModel,
  readTruthLabels,
  writeRegimeModel,
} from './regime-files.js';

/** The minutes of the instrument of `files` that `symbol` names (`chooseSeries`). */
export async function readMinutes(
  input: CommandInputs,
  symbol?: string,
  defaultTickSize?: number,
): Promise<MinuteSeries> {
  const { files } = input;
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const bar = progress('minutes', total);
  let all: MinuteSeries[];
  try {
    all = await minuteSeries(files, new FeatureEngine({ defaultTickSize }), {
      onProgress: (d) => bar.update(d),
      fromNs: input.fromNs,
      toNs: input.toNs,
    });
  } finally {
    bar.stop();
  }
  return chooseSeries(all, symbol);
}

const SYMBOL_HELP =
  'instrument when the files hold several: a contract (6EZ6) or a product (6E: its front month across rolls; the default when the input holds one futures product)';

function kindArg(v: string): 'hmm' | 'gmm' {
  if (v !== 'hmm' && v !== 'gmm') throw new InvalidArgumentError(`"${v}" is not hmm or gmm`);
  return v;
}

/** Registers `regime fit` and `regime label`. */
export function registerRegime(program: Command): void {
  const regime = program.command('regime').description(summary('regime'));
  const R = defaultConfig().regime;
  const fit = regime
    .command('fit')
    .description(
      'fit a regime model (unsupervised) on the minutes of DBN files: log realized variance and log message rate per minute, less their time-of-day means',
    )
    .argument(
      '<files...>',
      'DBN files (MBP-10 and trades of one or more days, .dbn or .dbn.zst) or folders of them',
    )
    .requiredOption('-o, --out <file>', 'model file to write (model.json)')
    .addOption(new Option('--kind <kind>', `hmm or gmm (default ${R.kind})`).argParser(kindArg))
    .option('--states <n>', `number of regimes, ordered by volatility (default ${R.states})`, positiveInt)
    .option(
      '--restarts <n>',
      `extra seeded random starts, the best likelihood kept (default ${R.restarts})`,
      nonNegativeInt,
    )
    .option('--seed <n>', `seed of the random starts (default ${R.seed})`, seedArg)
    .option('--symbol <symbol>', SYMBOL_HELP)
    .action(
      async (
        paths: string[],
        opts: { out: string; symbol?: string; from?: string; to?: string },
        self: Command,
      ) => {
        const run = runOf(self);
        const { regime: cfg, engine } = run.config;
        const o = { ...opts, ...cfg };
        const input = await commandInputs(paths, opts);
        const files = input.files;
        const series = await readMinutes(input, o.symbol, engine.defaultTickSize);
        const t0 = performance.now();
        const m = fitRegimeModel([series], {
          kind: o.kind,
          states: o.states,
          restarts: o.restarts,
          seed: o.seed,
        });
        const ms = performance.now() - t0;
        writeRegimeModel(o.out, m);
        await recordRun(run, { file: o.out, inputs: files, seed: o.seed });
        const f = m.loaded.fit;
        process.stdout.write(
          `${o.kind.toUpperCase()} with ${o.states} states fitted on ${series.startMs.length.toLocaleString('en-US')} minutes of ${series.symbol} ` +
            `in ${ms.toFixed(0)} ms (${f.iterations} iterations, ${f.converged ? 'converged' : 'not converged'}, log L ${f.logLikelihood.toFixed(1)})\n` +
            `states (by volatility): ${m.loaded.states.join(', ')}\nwrote ${o.out}\n`,
        );
      },
    );
  timeRangeOptions(fit);
  configFlags(fit, {
    kind: 'regime.kind',
    states: 'regime.states',
    restarts: 'regime.restarts',
    seed: 'regime.seed',
  });
  const label = regime
    .command('label')
    .description('label each minute of DBN files with a fitted model; score against a simulator truth file')
    .argument('<files...>', 'DBN files (MBP-10 and trades) or folders of them')
    .requiredOption('-m, --model <file>', 'model.json from `scalper regime fit`')
    .option(
      '--truth <file>',
      'truth-YYYYMMDD.json of the simulator, or a folder of them: print agreement and detection delay',
    )
    .option('--out <file>', 'write a CSV: ts, symbol, offline, online, probability[, truth][, rv_iv_gap]')
    .option('--symbol <symbol>', SYMBOL_HELP)
    .option(
      '--iv <file>',
      'implied volatility CSV (columns ts, iv annualised): report realized minus implied',
    )
    .action(async (paths: string[], o, self: Command) => {
      const run = runOf(self);
      const model = readRegimeModel(o.model);
      const iv = o.iv ? readImpliedVolCsv(o.iv) : null;
      const input = await commandInputs(paths, o);
      const files = input.files;
      const series = await readMinutes(input, o.symbol, run.config.engine.defaultTickSize);
      const labels = labelSeries(model, series);
      const names = model.loaded.states;
      const truth = o.truth ? readTruthLabels(o.truth, series.startMs, names) : null;
      const counts = names.map((_, j) => labels.offline.filter((x) => x === j).length);
      process.stdout.write(
        `${series.startMs.length} minutes of ${series.symbol}: ${names.map((n, j) => `${n} ${counts[j]}`).join(', ')} (offline labels)\n` +
          `regime changes online: ${labels.filter.transitionCount}\n`,
      );
      if (truth !== null) {
        const off = scoreLabels(labels.offline, truth);
        const on = scoreLabels(labels.online, truth);
        process.stdout.write(
          `against the truth: offline ${(100 * off.accuracy).toFixed(1)}% of ${off.minutes} minutes, ` +
            `online ${(100 * on.accuracy).toFixed(1)}%; ${on.detected}/${on.changes} changes detected online, ` +
            `mean delay ${on.meanDelayMin.toFixed(1)} min\n`,
        );
      }
      const gap = iv !== null ? realizedImpliedGap(series, iv) : null;
      if (gap !== null) {
        const known = Array.from(gap).filter((g) => Number.isFinite(g));
        if (known.length === 0) {
          run.log.warn(
            { iv: o.iv, firstRow: new Date((iv as ImpliedVolSeries).tMs[0]).toISOString() },
            'the implied volatility file has no value at or before any minute of the input',
          );
        } else {
          const mean = known.reduce((a, b) => a + b, 0) / known.length;
          process.stdout.write(
            `realized minus implied volatility (${RV_IV_WINDOW_MIN}-min realized, annualised): mean ${(100 * mean).toFixed(2)} vol points (${mean.toFixed(4)} as a decimal, the CSV's rv_iv_gap) over ${known.length} minutes\n`,
          );
        }
      }
      if (o.out) {
        const lines = [
          `ts,symbol,offline,online,probability${truth ? ',truth' : ''}${gap ? ',rv_iv_gap' : ''}`,
        ];
        for (let i = 0; i < series.startMs.length; i++) {
          const t = truth ? `,${truth[i] >= 0 ? names[truth[i]] : ''}` : '';
          const g = gap ? `,${Number.isFinite(gap[i]) ? gap[i].toFixed(5) : ''}` : '';
          lines.push(
            `${new Date(series.startMs[i]).toISOString()},${series.symbol},${names[labels.offline[i]]},${names[labels.online[i]]},${labels.onlineProbability[i].toFixed(4)}${t}${g}`,
          );
        }
        writeFileSync(o.out, `${lines.join('\n')}\n`);
        await recordRun(run, { file: o.out, inputs: [...files, o.model, o.truth, o.iv] });
        process.stdout.write(`wrote ${o.out}\n`);
      }
    });
  timeRangeOptions(label);
}
