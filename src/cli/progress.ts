/** Progress bars on stderr for long work, shown only on a terminal so pipes and logs stay clean. */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

/** Tracks work done out of a known total. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/** Whether a bar may be drawn: stderr is a terminal and not under CI. */
const canDraw = () => process.stderr.isTTY === true && !process.env.CI;

/** A bar of `total` steps, labelled `unit` (`3/12 runs`), with an ETA once there is a rate. */
function bar(label: string, total: number, unit: string, scale: (v: number) => number): Progress {
  // Loaded only when a bar is shown: a short command or a pipe does not pay for loading it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  const b = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      // The ETA only once there is a rate to project (cli-progress shows INF or NULL before).
      format: (options, params) => {
        const drawn = cliProgress.Format.BarFormat(params.progress, options);
        const pct = Math.round(params.progress * 100);
        const eta = Number.isFinite(params.eta) && params.eta > 0 ? `ETA ${params.eta}s` : 'ETA …';
        return `${label} [${drawn}] ${pct}% | ${params.value}/${params.total} ${unit} | ${eta}`;
      },
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(scale(total), 0);
  return { update: (done) => b.update(scale(done)), stop: () => b.stop() };
}

/** A bar of bytes read when the work is big enough to wait for; otherwise a no-op. */
export function progress(label: string, total: number, minTotal = 32 << 20): Progress {
  if (!canDraw() || total < minTotal) return NONE;
  return bar(label, total, 'MiB', (v) => Math.round(v / (1 << 20)));
}

/** A bar of runs done out of `total` (a sweep's points, a walk-forward's steps). */
export function countProgress(label: string, total: number, unit = 'runs'): Progress {
  if (!canDraw() || total < 2) return NONE;
  return bar(label, total, unit, (v) => v);
}
