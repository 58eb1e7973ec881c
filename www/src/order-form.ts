import { buildOrderBody, type KisEnv, type OrderAck, type OrderInput } from "kis-wasm";
import { confirmSend } from "./confirm.js";
import { $ } from "./dom.js";
import { kstClock } from "./dom.js";
import { describe, failedNow, kindOf } from "./errors.js";

export interface OrderRequest {
  side: "buy" | "sell";
  input: OrderInput;
}

/** The order form, and a confirmation that shows the environment in large letters before
 *  anything is sent. */
export class OrderForm {
  private readonly form = $<HTMLFormElement>("#order-form");
  private readonly message = $("#order-message");
  /** The orders sent and not yet answered, as their confirmations said them. */
  private readonly sending: string[] = [];
  /** Orders whose answer was lost and that today's orders did not show (`orderStatusUnknown`),
   *  by their terms, with the time they were sent: the same order confirmed again may be a
   *  second one. */
  private readonly unknown = new Map<string, string>();

  constructor(
    private readonly env: () => KisEnv,
    /** The account orders go to, once connected. */
    private readonly account: () => string | undefined,
    /** The last price the page has of a symbol, if any. */
    private readonly lastPrice: (symbol: string) => number | null,
    private readonly place: (r: OrderRequest) => Promise<OrderAck>,
    private readonly report: (e: unknown) => void,
  ) {
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.review();
    });
    // A limit order needs its price (the form will not submit without one, rather than review
    // an order at 0 KRW); a market order takes none, and a disabled field is not checked.
    const type = this.form.elements.namedItem("type") as HTMLSelectElement;
    type.addEventListener("change", () => {
      (this.form.elements.namedItem("price") as HTMLInputElement).disabled = type.value === "market";
    });
  }

  setSymbol(symbol: string, price: number | null): void {
    (this.form.elements.namedItem("symbol") as HTMLInputElement).value = symbol;
    const p = this.form.elements.namedItem("price") as HTMLInputElement;
    if (price !== null && !p.value) p.value = String(price);
  }

  private request(): OrderRequest {
    const data = new FormData(this.form);
    const market = data.get("type") === "market";
    const input: OrderInput = {
      symbol: String(data.get("symbol") ?? "").trim().toUpperCase(),
      quantity: Number(data.get("quantity")),
    };
    if (!market) input.price = Number(data.get("price"));
    return { side: data.get("side") === "sell" ? "sell" : "buy", input };
  }

  private async review(): Promise<void> {
    const r = this.request();
    // The package's own rules, before the confirmation rather than after it: a symbol or a
    // quantity KIS cannot take is never shown as an order to confirm.
    const account = this.account();
    if (account) {
      try {
        buildOrderBody({ account, ...r.input });
      } catch (e) {
        this.message.textContent = `Order not sent. ${describe(e)}`;
        return;
      }
    }
    const won = (n: number) => `${n.toLocaleString("ko-KR")} KRW`;
    const { symbol, quantity, price } = r.input;
    // What the order comes to, so that a slip of a digit in the quantity shows in the amount:
    // a market order's at the last price the page has, when it has one.
    const last = price === undefined ? this.lastPrice(symbol) : null;
    const what =
      price !== undefined ? `at ${won(price)} (limit): ${won(price * quantity)}`
      : last ? `at market: about ${won(last * quantity)} at the last price, ${won(last)}`
      : "at market";
    const text = `${r.side === "buy" ? "BUY" : "SELL"} ${symbol} × ${quantity.toLocaleString("ko-KR")} ${what}`;
    // An answer slow to come (a timeout takes 30 s) reads like an order that went nowhere, and
    // the same order confirmed again would be a second one: the confirmation says so.
    // And one whose answer was lost may have been booked: the same terms again may be a second.
    // Its terms, not its text: a market order's says the last price, which moves.
    const terms = `${r.side} ${symbol} ${quantity} ${price ?? "market"}`;
    const lost = this.unknown.get(terms);
    const warning = [
      this.sending.length ? `Still waiting for KIS's answer to ${this.sending.join("; ")}. This would be another order.` : "",
      lost ? `The same order sent at ${lost} KST may have reached KIS (its answer was lost): check today's orders before placing it again.` : "",
    ].filter(Boolean).join(" ");
    if (!(await confirmSend(this.env(), text, "Place order", warning))) {
      this.message.textContent = this.sending.length ? "Order not sent; still waiting for the one before." : "Order not sent.";
      return;
    }
    this.message.textContent = "Sending…";
    this.sending.push(text);
    const sent = kstClock();
    try {
      const ack = await this.place(r);
      this.message.textContent = `Order ${ack.orderNo} accepted at ${ack.time}.`;
    } catch (e) {
      if (kindOf(e) === "orderStatusUnknown") this.unknown.set(terms, sent);
      this.message.textContent = failedNow("Order", e);
      this.report(e);
    } finally {
      this.sending.splice(this.sending.indexOf(text), 1);
    }
  }
}
