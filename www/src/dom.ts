import type { KisEnv } from "kis-wasm";

/** Small DOM helpers: the dashboard has no framework. */
export function $<T extends HTMLElement = HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`missing element ${selector}`);
  return node;
}

export function cell(text: string, className = ""): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function row(cells: HTMLTableCellElement[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

/** The one row of `body` when it has none to show, so that an empty table reads as "none" rather
 *  than as still loading; it spans as many columns as the table's header has. */
export function emptyRow(body: HTMLTableSectionElement, text: string): HTMLTableRowElement {
  const td = cell(text, "empty");
  td.colSpan = body.closest("table")?.tHead?.rows[0]?.cells.length ?? 1;
  const tr = row([td]);
  tr.className = "empty";
  return tr;
}

/** Now, as "HH:MM:SS" in Korea time: KIS stamps orders so, and the page keeps one clock
 *  wherever it is opened. */
export function kstClock(): string {
  return new Date().toLocaleTimeString("en-GB", { hour12: false, timeZone: "Asia/Seoul" });
}

const number = new Intl.NumberFormat("ko-KR");

/** KIS numbers may be null (KIS sent nothing): show a dash. */
export function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined) return "—";
  return digits ? n.toFixed(digits) : number.format(n);
}

export function signClass(n: number | null | undefined): string {
  return n === null || n === undefined || n === 0 ? "" : n > 0 ? "up" : "down";
}

/** The environment as the page names it wherever an order could go: in large letters. */
export function envLabel(env: KisEnv): string {
  return env === "real" ? "REAL 실전" : "MOCK 모의";
}
