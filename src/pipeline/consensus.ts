/**
 * Tier 2, quick consensus: a weighted vote of the analysts' signals.
 *
 * Each signal votes with v = w·c (its analyst's weight in the current regime times its confidence)
 * for long, short or flat. With L, S and F the vote sums:
 * - score = (L − S) / (L + S + F) in [−1, 1]: flat votes dilute a view, they do not oppose it;
 * - direction: long when score > minScore, short when score < −minScore, else flat;
 * - agreement: for a long or short direction, the share of the directional vote on its side,
 *   max(L, S) / (L + S); for flat, the flat share F / (L + S + F) (1 when nobody voted);
 * - confidence = |score|.
 * Signals are read in analyst-name order so that the sums, and hence the decision, do not depend
 * on which analyst answered first.
 */

import type { AgentName, AgentSignal, Direction } from '../agents/index.js';

/** One analyst's vote. */
export interface Vote {
  readonly agent: AgentName;
  readonly direction: Direction;
  readonly confidence: number;
  readonly weight: number;
  /** weight × confidence. */
  readonly vote: number;
}

export interface Consensus {
  readonly direction: Direction;
  readonly score: number;
  readonly agreement: number;
  readonly confidence: number;
  readonly long: number;
  readonly short: number;
  readonly flat: number;
  readonly votes: readonly Vote[];
}

/** The weighted vote of `signals` with `weights` (per analyst). */
export function consensus(
  signals: readonly AgentSignal[],
  weights: Readonly<Record<AgentName, number>>,
  minScore: number,
): Consensus {
  const sorted = [...signals].sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  let long = 0;
  let short = 0;
  let flat = 0;
  const votes: Vote[] = [];
  for (const s of sorted) {
    const weight = weights[s.agent] ?? 0;
    const vote = weight * s.confidence;
    votes.push({ agent: s.agent, direction: s.direction, confidence: s.confidence, weight, vote });
    if (s.direction === 'long') long += vote;
    else if (s.direction === 'short') short += vote;
    else flat += vote;
  }
  const total = long + short + flat;
  const score = total > 0 ? (long - short) / total : 0;
  const direction: Direction = score > minScore ? 'long' : score < -minScore ? 'short' : 'flat';
  let agreement: number;
  if (direction === 'flat') agreement = total > 0 ? flat / total : 1;
  else agreement = Math.max(long, short) / (long + short);
  return { direction, score, agreement, confidence: Math.abs(score), long, short, flat, votes };
}
