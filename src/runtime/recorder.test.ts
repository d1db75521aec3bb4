/**
 * The feed recorder on hand-made trades (file names per trading date, metadata, flushing, a file
 * cut mid-record, new symbols, a resumed session) and on a simulated paper session: the recording
 * holds the input's records byte for byte, and a backtest of it takes the session's decisions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { compareRuns, readRunFolder, runBacktest, tradesOf, writeRunFiles } from '../backtest/index.js';
import { UNDEF_TIMESTAMP } from '../core/index.js';
import {
  DbnDecoder,
  DbnEncoder,
  DbnError,
  type DbnDecoder as Decoder,
  type RecordBatch,
  type ReplaySink,
  RType,
  SymbolMap,
  type TradeRecord,
} from '../data/index.js';
import type { Decision } from '../pipeline/index.js';
import { type FeedSink, FileFeed } from './file-feed.js';
import { FeedRecorder, RECORDING_FILE, recordedFeed, repairRecording, streamsOf } from './recorder.js';
import { TradingSession } from './session.js';

const tmp = mkdtempSync(join(tmpdir(), 'recorder-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let folders = 0;
const folder = () => join(tmp, `f${++folders}`);

const ID = 42005347;
const BASE = Date.parse('2026-11-24T14:00:00Z');
/** A trades record (MBP-0) is 48 bytes in DBN v3. */
const TRADE_BYTES = 48;

/** A trade at `iso` (ts_recv; ts_event 1 µs earlier) of `size` lots. */
function trade(iso: string, size: number, id = ID): TradeRecord {
  const ts = BigInt(Date.parse(iso)) * 1_000_000n;
  return {
    hd: { length: 0, rtype: RType.MBP_0, publisher_id: 1, instrument_id: id, ts_event: ts - 1000n },
    price: 1_160_000_000n,
    size,
    action: 'T',
    side: 'B',
    flags: 0x80,
    depth: 0,
    ts_recv: ts,
    ts_in_delta: 0,
    sequence: size,
  };
}

/** A trades file of `records` for `symbols` (id → raw symbol). */
async function tradesFile(
  path: string,
  records: TradeRecord[],
  symbols: [number, string][],
): Promise<string> {
  const enc = DbnEncoder.toFile(path, {
    metadata: {
      dataset: 'GLBX.MDP3',
      schema: 'trades',
      start: records[0].ts_recv,
      stype_in: 'raw_symbol',
      stype_out: 'instrument_id',
      symbols: symbols.map(([, s]) => s),
      mappings: symbols.map(([id, s]) => ({
        raw_symbol: s,
        intervals: [{ start_date: 20261120, end_date: 20261201, symbol: String(id) }],
      })),
    },
  });
  for (const r of records) enc.write(r);
  await enc.end();
  return path;
}

/** A sink that only counts (the engine names nothing). */
function countingSink(): FeedSink & { pushed: number; warmed: number } {
  const engine: ReplaySink = {
    setSymbol() {},
    setTickSize() {},
    applyDefinition() {},
    apply() {},
    advance() {},
  };
  const sink = {
    engine,
    pushed: 0,
    warmed: 0,
    push() {
      sink.pushed++;
    },
    warm() {
      sink.warmed++;
    },
  };
  return sink;
}

/** Every record of `file`: the `sequence` field (our trades' sizes) and the raw bytes. */
async function readAll(file: string): Promise<{ sizes: number[]; bytes: Buffer }> {
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  await eachRecord(DbnDecoder.fromFile(file), (b, i) => {
    const c = b.at(i);
    sizes.push(c.size);
    parts.push(Buffer.from(b.bytes.subarray(b.offsets[i], b.offsets[i] + b.bytes[b.offsets[i]] * 4)));
  });
  return { sizes, bytes: Buffer.concat(parts) };
}

async function eachRecord(dec: Decoder, f: (b: RecordBatch, i: number) => void): Promise<void> {
  for await (const b of dec) for (let i = 0; i < b.count; i++) f(b, i);
}

async function metadataOf(file: string) {
  const dec = DbnDecoder.fromFile(file);
  try {
    return await dec.readMetadata();
  } finally {
    await dec.close();
  }
}

describe('feed recorder', () => {
  test('writes one file per trading date, with the symbols and the time range in its metadata', async () => {
    // 2026-11-24 is in CST (UTC-6): Globex closes at 16:00 CT = 22:00 UTC and reopens at 17:00 CT
    // = 23:00 UTC on the trading date 2026-11-25. The 22:30 trade falls in the break: it stays in
    // the day's file.
    const input = await tradesFile(
      join(tmp, 'days.trades.dbn'),
      [
        trade('2026-11-24T14:00:00Z', 1),
        trade('2026-11-24T21:59:59Z', 2),
        trade('2026-11-24T22:30:00Z', 3),
        trade('2026-11-24T23:00:01Z', 4),
      ],
      [[ID, '6EZ6']],
    );
    const dir = folder();
    const rec = await FeedRecorder.open({ dir, streams: await streamsOf([input]) });
    const sink = countingSink();
    await new FileFeed([input], { speed: 0 }).run(rec.wrap(sink));
    const summary = await rec.close();
    assert.equal(sink.pushed, 4);
    assert.deepEqual(readdirSync(dir).sort(), [
      'glbx-mdp3-20261124.trades.dbn',
      'glbx-mdp3-20261125.trades.dbn',
      RECORDING_FILE,
    ]);
    const day1 = join(dir, 'glbx-mdp3-20261124.trades.dbn');
    const day2 = join(dir, 'glbx-mdp3-20261125.trades.dbn');
    assert.deepEqual((await readAll(day1)).sizes, [1, 2, 3]);
    assert.deepEqual((await readAll(day2)).sizes, [4]);
    const md = await metadataOf(day1);
    assert.equal(md?.dataset, 'GLBX.MDP3');
    assert.equal(md?.schema, 'trades');
    assert.equal(SymbolMap.fromMetadata(md).resolve(ID), '6EZ6');
    assert.equal(md?.start, BigInt(Date.parse('2026-11-24T14:00:00Z')) * 1_000_000n);
    // The end is filled in at close: just after the file's last record (22:30).
    assert.equal(md?.end, BigInt(Date.parse('2026-11-24T22:30:00Z')) * 1_000_000n + 1n);
    assert.equal(summary.records, 4);
    assert.equal(summary.warmed, 0);
    assert.equal(summary.resumeNs, null);
    const json = JSON.parse(readFileSync(join(dir, RECORDING_FILE), 'utf8'));
    assert.equal(json.records, 4);
    assert.equal(json.last.ts, '2026-11-24T23:00:01.000000000Z');
  });

  test('flushes within flushMs, and a file cut mid-record reads up to its last whole record', async () => {
    const input = await tradesFile(
      join(tmp, 'flush.trades.dbn'),
      [1, 2, 3, 4, 5].map((n) => trade(`2026-11-24T14:00:0${n}Z`, n)),
      [[ID, '6EZ6']],
    );
    const dir = folder();
    const rec = new FeedRecorder({ dir, streams: await streamsOf([input]), flushMs: 20 });
    await new FileFeed([input], { speed: 0 }).run(rec.wrap(countingSink()));
    const file = join(dir, 'glbx-mdp3-20261124.trades.dbn');
    await new Promise((r) => setTimeout(r, 100));
    // The metadata's length is in the prelude (bytes 4-8, after "DBN" and the version).
    const header = 8 + readFileSync(file).readUInt32LE(4);
    // Not closed (as after kill -9): the five records are on disk all the same.
    const size = statSync(file).size;
    assert.equal(size - header, 5 * TRADE_BYTES);
    // Cut 20 bytes into the fifth record: four whole records, then a clear error at its start.
    truncateSync(file, size - TRADE_BYTES + 20);
    const seen: number[] = [];
    await assert.rejects(
      eachRecord(DbnDecoder.fromFile(file), (b, i) => seen.push(b.at(i).size)),
      (e: unknown) =>
        e instanceof DbnError &&
        e.code === 'TRUNCATED_RECORD' &&
        e.source === file &&
        e.offset === size - TRADE_BYTES &&
        /only 20 bytes of it are present/.test(e.message),
    );
    assert.deepEqual(seen, [1, 2, 3, 4]);
    // Repair trims the cut record: the file then reads to its end.
    await rec.close();
    // The last whole record is the fourth, at 14:00:04.
    assert.deepEqual(await repairRecording(dir), {
      repaired: [{ file, bytes: 20 }],
      lastNs: BigInt(Date.parse('2026-11-24T14:00:04Z')) * 1_000_000n,
    });
    assert.deepEqual((await readAll(file)).sizes, [1, 2, 3, 4]);
  });

  test('a process killed outright loses at most the last second, and its file reads to the last whole record', async () => {
    // 40 trades 100 ms apart, replayed in real time by a child process that prints each one as the
    // session gets it (stdout on a pipe is synchronous on Linux) and is killed with SIGKILL.
    const records = Array.from({ length: 40 }, (_, n) =>
      trade(new Date(BASE + n * 100).toISOString(), n + 1),
    );
    const input = await tradesFile(join(tmp, 'kill.trades.dbn'), records, [[ID, '6EZ6']]);
    const dir = folder();
    const script = join(tmp, 'kill-child.mjs');
    writeFileSync(
      script,
      `import { FeedRecorder, streamsOf } from ${JSON.stringify(new URL('./recorder.js', import.meta.url).href)};
import { FileFeed } from ${JSON.stringify(new URL('./file-feed.js', import.meta.url).href)};
const files = [${JSON.stringify(input)}];
const rec = new FeedRecorder({ dir: ${JSON.stringify(dir)}, streams: await streamsOf(files) });
const nop = () => {};
const engine = { setSymbol: nop, setTickSize: nop, applyDefinition: nop, apply: nop, advance: nop };
await new FileFeed(files, { speed: 1 }).run(rec.wrap({ engine, warm: nop, push: (b, i) => process.stdout.write(b.at(i).size + '\\n') }));
setInterval(nop, 1000);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pushed = 0;
    let out = '';
    const killed = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        pushed = out.split('\n').filter((l) => l !== '').length;
        // Killed mid-stream, once 2.5 s of trades went by.
        if (pushed >= 25 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    await killed;
    const file = join(dir, 'glbx-mdp3-20261124.trades.dbn');
    const { sizes } = await readAll(file);
    // The records on disk are the first ones pushed, in order; those of the last second (10 at
    // 100 ms apart, with 5 more of slack for a busy machine's timers) may be missing.
    assert.deepEqual(
      sizes,
      Array.from({ length: sizes.length }, (_, n) => n + 1),
    );
    assert.ok(sizes.length <= pushed && pushed - sizes.length <= 15, `${sizes.length} of ${pushed} on disk`);
    assert.ok(sizes.length >= 10, `${sizes.length} on disk`);
  });

  test('a symbol learned after a file opened starts a new part that names it', async () => {
    const input = await tradesFile(
      join(tmp, 'symbols.trades.dbn'),
      [trade('2026-11-24T14:00:01Z', 1), trade('2026-11-24T14:00:02Z', 2, 7)],
      [[ID, '6EZ6']],
    );
    const dir = folder();
    const rec = new FeedRecorder({ dir, streams: await streamsOf([input]) });
    const sink = rec.wrap(countingSink());
    await new FileFeed([input], { speed: 0 }).run({
      ...sink,
      push: (b, i) => {
        // A live gateway names instrument 7 only when its first record comes.
        if (b.at(i).instrumentId === 7) sink.engine.setSymbol(7, '6BZ6');
        sink.push(b, i);
      },
    });
    await rec.close();
    const second = join(dir, 'glbx-mdp3-20261124-2.trades.dbn');
    assert.deepEqual((await readAll(second)).sizes, [2]);
    const map = SymbolMap.fromMetadata(await metadataOf(second));
    assert.equal(map.resolve(7), '6BZ6');
    assert.equal(map.resolve(ID), '6EZ6');
    assert.equal(
      SymbolMap.fromMetadata(await metadataOf(join(dir, 'glbx-mdp3-20261124.trades.dbn'))).resolve(7),
      undefined,
    );
  });

  test('records the warm-up and names the resume point; a resumed run adds only what comes after the earlier one', async () => {
    const input = await tradesFile(
      join(tmp, 'resume.trades.dbn'),
      [1, 2, 3, 4, 5, 6].map((n) => trade(`2026-11-24T14:00:0${n}Z`, n)),
      [[ID, '6EZ6']],
    );
    const ns = (s: number) => BigInt(Date.parse(`2026-11-24T14:00:0${s}Z`)) * 1_000_000n;
    const dir = folder();
    const file = join(dir, 'glbx-mdp3-20261124.trades.dbn');
    // A run resumed at :03 (1 and 2 warm it up) that stops after 4.
    const stop = new AbortController();
    const sink = countingSink();
    const first = await FeedRecorder.open({ dir, streams: await streamsOf([input]) });
    const feed = new FileFeed([input], { speed: 0, resumeNs: ns(3), signal: stop.signal });
    await feed.run(
      first.wrap({
        ...sink,
        push: (b, i) => {
          sink.push(b, i);
          if (sink.pushed === 2) stop.abort();
        },
      }),
    );
    const s1 = await first.close();
    assert.equal(s1.records, 4);
    assert.equal(s1.warmed, 2);
    assert.equal(s1.resumeNs, ns(3));
    const json = JSON.parse(readFileSync(join(dir, RECORDING_FILE), 'utf8'));
    assert.equal(json.resume.ts, '2026-11-24T14:00:03.000000000Z');
    // Its process was killed while writing 4: 20 of its 48 bytes reached the disk.
    truncateSync(file, statSync(file).size - TRADE_BYTES + 20);
    // The next run, resumed at :04 (1 to 3 warm it up), in the same folder: the cut record is
    // trimmed, 1 to 3 are already recorded, 4 to 6 go to a new part.
    const again = await FeedRecorder.open({ dir, streams: await streamsOf([input]) });
    await new FileFeed([input], { speed: 0, resumeNs: ns(4) }).run(again.wrap(countingSink()));
    const s2 = await again.close();
    assert.deepEqual(s2.repaired, [{ file, bytes: 20 }]);
    assert.equal(s2.records, 3);
    assert.equal(s2.skipped, 3);
    assert.deepEqual((await readAll(file)).sizes, [1, 2, 3]);
    assert.deepEqual((await readAll(join(dir, 'glbx-mdp3-20261124-2.trades.dbn'))).sizes, [4, 5, 6]);
  });

  test('a write that fails stops the recording and says which file, and the feed goes on', async () => {
    const input = await tradesFile(
      join(tmp, 'fail.trades.dbn'),
      [trade('2026-11-24T14:00:01Z', 1)],
      [[ID, '6EZ6']],
    );
    const dir = folder();
    const errors: string[] = [];
    const rec = new FeedRecorder({
      dir,
      streams: await streamsOf([input]),
      onError: (e) => errors.push(e.message),
    });
    // The folder is replaced by a file: nothing can be created in it.
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    const sink = countingSink();
    await new FileFeed([input], { speed: 0 }).run(rec.wrap(sink));
    const s = await rec.close();
    assert.equal(sink.pushed, 1);
    assert.equal(s.records, 0);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /recording failed/);
    assert.equal(s.error, errors[0]);
    assert.ok(errors[0].startsWith(join(dir, 'glbx-mdp3-20261124.trades.dbn')), errors[0]);
  });
});

const setup = ofiSetup;

/** The parts of a decision both runs must agree on. */
const essence = (d: Decision) => ({
  id: d.id,
  trigger: d.trigger,
  snapshotTs: d.snapshotTs,
  approved: d.approval.approved,
  direction: d.approval.direction,
  size: d.approval.size,
});

describe('a recorded paper session', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 15,
    prefix: 'rec-',
  });

  test('records the feed byte for byte, and a backtest of the recording takes the same decisions', async () => {
    const files = [span.day.files.mbp10, span.day.files.trades] as string[];
    const dir = join(tmp, 'session', 'feed');
    const recorder = await FeedRecorder.open({ dir, streams: await streamsOf(files) });
    const session = new TradingSession({
      setup,
      feed: recordedFeed(new FileFeed(files, { speed: 0 }), recorder),
    });
    const { feed: fed } = await session.run();
    const summary = await recorder.close();
    assert.equal(summary.records, fed.records);
    const mbp10 = join(dir, 'glbx-mdp3-20261124.mbp-10.dbn');
    const trades = join(dir, 'glbx-mdp3-20261124.trades.dbn');
    assert.deepEqual([...summary.files].sort(), [mbp10, trades]);
    // The same records, the same bytes, in the same order, as in the simulator's files.
    for (const [input, recorded] of [
      [files[0], mbp10],
      [files[1], trades],
    ]) {
      const a = await readAll(input);
      const b = await readAll(recorded);
      assert.equal(b.sizes.length, a.sizes.length, recorded);
      assert.ok(a.bytes.equals(b.bytes), `${recorded}: record bytes differ from ${input}`);
      const symbols = (f: string) =>
        metadataOf(f).then(
          (m) =>
            new Map(
              SymbolMap.fromMetadata(m)
                .ids()
                .map((id) => [id, SymbolMap.fromMetadata(m).resolve(id)]),
            ),
        );
      assert.deepEqual(await symbols(recorded), await symbols(input));
    }
    const decisions = session.loop.decisions;
    assert.ok(decisions.length > 5, `${decisions.length} decisions`);
    assert.ok(decisions.some((d) => d.approval.approved));
    const replayed = await runBacktest([mbp10, trades], setup);
    assert.deepEqual(replayed.decisions.map(essence), decisions.map(essence));
    // `scalper backtest` reads the folder: both files, every record.
    const cli = await runScalper(['backtest', dir, '--out', join(tmp, 'cli-backtest')], {
      timeoutMs: 120_000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    const result = JSON.parse(readFileSync(join(tmp, 'cli-backtest', 'result.json'), 'utf8'));
    assert.equal(result.records, summary.records);
    assert.equal(result.inputs.length, 2);
    // The recording's metadata ends after its last record (filled in at close).
    const md = await metadataOf(mbp10);
    assert.notEqual(md?.end, UNDEF_TIMESTAMP);
    // The session's folder and the backtest's, compared: every decision pairs with its own, and
    // the gap is the two traders' round trips' P&L apart, split into causes that add up to it.
    // Their fills do differ: at speed 0 the feed does not wait for a decision (the pipeline runs
    // beside it, as live), so the session's orders go out when the decision is done, some seconds
    // of market time after the backtest's (which acts on the next second of the replay's grid);
    // `scalper compare` shows it in its "sent ms" column.
    const sessionDir = join(tmp, 'session');
    const backtestDir = join(tmp, 'session-backtest');
    mkdirSync(backtestDir);
    writeRunFiles(sessionDir, session.trader, decisions, tradesOf(session.trader));
    writeRunFiles(backtestDir, replayed.trader, replayed.decisions, tradesOf(replayed.trader));
    const c = compareRuns(readRunFolder(sessionDir), readRunFolder(backtestDir));
    assert.equal(c.counts.matched, decisions.length);
    assert.equal(c.counts.sessionOnly + c.counts.backtestOnly + c.counts.approvalDiffers, 0);
    const pnl = (t: typeof session.trader) => tradesOf(t).reduce((a, r) => a + r.pnl, 0);
    const gap = pnl(session.trader) - pnl(replayed.trader);
    assert.ok(Math.abs(c.pnlGap - gap) < 1e-4, `${c.pnlGap} against ${gap}`);
    const split = Object.values(c.causes).reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(split - gap) < 1e-4, `causes add to ${split}, gap ${gap}`);
    assert.equal(c.causes.decisions, 0);
  });
});
