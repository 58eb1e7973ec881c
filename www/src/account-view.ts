import type { KisClient, Order } from "kis-wasm";
import { $, cell, fmt, row, signClass } from "./dom.js";
import { learnNames } from "./names.js";

/** Balance (holdings and summary) and today's orders, with cancel for open ones. */
export class AccountView {
  private readonly holdings = $<HTMLTableSectionElement>("#holding-rows");
  private readonly summary = $("#summary");
  private readonly orders = $<HTMLTableSectionElement>("#order-rows");

  /** Orders whose cancel the user asked for, until KIS lists them cancelled: never offered a
   *  Cancel button meanwhile, whatever an older refresh still in flight says. */
  private readonly cancelling = new Set<string>();
  private last: Order[] = [];

  constructor(private readonly onCancel: (o: Order) => Promise<boolean>) {}

  async refreshBalance(kis: KisClient): Promise<void> {
    const b = await kis.getBalance();
    learnNames(b.holdings);
    this.holdings.replaceChildren(
      ...b.holdings.filter((h) => (h.quantity ?? 0) > 0).map((h) => {
        const cls = signClass(h.profitLoss);
        // The name under the symbol: a third of the page must show P/L without scrolling.
        const what = cell(h.symbol);
        const name = document.createElement("small");
        name.textContent = h.name;
        what.append(name);
        const tr = row([
          what, cell(fmt(h.quantity)), cell(fmt(h.avgPrice === null ? null : Math.round(h.avgPrice))), cell(fmt(h.price)),
          cell(fmt(h.profitLoss), cls), cell(h.profitLossRate === null ? "—" : `${h.profitLossRate.toFixed(2)}%`, cls),
        ]);
        tr.dataset.symbol = h.symbol;
        tr.dataset.quantity = String(h.quantity ?? "");
        return tr;
      }),
    );
    const s = b.summary;
    const item = (label: string, v: number | null, cls = "") => {
      const span = document.createElement("span");
      span.innerHTML = `${label} <b class="${cls}"></b>`;
      span.querySelector("b")!.textContent = fmt(v);
      return span;
    };
    this.summary.replaceChildren(
      item("Cash", s.cash), item("Stocks", s.stockEval), item("Total", s.totalEval),
      item("P/L", s.profitLossTotal, signClass(s.profitLossTotal)),
    );
    this.summary.dataset.cash = String(s.cash ?? "");
  }

  async refreshOrders(kis: KisClient): Promise<void> {
    const orders = await kis.getOrders();
    learnNames(orders);
    for (const o of orders) if (o.cancelled) this.cancelling.delete(o.orderNo);
    this.last = orders;
    this.render();
  }

  /** The user clicked Cancel on `o`: the row says so at once, and gets its button back only if
   *  the cancel failed. */
  private async cancel(o: Order): Promise<void> {
    this.cancelling.add(o.orderNo);
    this.render();
    if (!(await this.onCancel(o))) {
      this.cancelling.delete(o.orderNo);
      this.render();
    }
  }

  private render(): void {
    this.orders.replaceChildren(
      ...this.last.map((o) => {
        const live = !o.cancelled && (o.remainingQuantity ?? 0) > 0;
        const cancelling = live && this.cancelling.has(o.orderNo);
        const open = live && !cancelling;
        const action = cell("");
        if (open) {
          const b = document.createElement("button");
          b.textContent = "Cancel";
          b.addEventListener("click", () => void this.cancel(o));
          action.append(b);
        } else if (cancelling) {
          action.textContent = "cancelling…";
        } else if (o.originalOrderNo) {
          // KIS lists a cancel (or a correction) as an order of its own: not a fill.
          action.textContent = `${o.cancelled ? "cancels" : "changes"} ${o.originalOrderNo}`;
        } else if (o.cancelled) action.textContent = "cancelled";
        const tr = row([
          cell(o.time), cell(o.orderNo), cell(o.side === "buy" ? "매수 buy" : "매도 sell", o.side === "buy" ? "up" : "down"),
          cell(o.symbol), cell(fmt(o.quantity)), cell(o.price ? fmt(o.price) : "market"), cell(fmt(o.filledQuantity)),
          cell(fmt(o.remainingQuantity)), action,
        ]);
        tr.dataset.orderNo = o.orderNo;
        tr.dataset.state = open ? "open" : cancelling ? "cancelling" : o.originalOrderNo ? "change" : o.cancelled ? "cancelled" : "filled";
        return tr;
      }),
    );
  }
}
