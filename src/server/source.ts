/**
 * What the dashboard's server serves: a model of the state that it samples a few times a second,
 * and the controls. A source (a trading session, a replay, a finished backtest) implements them;
 * the server knows nothing else of it.
 */
import type { ControlAnswer, ControlRequest, SnapshotMessage, UpdateMessage } from './protocol.js';

/** The state the page shows, kept from samples. */
export interface DashboardModel {
  /**
   * Reads the source now: the update since the previous sample, or null when nothing changed. Each
   * update's `seq` is one more than the last message's.
   */
  sample(): UpdateMessage | null;
  /** The whole state as of the last sample, with that sample's `seq`. */
  snapshot(): SnapshotMessage;
}

/** A control the source cannot take now (seeking a live feed): HTTP 409 with `message`. */
export class ControlRefused extends Error {
  readonly code = 'CONTROL_REFUSED';
}

/** The source behind the server: its model, which may be replaced (a replay started again), and its controls. */
export interface DashboardBackend {
  /** The current model; when it is a different object than at the last sample, browsers get its snapshot. */
  model(): DashboardModel;
  /** Carries out a control (the token already checked); throws `ControlRefused` when it cannot. */
  control(req: ControlRequest): Promise<ControlAnswer>;
}
