import type { KisClient, Quote } from "kis-wasm";
import { $, cell, fmt, row, signClass } from "./dom.js";
import { DEFAULT_WATCHLIST, nameOf } from "./names.js";

export const DEFAULT_SYMBOLS = DEFAULT_WATCHLIST.map(([symbol]) => symbol);

/** Quotes for a list of symbols; the client's limiter spaces the calls, so a refresh of all of
 *  them never trips KIS's per-second limit. */
export class Watchlist {
  private readonly body = $<HTMLTableSectionElement>("#watch-rows");
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(private readonly symbols: string[], private readonly onSelect: (symbol: string) => void) {
    for (const s of symbols) {
      const tr = row([cell(s), cell(nameOf(s)), cell("—"), cell(""), cell(""), cell("")]);
      tr.dataset.symbol = s;
      tr.addEventListener("click", () => this.select(s));
      this.rows.set(s, tr);
      this.body.append(tr);
    }
  }

  select(symbol: string): void {
    for (const [s, tr] of this.rows) tr.classList.toggle("selected", s === symbol);
    this.onSelect(symbol);
  }

  /** One round over every symbol; failures are reported, the others still update. */
  async refresh(kis: KisClient): Promise<unknown[]> {
    const results = await Promise.allSettled(this.symbols.map((s) => kis.getPrice(s)));
    const errors: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") this.show(r.value);
      else errors.push(r.reason);
      void i;
    });
    return errors;
  }

  private show(q: Quote): void {
    const tr = this.rows.get(q.symbol);
    if (!tr) return;
    const cls = signClass(q.change);
    tr.replaceChildren(
      cell(q.symbol), cell(nameOf(q.symbol)), cell(fmt(q.price), cls),
      cell(fmt(q.change), cls), cell(q.changeRate === null ? "—" : `${q.changeRate.toFixed(2)}%`, cls), cell(fmt(q.volume)),
    );
    tr.dataset.price = String(q.price ?? "");
  }
}
