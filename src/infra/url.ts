/** Server addresses as logs, errors and store locations may show them. */

/** `url` with its password replaced by `***` (a URL that does not parse: any `:password@` so hidden). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
