import type { FillNotice } from "kis-wasm";
import { $, fmt } from "./dom.js";

const SHOWN_MS = 8000;

/** A fill notice from the realtime socket, shown in the corner for a few seconds. */
export function fillToast(n: FillNotice): void {
  const box = document.createElement("div");
  box.className = `toast ${n.side ?? "unsaid"}`;
  box.setAttribute("role", "status");
  box.dataset.orderNo = n.orderNo;
  // KIS's code for the side, when it is not one of its two, is no side: no guess is shown.
  const side = n.side === "buy" ? "Bought" : n.side === "sell" ? "Sold" : "Filled";
  box.textContent = `${side} ${fmt(n.quantity)} ${n.name || n.symbol} @ ${fmt(n.price)} · order ${n.orderNo} · ${n.time}`;
  box.addEventListener("click", () => box.remove());
  $("#toasts").append(box);
  setTimeout(() => box.remove(), SHOWN_MS);
}
