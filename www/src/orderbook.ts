import type { KisClient, Level, Orderbook } from "kis-wasm";
import { $, cell, fmt, row } from "./dom.js";

/** The selected symbol's orderbook: asks above (highest first), bids below, quantities beside. */
export class OrderbookView {
  private readonly body = $<HTMLTableSectionElement>("#book-rows");

  async refresh(kis: KisClient, symbol: string): Promise<void> {
    this.show(await kis.getOrderbook(symbol), "poll");
  }

  /** A book from `getOrderbook` or from the realtime socket (H0STASP0): the same shape. */
  show(ob: Orderbook, source: "poll" | "tick"): void {
    const line = (l: Level, side: "ask" | "bid") => {
      const tr = row(
        side === "ask"
          ? [cell(fmt(l.quantity)), cell(fmt(l.price), "down"), cell("")]
          : [cell(""), cell(fmt(l.price), "up"), cell(fmt(l.quantity))],
      );
      tr.className = side;
      return tr;
    };
    this.body.replaceChildren(...[...ob.asks].reverse().map((l) => line(l, "ask")), ...ob.bids.map((l) => line(l, "bid")));
    $("#book-symbol").textContent = `${ob.symbol} · ${ob.time}`;
    this.body.dataset.symbol = ob.symbol;
    this.body.dataset.bestAsk = String(ob.asks[0]?.price ?? "");
    this.body.dataset.bestBid = String(ob.bids[0]?.price ?? "");
    this.body.dataset.source = source;
    this.body.dataset.askQuantity = String(ob.totalAskQuantity ?? "");
  }
}
