import type { KisEvent } from "kis-wasm";
import { $, cell, kstClock, row } from "./dom.js";

const MAX_ROWS = 200;

/** The request log: KIS events carry no header values, so nothing secret can show here. */
export class RequestLog {
  private readonly body = $<HTMLTableSectionElement>("#log-rows");

  add(e: KisEvent): void {
    if (e.type === "request") return; // the response row says the same, with status and time
    const note = [
      e.attempt && e.attempt > 1 ? `attempt ${e.attempt}` : "",
      e.reason ?? "",
      e.waitMs !== undefined ? `waited ${Math.round(e.waitMs)} ms` : "",
      e.msgCd ?? "",
    ].filter(Boolean).join(" · ");
    const path = cell(e.path ?? "", "path");
    path.title = e.path ?? "";
    const tr = row([
      cell(kstClock()),
      cell(e.type),
      cell(e.trId ?? ""),
      path,
      cell(e.status !== undefined ? String(e.status) : ""),
      cell(e.ms !== undefined ? String(Math.round(e.ms)) : ""),
      cell(note, "note"),
    ]);
    tr.dataset.type = e.type;
    this.body.prepend(tr);
    while (this.body.rows.length > MAX_ROWS) this.body.deleteRow(-1);
  }
}
