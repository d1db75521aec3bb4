import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BookSide } from '../../book/index.js';
import { FEATURE_COLUMNS, type FeatureSnapshot, SweepInfo } from '../../features/index.js';
import { fillContext, noteSweep } from './from-features.js';
import { TechniqueSet } from './technique-set.js';

/** A snapshot whose k-th feature column holds k + 0.5 (so every copied value is traceable). */
function snapshot(): FeatureSnapshot {
  const s: Record<string, unknown> = {
    ts: '',
    ts_ns: 0n,
    symbol: '6EZ6',
    instrument_id: 1,
    session: 'london',
  };
  FEATURE_COLUMNS.forEach((c, k) => {
    s[c] = k + 0.5;
  });
  return s as FeatureSnapshot;
}

test('fillContext copies the snapshot columns the techniques read', () => {
  const ctx = new TechniqueSet().context('6EZ6', 0.00005);
  const s = snapshot();
  fillContext(ctx, s);
  const col = (name: (typeof FEATURE_COLUMNS)[number]) => FEATURE_COLUMNS.indexOf(name) + 0.5;
  assert.equal(ctx.ema3, col('ema_3'));
  assert.equal(ctx.ema12, col('ema_12'));
  assert.equal(ctx.rsi7, col('rsi_7'));
  assert.equal(ctx.adx7, col('adx_7'));
  assert.equal(ctx.minusDi7, col('minus_di_7'));
  assert.equal(ctx.atr, col('atr_7'));
  assert.equal(ctx.vwapSd, col('vwap_sd'));
  assert.equal(ctx.ofi10s, col('ofi_10s'));
  assert.equal(ctx.volumeDelta, col('volume_delta'));
  assert.equal(ctx.bestAskSize, col('depth_ask_5'));
  assert.equal(ctx.bidWallPx, col('bid_wall_px'));
  assert.equal(ctx.instrument, '6EZ6', 'untouched');
});

test('noteSweep turns a sweep alert into the context sweep, prices in decimal', () => {
  const ctx = new TechniqueSet().context('6EZ6', 0.00005);
  const info = new SweepInfo();
  info.side = BookSide.ASK;
  info.levels = 3;
  info.qty = 42;
  info.lastPx = 1_160_050_000;
  noteSweep(ctx, info, 1_000);
  assert.deepEqual(ctx.sweep, { side: 'sell', levels: 3, size: 42, tMs: 1_000, price: 1.16005 });
});
