/**
 * `scalper worker [--nats URL] [--pg URL] [--concurrency N]`: one of any number of processes, on
 * any machine, that run the jobs of distributed sweeps (`scalper sweep --workers nats://…`). It
 * takes jobs from the JetStream work queue (a durable pull consumer every worker shares), backtests
 * each (point, trading day) in a worker thread, writes the result (or the job's error) to
 * PostgreSQL once, then acknowledges it. A job still running is marked in progress, so it stays
 * with its worker; a worker that dies leaves its jobs to be delivered to another after the ack
 * wait. SIGINT or SIGTERM stops taking jobs, lets the running ones finish within `--grace`, and
 * hands back what is left; a second signal hands back at once.
 */
import type { Command } from 'commander';
import { componentLogger } from '../core/index.js';
import { DEFAULT_PG_URL, PG_URL_ENV } from '../infra/index.js';
import { nonNegativeNumber, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import { backtestPool } from './sweep.js';
import { checkStream, DEFAULT_NATS_URL, NATS_URL_ENV, natsUrl, SWEEP_STREAM } from './sweep-jobs.js';
import { runWorker } from './sweep-remote.js';

/** Registers `worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(summary('worker'))
    .option(
      '--nats <url>',
      `the NATS server of the job queue (default ${NATS_URL_ENV}, else ${DEFAULT_NATS_URL})`,
    )
    .option(
      '--pg <url>',
      `the PostgreSQL database of the results (default ${PG_URL_ENV}, else ${DEFAULT_PG_URL})`,
    )
    .option('--concurrency <n>', 'jobs at a time, each in its own thread', positiveInt, 1)
    .option('--stream <name>', 'the work-queue stream of the jobs', checkStream, SWEEP_STREAM)
    .option(
      '--ack-wait <s>',
      'seconds a job may go without a sign of life before it is given to another worker (this worker marks its running jobs in progress every third of it)',
      positiveNumber,
      60,
    )
    .option(
      '--grace <s>',
      'on SIGINT/SIGTERM, seconds to let running jobs finish before handing them back',
      nonNegativeNumber,
      30,
    )
    .addHelpText(
      'after',
      `
Jobs name their data files by absolute path: run workers where those paths can be read (the
sweep's machine, or others with the same shared storage at the same place). A job whose files
are missing here is recorded as failed, with the error, and the sweep reports it.`,
    )
    .action(
      async (o: {
        nats?: string;
        pg?: string;
        concurrency: number;
        stream: string;
        ackWait: number;
        grace: number;
      }) => {
        const log = componentLogger('worker');
        const pool = await backtestPool(o.concurrency);
        let worker: Awaited<ReturnType<typeof runWorker>>;
        try {
          worker = await runWorker({
            natsUrl: o.nats ?? natsUrl(),
            stream: o.stream,
            pgUrl: o.pg,
            concurrency: o.concurrency,
            ackWaitMs: Math.round(o.ackWait * 1000),
            graceMs: Math.round(o.grace * 1000),
            pool,
            onStart: (j) => log.info(j, 'job started'),
            onJob: (j) =>
              j.error === undefined
                ? log.info(j, 'job done')
                : log.warn(j, 'job failed; its error is recorded'),
            onBadJob: (text) => log.error({ message: text }, 'not a sweep job; dropped'),
          });
        } catch (e) {
          await pool.close();
          throw e;
        }
        process.stderr.write(
          `worker: taking sweep jobs from ${worker.queue}, ${o.concurrency} at a time; results to ${worker.store}\n`,
        );
        await new Promise<void>((resolve) => {
          let signals = 0;
          const stop = (signal: NodeJS.Signals) => {
            signals++;
            process.stderr.write(
              signals === 1
                ? `worker: ${signal}: taking no more jobs; running ones have ${o.grace} s to finish\n`
                : `worker: ${signal}: handing running jobs back now\n`,
            );
            void worker.stop(signals > 1).then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        process.stderr.write('worker: stopped\n');
      },
    );
}
