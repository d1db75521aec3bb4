/**
 * Whether the reader of stdout has gone away (`| head`). Apart from output.ts so that the entry
 * point installs the handler without loading the output helpers' dependencies.
 */

let closed = false;

/** True once stdout's reader has closed the pipe: output is dropped from then on. */
export function stdoutClosed(): boolean {
  return closed;
}

/**
 * Makes the command end quietly (exit 0) when the reader of stdout goes away (`| head`) instead of
 * dying on EPIPE. The `scalper` entry point calls it once; importing this module changes nothing.
 */
export function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      closed = true;
      process.exit(0);
    }
    throw err;
  });
}
