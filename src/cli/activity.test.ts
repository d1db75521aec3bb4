/**
 * `scalper activity`: traded volume by hour on hand-made trades (worked numbers, through the
 * child process a user runs), and the simulator's `cme` activity profile measured with it on
 * simulated days against the profile's table, within the noise of a Poisson flow.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { sampleMetadata } from '../../test/market-sample.js';
import { DbnDecoder, DbnEncoder, RType, type TradeRecord } from '../data/index.js';
import { CME_HOURLY_ACTIVITY, ScenarioSchema, type SimDayResult, simulate } from '../sim/index.js';
import { type ActivityReport, runActivity } from './activity.js';

const scalper = (...args: string[]) => runScalper(args, { timeoutMs: 60_000 });

const ID = 42005347;

/** A trade of `size` contracts at `iso` (ts_event; ts_recv 1 µs later). */
function trade(iso: string, size: number): TradeRecord {
  const ts = BigInt(Date.parse(iso)) * 1_000_000n;
  return {
    hd: { length: 0, rtype: RType.MBP_0, publisher_id: 1, instrument_id: ID, ts_event: ts },
    price: 1_160_000_000n,
    size,
    action: 'T',
    side: 'B',
    flags: 0x80,
    depth: 0,
    ts_recv: ts + 1000n,
    ts_in_delta: 0,
    sequence: 0,
  };
}

describe('scalper activity on hand-made trades', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-activity-'));
    file = join(dir, 'glbx-mdp3-20260304.trades.dbn');
    const start = BigInt(Date.parse('2026-03-03T23:00:00Z')) * 1_000_000n;
    const enc = DbnEncoder.toFile(file, {
      metadata: sampleMetadata('trades', start, start + 86_400_000_000_000n, ID),
      zstd: false,
    });
    // Trading date 4 March 2026 (23:00 UTC on the 3rd to 22:00 UTC; Chicago UTC−6).
    for (const [iso, size] of [
      ['2026-03-03T23:10:00Z', 2], // 17:10 Chicago, the reopening
      ['2026-03-04T13:30:00Z', 5], // 07:30 Chicago, the US data release
      ['2026-03-04T13:30:00.500Z', 1],
      ['2026-03-04T15:59:59Z', 10], // 09:59 Chicago
      ['2026-03-04T16:00:00Z', 3], // 10:00 Chicago
      ['2026-03-04T21:59:00Z', 1], // 15:59 Chicago, before the break
    ] as const)
      enc.write(trade(iso, size));
    await enc.end();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('counts trades and contracts by UTC hour, with each hour’s share and the busiest and quietest', async () => {
    const r = await scalper('activity', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as ActivityReport;
    assert.deepEqual([rep.zone, rep.profile, rep.products.length], ['UTC', null, 1]);
    const p = rep.products[0];
    assert.deepEqual(
      [p.product, p.symbols, p.dates, p.trades, p.volume],
      ['6E', ['6EZ6'], ['2026-03-04'], 6, 22],
    );
    const busy = p.hours.filter((h) => h.trades > 0).map((h) => [h.hour, h.trades, h.volume, h.share]);
    // 22 contracts: 2, 6 (5 + 1), 10, 3 and 1.
    assert.deepEqual(busy, [
      [13, 2, 6, 0.272727],
      [15, 1, 10, 0.454545],
      [16, 1, 3, 0.136364],
      [21, 1, 1, 0.045455],
      [23, 1, 2, 0.090909],
    ]);
    assert.deepEqual([p.busiest, p.quietest], [15, 21]);
    assert.equal(p.silent.length, 19);
  });

  test('counts by the local hour of --zone, and adds a profile’s shares of the same dates', async () => {
    const r = await scalper('activity', file, '--json', '--zone', 'America/Chicago', '--profile', 'cme');
    assert.equal(r.status, 0, r.stderr);
    const p = (JSON.parse(r.stdout) as ActivityReport).products[0];
    const busy = p.hours.filter((h) => h.trades > 0).map((h) => [h.hour, h.volume]);
    assert.deepEqual(busy, [
      [7, 6],
      [9, 10],
      [10, 3],
      [15, 1],
      [17, 2],
    ]);
    // The cme table on 4 March (standard time), by Chicago hour: 09:00 is Chicago 2.00 + London
    // 15:00 0.85 + Tokyo 00:00 0; the day's weights sum to 23, plus two extra release minutes at
    // 07:30 Chicago (Chicago 1.40 + London 0.83 = 2.23 each): 2.85 / (23 + 2 × 2.23 / 60).
    const total = 23 + (2 * 2.23) / 60;
    assert.ok(Math.abs((p.hours[9].profile_share as number) - 2.85 / total) < 1e-6);
    assert.equal(p.hours[16].profile_share, 0, 'the break');
  });

  test('prints a table; fails with exit 2 on an unknown zone, a symbol without trades and input without trades', async () => {
    const table = await scalper('activity', file, '--profile', 'sessions');
    assert.equal(table.status, 0, table.stderr);
    assert.match(
      table.stdout,
      /^6E {2}\(6EZ6; 1 trading date, 2026-03-04 to 2026-03-04\): 22 contracts in 6 trades/,
    );
    assert.match(table.stdout, /\n {2}15:00 +1 +10 +45\.5 % +\d+\.\d %\n/);
    assert.match(table.stdout, /busiest 15:00 \(45\.5 %\), quietest traded 21:00 \(4\.5 %\)/);
    const zone = await scalper('activity', file, '--zone', 'Mars/Olympus');
    assert.equal(zone.status, 2);
    assert.match(zone.stderr, /--zone Mars\/Olympus: not an IANA time zone/);
    const absent = await scalper('activity', file, '--symbol', '6J');
    assert.equal(absent.status, 2);
    assert.match(absent.stderr, /--symbol 6J: no trades of it/);
    const defs = join(dir, 'defs.dbn');
    const enc = DbnEncoder.toFile(defs, {
      metadata: { dataset: 'GLBX.MDP3', schema: 'definition' },
      zstd: false,
    });
    await enc.end();
    const none = await scalper('activity', defs);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no trades or MBP-10 input \(schemas: definition\)/);
  });
});

/** Contracts of each aggressive event (its prints share ts_event) of a trades file, by UTC hour: Σ m and Σ m². */
async function eventMarks(file: string): Promise<{ sum: Float64Array; sumSq: Float64Array }> {
  const sum = new Float64Array(24);
  const sumSq = new Float64Array(24);
  let ts = -1n;
  let hour = 0;
  let m = 0;
  const close = () => {
    sum[hour] += m;
    sumSq[hour] += m * m;
  };
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const r = batch.at(i);
      if (r.tsEvent !== ts) {
        close();
        ts = r.tsEvent;
        hour = new Date(r.tsEventMs).getUTCHours();
        m = 0;
      }
      m += r.size;
    }
  }
  close();
  return { sum, sumSq };
}

/**
 * The cme table's share of each UTC hour of trading dates whose clocks are Chicago UTC+`chicago`,
 * London UTC+`london` (Tokyo UTC+9), worked from the table; the 08:30 New York minute (07:30
 * Chicago) counts three times.
 */
function tableShares(chicago: number, london: number): number[] {
  const t = CME_HOURLY_ACTIVITY;
  const at = (h: number) =>
    t['America/Chicago'][(h + chicago + 24) % 24] +
    t['Europe/London'][(h + london) % 24] +
    t['Asia/Tokyo'][(h + 9) % 24];
  const breakHour = (16 - chicago) % 24;
  const release = (7 - chicago) % 24;
  const w = Array.from({ length: 24 }, (_, h) =>
    h === breakHour ? 0 : at(h) + (h === release ? (2 * at(h)) / 60 : 0),
  );
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

describe('the cme activity profile measured on simulated days', { timeout: 180_000 }, () => {
  let root: string;
  let calm: SimDayResult[];
  let full: SimDayResult[];
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'cli-activity-cme-'));
    // The profile alone: the regime held (its rate would scale whole half hours by 0.6–1.8) and no
    // toxic episodes (their arrivals follow activity and their informed flow trades at its rate,
    // so their volume grows with its square); the flow is then Poisson at a rate proportional to
    // the profile.
    const profileOnly = ScenarioSchema.parse({
      preset: 'calm',
      activity: { profile: 'cme' },
      toxic: { rate: [0, 0, 0] },
    });
    calm = await simulate({
      start: '2026-03-04',
      days: 2,
      seed: 21,
      out: join(root, 'calm'),
      spot: false,
      instruments: ['6E'],
      scenario: profileOnly,
    });
    // Between the US (8 March) and the European (29 March) clock changes.
    calm.push(
      ...(await simulate({
        start: '2026-03-11',
        days: 1,
        seed: 21,
        out: join(root, 'gap'),
        spot: false,
        instruments: ['6E'],
        scenario: profileOnly,
      })),
    );
    full = await simulate({
      start: '2026-03-04',
      days: 1,
      seed: 21,
      out: join(root, 'full'),
      spot: false,
      instruments: ['6E'],
      scenario: ScenarioSchema.parse({ activity: { profile: 'cme' } }),
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('its hourly volume shares match the table within the Poisson noise', async (t: TestContext) => {
    // Standard time on 4–5 March (Chicago −6, London 0); US summer time on 11 March (−5, 0).
    for (const [days, chicago] of [
      [calm.slice(0, 2), -6],
      [calm.slice(2), -5],
    ] as const) {
      const files = days.map((d) => d.files.trades);
      const rep = await runActivity(files);
      const p = rep.products[0];
      const want = tableShares(chicago, 0);
      // Aggressive events are a thinning of the scheduler's Poisson flow, so an hour's volume is
      // compound Poisson: Var(V_h) = E[N_h]·E[m²], estimated by Σ m² over its events (m: the
      // contracts of one event). The share V_h / V then has variance ((1 − 2p)·Var(V_h) +
      // p²·Var(V)) / V² (delta method, hours independent); 4 standard deviations per hour leave
      // 23 × 6e-5 ≈ 0.15 % for a false alarm anywhere in the day.
      const sumSq = new Float64Array(24);
      for (const f of files) {
        const m = await eventMarks(f);
        for (let h = 0; h < 24; h++) sumSq[h] += m.sumSq[h];
      }
      const varTotal = sumSq.reduce((s, x) => s + x, 0);
      let worst = 0;
      for (let h = 0; h < 24; h++) {
        const share = p.hours[h].volume / p.volume;
        const sd = Math.sqrt((1 - 2 * share) * sumSq[h] + share * share * varTotal) / p.volume;
        if (want[h] === 0) {
          assert.equal(p.hours[h].volume, 0, `hour ${h}: the break`);
          continue;
        }
        const z = (share - want[h]) / sd;
        worst = Math.max(worst, Math.abs(z));
        assert.ok(
          Math.abs(z) < 4,
          `${p.dates.join(', ')} hour ${h}: ${share} against ${want[h]} (z ${z.toFixed(2)})`,
        );
      }
      t.diagnostic(`${p.dates.join(', ')}: ${p.volume} contracts, largest |z| ${worst.toFixed(2)}`);
    }
  });

  test('the break is silent and the reopening the quietest, on each side of the US clock change', async () => {
    const pooled = (await runActivity(calm.slice(0, 2).map((d) => d.files.trades))).products[0];
    // 23:00 UTC (17:00 Chicago): 0.17 of activity against 0.25 for the next quietest (05:00 UTC).
    assert.deepEqual([pooled.silent, pooled.quietest], [[22], 23]);
    // On 11 March the break is 16:00 CDT, 21:00 UTC, and the reopening's two hours (0.15 and 0.17
    // of activity, too close to order on one day) the quietest.
    const gap = (await runActivity([calm[2].files.trades])).products[0];
    assert.deepEqual(gap.silent, [21]);
    assert.ok(gap.quietest === 22 || gap.quietest === 23, `quietest ${gap.quietest}`);
  });

  test('with the default regimes and toxic episodes the break is silent and the London–New York afternoon outtrades Asia', async (t: TestContext) => {
    // The regime scales half hours by 0.6–1.8, so hour-by-hour rankings are not one day's facts;
    // 13:00–17:00 UTC carries 43 % of the table's day, 23:00–09:00 UTC 21 %.
    const p = (await runActivity([full[0].files.trades])).products[0];
    const sum = (hs: number[]) => hs.reduce((s, h) => s + p.hours[h].volume, 0);
    const afternoon = sum([13, 14, 15, 16]);
    const asia = sum([23, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    t.diagnostic(
      `busiest ${p.busiest}:00 (${p.hours[p.busiest!].share}), quietest ${p.quietest}:00 (${p.hours[p.quietest!].share}); ` +
        `13–17 UTC ${(afternoon / p.volume).toFixed(3)}, 23–09 UTC ${(asia / p.volume).toFixed(3)}`,
    );
    assert.deepEqual(p.silent, [22]);
    assert.ok(afternoon > asia);
  });
});
