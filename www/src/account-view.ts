import type { KisClient, Order } from "kis-wasm";
import { $, cell, emptyRow, fmt, row, signClass } from "./dom.js";
import { learnNames } from "./names.js";

/** Whether an order still rests in the book, so that it can be cancelled or modified. */
const isLive = (o: Order) => !o.cancelled && (o.remainingQuantity ?? 0) > 0;

/** Balance (holdings and summary) and today's orders, with cancel for open ones and a new price
 *  for open limit ones. */
export class AccountView {
  private readonly holdings = $<HTMLTableSectionElement>("#holding-rows");
  private readonly summary = $("#summary");
  private readonly orders = $<HTMLTableSectionElement>("#order-rows");

  /** Orders whose cancel or modification the user sent ("cancelling…", "modifying…"), until
   *  KIS lists them no longer open: never offered a button meanwhile, whatever an older refresh
   *  still in flight says. */
  private readonly pending = new Map<string, string>();
  /** Rows whose new price the user is typing: kept as they are through refreshes, so that
   *  neither what was typed nor the focus goes. */
  private readonly editing = new Map<string, HTMLTableRowElement>();
  private last: Order[] = [];

  constructor(
    private readonly onCancel: (o: Order) => Promise<boolean>,
    /** Confirms, then calls `sending` as the modification goes out; whether KIS took it. */
    private readonly onModify: (o: Order, price: number, sending: () => void) => Promise<boolean>,
  ) {}

  async refreshBalance(kis: KisClient): Promise<void> {
    const b = await kis.getBalance();
    learnNames(b.holdings);
    const rows = b.holdings.filter((h) => (h.quantity ?? 0) > 0).map((h) => {
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
    });
    this.holdings.replaceChildren(...(rows.length ? rows : [emptyRow(this.holdings, "No holdings.")]));
    const s = b.summary;
    const item = (label: string, v: number | null, cls = "") => {
      // Built as nodes, not as HTML: nothing of KIS's is ever parsed as markup.
      const value = document.createElement("b");
      value.className = cls;
      value.textContent = fmt(v);
      const span = document.createElement("span");
      span.append(`${label} `, value);
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
    for (const o of orders) if (!isLive(o)) this.pending.delete(o.orderNo);
    this.last = orders;
    this.render();
  }

  /** The user clicked Cancel on `o`: the row says so at once, and gets its buttons back only if
   *  the cancel failed. */
  private async cancel(o: Order): Promise<void> {
    this.pending.set(o.orderNo, "cancelling…");
    this.render();
    if (!(await this.onCancel(o))) {
      this.pending.delete(o.orderNo);
      this.render();
    }
  }

  /** The user reviewed a new price for `o`: the editor stays while the confirmation is open
   *  (declined, the price can be changed again), and the row says "modifying…" once it is sent. */
  private async modify(o: Order, price: number): Promise<void> {
    const sent = await this.onModify(o, price, () => {
      this.editing.delete(o.orderNo);
      this.pending.set(o.orderNo, "modifying…");
      this.render();
    });
    if (!sent && this.pending.delete(o.orderNo)) this.render();
  }

  /** The user clicked Modify on `o`: its action cell becomes a price to review, the current one
   *  to start from. */
  private edit(o: Order): void {
    const form = document.createElement("form");
    form.className = "modify";
    const price = document.createElement("input");
    Object.assign(price, { type: "number", name: "price", min: "1", step: "1", required: true, value: String(o.price ?? "") });
    price.setAttribute("aria-label", `new price for order ${o.orderNo}`);
    const review = button("Review", "review");
    review.type = "submit";
    const keep = button("×", "keep");
    keep.type = "button";
    keep.title = "Keep the order as it is";
    form.append(price, review, keep);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.modify(o, Number(price.value));
    });
    keep.addEventListener("click", () => {
      this.editing.delete(o.orderNo);
      this.render();
    });
    const action = cell("");
    action.append(form);
    this.editing.set(o.orderNo, this.row(o, action, "editing"));
    this.render();
    price.focus();
    price.select();
  }

  private render(): void {
    if (!this.last.length) {
      this.editing.clear();
      this.orders.replaceChildren(emptyRow(this.orders, "No orders today."));
      return;
    }
    const focused = document.activeElement;
    this.orders.replaceChildren(
      ...this.last.map((o) => {
        const live = isLive(o);
        const refused = (o.rejectedQuantity ?? 0) > 0;
        const editor = this.editing.get(o.orderNo);
        if (editor && live) return editor;
        this.editing.delete(o.orderNo);
        const doing = live ? this.pending.get(o.orderNo) : undefined;
        const action = cell("");
        if (live && !doing) {
          // A modification rests as an order of its own: it says which order it replaced.
          if (o.originalOrderNo) {
            const note = document.createElement("small");
            note.textContent = `changes ${o.originalOrderNo} `;
            action.append(note);
          }
          const cancel = button("Cancel", "cancel");
          cancel.addEventListener("click", () => void this.cancel(o));
          action.append(cancel);
          // A new price for a limit order; a market order has none to change.
          if (o.price) {
            const modify = button("Modify", "modify");
            modify.addEventListener("click", () => this.edit(o));
            action.append(" ", modify);
          }
        } else if (doing) {
          action.textContent = doing;
        } else if (o.originalOrderNo) {
          // KIS lists a cancel (or a correction) as an order of its own: not a fill.
          action.textContent = `${o.cancelled ? "cancels" : "changes"} ${o.originalOrderNo}`;
        } else if (o.cancelled) action.textContent = "cancelled";
        // Over, neither cancelled nor filled at all: refused by the exchange (거부수량), or expired.
        else if (!live && !o.filledQuantity) action.textContent = refused ? "refused by the exchange" : "not filled";
        const state = live ? (doing ? doing.replace("…", "") : "open")
          : o.originalOrderNo ? "change" : o.cancelled ? "cancelled" : o.filledQuantity ? "filled" : refused ? "rejected" : "unfilled";
        return this.row(o, action, state);
      }),
    );
    // Taken out and put back, an editor's price loses the focus: it gets it back.
    if (focused instanceof HTMLElement && focused !== document.activeElement && this.orders.contains(focused)) focused.focus();
  }

  private row(o: Order, action: HTMLTableCellElement, state: string): HTMLTableRowElement {
    const tr = row([
      cell(o.time), cell(o.orderNo), sideCell(o),
      cell(o.symbol), cell(fmt(o.quantity)), cell(o.price ? fmt(o.price) : "market"), cell(fmt(o.filledQuantity)),
      cell(fmt(o.averagePrice === null ? null : Math.round(o.averagePrice))), cell(fmt(o.remainingQuantity)), action,
    ]);
    tr.dataset.orderNo = o.orderNo;
    tr.dataset.state = state;
    return tr;
  }
}

function button(text: string, action: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.textContent = text;
  b.dataset.action = action;
  return b;
}

/** 매수 red, 매도 blue, as Korean screens show them; a side KIS did not say is shown as such. */
function sideCell(o: Order): HTMLTableCellElement {
  if (o.side === "buy") return cell("매수 buy", "up");
  if (o.side === "sell") return cell("매도 sell", "down");
  return cell("? side not said");
}
