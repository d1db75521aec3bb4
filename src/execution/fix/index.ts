/** A broker over FIX 4.4 (jspurefix, loaded when a session is first made). */
export { type FixBackoff, FixBroker, type FixBrokerOptions, FixSessionError } from './fix-broker.js';
export { fixBrokerOptions } from './options.js';
export { FixStoreError } from './store.js';
export type {
  FixInstrument,
  FixSymbology,
  SecurityIdSymbology,
  SymbolMonthExchange,
} from './wire.js';
