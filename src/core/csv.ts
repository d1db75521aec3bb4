/** CSV cells as RFC 4180 writes them, for every CSV the engine prints. */

/**
 * `text` as one CSV field: wrapped in double quotes (inner quotes doubled) when it holds a quote,
 * a comma, or a line break of either kind (`\n` or `\r`: a bare CR ends a record for many
 * readers), otherwise unchanged.
 */
export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
