/**
 * The ground truth of a simulated day, `truth-YYYYMMDD.json` (CONVENTIONS.md, "Instruments, days
 * and files"): what the simulator generated, minute by minute and episode by episode, so that
 * evaluations score detectors against it without reading the simulator.
 */

import type { FxSessionName } from '../core/index.js';
import { formatTimestamp } from '../core/index.js';
import type { InstrumentMarket } from './market.js';
import { REGIMES, type Regime } from './params.js';
import type { Scenario } from './scenario.js';

/** One minute of the ground truth. */
export interface TruthMinute {
  /** ISO-8601 UTC minute start. */
  ts: string;
  regime: Regime;
  /** Informed traders' share of the aggressive volume of the minute (all instruments), 0..1. */
  informed_share: number;
  session: FxSessionName;
}

/** One toxic episode of the ground truth. */
export interface TruthEpisode {
  /** ISO-8601 with 9 fractional digits. */
  start: string;
  end: string;
  symbol: string;
  direction: 'buy' | 'sell';
  intensity: number;
}

/** One news release of the ground truth (the `news` scenario) and what it did. */
export interface TruthNewsEvent {
  /** The release time, ISO-8601 with 9 fractional digits. */
  ts: string;
  currency: string;
  event: string;
  /** The spread blow-out on its instruments: from `minutes_before` the release to `afterMinutes` after it. */
  blowout_start: string;
  blowout_end: string;
  /** Event-rate multiplier of the release's minute on its instruments. */
  activity: number;
  /**
   * The instruments whose currency it concerns and the jump of each one's value, in its own ticks
   * (added at its first event at or after `ts`).
   */
  instruments: { symbol: string; jump_ticks: number }[];
}

/** The scenario a day was simulated under: the preset its fields start from, and every field. */
export interface TruthScenario {
  name: string;
  parameters: Omit<Scenario, 'preset'>;
}

/** The truth file's record of `scenario`. */
export function truthScenario(scenario: Scenario): TruthScenario {
  const { preset, ...parameters } = scenario;
  return { name: preset, parameters };
}

/** `truth-YYYYMMDD.json` (CONVENTIONS.md, "Instruments, days and files"). */
export interface TruthFile {
  version: 1;
  seed: number;
  params: Record<string, unknown>;
  instruments: { symbol: string; instrument_id: number; tick: number }[];
  minutes: TruthMinute[];
  episodes: TruthEpisode[];
  /** The news releases of the window, in time order: present when the day was simulated with news. */
  news?: TruthNewsEvent[];
  /** Present when the day was simulated under a scenario (last, so a day without one reads as before). */
  scenario?: TruthScenario;
}

/** Collects the truth of a day as it is generated. */
export class TruthRecorder {
  readonly file: TruthFile;
  readonly #startNs: bigint;

  /**
   * @param startNs the origin of the ns offsets of episodes (the window start).
   * @param news the news releases of the window, when the day has news.
   */
  constructor(
    seed: number,
    params: Record<string, unknown>,
    markets: readonly InstrumentMarket[],
    startNs: bigint,
    scenario?: TruthScenario,
    news?: TruthNewsEvent[],
  ) {
    this.#startNs = startNs;
    this.file = {
      version: 1,
      seed,
      params,
      instruments: markets.map((m) => ({
        symbol: m.contract.rawSymbol,
        instrument_id: m.instrumentId,
        tick: m.tickRaw / 1e9,
      })),
      minutes: [],
      episodes: [],
    };
    if (news !== undefined) this.file.news = news;
    if (scenario !== undefined) this.file.scenario = scenario;
  }

  /** Records the episode `market` has just started. */
  episode(market: InstrumentMarket): void {
    const ep = market.episode;
    this.file.episodes.push({
      start: formatTimestamp(this.#startNs + BigInt(ep.start))!,
      end: formatTimestamp(this.#startNs + BigInt(ep.end))!,
      symbol: market.contract.rawSymbol,
      direction: ep.dir > 0 ? 'buy' : 'sell',
      intensity: ep.intensity,
    });
  }

  /** Records a minute that has been simulated. */
  minute(minuteMs: number, regime: number, informedShare: number, session: FxSessionName): void {
    this.file.minutes.push({
      ts: new Date(minuteMs).toISOString().replace('.000Z', 'Z'),
      regime: REGIMES[regime],
      informed_share: informedShare,
      session,
    });
  }

  /** The file's text: one-space indented JSON and a final newline. */
  text(): string {
    return `${JSON.stringify(this.file, null, 1)}\n`;
  }
}
