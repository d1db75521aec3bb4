/** The IG broker: orders as IG deals and working orders, over REST and the Lightstreamer TRADE stream. */
export { IgBroker, type IgBrokerOptions } from './ig-broker.js';
export { dealReferenceOf } from './reference.js';
