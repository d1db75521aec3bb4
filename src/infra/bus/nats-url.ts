/** Where NATS is: `SCALPER_NATS_URL`, default the machine's server. */

/** The variable naming the NATS server. */
export const NATS_URL_ENV = 'SCALPER_NATS_URL';
/** The machine's NATS (scripts/services.sh starts it). */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** The NATS URL: `SCALPER_NATS_URL` when set, else the machine's server. */
export function natsUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const v = env[NATS_URL_ENV]?.trim();
  return v === undefined || v === '' ? DEFAULT_NATS_URL : v;
}
