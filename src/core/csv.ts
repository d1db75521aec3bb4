/** CSV as RFC 4180 has it: the cells of every CSV the engine prints, and the records of one it reads. */

import { EngineError } from './errors.js';

/**
 * `text` as one CSV field: wrapped in double quotes (inner quotes doubled) when it holds a quote,
 * a comma, or a line break of either kind (`\n` or `\r`: a bare CR ends a record for many
 * readers), otherwise unchanged.
 */
export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record of a CSV text: its fields and the line it starts on (1-based). */
export interface CsvRow {
  readonly line: number;
  readonly cells: string[];
}

/**
 * The records of a CSV text as RFC 4180 reads them: fields separated by commas, a field in double
 * quotes may hold commas, line breaks and doubled quotes; records end at LF, CRLF or a bare CR.
 * A leading byte-order mark is dropped and blank lines are skipped. Each row carries the line it
 * starts on, so that a reader can name `file:line` in its errors. Throws a `CsvSyntaxError` for a
 * quote left open at the end of the text.
 */
export function csvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let end = false;
    while (!end) {
      if (s[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          if (i >= s.length) throw new CsvSyntaxError(open, 'a quoted field is never closed');
          const c = s[i++];
          if (c === '"') {
            if (s[i] !== '"') break;
            i++;
          } else if (c === '\n' || (c === '\r' && s[i] !== '\n')) line++;
          cell += c;
        }
      }
      while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') cell += s[i++];
      cells.push(cell);
      cell = '';
      if (s[i] === ',') i++;
      else {
        if (s[i] === '\r') i++;
        if (s[i] === '\n') i++;
        line++;
        end = true;
      }
    }
    if (cells.length > 1 || cells[0].trim() !== '') rows.push({ line: start, cells });
  }
  return rows;
}

/** A CSV text that cannot be split into records; `line` is where the problem starts (1-based). */
export class CsvSyntaxError extends EngineError {
  readonly line: number;
  constructor(line: number, message: string) {
    super('CSV_SYNTAX', `line ${line}: ${message}`);
    this.line = line;
  }
}
