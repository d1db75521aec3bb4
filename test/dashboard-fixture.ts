/**
 * A dashboard without a trading session behind it, for the page's tests and for looking at the
 * page: a plausible state (two instruments with an hour of candles and a ladder, a board of seven
 * analysts with a debate and verdicts, twenty decisions, positions and fills), updates made from it
 * ten times a second, and a small server that speaks the dashboard's protocol over `ws` and serves
 * the page and its assets from dist/.
 *
 * `node dist/test/dashboard-fixture.js [port] [--read-only]` serves it until stopped.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import { applyUpdate } from '../src/server/apply.js';
import { dashboardAssets, dashboardHtml } from '../src/server/page/html.js';
import type {
  AgentView,
  BoardView,
  Candle,
  ControlRequest,
  DashboardState,
  DecisionView,
  FeatureNow,
  FeatureSeries,
  FillMark,
  Ladder,
  Level,
  MarketDelta,
  MarketView,
  Point,
  PortfolioView,
  RiskView,
  SessionView,
  TradeMark,
  UpdateMessage,
} from '../src/server/protocol.js';

/** The fixture's session starts here (UTC), with this much history before its clock. */
export const FIXTURE_START_MS = Date.UTC(2026, 11, 4, 14, 0, 0);
const HISTORY_S = 3_600;

export const FIXTURE_ANALYSTS = [
  'technical',
  'orderflow',
  'toxicity',
  'regime',
  'momentum',
  'mean_reversion',
  'macro',
] as const;

/** A small deterministic generator (mulberry32). */
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
}

const round = (x: number, d: number) => Number(x.toFixed(d));

interface Instrument {
  readonly symbol: string;
  readonly id: number;
  readonly kind: 'future' | 'spot';
  readonly tick: number;
  readonly decimals: number;
}

const INSTRUMENTS: readonly Instrument[] = [
  { symbol: '6EZ6', id: 42_001, kind: 'future', tick: 0.00005, decimals: 5 },
  { symbol: 'EUR/USD', id: 1, kind: 'spot', tick: 0.00001, decimals: 5 },
];
/** The future trades this far above spot (carry). */
const BASIS = 0.00062;

/** What the fixture's market does, one second at a time. */
class MarketGen {
  readonly inst: Instrument;
  /** The forming candle. */
  candle: Candle | null = null;
  /** When the price lines were last sent (they are sent every 15 minutes). */
  linesAt = Number.NEGATIVE_INFINITY;
  readonly #rng: Rng;
  #mid: number;
  #regime = 'calm';
  #ofi10 = 0;
  #vpin = 0.3;

  constructor(inst: Instrument, rng: Rng, mid: number) {
    this.inst = inst;
    this.#rng = rng;
    this.#mid = mid;
  }

  /** The mid of the spot pair for `t`, shared so the basis stays near its carry. */
  step(
    t: number,
    spotMid: number,
  ): { mid: Point; micro: Point; trades: TradeMark[]; now: FeatureNow; series: FeatureSeries } {
    const r = this.#rng;
    const regimeChange = t % 600 === 0;
    if (regimeChange) this.#regime = r.pick(['calm', 'trending', 'volatile']);
    this.#mid = this.inst.kind === 'spot' ? spotMid : spotMid + BASIS + r.normal() * 0.00002;
    const mid = round(this.#mid, 6);
    const qi = Math.max(-1, Math.min(1, r.normal() * 0.4));
    const spread = this.inst.tick * (this.inst.kind === 'spot' ? 6 : 1);
    const micro = round(mid + (qi * spread) / 2, 7);
    const trades: TradeMark[] = [];
    if (this.inst.kind === 'future' && r.next() < 0.5) {
      const side = r.next() < 0.5 ? 'buy' : 'sell';
      trades.push({
        t,
        px: round(mid + ((side === 'buy' ? 1 : -1) * spread) / 2, 6),
        qty: 1 + Math.floor(r.next() * 12),
        side,
      });
    }
    const ofi1 = round(r.normal() * 8, 1);
    this.#ofi10 = round(0.8 * this.#ofi10 + ofi1, 1);
    this.#vpin = round(Math.max(0, Math.min(1, this.#vpin + r.normal() * 0.03)), 4);
    const rv = round(
      0.00004 *
        (this.#regime === 'volatile' ? 2.5 : this.#regime === 'trending' ? 1.5 : 1) *
        (1 + 0.2 * r.next()),
      8,
    );
    const basis = round(this.inst.kind === 'future' ? mid - spotMid : spotMid - (spotMid + BASIS), 6);
    const now: FeatureNow = {
      mid,
      microprice: micro,
      spreadTicks: round(spread / this.inst.tick, 1),
      ofi1s: ofi1,
      ofi10s: this.#ofi10,
      qiL1: round(qi, 3),
      qiL5: round(qi * 0.6, 3),
      vpin: this.#vpin,
      vpinCdf: this.#vpin,
      vpinAlert: 0.9,
      rv1m: rv,
      rv5m: round(rv * 0.9, 8),
      basis,
      basisDev: round((basis - (this.inst.kind === 'future' ? BASIS : -BASIS)) / 0.00002, 2),
      regime: this.#regime,
    };
    const series: FeatureSeries = {
      ofi: [{ t, v: this.#ofi10 }],
      qi: [{ t, v: now.qiL1! }],
      vpin: [{ t, v: this.#vpin }],
      rv: [{ t, v: rv }],
      basis: [{ t, v: basis }],
      regime: regimeChange || t === FIXTURE_START_MS / 1000 - HISTORY_S ? [{ t, state: this.#regime }] : [],
    };
    return { mid: { t, v: mid }, micro: { t, v: micro }, trades, now, series };
  }

  ladder(t: number, mid: number, orders: Ladder['orders']): Ladder {
    const r = this.#rng;
    const tick = this.inst.kind === 'spot' ? this.inst.tick * 3 : this.inst.tick;
    const bestBid = Math.floor(mid / tick) * tick;
    const side = (dir: number): Level[] => {
      const sizes = Array.from({ length: 10 }, () => 5 + Math.floor(r.next() * 40));
      const wall = 2 + Math.floor(r.next() * 7);
      sizes[wall] *= 5;
      const sorted = [...sizes].sort((a, b) => a - b);
      const median = (sorted[4] + sorted[5]) / 2;
      return sizes.map((sz, i) => ({
        px: round(bestBid + (dir > 0 ? (i + 1) * tick : -i * tick), this.inst.decimals),
        sz,
        ct: 1 + Math.floor(sz / 6),
        wall: sz >= 4 * median,
      }));
    };
    return { t, bids: side(-1), asks: side(1), orders };
  }
}

function emptySeries(): { [K in keyof FeatureSeries]: FeatureSeries[K][number][] } {
  return { ofi: [], qi: [], vpin: [], rv: [], basis: [], regime: [] };
}

/** The minute's candle after a trade at `px` for `qty` at `t` (a new one at a new minute). */
function nextCandle(last: Candle | null, t: number, px: number, qty: number): Candle {
  const minute = t - (t % 60);
  if (last !== null && last.t === minute)
    return { t: minute, o: last.o, h: Math.max(last.h, px), l: Math.min(last.l, px), c: px, v: last.v + qty };
  return { t: minute, o: px, h: px, l: px, c: px, v: qty };
}

function agentsFor(rng: Rng, direction: 'long' | 'short'): AgentView[] {
  return FIXTURE_ANALYSTS.map((agent, i) => {
    const dropped = agent === 'macro' && rng.next() < 0.3;
    const dir = dropped
      ? 'dropped'
      : rng.next() < 0.7
        ? direction
        : rng.pick(['long', 'short', 'flat'] as const);
    return {
      agent,
      direction: dir,
      confidence: dropped ? 0 : round(0.4 + rng.next() * 0.55, 2),
      horizonS: dropped ? null : 30 + i * 15,
      evidence: dropped
        ? {}
        : {
            ofi_10s: round(rng.normal() * 20, 1),
            qi_l1: round(rng.normal() * 0.4, 3),
            ...(agent === 'toxicity' ? { vpin_cdf: round(rng.next(), 3), toxic: false } : {}),
            ...(agent === 'technical' ? { pivot: 'R1', distance_ticks: Math.floor(rng.next() * 9) } : {}),
            ...(agent === 'regime' ? { state: rng.pick(['calm', 'trending', 'volatile']) } : {}),
          },
      flags: agent === 'toxicity' && rng.next() < 0.3 ? ['wide_spread'] : [],
      ms: round(0.2 + rng.next() * 4, 3),
      why: dropped ? 'timed out after 250 ms' : null,
    };
  });
}

/** The state, and the updates that follow it, one market second per update. */
export class DashboardFixture {
  readonly #rng = new Rng(7);
  readonly #markets: MarketGen[];
  #t: number;
  #spot = 1.0842;
  #seq = 0;
  #decisions = 0;
  #equity = 100_000;
  #session: SessionView;
  #fills: FillMark[] = [];
  #position = 0;
  /** The state the first snapshot holds: an hour of history. */
  readonly initial: DashboardState;

  constructor(opts: { controls?: boolean; mode?: SessionView['mode'] } = {}) {
    this.#t = FIXTURE_START_MS / 1000 - HISTORY_S;
    this.#markets = INSTRUMENTS.map((i) => new MarketGen(i, this.#rng, this.#spot));
    this.#session = {
      mode: opts.mode ?? 'replay',
      name: 'sim 2026-12-04 (fixture)',
      nowMs: null,
      speed: 10,
      held: false,
      range: { fromMs: FIXTURE_START_MS - HISTORY_S * 1000, toMs: FIXTURE_START_MS + 6 * 3_600_000 },
      controls: opts.controls ?? true,
      ended: null,
    };
    this.initial = this.#history();
  }

  /** The session as the controls left it. */
  get session(): SessionView {
    return this.#session;
  }

  set session(s: SessionView) {
    this.#session = s;
  }

  #history(): DashboardState {
    const markets: MarketView[] = this.#markets.map((g) => ({
      symbol: g.inst.symbol,
      candles: [],
      mid: [],
      micro: [],
      trades: [],
      ladder: null,
      now: {} as FeatureNow,
      series: emptySeries(),
      lines: [],
    }));
    let state: DashboardState = {
      session: this.#session,
      instruments: INSTRUMENTS.map((i) => ({
        id: i.id,
        symbol: i.symbol,
        kind: i.kind,
        decimals: i.decimals,
      })),
      markets,
      board: null,
      decisions: [],
      portfolio: this.#portfolio([]),
      risk: this.#risk(),
      feeds: [],
    };
    for (let s = 0; s < HISTORY_S; s++) state = applyUpdate(state, this.next());
    // A snapshot's seq is that of the last update it holds; the history's updates were never sent.
    this.#seq = 0;
    return state;
  }

  #portfolio(newFills: FillMark[]): PortfolioView {
    const mid = this.#markets[0] === undefined ? 1.0848 : this.#spot + BASIS;
    const avg = 1.0846;
    return {
      positions: [
        {
          symbol: '6EZ6',
          qty: this.#position,
          avgPx: this.#position === 0 ? null : avg,
          upnl: round(this.#position * (mid - avg) * 125_000, 2),
        },
        { symbol: 'EUR/USD', qty: -2, avgPx: 1.08431, upnl: round(-2 * (this.#spot - 1.08431) * 100_000, 2) },
      ],
      working: [
        { clientId: 'c-101', symbol: '6EZ6', side: 'buy', px: null, qty: 1, type: 'stop', ahead: null },
        {
          clientId: 'c-102',
          symbol: '6EZ6',
          side: 'sell',
          px: round(mid + 0.00015, 5),
          qty: 2,
          type: 'limit',
          ahead: 31,
        },
      ],
      fills: newFills,
      dayPnl: round(this.#equity - 100_000, 2),
      equity: round(this.#equity, 2),
      equityCurve: [{ t: this.#t, v: round(this.#equity, 2) }],
      orders: 40 + this.#fills.length,
      fillCount: this.#fills.length,
    };
  }

  #risk(): RiskView {
    return {
      state: this.#session.held ? 'paused' : 'trading',
      killSwitch: false,
      tradingPaused: false,
      limits: [
        { name: 'position 6EZ6', used: Math.abs(this.#position), limit: 10 },
        { name: 'daily loss', used: Math.max(0, round(100_000 - this.#equity, 2)), limit: 2_500 },
        { name: 'orders/min', used: 7, limit: 60 },
        { name: 'drawdown', used: 412.5, limit: 500 },
      ],
    };
  }

  #decision(symbol: string, t: number): { decision: DecisionView; board: BoardView } {
    const r = this.#rng;
    const id = `d-${String(++this.#decisions).padStart(5, '0')}`;
    const direction = r.next() < 0.5 ? 'long' : 'short';
    const agents = agentsFor(r, direction);
    const agreeing = agents.filter((a) => a.direction === direction).length / agents.length;
    const route = agreeing >= 0.9 ? 'fast' : r.next() < 0.8 ? 'standard' : 'full';
    const vetoed = r.next() < 0.25;
    const verdicts = [
      { name: 'risk_limits', pass: true, reason: null },
      { name: 'toxicity', pass: !vetoed, reason: vetoed ? 'VPIN CDF 0.93 ≥ 0.90' : null },
      { name: 'spread', pass: true, reason: null },
      { name: 'exposure', pass: true, reason: null },
    ];
    const debated = route !== 'fast';
    const tiers = [
      { name: 'features', ms: round(0.1 + r.next() * 0.3, 3) },
      { name: 'analysts', ms: round(Math.max(...agents.map((a) => a.ms)), 3) },
      ...(debated ? [{ name: 'debate', ms: round(5 + r.next() * 40, 3) }] : []),
      { name: 'validators', ms: round(0.05 + r.next() * 0.2, 3) },
      { name: 'execution', ms: round(0.1 + r.next() * 0.5, 3) },
    ];
    const size = vetoed ? 0 : 1 + Math.floor(r.next() * 3);
    const decision: DecisionView = {
      id,
      t,
      symbol,
      trigger: r.pick(['ofi_spike', 'pivot_touch', 'schedule', 'qi_flip']),
      route,
      direction,
      size,
      outcome: vetoed ? 'vetoed: toxicity' : 'traded',
      agreement: round(agreeing, 3),
      tiers,
      analysts: agents.map((a) => ({ name: a.agent, ms: a.ms })),
      totalMs: round(
        tiers.reduce((s, x) => s + x.ms, 0),
        3,
      ),
    };
    const board: BoardView = {
      decisionId: id,
      t,
      symbol,
      agents,
      consensus: {
        direction,
        score: round((direction === 'long' ? 1 : -1) * agreeing * 0.8, 3),
        agreement: round(agreeing, 3),
      },
      debate: debated
        ? {
            rounds: 2,
            turns: [
              {
                speaker: 'bull',
                text: `Order flow leans ${direction}: OFI 10s positive and the queue at the bid refills.`,
              },
              { speaker: 'bear', text: 'VPIN is rising and the last pivot held twice; the move may fade.' },
              { speaker: 'bull', text: 'The regime is trending and the basis confirms the spot move.' },
            ],
            verdict: `${direction}: flow and regime outweigh the pivot`,
          }
        : null,
      verdicts,
    };
    return { decision, board };
  }

  /** The next update: one market second later. */
  next(): UpdateMessage {
    const r = this.#rng;
    this.#t += 1;
    const t = this.#t;
    this.#spot = round(this.#spot + r.normal() * 0.00003, 6);
    const markets: MarketDelta[] = [];
    const newFills: FillMark[] = [];
    let decision: { decision: DecisionView; board: BoardView } | null = null;
    for (const g of this.#markets) {
      const s = g.step(t, this.#spot);
      const working: Ladder['orders'] =
        g.inst.kind === 'future'
          ? [
              {
                clientId: 'c-102',
                symbol: g.inst.symbol,
                side: 'sell',
                px: null,
                qty: 2,
                type: 'limit',
                ahead: 31,
              },
            ]
          : [];
      const ladder = g.ladder(t, s.mid.v, []);
      const orders = working.map((o) => ({ ...o, px: ladder.asks[3].px }));
      g.candle = nextCandle(
        g.candle,
        t,
        s.mid.v,
        s.trades.reduce((a, x) => a + x.qty, 0),
      );
      const sendLines = t - g.linesAt >= 900;
      if (sendLines) g.linesAt = t;
      markets.push({
        symbol: g.inst.symbol,
        candles: [g.candle],
        mid: [s.mid],
        micro: [s.micro],
        trades: s.trades,
        ladder: { ...ladder, orders },
        now: s.now,
        series: s.series,
        ...(sendLines ? { lines: this.#lines(g, s.mid.v) } : {}),
      });
      if (g.inst.kind === 'future' && t % 30 === 0) decision = this.#decision(g.inst.symbol, t);
      if (g.inst.kind === 'future' && decision !== null && decision.decision.size > 0) {
        // Positions stay within five contracts: past that, the fill is an exit.
        const wanted = decision.decision.direction === 'long' ? 'buy' : 'sell';
        const side = this.#position >= 5 ? 'sell' : this.#position <= -5 ? 'buy' : wanted;
        const f: FillMark = {
          t,
          symbol: g.inst.symbol,
          side,
          px: s.mid.v,
          qty: decision.decision.size,
          liquidity: r.next() < 0.6 ? 'maker' : 'taker',
          clientId: `c-${1000 + this.#fills.length}`,
          role: side !== wanted || r.next() < 0.4 ? 'exit target' : 'entry',
        };
        newFills.push(f);
        this.#fills.push(f);
        this.#position += side === 'buy' ? f.qty : -f.qty;
        this.#equity += r.normal() * 40;
      }
    }
    this.#session = { ...this.#session, nowMs: t * 1000 };
    const u: UpdateMessage = {
      type: 'update',
      v: 1,
      seq: ++this.#seq,
      session: this.#session,
      markets,
      decisions: decision === null ? [] : [decision.decision],
      ...(decision === null ? {} : { board: decision.board }),
      ...(newFills.length > 0 || t % 5 === 0
        ? { portfolio: this.#portfolio(newFills), risk: this.#risk() }
        : {}),
      ...(t % 2 === 0 ? { feeds: this.#feeds(t) } : {}),
    };
    return u;
  }

  #lines(g: MarketGen, mid: number): { name: string; px: number }[] {
    const figure = Math.round(mid * 100) / 100;
    return [
      { name: 'big figure', px: round(figure, 5) },
      { name: 'R1', px: round(mid + 0.0011, 5) },
      { name: 'S1', px: round(mid - 0.0013, 5) },
      { name: 'London high', px: round(mid + 0.0019, 5) },
      { name: 'London low', px: round(mid - 0.0021, 5) },
    ].map((l) => ({ ...l, px: round(l.px, g.inst.decimals) }));
  }

  #feeds(t: number) {
    return INSTRUMENTS.map((i, k) => ({
      symbol: i.symbol,
      records: (t - FIXTURE_START_MS / 1000 + HISTORY_S) * (k === 0 ? 37 : 4),
      lastRecordMs: t * 1000 - (k === 0 ? 3 : 120),
      lagMs: k === 0 ? 3 : 120,
      trusted: true,
      why: null,
    }));
  }
}

/** A running fixture server. */
export interface DashboardFixtureServer {
  /** The page's URL (`http://127.0.0.1:PORT/`). */
  readonly url: string;
  /** The token controls need, or null when the server has none (read-only). */
  readonly token: string | null;
  /** The state as the server holds it: the snapshot's with every update sent since applied. */
  state(): DashboardState;
  /** The `seq` of the last message sent. */
  seq(): number;
  /** Controls received with the right token, in order. */
  readonly controls: ControlRequest[];
  /** Browsers connected now. */
  clients(): number;
  /** Stops sending updates (the state stays as it is). */
  pause(): void;
  /** Sends updates again, `hz` a second. */
  resume(hz?: number): void;
  /** Closes every browser's socket (they reconnect). */
  dropClients(): void;
  /** Makes an update and applies it without sending it, so the browsers see a gap in `seq`. */
  skip(): void;
  close(): Promise<void>;
}

function controlAnswer(res: ServerResponse, status: number, ok: boolean, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok, message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves the page (`/`), its assets from dist/ (`dashboardAssets`), the WebSocket (`/ws`: the
 * snapshot, then `hz` updates a second) and `POST /api/control`, answering as the protocol says.
 */
export async function startDashboardFixture(
  opts: {
    controls?: boolean;
    hz?: number;
    mode?: SessionView['mode'];
    token?: string;
    port?: number;
    /** The state the snapshot holds instead of the fixture's hour of history. */
    initial?: DashboardState;
  } = {},
): Promise<DashboardFixtureServer> {
  const controlsOn = opts.controls ?? true;
  const token = controlsOn ? (opts.token ?? 'fixture-token') : null;
  const fixture = new DashboardFixture({ controls: controlsOn, mode: opts.mode });
  let state = opts.initial ?? fixture.initial;
  let seq = 0;
  const controls: ControlRequest[] = [];
  const assets = dashboardAssets();
  const html = dashboardHtml({ title: 'scalper-engine · fixture' });

  const control = async (req: IncomingMessage, res: ServerResponse) => {
    if (token === null) return controlAnswer(res, 403, false, 'read-only: the server has no control token');
    if (req.headers.authorization !== `Bearer ${token}`)
      return controlAnswer(res, 401, false, 'a control needs the right bearer token');
    let body: ControlRequest;
    try {
      body = JSON.parse(await readBody(req)) as ControlRequest;
    } catch {
      return controlAnswer(res, 400, false, 'the body is not JSON');
    }
    if (fixture.session.mode === 'live' && ['speed', 'hold', 'play', 'seek'].includes(body.action))
      return controlAnswer(res, 409, false, `"${body.action}" needs a replay; this is a live feed`);
    controls.push(body);
    const s = fixture.session;
    if (body.action === 'hold' || body.action === 'play')
      fixture.session = { ...s, held: body.action === 'hold' };
    if (body.action === 'speed' && body.value !== undefined) fixture.session = { ...s, speed: body.value };
    controlAnswer(res, 200, true, `${body.action}${body.value === undefined ? '' : ` ${body.value}`} done`);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/api/control') {
      void control(req, res);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const a = assets.get(path);
    if (a === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': a.contentType }).end(readFileSync(a.file));
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws: WebSocket) => {
    ws.send(JSON.stringify({ type: 'snapshot', v: 1, seq, state }));
  });
  const step = (send: boolean) => {
    const u = fixture.next();
    state = applyUpdate(state, u);
    seq = u.seq;
    if (!send) return;
    const text = JSON.stringify(u);
    for (const c of wss.clients) if (c.readyState === c.OPEN) c.send(text);
  };
  let timer: ReturnType<typeof setInterval> | null = null;
  const resume = (hz = opts.hz ?? 10) => {
    if (timer !== null) clearInterval(timer);
    timer = setInterval(() => step(true), 1000 / hz);
  };
  const pause = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  if ((opts.hz ?? 10) > 0) resume();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    state: () => state,
    seq: () => seq,
    controls,
    clients: () => wss.clients.size,
    pause,
    resume,
    dropClients: () => {
      for (const c of wss.clients) c.terminate();
    },
    skip: () => step(false),
    close: async () => {
      pause();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 0);
  const s = await startDashboardFixture({ controls: !process.argv.includes('--read-only'), port });
  console.log(`dashboard fixture at ${s.url} (token: ${s.token ?? 'none, read-only'})`);
}
