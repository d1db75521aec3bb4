/** The FIX broker's options from the `execution.fix` configuration section. */
import { type Clock, ConfigError, type Logger } from '../../core/index.js';
import type { FixSection } from '../config-schema.js';
import type { FixBrokerOptions } from './fix-broker.js';
import type { FixInstrument } from './wire.js';

/** Where the logon password (554) comes from: secrets are never read from configuration files. */
export const FIX_PASSWORD_VARIABLE = 'SCALPER_FIX_PASSWORD';

/**
 * Options for a `FixBroker` from the validated `execution.fix` section. Ticks are not
 * configuration: they come from the instruments' definitions (`tickOf`), and an instrument of the
 * symbology map whose tick is not known is a `ConfigError` naming it. The password is the
 * section's (set in code) or `SCALPER_FIX_PASSWORD`'s.
 */
export function fixBrokerOptions(
  section: FixSection,
  tickOf: (instrumentId: number) => number | undefined,
  extra: { readonly clock?: Clock; readonly logger?: Logger } = {},
  env: NodeJS.ProcessEnv = process.env,
): FixBrokerOptions {
  const instruments: FixInstrument[] = Object.entries(section.symbology).map(([key, symbology]) => {
    const instrumentId = Number(key);
    const tickRaw = tickOf(instrumentId);
    if (tickRaw === undefined)
      throw new ConfigError(
        `execution.fix.symbology: instrument ${key} has no definition (its tick is not known)`,
      );
    return { instrumentId, tickRaw, symbology };
  });
  return {
    host: section.host,
    port: section.port,
    senderCompId: section.senderCompId,
    targetCompId: section.targetCompId,
    heartbeatSeconds: section.heartbeatSeconds,
    username: section.username,
    password: section.password ?? env[FIX_PASSWORD_VARIABLE],
    account: section.account,
    storeDirectory: section.storeDirectory,
    instruments,
    reconnect: section.reconnect,
    timeoutMs: section.timeoutMs,
    ...extra,
  };
}
