/**
 * A live session's start at a real venue: the venue's account (positions, working orders) set
 * beside the state store's, and the reconciliation policy (execution/reconcile.ts) carried out
 * before the first decision.
 */
import { ConfigError, type Logger } from '../core/index.js';
import {
  carryOut,
  describeMismatches,
  type ReconcilePolicy,
  reconcile,
  reconciliationPlan,
  type TraderFill,
  type VenueBroker,
} from '../execution/index.js';
import type { SqliteStateStore } from '../infra/index.js';
import type { Resume } from './journal.js';

/**
 * The venue's account set beside ours (the store's positions; its working orders were the last
 * process's): the policy's actions carried out. Returns the resume with the positions adopted, or
 * throws when the policy holds trading.
 */
export async function reconciledResume(o: {
  readonly broker: VenueBroker;
  readonly resume: Resume;
  readonly store: SqliteStateStore;
  readonly policy: ReconcilePolicy;
  readonly runId: string;
  readonly nowNs: bigint;
  readonly log: Logger;
}): Promise<Resume> {
  const { broker, resume, store, policy, runId, nowNs, log } = o;
  const theirs = await broker.venueState();
  const net = new Map<number, number>();
  for (const f of resume.trader.fills)
    net.set(f.instrumentId, (net.get(f.instrumentId) ?? 0) + (f.side === 'buy' ? f.quantity : -f.quantity));
  const positions = [...net]
    .filter(([, q]) => q !== 0)
    .map(([instrumentId, quantity]) => ({ instrumentId, quantity }));
  const r = reconcile({ positions, orders: [] }, theirs);
  if (r.matched) return resume;
  const lines = describeMismatches(r, (id) => String(id));
  log.warn({ differences: lines, policy }, 'the venue differs from the state store');
  const plan = reconciliationPlan(r, theirs, policy);
  const ids = await store.reserveClientOrderIds(runId, Math.max(1, plan.length));
  let next = 0;
  const outcome = carryOut(plan, broker, nowNs, () => ids[next++]);
  if (!outcome.trading)
    throw new ConfigError(
      `the venue's account differs from the state store, and execution.reconcile is "wait": ${outcome.held}\n  ${lines.join('\n  ')}\nSettle the account, or set execution.reconcile to adopt or flatten.`,
    );
  const adopted: TraderFill[] = [];
  for (const p of outcome.positions) {
    const have = net.get(p.instrumentId) ?? 0;
    const q = p.quantity - have;
    if (q === 0) continue;
    if (p.averagePx === undefined)
      throw new ConfigError(
        `the venue holds ${p.quantity} of instrument ${p.instrumentId} without a price to adopt it at`,
      );
    adopted.push({
      clientId: `reconcile-${p.instrumentId}`,
      liquidity: 'taker',
      instrumentId: p.instrumentId,
      side: q > 0 ? 'buy' : 'sell',
      quantity: Math.abs(q),
      price: p.averagePx,
      fee: 0,
      tsNs: nowNs,
    });
  }
  return {
    ...resume,
    lastSequence: Math.max(resume.lastSequence, await store.lastClientOrderSequence(runId)),
    trader: { ...resume.trader, fills: [...resume.trader.fills, ...adopted] },
  };
}
