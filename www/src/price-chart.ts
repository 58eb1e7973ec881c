import { CandlestickSeries, createChart, type CandlestickData, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import type { DailyBar, KisClient, MinuteBar, Trade } from "kis-wasm";
import { $, fmt } from "./dom.js";

/** "m": today's minutes; D, W, M: daily, weekly, monthly candles. */
export type Period = "m" | "D" | "W" | "M";

/** Daily (weekly, monthly) candles of the selected symbol, drawn by lightweight-charts. */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<"Candlestick">;
  period: Period = "D";

  constructor() {
    this.chart = createChart($("#chart"), {
      autoSize: true,
      layout: { background: { color: "#ffffff" }, textColor: "#1c2430" },
      grid: { vertLines: { color: "#eef" }, horzLines: { color: "#eef" } },
      timeScale: { borderColor: "#ccd" },
    });
    // Korean convention: rising candles red, falling blue. Won prices are whole numbers, written
    // as everywhere else on the page (the library's default is two decimals: "71000.00").
    this.series = this.chart.addSeries(CandlestickSeries, {
      upColor: "#c62828", downColor: "#1565c0", borderVisible: false, wickUpColor: "#c62828", wickDownColor: "#1565c0",
      priceFormat: { type: "custom", minMove: 1, formatter: (price: number) => fmt(Math.round(price)) },
    });
  }

  private latest = 0;
  /** What is drawn: its symbol, and its last candle, which trades move. */
  private shown: { symbol: string; period: Period; last: CandlestickData<UTCTimestamp> | null } | null = null;

  /** Candles of `symbol` at the current period. The label changes with the candles, never
   *  before them, and an answer overtaken by a later request is dropped. */
  async load(kis: KisClient, symbol: string): Promise<number> {
    const mine = ++this.latest;
    const period = this.period;
    const chart = $("#chart");
    chart.dataset.loading = `${symbol} · ${period}`;
    const data =
      period === "m"
        ? (await kis.getMinuteBars(symbol, { pages: 2 })).flatMap(toCandle)
        : (await kis.getDailyPrices(symbol, { period, adjusted: true })).flatMap(toCandle);
    if (mine !== this.latest) return 0;
    this.chart.applyOptions({ timeScale: { timeVisible: period === "m" } });
    this.series.setData(data);
    this.shown = { symbol, period, last: data.at(-1) ?? null };
    this.chart.timeScale().fitContent();
    $("#chart-symbol").textContent = `${symbol} · ${period}`;
    chart.dataset.shown = `${symbol} · ${period}`;
    chart.dataset.bars = String(data.length);
    delete chart.dataset.loading;
    return data.length;
  }

  /** A realtime trade of the drawn symbol moves the last candle (today's, or this week's or
   *  month's); on the minute chart a trade in a new minute opens its candle. */
  trade(t: Trade): void {
    const shown = this.shown;
    if (!shown?.last || shown.symbol !== t.symbol || t.price === null) return;
    let last = shown.last;
    if (shown.period === "m") {
      const day = new Date(last.time * 1000).toISOString().slice(0, 10);
      const minute = (Date.parse(`${day}T${t.time.slice(0, 5)}:00Z`) / 1000) as UTCTimestamp;
      if (minute < last.time) return; // a trade older than the chart
      if (minute > last.time) last = { time: minute, open: t.price, high: t.price, low: t.price, close: t.price };
    }
    const next = { ...last, high: Math.max(last.high, t.price), low: Math.min(last.low, t.price), close: t.price };
    this.series.update(next);
    shown.last = next;
    const chart = $("#chart");
    chart.dataset.lastClose = String(next.close);
    chart.dataset.lastTime = String(next.time);
  }
}

/** A bar as a candle. Times are Korea's wall clock, given to the chart as if UTC, so that its
 *  axis reads as KIS's times do whatever the machine's zone. */
function toCandle(b: DailyBar | MinuteBar): CandlestickData<UTCTimestamp>[] {
  if (b.open === null || b.high === null || b.low === null || b.close === null) return [];
  const clock = "time" in b ? b.time : "00:00:00";
  const time = (Date.parse(`${b.date}T${clock}Z`) / 1000) as UTCTimestamp;
  return [{ time, open: b.open, high: b.high, low: b.low, close: b.close }];
}
