// The dashboard: built only on the kis-wasm package, as any outside user would use it.
import { KisClient, type KisEvent, type KisRealtime, type Order, type OrderAck } from "kis-wasm";
import { confirmSend } from "./confirm.js";
import { $, envLabel, fmt } from "./dom.js";
import { describe, failedNow, kindOf } from "./errors.js";
import { RequestLog } from "./request-log.js";
import { Watchlist, savedSymbols } from "./watchlist.js";
import { PriceChart, type Period } from "./price-chart.js";
import { AccountView } from "./account-view.js";
import { OrderForm } from "./order-form.js";
import { OrderbookView } from "./orderbook.js";
import { Explorer } from "./explorer.js";
import * as settings from "./settings.js";
import { noticeToast } from "./toasts.js";

const QUOTE_INTERVAL_MS = 3000;
/** Between two quotes of a round: at most half of a 5-a-second limit, so that an order and the
 *  look at today's orders after it find room at once. */
const QUOTE_GAP_MS = 400;
const ACCOUNT_INTERVAL_MS = 15000;

let kis: KisClient | null = null;
let live: KisRealtime | null = null;
/** Ends the live orderbook of the selected symbol. */
let stopBook: (() => void) | null = null;
let current: settings.Settings | null = null;
const symbols = savedSymbols();
let selected = symbols[0]!;
let generation = 0;
/** The client's calls under way (rounds, a chart's or a book's load, an order), which a
 *  disconnect lets end before it revokes the token: one after it would have the client ask KIS
 *  for another. */
const calls = new Set<Promise<unknown>>();
let waitingUntil = 0;
/** The user's orders and cancels on their way (with the refresh after them): quotes wait. */
let actions = 0;
let actionsDone: Promise<void> = Promise.resolve();
let endActions = () => {};

/** Runs the user's `work` ahead of the background rounds. */
async function asAction<T>(work: () => Promise<T>): Promise<T> {
  if (actions++ === 0) actionsDone = new Promise((r) => (endActions = r));
  try {
    return await work();
  } finally {
    if (--actions === 0) endActions();
  }
}

/** A background quote's turn: after the gap, and after any action of the user's. */
async function quoteTurn(): Promise<void> {
  await new Promise((r) => setTimeout(r, QUOTE_GAP_MS));
  while (actions > 0) await actionsDone;
}

const log = new RequestLog();
const chart = new PriceChart();
const book = new OrderbookView();
const explorer = new Explorer(() => kis, () => current?.env ?? "mock");
const account = new AccountView(cancel, modify);
const watchlist = new Watchlist(symbols, (s) => {
  selected = s;
  orderForm.setSymbol(s, watchlist.lastPrice(s));
  void guard(() => (kis ? chart.load(kis, s) : Promise.resolve(0)));
  if (kis) void guard(() => book.refresh(kis!, s));
  if (live) void guard(() => followBook(live!, s));
});
const orderForm = new OrderForm(
  () => current?.env ?? "mock",
  () => current?.account,
  (s) => watchlist.lastPrice(s),
  async (r) => {
    if (!kis) throw new Error("Connect first.");
    const client = kis;
    return asAction(async () => {
      try {
        return await (r.side === "buy" ? client.buy(r.input) : client.sell(r.input));
      } finally {
        // Failed or not, today's orders now: after an orderStatusUnknown they are what the
        // user is told to check, and the next round is up to 15 s away.
        void asAction(refreshAccount);
      }
    });
  },
  (e) => showError(e, true),
);

/** Shows `e` at the bottom of the page. A background refresh's error goes away with the next
 *  answer that comes back fine; an order's or a cancel's (`sticky`) stays until clicked away,
 *  since it may ask the user to check today's orders. */
function showError(e: unknown, sticky = false): void {
  const box = $("#error");
  // Nor does a background error cover one the user has not yet seen to.
  if (!sticky && box.dataset.sticky && !box.hidden) return;
  box.textContent = describe(e);
  box.hidden = false;
  box.dataset.kind = kindOf(e);
  box.dataset.sticky = sticky ? "1" : "";
}

async function guard<T>(f: () => Promise<T>, sticky = false): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    showError(e, sticky);
    return undefined;
  }
}

/** A visible "waiting for rate limit" state instead of errors, while the client waits. */
function onEvent(e: KisEvent): void {
  log.add(e);
  const wait = e.type === "rateLimitWait" || (e.type === "retry" && e.reason === "rateLimit") ? e.waitMs ?? 0 : 0;
  if (wait > 0) {
    waitingUntil = Math.max(waitingUntil, Date.now() + wait);
    const badge = $("#waiting");
    badge.hidden = false;
    badge.textContent = e.type === "retry" ? `KIS asked to slow down (${e.msgCd ?? "EGW00201"}): waiting ${Math.ceil(wait / 1000)} s` : "waiting for rate limit";
    setTimeout(() => {
      if (Date.now() >= waitingUntil) badge.hidden = true;
    }, wait + 50);
  }
  if (e.type === "response" && e.status === 200 && !$("#error").dataset.sticky) $("#error").hidden = true;
}

/** Today's orders first: after an order or a cancel they are what the user looks at. */
async function refreshAccount(): Promise<void> {
  const client = kis;
  if (!client) return;
  const mine = generation;
  await guard(() => account.refreshOrders(client));
  // A client disconnected or replaced meanwhile is freed: it is asked nothing more.
  if (mine === generation) await guard(() => account.refreshBalance(client));
}

/** A change goes to its order's exchange (KIS refuses one sent elsewhere): an order placed in
 *  KIS's app may have gone through NXT or SOR. */
const onItsExchange = (o: Order) => (o.exchange ? { exchange: o.exchange } : {});

/** Whether KIS took the cancel. */
async function cancel(o: Order): Promise<boolean> {
  if (!kis) return false;
  const client = kis;
  return sendChange(`Cancel of ${o.orderNo}`, () => client.cancel({ orderNo: o.orderNo, orgNo: o.orgNo, ...onItsExchange(o) }), () => `Order ${o.orderNo} cancelled.`);
}

/** Whether KIS took the modification of `o` to `price`: confirmed first, as an order is. */
async function modify(o: Order, price: number, sending: () => void): Promise<boolean> {
  if (!kis || !current) return false;
  const client = kis;
  const text = `MODIFY order ${o.orderNo} (${o.side?.toUpperCase() ?? "side not said,"} ${o.symbol}, ${fmt(o.remainingQuantity)} open at ${fmt(o.price)} KRW) to ${fmt(price)} KRW (limit)`;
  if (!(await confirmSend(current.env, text, "Modify order"))) {
    $("#order-message").textContent = "Modification not sent.";
    return false;
  }
  sending();
  $("#order-message").textContent = "Sending…";
  const sent = () => client.modify({ orderNo: o.orderNo, orgNo: o.orgNo, price, ...onItsExchange(o) });
  return sendChange(`Modification of ${o.orderNo}`, sent, (ack) => `Order ${o.orderNo} modified to ${fmt(price)} KRW: now order ${ack.orderNo}.`);
}

/** Sends a cancel or modification: what became of it is said under the order form, a failure in
 *  full as an order's is (the error bar goes with a click); today's orders are read again either
 *  way. Whether KIS took it. */
async function sendChange(what: string, send: () => Promise<OrderAck>, done: (ack: OrderAck) => string): Promise<boolean> {
  const message = $("#order-message");
  try {
    message.textContent = done(await asAction(send));
    return true;
  } catch (e) {
    message.textContent = failedNow(what, e);
    showError(e, true);
    return false;
  } finally {
    void asAction(refreshAccount);
  }
}

/** Runs `round` again `intervalMs` after each finishes, until a new connection replaces it. */
function every(intervalMs: number, round: () => Promise<void>): void {
  const mine = generation;
  const loop = async () => {
    if (mine !== generation) return;
    await round();
    setTimeout(loop, intervalMs);
  };
  void loop();
}

/** With "live" ticked, KIS's websocket through the proxy moves the page: trades (H0STCNT0) the
 *  watchlist and the chart's last candle, the selected symbol's book (H0STASP0) the orderbook,
 *  and the account's notices (H0STCNI0 / H0STCNI9) show fills and refresh today's orders. The
 *  rounds of quotes go on beside it, less often. */
async function goLive(on: boolean): Promise<void> {
  live?.close();
  live = null;
  stopBook = null;
  $("#rt-state").textContent = "";
  if (!on || !kis || !current) return;
  const rt = kis.realtime({ url: current.proxyUrl.replace(/^http/, "ws") });
  live = rt;
  let was = "";
  rt.onState((state) => {
    $("#rt-state").textContent = state;
    // KIS does not send again what came while the connection was down: a fill in the gap shows
    // only in today's orders, so they are read again as soon as the connection is back.
    if (state === "open" && was === "reconnecting") void asAction(refreshAccount);
    was = state;
  });
  // All at once: each waits for KIS's answer, and a socket still connecting holds them all.
  const subscriptions: Promise<unknown>[] = [followBook(rt, selected)];
  const htsId = current.htsId;
  if (htsId) {
    subscriptions.push(rt.fills(htsId, (n) => {
      noticeToast(n);
      void asAction(refreshAccount);
    }));
  }
  for (const symbol of watchlist.list()) {
    subscriptions.push(rt.trades(symbol, (t) => {
      watchlist.trade(t);
      chart.trade(t);
    }));
  }
  await Promise.all(subscriptions);
}

/** The live orderbook follows the selected symbol. */
async function followBook(rt: KisRealtime, symbol: string): Promise<void> {
  stopBook?.();
  stopBook = null;
  const stop = await rt.orderbook(symbol, (ob) => {
    if (ob.symbol === selected) book.show(ob, "tick");
  });
  if (live === rt && symbol === selected) stopBook = stop;
  else stop();
}

/** `client`, each of its calls kept in `calls` while it is under way. */
function counted(client: KisClient): KisClient {
  return new Proxy(client, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) {
          calls.add(result);
          const forget = () => calls.delete(result);
          result.then(forget, forget);
        }
        return result;
      };
    },
  });
}

function connect(s: settings.Settings, host: settings.HostConfig): void {
  generation += 1;
  current = s;
  settings.remember(s);
  const held = Boolean(host.held);
  // The old client's calls still in flight end as they would; its loops stop with `generation`.
  kis?.free();
  const client = (kis = counted(new KisClient({
    appKey: held ? "held-by-proxy" : s.appKey,
    appSecret: held ? "held-by-proxy" : s.appSecret,
    account: s.account,
    env: s.env,
    baseUrl: s.proxyUrl,
    // A proxy holding the keys calls KIS through its own client, which keeps the rate limit and
    // hashes the bodies: the page's doing either again would only make every call wait twice.
    ...(held ? { rateLimitPerSec: 0, hashkey: false } : host.rateLimitPerSec !== undefined ? { rateLimitPerSec: host.rateLimitPerSec } : {}),
    tokenStore: settings.tokenStore,
    onEvent,
    logger: null,
  })));
  const badge = $("#env-badge");
  badge.textContent = envLabel(s.env);
  badge.className = `env ${s.env}`;
  explorer.envChanged();
  $("#status").textContent = `connected to ${s.proxyUrl} · account ${s.account}`;
  watchlist.select(selected);
  // A round ends at its next turn once this connection is replaced or disconnected: its client
  // is freed then, and a call on it would throw.
  const mine = generation;
  const turn = async () => {
    await quoteTurn();
    return mine === generation;
  };
  every(QUOTE_INTERVAL_MS, async () => {
    const errors = await watchlist.refresh(client, turn);
    // The selected symbol's book, once a round: one call more, unless the socket brings it.
    if (!live && (await turn())) await guard(() => book.refresh(client, selected));
    if (errors.length) showError(errors[0]);
  });
  every(ACCOUNT_INTERVAL_MS, refreshAccount);
  void guard(() => goLive($<HTMLInputElement>("#live").checked));
  // A proxy holding the keys holds the token too: not the page's to revoke.
  $("#disconnect").hidden = held;
}

/** The page stops calling, then KIS revokes its token. If KIS does not say it did, the page
 *  says so and keeps the client, so that Disconnect can be tried again. */
async function disconnect(): Promise<void> {
  if (!kis) return;
  const status = $("#status");
  // The rounds stop at their next turn, and the calls under way end before the token goes.
  generation += 1;
  await goLive(false);
  while (calls.size) await Promise.allSettled([...calls]);
  let revoked: boolean;
  try {
    revoked = await asAction(() => kis!.revokeToken());
  } catch (e) {
    showError(e, true);
    status.textContent = "stopped · the token was not revoked: Disconnect again, or Connect";
    return;
  }
  kis.free();
  kis = null;
  current = null;
  $("#disconnect").hidden = true;
  status.textContent = `disconnected · ${revoked ? "token revoked by KIS" : "no live token to revoke"}`;
}

async function start(): Promise<void> {
  void guard(() => explorer.load());
  const host = await settings.hostConfig();
  const form = $<HTMLFormElement>("#settings");
  settings.fill(form, { env: host.env ?? "mock", proxyUrl: host.proxyUrl ?? "", account: host.account ?? "", htsId: host.htsId ?? "" });
  settings.fill(form, settings.stored());
  $("#held-note").hidden = !host.held;
  for (const name of ["appKey", "appSecret"]) (form.elements.namedItem(name) as HTMLInputElement).disabled = Boolean(host.held);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    try {
      connect(settings.read(form), host);
    } catch (e) {
      showError(e);
    }
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>("#periods button")) {
    b.addEventListener("click", () => {
      chart.period = b.dataset.period as Period;
      for (const o of document.querySelectorAll("#periods button")) o.classList.toggle("on", o === b);
      if (kis) void guard(() => chart.load(kis!, selected));
    });
  }
  const add = $<HTMLFormElement>("#watch-add");
  add.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = add.elements.namedItem("symbol") as HTMLInputElement;
    const problem = watchlist.add(input.value);
    const message = $("#watch-message");
    message.textContent = problem ?? "";
    message.hidden = !problem;
    if (!problem) input.value = "";
  });
  $("#disconnect").addEventListener("click", () => void disconnect());
  $<HTMLInputElement>("#live").addEventListener("change", (ev) => void guard(() => goLive((ev.target as HTMLInputElement).checked)));
  window.addEventListener("unhandledrejection", (ev) => showError(ev.reason));
  $("#error").addEventListener("click", () => ($("#error").hidden = true));
  // With a host that knows everything (the demo), connect at once.
  if (host.proxyUrl && host.account && host.held) connect(settings.read(form), host);
}

void start();
