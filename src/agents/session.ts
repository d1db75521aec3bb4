/**
 * Session and timing analyst: marks when not to trade. Its view is flat; confidence is 1 when it
 * raises a blocking flag (stand aside) and 0 otherwise (the clock has no view on direction).
 *
 * Flags (times from the decision's `nowMs`, local wall clocks through the IANA zone database, as
 * core/calendar.ts):
 * - `session_closed`: the snapshot's session is `closed` (outside the FX week, Sunday 17:00 to
 *   Friday 17:00 New York) or no FX centre is open (`open_centres` = 0; when NaN, computed from
 *   `nowMs`);
 * - `no_trade_window`: the first `reopenMinutes` after the CME Globex daily reopen (17:00 CT,
 *   Sunday–Thursday: the book is rebuilt and spreads are wide), the last `preBreakMinutes` before
 *   the 16:00 CT daily break and the break itself (liquidity withdraws into the halt), and within
 *   `releaseWindowMinutes` either side of each scheduled release on local weekdays (default 08:30
 *   New York, when US data such as payrolls land: the announcement spikes of Andersen & Bollerslev
 *   1998, MICROSTRUCTURE.md §16);
 * - `stale_data`: nowMs − lastEventMs > `staleDataMs` (or either time unknown).
 * Size scale: `sessionScale[session]` (default 0.75 in the thin Sydney and Tokyo hours, 1 in London,
 * New York and their overlap, the most liquid window, §16 intraday seasonality), 0 when blocked.
 * Evidence also gives the minutes since the session's main centre opened (its opening range).
 */
import { FX_CENTRES, type FxCentre, localTime, openCentres } from '../core/index.js';
import type { AnalystSpec } from './analyst.js';
import { type Evidence, num, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type SessionParams } from './config.js';
import type { AgentInput, AgentSignal, RiskFlag } from './types.js';

const CME_ZONE = 'America/Chicago';
const REOPEN_MIN = 17 * 60;
const BREAK_MIN = 16 * 60;

/** Minutes after local midnight, with seconds as a fraction. */
function minuteOfDay(t: { hour: number; minute: number; second: number }): number {
  return t.hour * 60 + t.minute + t.second / 60;
}

/** The session and timing view of `input` (pure; see the module comment for the rules). */
export function analyzeSession(
  input: AgentInput,
  params: SessionParams = DEFAULT_AGENTS_CONFIG.session,
): AgentSignal {
  const s = input.snapshot;
  const now = input.nowMs;
  const evidence: Evidence = { session: s.session, open_centres: num(s.open_centres) };
  const flags: RiskFlag[] = [];
  const reasons: string[] = [];

  const centres = Number.isFinite(s.open_centres)
    ? s.open_centres
    : Number.isFinite(now)
      ? openCentres(now)
      : Number.NaN;
  if (s.session === 'closed' || centres === 0) {
    flags.push('session_closed');
    reasons.push(s.session === 'closed' ? 'FX week closed' : 'no FX centre open');
  }

  const age = now - input.lastEventMs;
  evidence.data_age_ms = num(age);
  if (!(age <= params.staleDataMs)) {
    flags.push('stale_data');
    reasons.push(Number.isFinite(age) ? `data ${age} ms old` : 'data age unknown');
  }

  if (Number.isFinite(now)) {
    const ct = localTime(now, CME_ZONE);
    const m = minuteOfDay(ct);
    evidence.ct_time = `${String(ct.hour).padStart(2, '0')}:${String(ct.minute).padStart(2, '0')}`;
    // Reopen Sunday–Thursday; the pre-break and break Monday–Friday (Friday's 16:00 is the close).
    if (ct.weekday <= 4 && m >= REOPEN_MIN && m < REOPEN_MIN + params.reopenMinutes) {
      flags.push('no_trade_window');
      reasons.push('CME daily reopen');
    }
    if (ct.weekday >= 1 && ct.weekday <= 5 && m >= BREAK_MIN - params.preBreakMinutes && m < REOPEN_MIN) {
      flags.push('no_trade_window');
      reasons.push(m >= BREAK_MIN ? 'CME daily break' : 'before the CME daily break');
    }
    for (const r of params.releases) {
      const t = localTime(now, r.zone);
      if (t.weekday === 0 || t.weekday === 6) continue;
      const d = minuteOfDay(t) - (r.hour * 60 + r.minute);
      if (d >= -params.releaseWindowMinutes && d < params.releaseWindowMinutes) {
        flags.push('no_trade_window');
        reasons.push(`release ${r.hour}:${String(r.minute).padStart(2, '0')} ${r.zone}`);
      }
    }
    const centre: FxCentre | null =
      s.session === 'overlap' ? 'new_york' : s.session === 'closed' ? null : s.session;
    if (centre !== null) {
      const c = FX_CENTRES[centre];
      evidence.minutes_since_open = num(Math.floor(minuteOfDay(localTime(now, c.zone)) - c.openMin));
    }
  }

  const blocked = flags.length > 0;
  const sizeScale = blocked ? 0 : (params.sessionScale[s.session] ?? 1);
  evidence.size_scale = sizeScale;
  return signal('session', {
    direction: 'flat',
    confidence: blocked ? 1 : 0,
    horizonSec: params.horizonSec,
    evidence,
    flags,
    sizeScale,
    rationale: blocked ? `stand aside: ${reasons.join(', ')}` : `${s.session} session, tradable`,
  });
}

/** The session and timing analyst. */
export const SESSION_ANALYST: AnalystSpec<'session'> = {
  name: 'session',
  configKey: 'session',
  reads: ['session', 'open_centres'],
  analyze: analyzeSession,
  module: import.meta.url,
  exportName: 'analyzeSession',
};
