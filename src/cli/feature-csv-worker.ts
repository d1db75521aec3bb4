/**
 * The thread of `FeatureCsvWriter`: formats each block of rows (`CsvRows`) and appends it to the
 * file descriptor it was given, in the order the blocks come, and hands each block back. After a
 * failed write it reports the error once and writes nothing more.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { u64FromHalves, writeAll } from '../core/index.js';
import { CsvRows, type CsvWriterReply, ROW_WORDS } from './feature-csv.js';

const port = parentPort;
if (port === null) throw new Error('feature-csv-worker runs as a worker thread');
const fd = (workerData as { fd: number }).fd;
const csv = new CsvRows();
let failed = false;

function reply(m: CsvWriterReply): void {
  port?.postMessage(m);
}

/** The rows of a block as CSV lines, each ending in a newline. */
function text(block: Float64Array, rows: number, symbols: readonly string[]): string {
  const lines: string[] = new Array(rows);
  for (let k = 0; k < rows; k++) {
    const at = k * ROW_WORDS;
    const ts = u64FromHalves(block[at + 2], block[at + 3]);
    lines[k] = csv.rowOf(symbols[block[at + 1]], ts, block, at + 4, block[at]);
  }
  return `${lines.join('\n')}\n`;
}

port.on(
  'message',
  (
    m:
      | { type: 'rows'; block: Float64Array; index: number; rows: number; symbols: string[] }
      | { type: 'close' },
  ) => {
    if (m.type === 'close') {
      reply({ type: 'closed' });
      port.close();
      return;
    }
    if (!failed) {
      try {
        writeAll(fd, text(m.block, m.rows, m.symbols));
      } catch (err) {
        failed = true;
        const e = err as NodeJS.ErrnoException;
        reply({ type: 'failed', name: e.name, message: e.message, code: e.code });
      }
    }
    reply({ type: 'free', block: m.index });
  },
);
