import type { KisClient, Quote, Trade } from "kis-wasm";
import { $, cell, fmt, row, signClass } from "./dom.js";
import { DEFAULT_WATCHLIST, nameOf } from "./names.js";

export const DEFAULT_SYMBOLS = DEFAULT_WATCHLIST.map(([symbol]) => symbol);

/** The user's own list, kept in localStorage once edited (symbols are not secrets). */
const KEY = "kis-dashboard-watchlist";
/** A KRX code as KIS takes it: 6 digits or upper-case letters, or "Q" + 6 digits (ETN). */
const CODE = /^([0-9A-Z]{6}|Q[0-9]{6})$/;

export function savedSymbols(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (Array.isArray(list) && list.length && list.every((s) => typeof s === "string" && CODE.test(s))) return list;
  } catch {
    // A list that does not read back is no list: the default one.
  }
  return [...DEFAULT_SYMBOLS];
}

/** Quotes for a list of symbols; the client's limiter spaces the calls, so a refresh of all of
 *  them never trips KIS's per-second limit. Symbols can be added and removed. */
export class Watchlist {
  private readonly body = $<HTMLTableSectionElement>("#watch-rows");
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private selected = "";

  constructor(private readonly symbols: string[], private readonly onSelect: (symbol: string) => void) {
    for (const s of symbols) this.append(s);
  }

  /** The last price shown for `symbol`, if it is in the list and has one. */
  lastPrice(symbol: string): number | null {
    return Number(this.rows.get(symbol)?.dataset.price) || null;
  }

  get first(): string {
    return this.symbols[0] ?? "";
  }

  select(symbol: string): void {
    this.selected = symbol;
    for (const [s, tr] of this.rows) tr.classList.toggle("selected", s === symbol);
    this.onSelect(symbol);
  }

  /** Adds `input` (trimmed, upper-cased) and selects it; the error to show, if any. */
  add(input: string): string | null {
    const symbol = input.trim().toUpperCase();
    if (!CODE.test(symbol)) return `"${input.trim()}" is not a KRX code: 6 digits or letters (e.g. 005930), or Q and 6 digits`;
    if (!this.rows.has(symbol)) {
      this.symbols.push(symbol);
      this.append(symbol);
      this.save();
    }
    this.select(symbol);
    return null;
  }

  remove(symbol: string): void {
    const i = this.symbols.indexOf(symbol);
    if (i < 0 || this.symbols.length === 1) return; // the chart and the order form need one
    this.symbols.splice(i, 1);
    this.rows.get(symbol)?.remove();
    this.rows.delete(symbol);
    this.save();
    if (this.selected === symbol) this.select(this.first);
  }

  /** One round over every symbol, one quote at a time, each shown as it comes. `turn` is
   *  awaited before each: it paces the round so that quotes never take the whole rate limit,
   *  and holds it while the user's own order or cancel is on its way. Failures are reported;
   *  the others still update. */
  /** Each symbol's quote in its `turn`, until a turn says to stop. */
  async refresh(kis: KisClient, turn: () => Promise<boolean>): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const s of [...this.symbols]) {
      if (!(await turn())) break;
      try {
        this.show(await kis.getPrice(s));
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }

  /** A trade from the realtime socket (H0STCNT0), shown as a quote would be. */
  trade(t: Trade): void {
    if (!this.rows.has(t.symbol)) return;
    this.show({ symbol: t.symbol, price: t.price, change: t.change, changeRate: t.changeRate, volume: t.totalVolume } as Quote);
    const tr = this.rows.get(t.symbol);
    if (tr) tr.dataset.source = "tick";
  }

  /** The symbols listed now. */
  list(): string[] {
    return [...this.symbols];
  }

  private save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify(this.symbols));
    } catch {
      // Storage refused (a private window, a full quota): the list lasts as long as the page.
    }
  }

  private append(symbol: string): void {
    const tr = row(this.cells(symbol, [cell("—"), cell(""), cell(""), cell("")]));
    tr.dataset.symbol = symbol;
    tr.addEventListener("click", () => this.select(symbol));
    this.rows.set(symbol, tr);
    this.body.append(tr);
  }

  /** The row's cells: symbol, name, four figures, and its remove button. */
  private cells(symbol: string, figures: HTMLTableCellElement[]): HTMLTableCellElement[] {
    const remove = document.createElement("button");
    remove.textContent = "×";
    remove.title = `remove ${symbol}`;
    remove.className = "remove";
    remove.addEventListener("click", (e) => {
      e.stopPropagation();
      this.remove(symbol);
    });
    const end = cell("");
    end.append(remove);
    return [cell(symbol), cell(nameOf(symbol)), ...figures, end];
  }

  private show(q: Quote): void {
    const tr = this.rows.get(q.symbol);
    if (!tr) return; // removed while its quote was on the way
    const cls = signClass(q.change);
    tr.replaceChildren(
      ...this.cells(q.symbol, [
        cell(fmt(q.price), cls), cell(fmt(q.change), cls),
        cell(q.changeRate === null ? "—" : `${q.changeRate.toFixed(2)}%`, cls), cell(fmt(q.volume)),
      ]),
    );
    tr.dataset.price = String(q.price ?? "");
  }
}
