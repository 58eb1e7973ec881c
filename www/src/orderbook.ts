import type { KisClient, Level } from "kis-wasm";
import { $, cell, fmt, row } from "./dom.js";

/** The selected symbol's orderbook: asks above (highest first), bids below, quantities beside. */
export class OrderbookView {
  private readonly body = $<HTMLTableSectionElement>("#book-rows");

  async refresh(kis: KisClient, symbol: string): Promise<void> {
    const ob = await kis.getOrderbook(symbol);
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
  }
}
