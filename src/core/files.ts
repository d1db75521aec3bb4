import { writeSync } from 'node:fs';

/**
 * Writes all of `data` to the open file `fd` at its current position: `writeSync` may take fewer
 * bytes than it was given, so it is called until every byte is written. A string goes as UTF-8.
 */
export function writeAll(fd: number, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let o = 0; o < bytes.length; ) o += writeSync(fd, bytes, o, bytes.length - o);
}
