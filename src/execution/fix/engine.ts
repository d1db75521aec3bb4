/**
 * jspurefix, loaded when a FIX session is first made: the engine, its dependency injection and
 * the FIX 4.4 dictionary take over a second to load, which nothing but a FIX session should pay
 * (the `scalper` command, a backtest and the paper broker import the execution layer too).
 *
 * jspurefix resolves its parts through tsyringe, which needs the `reflect-metadata` polyfill in
 * place before it loads; jspurefix depends on that package but leaves loading it to its user, so
 * it is loaded here from jspurefix's own dependencies (not ours).
 */
import { createRequire } from 'node:module';
import type * as Jspurefix from 'jspurefix';

/** The jspurefix module. */
export type Jspf = typeof Jspurefix;
export type FixDefinitions = Jspurefix.FixDefinitions;
export type MsgView = Jspurefix.MsgView;
export type IJsFixConfig = Jspurefix.IJsFixConfig;
export type ISessionDescription = Jspurefix.ISessionDescription;
export type IFixSessionStore = Jspurefix.IFixSessionStore;
export type ILooseObject = Jspurefix.ILooseObject;
export type MsgTransport = Jspurefix.MsgTransport;

/** The field delimiter on the wire. */
const SOH = 1;

let loaded: Jspf | undefined;
let dictionary: Promise<FixDefinitions> | undefined;

/** jspurefix, loaded on first use (synchronously: it is a CommonJS package). */
export function jspurefix(): Jspf {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    const main = require.resolve('jspurefix');
    createRequire(main)('reflect-metadata');
    loaded = require('jspurefix') as Jspf;
    // One registration of what jspurefix resolves from its global container (the dictionary
    // loader, buffers); each session's own parts live in a child container.
    new loaded.SessionContainer().registerGlobal(new loaded.EmptyLogFactory());
  }
  return loaded;
}

/** The QuickFIX FIX 4.4 dictionary shipped with jspurefix, parsed once per process. */
export function fix44(): Promise<FixDefinitions> {
  const j = jspurefix();
  dictionary ??= new j.DefinitionFactory().getDefinitions('qf44');
  return dictionary;
}

/**
 * A jspurefix configuration for one session described by `description`: the dictionary, a
 * container holding the session's parser, transmitter and buffers, the message factory that
 * stamps its headers, and where its sequence numbers are kept.
 */
export async function sessionConfig(
  description: ISessionDescription,
  store: Jspurefix.IFixSessionStoreFactory,
  logs: Jspurefix.JsFixLoggerFactory,
): Promise<IJsFixConfig> {
  const j = jspurefix();
  const definitions = await fix44();
  const container = new j.SessionContainer();
  const scope = container.newChild(description);
  const factory = scope.resolve<Jspurefix.ISessionMsgFactory>(j.DITokens.ISessionMsgFactory);
  const config = new j.JsFixConfig(factory, definitions, description, SOH, logs);
  config.sessionStoreFactory = store;
  container.registerSession(config, scope);
  return config;
}
