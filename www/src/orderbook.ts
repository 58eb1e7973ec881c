import type { KisClient, Level, Orderbook } from "kis-wasm";
import { $, cell, fmt, row, signClass } from "./dom.js";

/** The selected symbol's orderbook: asks above (highest first), bids below, quantities beside.
 *  Prices are coloured as a Korean trader reads them: red above 기준가 (yesterday's close), blue
 *  below, plain at it; the side shows in the quantities' shading. */
export class OrderbookView {
  private readonly body = $<HTMLTableSectionElement>("#book-rows");
  /** 기준가 by symbol, from the REST book (`output2.stck_sdpr`): the realtime frame has none. */
  private readonly base = new Map<string, number>();

  async refresh(kis: KisClient, symbol: string): Promise<void> {
    const ob = await kis.getOrderbook(symbol);
    const base = Number(ob.raw.stck_sdpr);
    if (base > 0) this.base.set(ob.symbol, base);
    this.show(ob, "poll");
  }

  /** A book from `getOrderbook` or from the realtime socket (H0STASP0): the same shape. */
  show(ob: Orderbook, source: "poll" | "tick"): void {
    const base = this.base.get(ob.symbol);
    const priceCell = (l: Level) => cell(fmt(l.price), base === undefined || l.price === null ? "" : signClass(l.price - base));
    const line = (l: Level, side: "ask" | "bid") => {
      const tr = row(side === "ask" ? [cell(fmt(l.quantity)), priceCell(l), cell("")] : [cell(""), priceCell(l), cell(fmt(l.quantity))]);
      tr.className = side;
      return tr;
    };
    this.body.replaceChildren(...[...ob.asks].reverse().map((l) => line(l, "ask")), ...ob.bids.map((l) => line(l, "bid")));
    $("#book-symbol").textContent = `${ob.symbol} · ${ob.time}`;
    this.body.dataset.symbol = ob.symbol;
    this.body.dataset.base = String(base ?? "");
    this.body.dataset.bestAsk = String(ob.asks[0]?.price ?? "");
    this.body.dataset.bestBid = String(ob.bids[0]?.price ?? "");
    this.body.dataset.source = source;
    this.body.dataset.askQuantity = String(ob.totalAskQuantity ?? "");
  }
}
