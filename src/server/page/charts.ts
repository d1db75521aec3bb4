/**
 * The page's charts, drawn with TradingView's Lightweight Charts (the global `LightweightCharts`
 * of its standalone build): the price chart (1-minute candles, mid and micro-price lines, market
 * trades and our fills as markers, price lines for pivots, big figures and session ranges), the
 * feature panels and the equity curve.
 *
 * Each series follows a list of the state: a new list is compared with the one drawn last, and
 * only its new points go to the chart (`series.update`), so ten updates a second cost a few
 * points each; the whole list is drawn again only after a snapshot or a change of instrument.
 */
import type * as Lwc from 'lightweight-charts';
import type {
  Candle,
  FillMark,
  InstrumentView,
  MarketView,
  Point,
  PriceLine,
  TradeMark,
} from '../protocol.js';
import { fmtNum, fmtPx } from './format.js';

declare const LightweightCharts: typeof Lwc;

type Time = Lwc.UTCTimestamp;
type AnySeries = Lwc.ISeriesApi<Lwc.SeriesType, Lwc.Time>;

/** What the price chart shows: 1-minute candles, or every point. */
export type ChartView = 'minute' | 'tick';

/** The page's colours, as in its style sheet. */
export const COLORS = {
  bg: '#161b22',
  text: '#aeb8c4',
  grid: '#1f262f',
  bid: '#2fae6e',
  ask: '#e0525a',
  mid: '#d6dde6',
  micro: '#e0a33a',
  accent: '#4d9de0',
  warn: '#e0a33a',
} as const;

/** The most market trades and fills shown as markers (the newest). */
const MAX_TRADE_MARKERS = 300;
const MAX_FILL_MARKERS = 100;

function chartOptions(secondsVisible: boolean): Lwc.DeepPartial<Lwc.ChartOptions> {
  return {
    autoSize: true,
    layout: {
      background: { type: LightweightCharts.ColorType.Solid, color: COLORS.bg },
      textColor: COLORS.text,
      fontSize: 11,
      attributionLogo: false,
      panes: { separatorColor: COLORS.grid },
    },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    rightPriceScale: { borderVisible: false },
    timeScale: { borderVisible: false, timeVisible: true, secondsVisible, rightOffset: 3 },
    crosshair: { mode: LightweightCharts.CrosshairMode.Normal },
  };
}

/** `t` at the start of its `step` (seconds; 0 leaves it). */
function bucket(t: number, step: number): number {
  return step > 0 ? t - (t % step) : t;
}

/** Points of one time each (the last of equal times, `t` taken to its `step`), in time order, for `setData`. */
function distinct<T extends { readonly t: number }>(list: readonly T[], step: number): T[] {
  const out: T[] = [];
  let lastT = Number.NEGATIVE_INFINITY;
  for (const p of list) {
    const t = bucket(p.t, step);
    if (t === lastT) out[out.length - 1] = p;
    else if (t > lastT) {
      out.push(p);
      lastT = t;
    }
  }
  return out;
}

type Item = Lwc.SeriesDataItemTypeMap<Lwc.Time>[Lwc.SeriesType];

/**
 * A series that follows a list of the state: the list's new points (from the last time drawn on)
 * go to the chart one by one; a list seen for the first time, or after `reset`, is drawn whole.
 * With a `step`, each point's time is taken to the start of its step (a minute for 60), so a list
 * of seconds draws one point a step, the step's last.
 */
export class SeriesFeed<T extends { readonly t: number }> {
  readonly #series: AnySeries;
  readonly #point: (p: T, time: Time) => Item;
  #step = 0;
  #list: readonly T[] | null = null;
  #last = Number.NEGATIVE_INFINITY;
  #since = 0;

  constructor(series: AnySeries, point: (p: T, time: Time) => Item) {
    this.#series = series;
    this.#point = point;
  }

  get series(): AnySeries {
    return this.#series;
  }

  /** Draws what `list` holds that was not drawn yet; returns whether it was drawn whole. */
  sync(list: readonly T[]): boolean {
    if (list === this.#list) return false;
    // A list that dropped its oldest points many times over is drawn again, so the chart stays its size.
    const whole = this.#list === null || this.#since > list.length;
    const step = this.#step;
    if (whole) {
      this.#series.setData(distinct(list, step).map((p) => this.#point(p, bucket(p.t, step) as Time)));
      this.#since = 0;
    } else {
      let i = list.length;
      while (i > 0 && list[i - 1].t >= this.#last) i--;
      for (; i < list.length; i++) this.#series.update(this.#point(list[i], bucket(list[i].t, step) as Time));
      this.#since += list.length - i;
    }
    this.#list = list;
    if (whole) this.#last = Number.NEGATIVE_INFINITY;
    if (list.length > 0) this.#last = Math.max(this.#last, list[list.length - 1].t);
    return whole;
  }

  /** The next `sync` draws its list whole, its times taken to `step` seconds when given. */
  reset(step = this.#step): void {
    this.#list = null;
    this.#step = step;
  }

  /** Empties the series; the next `sync` draws its list whole. */
  clear(): void {
    this.#series.setData([]);
    this.#list = null;
  }
}

const linePoint = (p: Point, time: Time) => ({ time, value: p.v });
const candlePoint = (c: Candle, time: Time) => ({ time, open: c.o, high: c.h, low: c.l, close: c.c });

function priceFormat(decimals: number): Lwc.PriceFormat {
  return { type: 'price', precision: decimals, minMove: 10 ** -decimals };
}

/** The main price chart of one instrument at a time. */
export class PriceChart {
  readonly chart: Lwc.IChartApi;
  readonly #candles: SeriesFeed<Candle>;
  readonly #mid: SeriesFeed<Point>;
  readonly #micro: SeriesFeed<Point>;
  readonly #markers: Lwc.ISeriesMarkersPluginApi<Lwc.Time>;
  #symbol: string | null = null;
  #view: ChartView = 'minute';
  #viewShown: ChartView | null = null;
  #lines: readonly PriceLine[] | null = null;
  #priceLines: Lwc.IPriceLine[] = [];
  #trades: readonly TradeMark[] | null = null;
  #fills: readonly FillMark[] | null = null;

  constructor(el: HTMLElement) {
    const lib = LightweightCharts;
    this.chart = lib.createChart(el, chartOptions(true));
    const candles = this.chart.addSeries(lib.CandlestickSeries, {
      upColor: COLORS.bid,
      downColor: COLORS.ask,
      borderVisible: false,
      wickUpColor: COLORS.bid,
      wickDownColor: COLORS.ask,
      title: '1m',
    });
    const mid = this.chart.addSeries(lib.LineSeries, {
      color: COLORS.mid,
      lineWidth: 1,
      title: 'mid',
      priceLineVisible: false,
    });
    const micro = this.chart.addSeries(lib.LineSeries, {
      color: COLORS.micro,
      lineWidth: 1,
      lineStyle: lib.LineStyle.Dotted,
      title: 'micro',
      priceLineVisible: false,
      lastValueVisible: false,
    });
    this.#candles = new SeriesFeed(candles as AnySeries, candlePoint);
    this.#mid = new SeriesFeed(mid as AnySeries, linePoint);
    this.#micro = new SeriesFeed(micro as AnySeries, linePoint);
    this.#markers = lib.createSeriesMarkers(mid as AnySeries, []);
  }

  /** The view shown next: `minute` (candles, and mid and micro-price at each minute's end) or `tick` (every point, market trades). */
  set view(v: ChartView) {
    this.#view = v;
  }

  get view(): ChartView {
    return this.#view;
  }

  /** Draws `m` (of `inst`) and our fills in it; `fresh` after a snapshot draws everything again. */
  show(m: MarketView, inst: InstrumentView | undefined, fills: readonly FillMark[], fresh: boolean): void {
    const decimals = inst?.decimals ?? 5;
    const view = this.#view;
    const newSymbol = m.symbol !== this.#symbol;
    const changed = fresh || newSymbol || view !== this.#viewShown;
    if (changed) {
      const step = view === 'minute' ? 60 : 0;
      for (const f of [this.#candles, this.#mid, this.#micro]) {
        f.reset(step);
        f.series.applyOptions({ priceFormat: priceFormat(decimals) });
      }
      if (view === 'tick') this.#candles.clear();
      this.#lines = null;
      this.#trades = null;
      this.#fills = null;
    }
    if (view === 'minute') this.#candles.sync(m.candles);
    this.#mid.sync(m.mid);
    this.#micro.sync(m.micro);
    if (m.lines !== this.#lines) this.#drawLines(m.lines, decimals);
    if (m.trades !== this.#trades || fills !== this.#fills)
      this.#drawMarkers(m.symbol, m.trades, fills, view === 'tick');
    if (newSymbol || view !== this.#viewShown) this.#fit(view === 'tick' ? m.mid.length : 0);
    this.#symbol = m.symbol;
    this.#viewShown = view;
  }

  #drawLines(lines: readonly PriceLine[], decimals: number): void {
    const series = this.#candles.series;
    for (const pl of this.#priceLines) series.removePriceLine(pl);
    this.#priceLines = lines.map((l) =>
      series.createPriceLine({
        price: l.px,
        color: /high|low/i.test(l.name) ? COLORS.accent : '#6b7785',
        lineWidth: 1,
        lineStyle: LightweightCharts.LineStyle.Dashed,
        axisLabelVisible: true,
        title: `${l.name} ${fmtPx(l.px, decimals)}`,
      }),
    );
    this.#lines = lines;
  }

  /** The whole history, or the last ten minutes of `points` points a second. */
  #fit(points: number): void {
    const scale = this.chart.timeScale();
    if (points > 600) scale.setVisibleLogicalRange({ from: points - 600, to: points + 3 });
    else scale.fitContent();
  }

  #drawMarkers(
    symbol: string,
    trades: readonly TradeMark[],
    fills: readonly FillMark[],
    withTrades: boolean,
  ): void {
    const out: Lwc.SeriesMarker<Lwc.Time>[] = [];
    for (const tr of withTrades ? trades.slice(-MAX_TRADE_MARKERS) : []) {
      out.push({
        time: tr.t as Time,
        position: 'atPriceMiddle',
        price: tr.px,
        shape: 'circle',
        color: tr.side === 'buy' ? 'rgba(47,174,110,0.65)' : 'rgba(224,82,90,0.65)',
        size: Math.min(2, 0.4 + Math.sqrt(tr.qty) / 6),
      });
    }
    const ours = fills.filter((f) => f.symbol === symbol).slice(-MAX_FILL_MARKERS);
    for (const f of ours) {
      out.push({
        time: f.t as Time,
        position: 'atPriceMiddle',
        price: f.px,
        shape: f.side === 'buy' ? 'arrowUp' : 'arrowDown',
        color: f.side === 'buy' ? '#7fe0a8' : '#ff8a91',
        // Labelled in the tick view; in the minute view an arrow each is enough.
        size: withTrades ? 1.6 : 1,
        text: withTrades ? `${f.side === 'buy' ? 'B' : 'S'}${f.qty}` : '',
      });
    }
    out.sort((a, b) => (a.time as number) - (b.time as number));
    this.#markers.setMarkers(out);
    this.#trades = trades;
    this.#fills = fills;
  }
}

/** Regime colours (states ordered calm to volatile under several names); others grey. */
export function regimeColor(state: string): string {
  const s = state.toLowerCase();
  if (/calm|low|quiet|range/.test(s)) return 'rgba(47,174,110,0.18)';
  if (/trend|medium|normal/.test(s)) return 'rgba(77,157,224,0.18)';
  if (/volatile|high|stress|toxic/.test(s)) return 'rgba(224,82,90,0.22)';
  return 'rgba(139,150,163,0.15)';
}

/** The regime in force at `t`: the last change at or before it, or null. */
export function regimeAt(
  regimes: readonly { readonly t: number; readonly state: string }[],
  t: number,
): string | null {
  let lo = 0;
  let hi = regimes.length - 1;
  let found: string | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (regimes[mid].t <= t) {
      found = regimes[mid].state;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A small chart of one feature over time: a line or histogram, with an optional threshold line. */
export class FeatureChart {
  readonly chart: Lwc.IChartApi;
  readonly feed: SeriesFeed<Point>;
  #band: SeriesFeed<Point> | null = null;
  #threshold: Lwc.IPriceLine | null = null;
  #thresholdAt: number | null = null;

  constructor(el: HTMLElement, kind: 'line' | 'histogram', color: string, precision: number) {
    const lib = LightweightCharts;
    this.chart = lib.createChart(el, {
      ...chartOptions(true),
      rightPriceScale: { borderVisible: false, minimumWidth: 64 },
    });
    const common = {
      priceLineVisible: false,
      lastValueVisible: true,
      priceFormat: { type: 'price' as const, precision, minMove: 10 ** -precision },
    };
    const series =
      kind === 'histogram'
        ? this.chart.addSeries(lib.HistogramSeries, { ...common, color })
        : this.chart.addSeries(lib.LineSeries, { ...common, color, lineWidth: 1 });
    const point =
      kind === 'histogram'
        ? (p: Point, time: Time) => ({ time, value: p.v, color: p.v >= 0 ? COLORS.bid : COLORS.ask })
        : linePoint;
    this.feed = new SeriesFeed(series as AnySeries, point);
  }

  /** A shaded band behind the line: each point's colour from `colorAt` (the regime in force). */
  withBand(colorAt: (t: number) => string): this {
    const band = this.chart.addSeries(
      LightweightCharts.HistogramSeries,
      { priceScaleId: 'band', priceLineVisible: false, lastValueVisible: false, base: 0 },
      0,
    );
    this.chart.priceScale('band').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
    this.#band = new SeriesFeed(band as AnySeries, (p: Point) => ({
      time: p.t as Time,
      value: 1,
      color: colorAt(p.t),
    }));
    return this;
  }

  /** Draws `points` (and its band); `fresh` draws them whole. */
  show(points: readonly Point[], fresh: boolean): void {
    if (fresh) {
      this.feed.reset();
      this.#band?.reset();
    }
    this.#band?.sync(points);
    if (this.feed.sync(points) && fresh) this.chart.timeScale().fitContent();
  }

  /** A horizontal line at `value` named `title` (none when null). */
  threshold(value: number | null, title: string): void {
    if (value === this.#thresholdAt) return;
    const series = this.feed.series;
    if (this.#threshold !== null) series.removePriceLine(this.#threshold);
    this.#threshold =
      value === null
        ? null
        : series.createPriceLine({
            price: value,
            color: COLORS.ask,
            lineWidth: 1,
            lineStyle: LightweightCharts.LineStyle.Dashed,
            axisLabelVisible: true,
            title: `${title} ${fmtNum(value, 2)}`,
          });
    this.#thresholdAt = value;
  }
}

/** The equity curve. */
export class EquityChart {
  readonly feed: SeriesFeed<Point>;
  readonly chart: Lwc.IChartApi;

  constructor(el: HTMLElement) {
    this.chart = LightweightCharts.createChart(el, chartOptions(false));
    const series = this.chart.addSeries(LightweightCharts.AreaSeries, {
      lineColor: COLORS.accent,
      topColor: 'rgba(77,157,224,0.35)',
      bottomColor: 'rgba(77,157,224,0.02)',
      lineWidth: 1,
      priceLineVisible: false,
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    });
    this.feed = new SeriesFeed(series as AnySeries, linePoint);
  }

  show(points: readonly Point[], fresh: boolean): void {
    if (fresh) this.feed.reset();
    if (this.feed.sync(points) && fresh) this.chart.timeScale().fitContent();
  }
}
