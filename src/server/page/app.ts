/**
 * The dashboard page's script (an ES module, served at /assets/page/app.js). It connects to the
 * server's WebSocket (`/ws`), takes the `snapshot` as its state and applies each `update` with
 * `applyUpdate`, the function the server's model uses, so it holds the server's state. A gap in
 * `seq` or a closed socket makes it reconnect (with backoff), which brings a fresh snapshot.
 *
 * Messages only change the state; drawing happens at most once per animation frame, and each
 * panel is drawn again only when its part of the state changed (the update function keeps the
 * parts it did not touch), charts taking only their new points.
 *
 * For tests, `window.dashboard` holds the current state and counts of messages and renders.
 */
import { applyUpdate } from '../apply.js';
import { type DashboardState, type MarketView, PROTOCOL_VERSION, type ServerMessage } from '../protocol.js';
import { COLORS, EquityChart, FeatureChart, PriceChart, regimeAt, regimeColor } from './charts.js';
import { Controls } from './controls.js';
import { byId, setText } from './dom.js';
import { fmtNum } from './format.js';
import {
  decimalsOf,
  drawBoard,
  drawDecisions,
  drawFeeds,
  drawHeaderRisk,
  drawInstruments,
  drawLadder,
  drawLegend,
  drawPortfolio,
  drawRisk,
  drawSession,
} from './panels.js';

/** What tests read of the page. */
export interface DashboardProbe {
  state: DashboardState | null;
  /** Messages received (snapshots and updates). */
  messages: number;
  /** Snapshots received. */
  snapshots: number;
  /** Frames drawn. */
  renders: number;
  /** Time spent drawing them, ms (the script's part; the charts paint later in the frame). */
  renderMs: number;
  /** The last message's `seq`. */
  seq: number;
  /** `connecting`, `live` or `reconnecting`. */
  conn: string;
}

declare global {
  interface Window {
    dashboard: DashboardProbe;
  }
}

const probe: DashboardProbe = {
  state: null,
  messages: 0,
  snapshots: 0,
  renders: 0,
  renderMs: 0,
  seq: -1,
  conn: 'connecting',
};
window.dashboard = probe;

/** Reconnection delays: doubled from the first to the last after each failed attempt. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/** The parts of the state drawn last, to draw again only what changed. */
interface Drawn {
  symbol: string | null;
  market: MarketView | null;
  instruments: DashboardState['instruments'] | null;
  board: DashboardState['board'] | undefined;
  decisions: DashboardState['decisions'] | null;
  portfolio: DashboardState['portfolio'] | null;
  risk: DashboardState['risk'] | null;
  feeds: DashboardState['feeds'] | null;
}

const nothingDrawn = (symbol: string | null): Drawn => ({
  symbol,
  market: null,
  instruments: null,
  board: undefined,
  decisions: null,
  portfolio: null,
  risk: null,
  feeds: null,
});

class Page {
  readonly #price = new PriceChart(byId('chart'));
  readonly #ofi = new FeatureChart(byId('f-ofi'), 'histogram', COLORS.accent, 1);
  readonly #qi = new FeatureChart(byId('f-qi'), 'line', COLORS.accent, 2);
  readonly #vpin = new FeatureChart(byId('f-vpin'), 'line', COLORS.warn, 2);
  #regimes: MarketView['series']['regime'] = [];
  readonly #rv = new FeatureChart(byId('f-rv'), 'line', COLORS.mid, 6).withBand((t) => {
    const r = regimeAt(this.#regimes, t);
    return r === null ? 'rgba(0,0,0,0)' : regimeColor(r);
  });
  readonly #basis = new FeatureChart(byId('f-basis'), 'line', COLORS.micro, 5);
  readonly #equity = new EquityChart(byId('equity'));
  readonly #controls = new Controls();
  #drawn: Drawn = nothingDrawn(null);
  #fresh = true;
  #frame = 0;
  #selected: string | null = null;

  constructor() {
    for (const b of document.querySelectorAll<HTMLButtonElement>('#chart-views button')) {
      b.addEventListener('click', () => {
        this.#price.view = b.dataset.view === 'tick' ? 'tick' : 'minute';
        for (const o of document.querySelectorAll('#chart-views button'))
          o.setAttribute('aria-pressed', String(o === b));
        this.#drawn.market = null;
        this.schedule();
      });
    }
  }

  /** After a snapshot: everything is drawn again at the next frame. */
  reset(): void {
    this.#fresh = true;
    this.#drawn = nothingDrawn(this.#drawn.symbol);
    this.schedule();
  }

  /** Draws at the next animation frame (once, however many messages came before it). */
  schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.render());
  }

  select(symbol: string): void {
    this.#selected = symbol;
    this.#drawn.instruments = null;
    this.schedule();
  }

  render(): void {
    this.#frame = 0;
    const s = probe.state;
    if (s === null) return;
    const t0 = performance.now();
    const fresh = this.#fresh;
    this.#fresh = false;
    const d = this.#drawn;
    drawSession(s.session);
    this.#controls.draw(s.session);
    const market = s.markets.find((m) => m.symbol === this.#selected) ?? s.markets[0] ?? null;
    const symbol = market?.symbol ?? null;
    if (d.instruments !== s.instruments || d.symbol !== symbol) {
      drawInstruments(s.instruments, symbol, (sym) => this.select(sym));
      d.instruments = s.instruments;
    }
    if (market !== null && (market !== d.market || symbol !== d.symbol || d.portfolio !== s.portfolio)) {
      this.#drawMarket(s, market, fresh || symbol !== d.symbol);
      d.market = market;
    }
    d.symbol = symbol;
    if (d.board !== s.board) drawBoard(s.board);
    d.board = s.board;
    if (d.decisions !== s.decisions) drawDecisions(s.decisions);
    d.decisions = s.decisions;
    if (d.portfolio !== s.portfolio || d.risk !== s.risk) drawHeaderRisk(s.risk, s.portfolio);
    if (d.portfolio !== s.portfolio) {
      drawPortfolio(s.portfolio, s);
      this.#equity.show(s.portfolio.equityCurve, fresh);
    }
    d.portfolio = s.portfolio;
    if (d.risk !== s.risk) drawRisk(s.risk);
    d.risk = s.risk;
    if (d.feeds !== s.feeds) drawFeeds(s.feeds);
    d.feeds = s.feeds;
    probe.renders++;
    probe.renderMs += performance.now() - t0;
  }

  #drawMarket(s: DashboardState, m: MarketView, fresh: boolean): void {
    const decimals = decimalsOf(s, m.symbol);
    const inst = s.instruments.find((i) => i.symbol === m.symbol);
    this.#price.show(m, inst, s.portfolio.fills, fresh);
    const n = m.now;
    drawLegend(m.symbol, n, decimals, n.regime);
    if (m.ladder !== this.#drawn.market?.ladder || fresh) drawLadder(m.symbol, m.ladder, decimals);
    this.#regimes = m.series.regime;
    this.#ofi.show(m.series.ofi, fresh);
    this.#qi.show(m.series.qi, fresh);
    this.#vpin.show(m.series.vpin, fresh);
    this.#vpin.threshold(n.vpinAlert, 'alert');
    this.#rv.show(m.series.rv, fresh);
    this.#basis.show(m.series.basis, fresh);
    setText(byId('f-ofi-now'), `${fmtNum(n.ofi1s, 1)} / ${fmtNum(n.ofi10s, 1)}`);
    setText(byId('f-qi-now'), `${fmtNum(n.qiL1, 2)} / ${fmtNum(n.qiL5, 2)}`);
    const vpin = byId('f-vpin-now');
    setText(vpin, `${fmtNum(n.vpin, 3)} · cdf ${fmtNum(n.vpinCdf, 2)} / alert ${fmtNum(n.vpinAlert, 2)}`);
    vpin.className = `num ${n.vpinCdf !== null && n.vpinAlert !== null && n.vpinCdf >= n.vpinAlert ? 'alert' : ''}`;
    setText(byId('f-rv-now'), `${fmtNum(n.rv1m, 6)} / ${fmtNum(n.rv5m, 6)} · ${n.regime ?? '–'}`);
    setText(byId('f-basis-now'), `${fmtNum(n.basis, 5)} · dev ${fmtNum(n.basisDev, 2)}`);
  }
}

/** The connection: one socket at a time, reconnecting after a close or a gap. */
class Connection {
  readonly #page: Page;
  #socket: WebSocket | null = null;
  #retryMs = RETRY_FIRST_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(page: Page) {
    this.#page = page;
  }

  open(): void {
    this.#timer = null;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.#socket = ws;
    ws.addEventListener('message', (ev) => {
      if (this.#socket === ws) this.#receive(ws, String(ev.data));
    });
    ws.addEventListener('close', () => {
      if (this.#socket === ws) this.#retry();
    });
  }

  #receive(ws: WebSocket, data: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch (e) {
      console.error(
        `dashboard: a message from /ws is not JSON (${(e as Error).message}): ${data.slice(0, 80)}`,
      );
      return;
    }
    probe.messages++;
    if (msg.v !== PROTOCOL_VERSION) {
      // A server of another version: this page cannot read it, and reconnecting will not help.
      console.error(
        `dashboard: the server speaks protocol ${String(msg.v)}, this page ${PROTOCOL_VERSION}: reload the page`,
      );
      this.#socket = null;
      ws.close();
      setConn('reconnecting');
      return;
    }
    if (msg.type === 'snapshot') {
      probe.state = msg.state;
      probe.seq = msg.seq;
      probe.snapshots++;
      this.#retryMs = RETRY_FIRST_MS;
      setConn('live');
      this.#page.reset();
      return;
    }
    if (msg.type !== 'update') {
      console.error(
        `dashboard: a message from /ws of unknown type "${String((msg as { type?: unknown }).type)}"`,
      );
      return;
    }
    if (probe.state === null || msg.seq !== probe.seq + 1) {
      // A missed update (or one before any snapshot): a new connection brings a fresh snapshot.
      this.#socket = null;
      ws.close();
      this.#retry();
      return;
    }
    probe.state = applyUpdate(probe.state, msg);
    probe.seq = msg.seq;
    this.#page.schedule();
  }

  #retry(): void {
    this.#socket = null;
    setConn('reconnecting');
    if (this.#timer !== null) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#timer = setTimeout(() => this.open(), wait);
  }
}

function setConn(state: 'live' | 'reconnecting'): void {
  probe.conn = state;
  const el = byId('conn');
  setText(el, state === 'live' ? 'live' : 'reconnecting…');
  el.dataset.state = state;
  el.className = `badge conn-${state}`;
}

new Connection(new Page()).open();
