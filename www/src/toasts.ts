import type { FillNotice } from "kis-wasm";
import { $, fmt } from "./dom.js";

const SHOWN_MS = 8000;

/** A notice from the realtime socket that the trader must see at once, shown in the corner for
 *  a few seconds: a fill, or an order the exchange refused after KIS took it (거부), which
 *  today's orders show only at their next reading. */
export function noticeToast(n: FillNotice): void {
  if (n.kind !== "fill" && n.kind !== "rejected") return;
  const box = document.createElement("div");
  box.className = `toast ${n.kind === "rejected" ? "rejected" : n.side ?? "unsaid"}`;
  box.setAttribute("role", n.kind === "rejected" ? "alert" : "status");
  box.dataset.orderNo = n.orderNo;
  const what = n.name || n.symbol;
  if (n.kind === "rejected") {
    const side = n.side === "buy" ? "buy" : n.side === "sell" ? "sell" : "order";
    box.textContent = `Rejected by the exchange: ${side} ${fmt(n.quantity)} ${what} · order ${n.orderNo} · ${n.time}`;
  } else {
    // KIS's code for the side, when it is not one of its two, is no side: no guess is shown.
    const side = n.side === "buy" ? "Bought" : n.side === "sell" ? "Sold" : "Filled";
    box.textContent = `${side} ${fmt(n.quantity)} ${what} @ ${fmt(n.price)} · order ${n.orderNo} · ${n.time}`;
  }
  box.addEventListener("click", () => box.remove());
  $("#toasts").append(box);
  // A refusal stays until it is clicked away: the trader may be looking elsewhere.
  if (n.kind !== "rejected") setTimeout(() => box.remove(), SHOWN_MS);
}
