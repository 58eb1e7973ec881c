import type { FillNotice } from "kis-wasm";
import { $, fmt } from "./dom.js";

const SHOWN_MS = 8000;
/** Fills shown at once: a market order that fills in many parts would otherwise stack a toast a
 *  part up the screen. The oldest goes first; today's orders keep every fill. */
const MAX_FILLS = 5;

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
  box.addEventListener("click", () => {
    box.remove();
    sayRefusals();
  });
  const stack = $("#toasts");
  stack.append(box);
  if (n.kind === "rejected") {
    // A refusal stays until it is clicked away: the trader may be looking elsewhere.
    sayRefusals();
    return;
  }
  setTimeout(() => box.remove(), SHOWN_MS);
  const fills = stack.querySelectorAll(".toast:not(.rejected)");
  for (const old of [...fills].slice(0, Math.max(0, fills.length - MAX_FILLS))) old.remove();
}

/** Refusals are never taken away unasked, so when several stand, one click clears them all
 *  (each is in today's orders, as refused). */
function sayRefusals(): void {
  const stack = $("#toasts");
  const refusals = stack.querySelectorAll(".toast.rejected");
  let clear = stack.querySelector<HTMLButtonElement>("button.toasts-clear");
  if (refusals.length < 2) {
    clear?.remove();
    return;
  }
  if (!clear) {
    clear = document.createElement("button");
    clear.type = "button";
    clear.className = "toasts-clear";
    clear.addEventListener("click", () => {
      for (const r of stack.querySelectorAll(".toast.rejected")) r.remove();
      clear?.remove();
    });
    stack.prepend(clear);
  }
  clear.textContent = `Dismiss ${refusals.length} refusals`;
}
