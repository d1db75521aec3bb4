/**
 * IG deal references: IG takes a caller's own reference for every deal (`dealReference`, at most
 * 30 characters of `[A-Za-z0-9_-]`, labs.ig.com `POST /positions/otc`) and repeats it in the
 * deal's confirm and stream updates, so our client order id travels as the deal reference. An id
 * IG would refuse (too long, or with `.` or `:` as `ClientOrderIds` allows) is cleaned and made
 * unique again with a hash of the whole id.
 */

const VALID = /^[A-Za-z0-9_-]{1,30}$/;

/** The deal reference IG is sent for our client id `clientId`. */
export function dealReferenceOf(clientId: string): string {
  if (VALID.test(clientId)) return clientId;
  const hash = fnv1a(clientId).toString(36);
  const clean = clientId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${clean.slice(0, 30 - 1 - hash.length)}-${hash}`;
}

/** FNV-1a, 32 bits: a short, stable digest of an id (not a secret). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
