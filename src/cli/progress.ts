/** A progress bar on stderr for long reads, shown only on a terminal so pipes and logs stay clean. */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

/** Tracks bytes read out of a known total. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** A progress bar when stderr is a TTY and the work is big enough to wait for; otherwise a no-op. */
export function progress(label: string, total: number, minTotal = 32 << 20): Progress {
  if (!process.stderr.isTTY || total < minTotal || process.env.CI) return { update() {}, stop() {} };
  // Loaded only when a bar is shown: a short command or a pipe does not pay for loading it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      // The ETA only once there is a rate to project (cli-progress shows INF or NULL before).
      format: (options, params) => {
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        const pct = Math.round(params.progress * 100);
        const eta = Number.isFinite(params.eta) && params.eta > 0 ? `ETA ${params.eta}s` : 'ETA …';
        return `${label} [${bar}] ${pct}% | ${params.value}/${params.total} MiB | ${eta}`;
      },
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (v: number) => Math.round(v / (1 << 20));
  bar.start(mib(total), 0);
  return {
    update: (done) => bar.update(mib(done)),
    stop: () => bar.stop(),
  };
}
