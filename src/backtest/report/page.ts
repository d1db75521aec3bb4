/**
 * The report page's own script: it draws the charts that the page's data describes with
 * TradingView's Lightweight Charts (inlined beside it). It runs in the browser, so `drawCharts`
 * uses nothing from this module or any other: the page holds its source text
 * (`Function.prototype.toString`) and calls it with the document, the library and the data.
 */
import type * as Lwc from 'lightweight-charts';
import type { Point, Slots } from './data.js';

/** A marker on a series: a trade's entry or exit at its price. */
export interface MarkerSpec {
  readonly t: number;
  readonly price: number;
  readonly shape: 'arrowUp' | 'arrowDown' | 'circle';
  readonly color: string;
  /** Relative to the library's size for the chart's bar spacing (1). */
  readonly size?: number;
}

/** One series of a chart. */
export interface SeriesSpec {
  /**
   * `line`, `area`, `histogram`, or `band`: a 0/1 step series drawn as a shaded band over the
   * whole height of its pane (toxic episodes).
   */
  readonly kind: 'line' | 'area' | 'histogram' | 'band';
  readonly name: string;
  readonly color: string;
  readonly points: readonly Point[];
  /** Per-point colours of a histogram. */
  readonly colors?: readonly string[];
  readonly pane?: number;
  /** Decimals of the values on the price scale. */
  readonly precision?: number;
  readonly markers?: readonly MarkerSpec[];
}

/** A chart: over time (UTC seconds), or over values (the bins of a histogram). */
export interface ChartSpec {
  /** The id of the element the chart is drawn in. */
  readonly id: string;
  readonly axis: 'time' | 'value';
  readonly series: readonly SeriesSpec[];
  /** Relative heights of the panes, top first (one pane when absent). */
  readonly panes?: readonly number[];
  /** Decimals of the labels of a value axis. */
  readonly axisPrecision?: number;
  /** Every time of a time axis, so that equal spans of time take equal widths (data.ts `Slots`). */
  readonly slots?: Slots;
}

/** What the page's script reports of each chart it drew: its series and their points. */
export interface DrawnChart {
  readonly id: string;
  readonly series: readonly { readonly name: string; readonly points: number }[];
}

/** The DOM the script needs: the project compiles without the DOM library, so it is named here. */
export interface PageDocument {
  getElementById(id: string): unknown;
}

/** Draws every chart of `charts` into its element; returns what was drawn. */
export function drawCharts(doc: PageDocument, lib: typeof Lwc, charts: readonly ChartSpec[]): DrawnChart[] {
  const drawn: DrawnChart[] = [];
  for (const spec of charts) {
    const el = doc.getElementById(spec.id) as Parameters<typeof Lwc.createChart>[0] | null;
    if (el === null) continue;
    const options = {
      autoSize: true,
      layout: {
        background: { type: lib.ColorType.Solid, color: '#ffffff' },
        textColor: '#333333',
        fontSize: 11,
        attributionLogo: false,
        panes: { separatorColor: '#d0d0d0' },
      },
      grid: { vertLines: { color: '#f2f2f2' }, horzLines: { color: '#f2f2f2' } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false },
    };
    const chart: Lwc.IChartApiBase<number> =
      spec.axis === 'time'
        ? (lib.createChart(el, options) as unknown as Lwc.IChartApiBase<number>)
        : lib.createOptionsChart(el, { ...options, localization: { precision: spec.axisPrecision ?? 2 } });
    const report: { name: string; points: number }[] = [];
    const slots = spec.slots;
    if (slots !== undefined) {
      // A series of times without values (whitespace): it draws nothing but holds every slot.
      // On a scale of its own: a price scale formats its labels as its first series does.
      const axis = chart.addSeries(lib.LineSeries, {
        visible: false,
        lastValueVisible: false,
        priceLineVisible: false,
        priceScaleId: 'slots',
      });
      axis.setData(Array.from({ length: slots.count }, (_, i) => ({ time: slots.from + i * slots.step })));
    }
    for (const s of spec.series) {
      const pane = s.pane ?? 0;
      const priceFormat =
        s.precision === undefined
          ? undefined
          : { type: 'price' as const, precision: s.precision, minMove: 10 ** -s.precision };
      const title = s.kind === 'histogram' ? '' : s.name;
      const common = { title, lastValueVisible: false, priceLineVisible: false, priceFormat };
      let series: Lwc.ISeriesApi<Lwc.SeriesType, number>;
      if (s.kind === 'line') {
        series = chart.addSeries(lib.LineSeries, { ...common, color: s.color, lineWidth: 1 }, pane);
      } else if (s.kind === 'area') {
        series = chart.addSeries(
          lib.AreaSeries,
          {
            ...common,
            lineColor: s.color,
            topColor: s.color,
            bottomColor: 'rgba(255,255,255,0)',
            lineWidth: 1,
          },
          pane,
        );
      } else if (s.kind === 'histogram') {
        series = chart.addSeries(lib.HistogramSeries, { ...common, color: s.color }, pane);
      } else {
        series = chart.addSeries(
          lib.AreaSeries,
          {
            title: '',
            lastValueVisible: false,
            priceLineVisible: false,
            crosshairMarkerVisible: false,
            lineType: lib.LineType.WithSteps,
            lineColor: 'rgba(0,0,0,0)',
            topColor: s.color,
            bottomColor: s.color,
            priceScaleId: 'band',
            autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 1 } }),
          },
          pane,
        );
        chart.priceScale('band', pane).applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
      }
      const colors = s.colors;
      series.setData(
        s.points.map((p, i) =>
          colors === undefined ? { time: p[0], value: p[1] } : { time: p[0], value: p[1], color: colors[i] },
        ),
      );
      if (s.markers !== undefined && s.markers.length > 0) {
        lib.createSeriesMarkers(
          series,
          s.markers.map((m) => ({
            time: m.t,
            position: 'atPriceMiddle' as const,
            price: m.price,
            shape: m.shape,
            color: m.color,
            size: m.size ?? 1,
          })),
        );
      }
      report.push({ name: s.name, points: series.data().length });
    }
    const panes = chart.panes();
    (spec.panes ?? []).forEach((f, i) => {
      panes[i]?.setStretchFactor(f);
    });
    chart.timeScale().fitContent();
    drawn.push({ id: spec.id, series: report });
  }
  return drawn;
}
