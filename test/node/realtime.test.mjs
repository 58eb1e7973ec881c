// KIS's realtime websocket through the built package, against kis-mock's socket on 127.0.0.1:
// ticks parsed by the catalogue's columns, one approval key for many subscribers, KIS's 41,
// a dropped connection restored with every subscription, an encrypted fill notice read.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { WebSocket } from "ws";
import { KisClient, KisError } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";
import { PINGPONG, scriptedSocket, taken } from "./scripted-socket.mjs";

// Not part of the API: the CommonJS entry's hook for the memory checks (one instance for both).
const { __wasmMemoryBytes } = createRequire(import.meta.url)("kis-wasm");

let mock;
before(async () => {
  mock = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
});
after(() => mock.close());

// One token for every client of the file, as KIS issues one a minute per app key.
const tokens = new Map();
const tokenStore = { get: (k) => tokens.get(k) ?? null, set: (k, t) => void tokens.set(k, t) };
// Every connection is closed at the end, even one whose test failed half-way.
const opened = [];
after(() => opened.forEach((rt) => rt.close()));

function client(extra = {}) {
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "50012345-01", env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), tokenStore, ...extra });
  const rt = kis.realtime({ WebSocket, url: mock.wsUrl });
  opened.push(rt);
  return { kis, cap, rt };
}

const until = async (check, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    assert.ok(Date.now() < end, "timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

test("trades arrive as records named by the catalogue's columns, at the market's price", async () => {
  const { rt } = client();
  const ticks = [];
  const states = [];
  rt.onState((s) => states.push(s));
  const stop = await rt.subscribe("H0STCNT0", "005930", (t) => ticks.push(t));
  await until(() => ticks.length >= 3);
  assert.equal(ticks[0].mksc_shrn_iscd, "005930");
  assert.ok(Math.abs(Number(ticks[0].stck_prpr) - 71000) <= 100, ticks[0].stck_prpr);
  assert.match(ticks[0].stck_cntg_hour, /^\d{6}$/);
  assert.equal(Object.keys(ticks[0]).length, 46);
  assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
  stop();
  const n = ticks.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(ticks.length <= n + 1, "no ticks after stop");
  rt.close();
  assert.equal(states.at(-1), "closed");
});

test("50 subscribers starting together make one approval-key request", async () => {
  const { rt } = client({ fetch: (u, i) => fetch(u, i) });
  const before = mock.counts.approval;
  const stops = await Promise.all(Array.from({ length: 50 }, (_, i) => rt.subscribe("H0STCNT0", String(100000 + (i % 5)).padStart(6, "0"), () => {})));
  assert.equal(mock.counts.approval - before, 1);
  assert.equal(rt.subscriptions, 5, "one registration per symbol");
  for (const s of stops) s();
  rt.close();
});

test("the 42nd subscription is refused before anything is sent", async () => {
  const { rt } = client();
  for (let i = 0; i < 41; i++) await rt.subscribe("H0STCNT0", String(200000 + i), () => {});
  await until(() => mock.realtime.counts.subscribes >= 41);
  const sent = mock.realtime.counts.subscribes;
  const e = await rt.subscribe("H0STASP0", "005930", () => {}).then(() => null, (err) => err);
  assert.ok(e instanceof KisError && e.kind === "validation" && /41/.test(e.message), String(e));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(mock.realtime.counts.subscribes, sent);
  rt.close();
});

test("a dropped connection comes back with every subscription", async () => {
  const { rt } = client();
  const seen = { "005930": 0, "000660": 0 };
  const states = [];
  rt.onState((s) => states.push(s));
  await rt.subscribe("H0STCNT0", "005930", () => (seen["005930"] += 1));
  await rt.subscribe("H0STASP0", "000660", () => (seen["000660"] += 1));
  await until(() => seen["005930"] > 0 && seen["000660"] > 0);
  mock.realtime.dropAll();
  await until(() => states.includes("reconnecting"));
  const after = { ...seen };
  await until(() => seen["005930"] > after["005930"] + 2 && seen["000660"] > after["000660"] + 2, 8000);
  assert.equal(states.at(-1), "open");
  rt.close();
});

test("a fill notice comes encrypted and is read with the subscribe answer's key", async () => {
  const { kis, rt, cap } = client();
  const notices = [];
  await rt.subscribe("H0STCNI9", "my-hts-id", (n) => notices.push(n));
  await until(() => mock.realtime.counts.subscribes > 0);
  await new Promise((r) => setTimeout(r, 100));
  const ack = await kis.buy({ symbol: "005930", quantity: 1 }); // market: fills at once
  await until(() => notices.some((n) => n.cntg_yn === "2"));
  const fill = notices.find((n) => n.cntg_yn === "2");
  assert.equal(fill.cust_id, "my-hts-id");
  assert.equal(fill.oder_no, ack.orderNo);
  assert.equal(fill.stck_shrn_iscd, "005930");
  assert.equal(fill.cntg_qty, "1");
  assertNoSecrets(assert, cap.text());
  rt.close();
});

test("trades: the curated shape, numbers parsed, the change, open, high, low and volume of the day getPrice reports", async () => {
  const { kis, rt } = client();
  const trades = [];
  const stop = await rt.trades("005930", (t) => trades.push(t));
  await until(() => trades.length >= 3);
  const quote = await kis.getPrice("005930");
  const book = await kis.getOrderbook("005930");
  const close = quote.price - quote.change;
  for (const t of trades) {
    // Inside the book getOrderbook shows: a buyer took its best ask, or a seller its best bid.
    assert.equal(t.ask, book.asks[0].price);
    assert.equal(t.bid, book.bids[0].price);
    assert.equal(t.price, t.side === "buy" ? t.ask : t.bid, `${t.side} at ${t.price}`);
    assert.equal(t.symbol, "005930");
    assert.equal(typeof t.price, "number");
    assert.equal(t.change, t.price - close, "change against yesterday's close");
    assert.match(t.time, /^\d\d:\d\d:\d\d$/);
    assert.ok(t.side === "buy" || t.side === "sell", String(t.side));
    assert.equal(t.raw.stck_prpr, String(t.price));
    assert.ok(t.totalVolume > 0 && t.volume > 0);
    // The day a dashboard shows from the REST quote goes on, rather than jumping to another.
    assert.equal(t.open, quote.open);
    assert.equal(t.high, Math.max(quote.high, t.price));
    assert.equal(t.low, Math.min(quote.low, t.price));
    assert.ok(t.totalVolume >= quote.volume, `${t.totalVolume} < ${quote.volume}`);
  }
  assert.ok(trades[1].totalVolume > trades[0].totalVolume, "the day's volume grows");
  stop();
  rt.close();
});

test("orderbook: ten levels a side, the same shape and prices as getOrderbook", async () => {
  const { kis, rt } = client();
  const books = [];
  await rt.orderbook("000660", (b) => books.push(b));
  await until(() => books.length >= 2);
  const rest = await kis.getOrderbook("000660");
  const b = books[0];
  assert.equal(b.symbol, "000660");
  assert.equal(b.asks.length, 10);
  assert.equal(b.bids.length, 10);
  assert.deepEqual(b.asks.map((l) => l.price), rest.asks.map((l) => l.price));
  assert.deepEqual(b.bids.map((l) => l.price), rest.bids.map((l) => l.price));
  assert.ok(b.asks[0].price > b.bids[0].price, "the best ask is above the best bid");
  assert.equal(b.totalAskQuantity, b.asks.reduce((a, l) => a + l.quantity, 0));
  assert.notDeepEqual(books[0].asks.map((l) => l.quantity), books[1].asks.map((l) => l.quantity), "the book moves");
  assert.deepEqual(Object.keys(b).sort(), Object.keys(rest).sort());
  rt.close();
});

test("fills: the exchange's refusal (거부) of an order KIS took is a notice of kind rejected, and today's orders list it over with its refused shares (rejectedQuantity)", async () => {
  const { kis, rt } = client();
  const notices = [];
  await rt.fills("my-hts-id", (n) => notices.push(n));
  await until(() => mock.realtime.counts.subscribes > 0);
  mock.setPrice("035420", 210000);
  const power = async () => (await kis.getBuyingPower({ symbol: "035420", price: 200000 })).cash;
  const before = await power();
  const order = await kis.buy({ symbol: "035420", quantity: 2, price: 200000 });
  await until(() => notices.some((n) => n.kind === "accepted" && n.orderNo === order.orderNo));
  // Through the mock's HTTP control path, as a script or the demo would.
  const reject = (orderNo) => fetch(`${mock.url}/__mock/reject`, { method: "POST", body: JSON.stringify({ account: "50012345-01", orderNo }) }).then((r) => r.json());
  assert.deepEqual(await reject(order.orderNo), { rejected: true });
  await until(() => notices.some((n) => n.kind === "rejected"));
  const refused = notices.find((n) => n.kind === "rejected");
  assert.equal(refused.orderNo, order.orderNo);
  assert.equal(refused.side, "buy");
  assert.equal(refused.quantity, 2);
  assert.equal(refused.raw.rfus_yn, "1");
  const listed = (await kis.getOrders({ symbol: "035420" })).find((o) => o.orderNo === order.orderNo);
  assert.deepEqual([listed.remainingQuantity, listed.filledQuantity, listed.cancelled, listed.rejectedQuantity], [0, 0, false, 2]);
  assert.equal(await power(), before, "the cash it held back is free again");
  assert.deepEqual(await reject(order.orderNo), { rejected: false }, "nothing of it is open to refuse");
  await assert.rejects(kis.cancel({ orderNo: order.orderNo, orgNo: order.orgNo }), (e) => e.kind === "api" && e.msgCd === "APBK0634");
  rt.close();
});

test("fills: the order's life as notices, naming the order as buy() and cancel() do", async () => {
  const { kis, rt } = client();
  const notices = [];
  await rt.fills("my-hts-id", (n) => notices.push(n));
  await until(() => mock.realtime.counts.subscribes > 0);
  await new Promise((r) => setTimeout(r, 100));
  mock.setPrice("035720", 45000);
  const resting = await kis.buy({ symbol: "035720", quantity: 3, price: 44000 });
  const other = await kis.buy({ symbol: "035720", quantity: 2, price: 43000 });
  await until(() => notices.filter((n) => n.kind === "accepted").length === 2);
  await kis.cancel({ orderNo: other.orderNo, orgNo: other.orgNo });
  mock.setPrice("035720", 44000); // the resting order becomes marketable and fills
  await until(() => notices.some((n) => n.kind === "fill") && notices.some((n) => n.kind === "cancelled"));
  const accepted = notices.find((n) => n.kind === "accepted" && n.orderNo === resting.orderNo);
  assert.ok(accepted, JSON.stringify(notices.map((n) => [n.kind, n.orderNo])));
  assert.equal(accepted.orgNo, resting.orgNo);
  assert.equal(accepted.side, "buy");
  assert.equal(accepted.orderQuantity, 3);
  assert.equal(accepted.orderPrice, 44000);
  assert.equal(accepted.name, "카카오");
  assert.equal(accepted.exchange, "KRX", "what a cancel of it names");
  const fill = notices.find((n) => n.kind === "fill");
  assert.equal(fill.orderNo, resting.orderNo);
  assert.equal(fill.quantity, 3);
  assert.equal(fill.price, 44000);
  const cancelled = notices.find((n) => n.kind === "cancelled");
  assert.equal(cancelled.originalOrderNo, other.orderNo);
  assert.equal(cancelled.quantity, 2);
  assert.equal(accepted.originalOrderNo, null);
  rt.close();
});

test("fills: what an IOC or FOK order leaves unfilled, cancelled by the exchange (KIS's 접수여부 3), is a 'cancelled' notice of the order, not another 'accepted'", async () => {
  // KIS's real environment takes IOC and FOK orders; its mock one does not.
  const real = await startMockKis({ env: "real", rateLimit: 0, tickMs: 50 });
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "50012345-01", env: "real", baseUrl: real.url, rateLimitPerSec: 0, logger: null, fetch: (u, i) => fetch(u, i) });
  const rt = kis.realtime({ WebSocket, url: real.wsUrl });
  opened.push(rt);
  try {
    const notices = [];
    await rt.fills("my-hts-id", (n) => notices.push(n));
    real.setPrice("035720", 45000);
    const ioc = await kis.buy({ symbol: "035720", quantity: 3, price: 44000, orderType: "11" }); // below the market
    const fok = await kis.buy({ symbol: "035720", quantity: 2, price: 45000, orderType: "12" }); // at it: fills
    await until(() => notices.filter((n) => n.orderNo === ioc.orderNo).length === 2 && notices.some((n) => n.orderNo === fok.orderNo && n.kind === "fill"));
    assert.deepEqual(notices.filter((n) => n.orderNo === ioc.orderNo).map((n) => n.kind), ["accepted", "cancelled"]);
    const gone = notices.find((n) => n.orderNo === ioc.orderNo && n.kind === "cancelled");
    assert.equal(gone.raw.acpt_yn, "3");
    assert.equal(gone.originalOrderNo, null, "the order itself, not a cancel naming it");
    assert.equal(gone.quantity, 3);
    const listed = (await kis.getOrders()).find((o) => o.orderNo === ioc.orderNo);
    assert.equal(listed.cancelled, true);
    assert.equal(listed.remainingQuantity, 0);
  } finally {
    rt.close();
    await real.close();
  }
});

test("a subscription KIS refuses rejects with KIS's code and is not kept; the others go on", async () => {
  // A client of the mock environment pointed at KIS's real one: its notices' TR is refused.
  const real = await startMockKis({ env: "real", rateLimit: 0, tickMs: 50 });
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: real.url, rateLimitPerSec: 0, logger: null, fetch: (u, i) => fetch(u, i) });
  const rt = kis.realtime({ WebSocket, url: real.wsUrl });
  opened.push(rt);
  try {
    const trades = [];
    await rt.trades("005930", (t) => trades.push(t));
    const e = await rt.subscribe("H0STCNI9", "my-hts-id", () => {}).then(() => null, (err) => err);
    assert.ok(e instanceof KisError && e.kind === "api" && e.msgCd === "OPSP0002" && e.trId === "H0STCNI9", String(e));
    assert.match(e.message, /refused the realtime subscription H0STCNI9 my-hts-id/);
    assert.equal(rt.subscriptions, 1, "only the trades are kept");
    const n = trades.length;
    await until(() => trades.length > n + 2);
  } finally {
    rt.close();
    await real.close();
  }
});

test("the other environment's fill-notice TR is refused by name before anything is sent, naming this one's", async () => {
  const { rt } = client();
  const subscribes = mock.realtime.counts.subscribes;
  const e = await rt.subscribe("H0STCNI0", "my-hts-id", () => {}).then(() => null, (err) => err);
  assert.ok(e instanceof KisError && e.kind === "validation" && e.field === "trId", String(e));
  assert.equal(e.message, 'trId: is the real environment\'s TR, got "H0STCNI0": in mock it is "H0STCNI9"');
  assert.equal(rt.subscriptions, 0);
  assert.equal(mock.realtime.counts.subscribes, subscribes, "nothing reached KIS");
  rt.close();
});

test("the curated subscriptions refuse a bad symbol or HTS ID by name, before connecting", async () => {
  const { rt } = client();
  const states = [];
  rt.onState((s) => states.push(s));
  for (const [call, field] of [[() => rt.trades("5930", () => {}), "symbol"], [() => rt.orderbook("", () => {}), "symbol"], [() => rt.fills("", () => {}), "htsId"], [() => rt.fills("a\"b", () => {}), "htsId"]]) {
    const e = await call().then(() => null, (err) => err);
    assert.ok(e instanceof KisError && e.kind === "validation" && e.field === field, String(e));
  }
  assert.deepEqual(states, [], "nothing was opened");
  assert.equal(rt.subscriptions, 0);
  rt.close();
});

test("a callback may end its own subscription, and a state listener add another", async () => {
  // The handlers used to be borrowed while their callbacks ran: a stop() from inside one
  // panicked in the wasm, was swallowed as the callback's error, and the ticks kept coming.
  const { kis, rt } = client();
  const states = [];
  rt.onState((s) => {
    states.push(s);
    if (s === "open") rt.onState((later) => states.push(`later:${later}`));
  });
  let ticks = 0;
  const stop = await rt.trades("005930", () => {
    ticks++;
    stop();
  });
  await until(() => ticks >= 1);
  await new Promise((r) => setTimeout(r, 300)); // six of the mock's ticks
  assert.equal(ticks, 1, "no tick after the callback ended its subscription");
  assert.equal(rt.subscriptions, 0);
  rt.close();
  assert.deepEqual(states.slice(-2), ["closed", "later:closed"]);
  assert.equal((await kis.getPrice("005930")).symbol, "005930", "the client still works");
});

test("arguments of the wrong type are refused by name, and the module stays whole", async () => {
  // A number where a string belongs used to reach wasm-bindgen's string copy unchecked, and
  // overran the wasm memory.
  const { kis, rt } = client();
  const states = [];
  rt.onState((s) => states.push(s));
  const cases = [
    [() => rt.trades(5930, () => {}), "symbol"],
    [() => rt.orderbook(undefined, () => {}), "symbol"],
    [() => rt.trades("005930", "not a function"), "callback"],
    [() => rt.fills(12345678, () => {}), "htsId"],
    [() => rt.fills("user01", null), "callback"],
    [() => rt.subscribe(1, "005930", () => {}), "trId"],
    [() => rt.subscribe("H0STCNT0", { symbol: "005930" }, () => {}), "trKey"],
    [() => rt.subscribe("H0STCNT0", "005930", 42), "callback"],
    // A TR the catalogue does not have, or a key KIS could not take: refused before connecting,
    // where KIS would only say so once the socket was open.
    [() => rt.subscribe("H0STCNT", "005930", () => {}), "trId"],
    [() => rt.subscribe("H0STCNT0", "", () => {}), "trKey"],
    [() => rt.subscribe("H0STCNT0", "005930 ", () => {}), "trKey"],
  ];
  for (const [call, field] of cases) {
    const e = await call().then(() => null, (err) => err);
    assert.ok(e instanceof KisError && e.kind === "validation" && e.field === field, `${field}: ${e}`);
  }
  // Said in the words every other argument's type is said in.
  for (const [call, message] of [
    [() => rt.trades(5930, () => {}), "symbol: must be a string, got the number 5930"],
    [() => rt.orderbook(undefined, () => {}), "symbol: is required"],
    [() => rt.subscribe("H0STCNT0", { symbol: "005930" }, () => {}), "trKey: must be a string, got an object"],
  ]) {
    assert.equal((await call().then(() => null, (err) => err))?.message, message);
  }
  assert.throws(() => rt.onState("closed"), (e) => e instanceof KisError && e.field === "listener");
  assert.deepEqual(states, [], "nothing was opened");
  assert.equal((await kis.getPrice("005930")).symbol, "005930", "the client still works");
  rt.close();
});

test("through the proxy holding the keys: ticks reach the page, which never sees the approval key", async () => {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  const seen = [];
  // What the page's socket sends and receives, as a browser's devtools would show it.
  class Watched extends WebSocket {
    constructor(url) {
      super(url);
      this.on("message", (d) => seen.push(String(d)));
    }
    send(text) {
      seen.push(String(text));
      super.send(text);
    }
  }
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null });
    const rt = page.realtime({ WebSocket: Watched, url: proxy.url.replace("http:", "ws:") });
    const ticks = [];
    await rt.subscribe("H0STCNT0", "005930", (t) => ticks.push(t));
    await until(() => ticks.length >= 2);
    assert.equal(ticks[0].mksc_shrn_iscd, "005930");
    assert.equal(upstream.counts.approval, 1, "the proxy asked KIS for the approval key");
    const frames = seen.join("\n");
    assert.match(frames, /"approval_key":"held-by-proxy"/, "the page sent the placeholder");
    assert.ok(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.test(frames), "no real approval key in the page's frames");
    assertNoSecrets(assert, frames);
    rt.close();
    // A page of another origin is refused the socket.
    const other = new WebSocket(proxy.url.replace("http:", "ws:"), { headers: { origin: "http://evil.example" } });
    const refused = await new Promise((resolve) => { other.on("error", () => resolve(true)); other.on("open", () => resolve(false)); });
    assert.ok(refused);
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("a hostile socket's giant frame is dropped before it reaches the wasm memory, with a warning, and the next frame still arrives", async () => {
  // A server that takes the subscription, then sends a 6 MB frame and a real one.
  const server = await scriptedSocket((conn, { tr_id, tr_key }) => {
    conn.send(taken(tr_id, tr_key));
    conn.send(`0|H0STCNT0|001|${tr_key}^${"9".repeat(6_000_000)}`);
    conn.send(`0|H0STCNT0|001|${tr_key}^093000^70000`);
  });
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket, url: server.url });
  opened.push(rt);
  try {
    const before = __wasmMemoryBytes();
    const records = [];
    await rt.subscribe("H0STCNT0", "005930", (r) => records.push(r));
    await until(() => records.length === 1);
    assert.equal(records[0].stck_prpr, "70000", "the frame after the giant one");
    assert.ok(__wasmMemoryBytes() - before < 4 << 20, `the wasm memory grew by ${__wasmMemoryBytes() - before} B`);
    assert.match(cap.lines.join("\n"), /a frame of 6000022 characters, past 4194304 \(options\.maxResponseBytes\), was dropped unread/);
  } finally {
    rt.close();
    await server.close();
  }
});

test("a hostile socket's frame of two trades cut short is dropped with a warning, not handed on as one trade with the other's fields; the next frame still arrives", async () => {
  const server = await scriptedSocket((conn, { tr_id, tr_key }) => {
    conn.send(taken(tr_id, tr_key));
    conn.send(`0|H0STCNT0|002|${tr_key}^093000^71000^000660^093001`);
    conn.send(`0|H0STCNT0|002|${tr_key}^093002^72000^${tr_key}^093002^72100`);
  });
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket, url: server.url });
  opened.push(rt);
  try {
    const records = [];
    await rt.subscribe("H0STCNT0", "005930", (r) => records.push(r));
    await until(() => records.length === 2);
    assert.deepEqual(records.map((r) => [r.mksc_shrn_iscd, r.stck_prpr]), [["005930", "72000"], ["005930", "72100"]], "only the whole frame's two trades");
    assert.match(cap.lines.join("\n"), /warn KIS realtime: a H0STCNT0 frame of 2 records whose 5 fields do not split evenly into them, dropped/);
  } finally {
    rt.close();
    await server.close();
  }
});

test("a server that takes the socket and closes it at once is reconnected to with a growing backoff, not twice a second", async () => {
  // KIS closes a connection whose approval key is in use elsewhere, right after its subscribe.
  const server = await scriptedSocket((conn) => conn.close());
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: null, timeoutMs: 1000, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket, url: server.url });
  opened.push(rt);
  try {
    rt.subscribe("H0STCNT0", "005930", () => {}).catch(() => {});
    // Waits of 0.5, 1 and 2 s: connections at about 0, 0.5, 1.5 and 3.5 s. The open itself
    // used to reset the backoff, which made one every half second (8 in this time).
    await new Promise((r) => setTimeout(r, 4000));
    const connections = server.connections();
    assert.ok(connections >= 3 && connections <= 5, `${connections} connections in 4 s`);
  } finally {
    rt.close();
    await server.close();
  }
});

test("a subscription on a closed connection, or still waiting for KIS's answer when it closes, fails rather than resolving", async () => {
  // A short timeout: a subscription left waiting used to resolve when it ran out, as though
  // KIS had taken it, with nothing to come.
  const { rt } = client({ timeoutMs: 1500 });
  const early = rt.trades("005930", () => {}).then(() => null, (e) => e);
  rt.close();
  const late = await rt.trades("000660", () => {}).then(() => null, (e) => e);
  for (const e of [await early, late]) {
    assert.ok(e instanceof KisError && e.kind === "validation" && /realtime connection was closed/.test(e.message), String(e));
  }
  assert.equal(rt.subscriptions, 0);
  // And one already sent, waiting for an answer from a server that gives none, when it closes.
  let asked = 0;
  const server = await scriptedSocket(() => (asked += 1));
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: null, timeoutMs: 1500, fetch: (u, i) => fetch(u, i), tokenStore });
  const silent = kis.realtime({ WebSocket, url: server.url });
  try {
    const waiting = silent.trades("005930", () => {}).then(() => null, (e) => e);
    await until(() => asked === 1);
    silent.close();
    const e = await waiting;
    assert.ok(e instanceof KisError && /realtime connection was closed/.test(e.message), String(e));
  } finally {
    silent.close();
    await server.close();
  }
});

test("a subscription's stop function may be called again: nothing happens, and another subscriber of the same symbol goes on", async () => {
  const { rt } = client();
  const a = [];
  const b = [];
  const stopA = await rt.trades("005930", (t) => a.push(t));
  await rt.trades("005930", (t) => b.push(t));
  stopA();
  // It was a `once` closure, whose second call threw a plain Error.
  assert.equal(stopA(), undefined);
  assert.equal(stopA("any", "arguments"), undefined);
  const [na, nb] = [a.length, b.length];
  await until(() => b.length > nb + 2);
  assert.ok(a.length <= na + 1, "the stopped one gets nothing more (one may have been on its way)");
  assert.equal(rt.subscriptions, 1);
  rt.close();
});

test("a callback that throws is logged once, names its subscription, and still gets every record; a state listener's throw too", async () => {
  const { rt, cap } = client();
  const states = [];
  rt.onState(() => {
    throw new Error("no status bar yet");
  });
  rt.onState((s) => states.push(s));
  let calls = 0;
  await rt.trades("005930", () => {
    calls += 1;
    throw new TypeError("price is undefined");
  });
  await until(() => calls >= 4);
  const lines = cap.lines.filter((l) => /callback/.test(l));
  assert.deepEqual(lines, ["warn KIS realtime: the callback of H0STCNT0 005930 threw (price is undefined); it still gets every record, and its later throws are not logged"]);
  rt.close();
  // The socket's own close event, later, says nothing more: "closed" is said once.
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(states, ["connecting", "open", "closed"], "the listener after the throwing one heard every state, once");
  assert.deepEqual(cap.lines.filter((l) => /state listener/.test(l)), ["warn KIS realtime: a state listener threw (no status bar yet); the connection goes on, and later throws are not logged"]);
});

test("through the proxy holding the keys: pages share its one KIS session (one an app key), each gets what it follows, and KIS's subscription ends with its last page", async () => {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  const page = () => {
    const kis = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", account: "50012345-01", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null });
    const rt = kis.realtime({ WebSocket, url: proxy.url.replace("http:", "ws:") });
    opened.push(rt);
    return { kis, rt };
  };
  try {
    // Two tabs of one dashboard: without the shared session, KIS refused the second (OPSP8996).
    const [a, b] = [page(), page()];
    const [aTicks, bTicks, bOther, aNotices, bNotices] = [[], [], [], [], []];
    const stopA = await a.rt.trades("005930", (t) => aTicks.push(t));
    await b.rt.trades("005930", (t) => bTicks.push(t));
    await b.rt.trades("000660", (t) => bOther.push(t));
    await a.rt.fills("my-hts-id", (n) => aNotices.push(n));
    await b.rt.fills("my-hts-id", (n) => bNotices.push(n));
    await until(() => aTicks.length >= 2 && bTicks.length >= 2 && bOther.length >= 2);
    assert.equal(upstream.realtime.counts.connections, 1, "one connection to KIS for both pages");
    assert.equal(upstream.realtime.counts.refusedSessions, 0);
    assert.equal(upstream.realtime.counts.subscribes, 3, "005930 once, 000660 and the notices once each");
    assert.ok(aTicks.every((t) => t.symbol === "005930"), "a page gets only what it follows");
    // The second page's notices are read with the key and iv of KIS's answer to the first.
    const ack = await a.kis.buy({ symbol: "005930", quantity: 1 });
    await until(() => aNotices.some((n) => n.kind === "fill") && bNotices.some((n) => n.kind === "fill"));
    assert.equal(bNotices.find((n) => n.kind === "fill").orderNo, ack.orderNo);
    // One page stops following 005930: KIS's subscription stays for the other.
    stopA();
    const n = bTicks.length;
    await until(() => bTicks.length >= n + 3);
    // That page leaves: the other goes on, on the same connection.
    a.rt.close();
    const m = bOther.length;
    await until(() => bOther.length >= m + 3);
    assert.equal(upstream.realtime.counts.connections, 1);
    // The last page leaves; after the proxy's idle wait KIS's session ends.
    b.rt.close();
    await until(() => upstream.realtime.sessions() === 0, 10000);
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("a trade still in flight when its subscription ended reaches no other subscriber of the TR (not 000660's price on 005930's row), and nothing is logged", async () => {
  const { rt, cap } = client();
  try {
    const [samsung, hynix] = [[], []];
    await rt.trades("005930", (t) => samsung.push(t));
    const stop = await rt.trades("000660", (t) => hynix.push(t));
    await until(() => samsung.length >= 1 && hynix.length >= 1);
    stop();
    // KIS sent it on the connection before the unsubscribe reached it; then trades of 005930.
    assert.equal(mock.realtime.send("H0STCNT0", "005930", [mock.realtime.tradeFields("000660", 7)]), 1);
    const before = samsung.length;
    await until(() => samsung.length >= before + 3);
    assert.deepEqual([...new Set(samsung.map((t) => t.symbol))], ["005930"]);
    assert.deepEqual(cap.lines, []);
  } finally {
    rt.close();
  }
});

/** kis-mock behind a proxy holding the keys, and `page(tab)`: a tab's client of it, told apart
 *  by its placeholder key (one app key in one process is warned of), with its log captured. */
async function heldProxy() {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  const page = (tab) => {
    const cap = capture();
    const kis = new KisClient({ appKey: `placeholder-key-${tab}`, appSecret: "placeholder-secret", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: cap.logger });
    const rt = kis.realtime({ WebSocket, url: proxy.url.replace("http:", "ws:") });
    opened.push(rt);
    return { cap, rt };
  };
  return { upstream, proxy, page };
}

test("through the proxy holding the keys: a trade still in flight when the last page following its symbol left reaches no other page", async () => {
  const { upstream, proxy, page } = await heldProxy();
  try {
    const [a, b] = [page("a"), page("b")];
    const [hynix, samsung] = [[], []];
    const stopA = await a.rt.trades("000660", (t) => hynix.push(t));
    await b.rt.trades("005930", (t) => samsung.push(t));
    await until(() => hynix.length >= 1 && samsung.length >= 1);
    stopA();
    await until(() => upstream.realtime.counts.frames > 0 && hynix.length >= 1);
    await new Promise((r) => setTimeout(r, 100)); // the proxy's unsubscribe has reached KIS
    const leftover = upstream.realtime.tradeFields("000660", 7);
    assert.equal(upstream.realtime.send("H0STCNT0", "005930", [leftover]), 1, "on the proxy's one session");
    const before = samsung.length;
    await until(() => samsung.length >= before + 3);
    assert.deepEqual([...new Set(samsung.map((t) => t.symbol))], ["005930"]);
    assert.deepEqual(b.cap.lines, [], "the proxy kept it: the page's client never saw a record it does not follow");
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("through the proxy holding the keys: a frame of two symbols' trades gives each page the record of its own symbol, and nothing it does not follow", async () => {
  const { upstream, proxy, page } = await heldProxy();
  try {
    const [a, b] = [page("a"), page("b")];
    const [hynix, samsung] = [[], []];
    await a.rt.trades("000660", (t) => hynix.push(t));
    await b.rt.trades("005930", (t) => samsung.push(t));
    await until(() => hynix.length >= 1 && samsung.length >= 1);
    // One frame of KIS's, two records: 005930's first, then 000660's. Their running volumes
    // (the 100 000th trade of each) tell them from the ticker's.
    const [s, h] = [upstream.realtime.tradeFields("005930", 100_000), upstream.realtime.tradeFields("000660", 100_000)];
    assert.equal(upstream.realtime.send("H0STCNT0", "005930", [s, h]), 1, "on the proxy's one session");
    await until(() => hynix.some((t) => t.raw.acml_vol === h[13]) && samsung.some((t) => t.raw.acml_vol === s[13]));
    assert.deepEqual([...new Set(hynix.map((t) => t.symbol))], ["000660"]);
    assert.deepEqual([...new Set(samsung.map((t) => t.symbol))], ["005930"]);
    assert.deepEqual(a.cap.lines, []);
    assert.deepEqual(b.cap.lines, [], "the proxy split the frame: the page's client never saw a record it does not follow");
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("through the proxy holding the keys: a subscribe still waiting for the proxy's first approval key when KIS ends the session is not sent on the next one", async () => {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  // A page's own socket, so that nothing reconnects or subscribes again behind the test.
  const open = async () => {
    const ws = new WebSocket(proxy.url.replace("http:", "ws:"));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    return ws;
  };
  const subscribe = (ws, tr_key) => ws.send(JSON.stringify({ header: { approval_key: "held-by-proxy", custtype: "P", tr_type: "1", "content-type": "utf-8" }, body: { input: { tr_id: "H0STCNT0", tr_key } } }));
  try {
    upstream.addFault({ path: "/oauth2/Approval", type: "slow", delayMs: 800 });
    const a = await open();
    const closed = new Promise((resolve) => a.once("close", resolve));
    subscribe(a, "005930");
    await until(() => upstream.realtime.counts.connections === 1);
    // KIS ends the session while the proxy waits for its key: the page's socket closes.
    upstream.realtime.dropAll();
    await closed;
    await until(() => upstream.counts.approval === 1);
    await new Promise((resolve) => setTimeout(resolve, 900)); // the key has come by now
    const b = await open();
    const frames = [];
    b.on("message", (d) => frames.push(String(d)));
    subscribe(b, "000660");
    await until(() => frames.some((f) => f.includes("SUBSCRIBE SUCCESS")));
    await until(() => frames.some((f) => f.startsWith("0|H0STCNT0|")));
    assert.equal(upstream.realtime.counts.subscribes, 1, "000660 alone: the ended session's 005930 is not asked of the new one, where no page would follow it");
    b.close();
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("a connection back more than 12 hours after its approval key was issued asks KIS for a new one and subscribes with it", async () => {
  const sent = [];
  class Watched extends WebSocket {
    send(text) {
      sent.push(String(text));
      super.send(text);
    }
  }
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: null, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket: Watched, url: mock.wsUrl });
  opened.push(rt);
  const ticks = [];
  const realNow = Date.now;
  try {
    await rt.trades("005930", (t) => ticks.push(t));
    await until(() => ticks.length > 0);
    const keyOf = (frame) => JSON.parse(frame).header.approval_key;
    const before = keyOf(sent[0]);
    const asked = mock.counts.approval;
    // KIS gives an approval key 24 hours and checks it when a connection starts: a connection
    // that drops on its second day must not come back with the first day's key.
    Date.now = () => realNow() + 13 * 3_600_000;
    const n = sent.length;
    mock.realtime.dropAll();
    await until(() => sent.length > n);
    assert.equal(mock.counts.approval, asked + 1, "a new approval key was asked for");
    assert.notEqual(keyOf(sent.at(-1)), before, "and the subscription restored with it");
    const m = ticks.length;
    await until(() => ticks.length > m);
  } finally {
    Date.now = realNow;
    rt.close();
  }
});

test("through the proxy holding the keys: its approval key is asked again once 12 hours old, for the requests it sends from then on", async () => {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  const realNow = Date.now;
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null });
    const rt = page.realtime({ WebSocket, url: proxy.url.replace("http:", "ws:") });
    opened.push(rt);
    await rt.trades("005930", () => {});
    assert.equal(upstream.counts.approval, 1);
    await rt.trades("000660", () => {});
    assert.equal(upstream.counts.approval, 1, "a young key is reused");
    Date.now = () => realNow() + 13 * 3_600_000;
    const ticks = [];
    await rt.trades("035420", (t) => ticks.push(t));
    assert.equal(upstream.counts.approval, 2, "the proxy, running for days, asks KIS again");
    await until(() => ticks.length > 0);
    rt.close();
  } finally {
    Date.now = realNow;
    await proxy.close();
    await upstream.close();
  }
});

test("a connection that hears nothing for silenceMs, not even PINGPONG, is taken for dead: dropped, made again, its subscriptions restored; PINGPONG alone keeps one alive", async () => {
  // The first connection takes the subscription, sends one trade and falls silent without a
  // close, as a connection does whose network went away; later ones trade every 50 ms.
  const order = new Map();
  const timers = [];
  const server = await scriptedSocket((conn, { tr_id, tr_key }) => {
    if (!order.has(conn)) order.set(conn, order.size + 1);
    conn.send(taken(tr_id, tr_key));
    conn.send(`0|${tr_id}|001|${tr_key}^093015^71000`);
    if (order.get(conn) > 1) timers.push(setInterval(() => conn.send(`0|${tr_id}|001|${tr_key}^093016^71100`), 50));
  });
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket, url: server.url, silenceMs: 1000 });
  opened.push(rt);
  const states = [];
  rt.onState((s) => states.push(s));
  const ticks = [];
  try {
    await rt.subscribe("H0STCNT0", "005930", (t) => ticks.push(t));
    await until(() => ticks.some((t) => t.stck_prpr === "71100"), 5000);
    assert.equal(server.connections(), 2);
    assert.deepEqual(states, ["connecting", "open", "reconnecting", "open"]);
    const dead = cap.lines.filter((l) => /nothing heard for 1 s, not even KIS's PINGPONG/.test(l));
    assert.equal(dead.length, 1, cap.lines.join("\n"));
  } finally {
    rt.close();
    timers.forEach(clearInterval);
    await server.close();
  }

  // Nothing trades, but KIS pings every 200 ms: the connection is alive.
  const pinging = await scriptedSocket((conn, { tr_id, tr_key }) => {
    conn.send(taken(tr_id, tr_key));
    timers.push(setInterval(() => conn.send(PINGPONG), 200));
  });
  const quiet = kis.realtime({ WebSocket, url: pinging.url, silenceMs: 1000 });
  opened.push(quiet);
  try {
    await quiet.subscribe("H0STCNT0", "000660", () => {});
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(pinging.connections(), 1, "no reconnect");
  } finally {
    quiet.close();
    timers.forEach(clearInterval);
    await pinging.close();
  }
});

test("a connection whose upgrade is never answered is given up after silenceMs and made again, and the subscription goes on the next", { timeout: 20_000 }, async () => {
  const http = await import("node:http");
  // The first upgrade is taken and never answered, as a stuck gateway does; later ones work.
  const wss = await answering((tr_id, tr_key) => `0|${tr_id}|001|${tr_key}^093015^71000`);
  const hung = [];
  const server = http.createServer();
  server.on("upgrade", (req, socket, head) => {
    if (!hung.length) return void hung.push(socket);
    wss.handleUpgrade(req, socket, head, (c) => wss.emit("connection", c));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), tokenStore });
  const rt = kis.realtime({ WebSocket, url: `ws://127.0.0.1:${server.address().port}`, silenceMs: 1000 });
  opened.push(rt);
  const states = [];
  rt.onState((st) => states.push(st));
  try {
    const ticks = [];
    await rt.subscribe("H0STCNT0", "005930", (t) => ticks.push(t));
    await until(() => ticks.length >= 1, 5000);
    assert.equal(hung.length, 1);
    assert.deepEqual(states, ["connecting", "reconnecting", "open"]);
    const given = cap.lines.filter((l) => /the connection did not open within 1 s: it is given up and made again/.test(l));
    assert.equal(given.length, 1, cap.lines.join("\n"));
  } finally {
    rt.close();
    for (const sock of hung) sock.destroy();
    wss.close();
    await new Promise((r) => server.close(r));
  }
});

test("options.silenceMs is checked before anything connects: 0 (never) or a whole number of milliseconds, at least 1000", async () => {
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, logger: null, tokenStore });
  for (const silenceMs of [500, 1500.5, -1, "60000", Number.NaN]) {
    assert.throws(() => kis.realtime({ WebSocket, url: mock.wsUrl, silenceMs }), (e) => e instanceof KisError && e.kind === "validation" && e.field === "options.silenceMs", String(silenceMs));
  }
  for (const silenceMs of [0, 1000, undefined, null]) kis.realtime({ WebSocket, url: mock.wsUrl, silenceMs }).close();
});

test("realtime()'s options are read as the client's: a typo of a key, a url that is no ws:// URL or is KIS's host of the other environment, a WebSocket that is no constructor and a getter that throws are refused by name, before anything connects", async () => {
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, logger: null, tokenStore });
  const before = mock.realtime.counts.connections;
  for (const [options, field, message] of [
    [{ WebSocket, url: mock.wsUrl, silence: 5000 }, "options.silence", /unknown option \(expected `url` or `silenceMs`\)/],
    [{ WebSocket, url: `${mock.wsUrl}\r\nx: y` }, "options.url", /without spaces or control characters/],
    [{ WebSocket: "ws", url: mock.wsUrl }, "options.WebSocket", /must be a WebSocket constructor/],
    [{ WebSocket, get url() { throw new Error("nope"); } }, "options.url", /could not be read \(its getter threw: nope\)/],
    // KIS's realtime host of the other environment: a mock client's key and TR IDs there.
    [{ WebSocket, url: "ws://ops.koreainvestment.com:21000" }, "options.url", /of the real environment, and the client's env is "mock".*ws:\/\/ops\.koreainvestment\.com:31000 is its own/],
  ]) {
    assert.throws(() => kis.realtime(options), (e) => e instanceof KisError && e.kind === "validation" && e.field === field && message.test(e.message), field);
  }
  // A password in the URL is refused and never repeated, whatever else is wrong with it.
  for (const url of ["http://me:hunter2secret@x", "ws://me:hunter2secret@x/\r\n", "wss://me:hunter2secret@x"]) {
    assert.throws(() => kis.realtime({ WebSocket, url }), (e) => e instanceof KisError && e.field === "options.url" && !e.message.includes("hunter2secret"), url);
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(mock.realtime.counts.connections, before, "nothing connected");
  kis.realtime({ WebSocket, url: mock.wsUrl, silenceMs: null }).close();
  // A URL object reads as its href, as new WebSocket reads one.
  const rt = kis.realtime({ WebSocket, url: new URL(mock.wsUrl) });
  opened.push(rt);
  const ticks = [];
  await rt.trades("005930", (t) => ticks.push(t));
  await until(() => ticks.length > 0);
  rt.close();
});

test("through the proxy holding the keys: a KIS session gone silent without a close is dropped by the proxy (its pages' own watch would only find the proxy alive), and the pages come back on a new one", async () => {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const logged = [];
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, realtimeSilenceMs: 1000, log: (l) => logged.push(l) });
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null });
    const rt = page.realtime({ WebSocket, url: proxy.url.replace("http:", "ws:"), silenceMs: 60000 });
    opened.push(rt);
    const ticks = [];
    await rt.trades("005930", (t) => ticks.push(t));
    await until(() => ticks.length > 0);
    upstream.realtime.muteAll();
    const n = ticks.length;
    await until(() => upstream.realtime.counts.connections === 2, 5000);
    await until(() => ticks.length > n + 2, 10000);
    assert.equal(logged.filter((l) => /realtime upstream: nothing heard for 1 s, not even KIS's PINGPONG/.test(l)).length, 1, logged.join("\n"));
    assert.equal(upstream.realtime.counts.refusedSessions, 0, "the dead session was let go before the new one");
    rt.close();
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

/** Through a proxy holding the keys whose first approval key request meets `fault`: the page's
 *  subscription rejects, the proxy logs `says`, and the next subscription asks again and gets
 *  ticks. Resolves with the approval keys the mock answered. */
async function approvalKeyFailsOnce(fault, says, proxyOptions = {}) {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  upstream.addFault({ path: "/oauth2/Approval", ...fault });
  const logged = [];
  const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: (l) => logged.push(l), ...proxyOptions });
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null, timeoutMs: 3000 });
    const rt = page.realtime({ WebSocket, url: proxy.url.replace("http:", "ws:") });
    opened.push(rt);
    const refused = await rt.trades("005930", () => {}).then(() => null, (e) => e);
    assert.ok(refused instanceof KisError && refused.kind === "api", String(refused));
    assert.ok(logged.some((l) => says.test(l)), logged.join("\n"));
    assertNoSecrets(assert, logged.join("\n"));
    const ticks = [];
    await rt.trades("000660", (t) => ticks.push(t));
    await until(() => ticks.length >= 1);
    rt.close();
    return upstream.counts.approval;
  } finally {
    await proxy.close();
    await upstream.close();
  }
}

test("through the proxy holding the keys: an approval key KIS refuses is logged by the proxy, the page's subscription rejects, and the next one asks again", async () => {
  const fault = { status: 403, body: { error_code: "EGW00103", error_description: "유효하지 않은 AppKey입니다." } };
  await approvalKeyFailsOnce(fault, /realtime approval key: KIS refused the approval key \(HTTP 403\)/);
});

test("through the proxy holding the keys: an approval key request KIS never answers ends at the proxy's upstream timeout, the page's subscription rejects, and the next one asks again", async () => {
  const answered = await approvalKeyFailsOnce({ type: "hang" }, /realtime approval key: KIS did not answer the approval key request within 500 ms/, { upstreamTimeoutMs: 500 });
  assert.equal(answered, 1, "the hung request is not counted; the second was answered");
});

/** A realtime server of one's own (ws, no server of its own) that answers each subscription
 *  with KIS's "taken" and then `record(tr_id, tr_key)`'s frame. */
async function answering(record) {
  const { WebSocketServer } = await import("ws");
  const wss = new WebSocketServer({ noServer: true });
  wss.on("connection", (conn) => conn.on("message", (m) => {
    const { tr_id, tr_key } = JSON.parse(String(m)).body.input;
    conn.send(taken(tr_id, tr_key));
    conn.send(record(tr_id, tr_key));
  }));
  return wss;
}

/** A KIS host for the proxy whose REST answers an approval key and whose upgrades go to
 *  `onUpgrade`; through the proxy, with keys held and not, a page subscribes and waits for its
 *  socket to close. Resolves with each proxy's log and the lengths of the frames its page got. */
const subscribeOne = (page) => page.send(JSON.stringify({ header: { approval_key: "held-by-proxy", custtype: "P", tr_type: "1", "content-type": "utf-8" }, body: { input: { tr_id: "H0STCNT0", tr_key: "005930" } } }));

async function pageThroughProxyTo(onUpgrade, proxyOptions = {}, onOpen = subscribeOne) {
  const { startCorsProxy } = await import("kis-wasm/proxy");
  const http = await import("node:http");
  const kis = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ approval_key: "own-approval-key" }));
  });
  kis.on("upgrade", onUpgrade);
  const sockets = new Set();
  kis.on("connection", (socket) => sockets.add(socket));
  await new Promise((r) => kis.listen(0, "127.0.0.1", r));
  const seen = [];
  try {
    for (const hold of [undefined, { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }]) {
      const logged = [];
      const proxy = await startCorsProxy({ upstream: `http://127.0.0.1:${kis.address().port}`, allowOrigins: [], allowNoOrigin: true, hold, log: (l) => logged.push(l), ...proxyOptions });
      try {
        const page = new WebSocket(proxy.url.replace("http:", "ws:"));
        const got = [];
        const texts = [];
        page.on("message", (d) => {
          got.push(String(d).length);
          if (texts.length < 100) texts.push(String(d).slice(0, 1000));
        });
        const closed = new Promise((r) => page.on("close", r));
        page.on("open", () => onOpen(page));
        const code = await closed;
        seen.push({ held: !!hold, logged: logged.join("\n"), got, texts, code });
      } finally {
        await proxy.close();
      }
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => kis.close(r));
  }
  return seen;
}

test("through the proxy: a KIS realtime host that takes the connection and never answers its upgrade is given up at the proxy's upstream timeout, logged, and the page's socket closed so that it comes back", { timeout: 20_000 }, async () => {
  let upgrades = 0;
  const seen = await pageThroughProxyTo(() => void (upgrades += 1), { upstreamTimeoutMs: 500 });
  for (const { held, logged } of seen) assert.match(logged, /realtime upstream: .*handshake has timed out/, `held: ${held}`);
  assert.equal(upgrades, 2, "the proxy did reach the stuck host");
});

test("through the proxy: what a page sends while KIS's realtime host has not answered is bounded: past 64 KiB a relayed page is closed (1008), and a held session refuses subscriptions past 64 as KIS does past 41, without sending them", { timeout: 20_000 }, async () => {
  const burst = (page) => {
    for (let i = 0; i < 100; i += 1) {
      const header = { approval_key: "held-by-proxy", custtype: "P", tr_type: "1", "content-type": "utf-8", pad: "x".repeat(1000) };
      page.send(JSON.stringify({ header, body: { input: { tr_id: "H0STCNT0", tr_key: String(i).padStart(6, "0") } } }));
    }
  };
  const seen = await pageThroughProxyTo(() => {}, { upstreamTimeoutMs: 3000 }, burst);
  const relayed = seen.find((s) => !s.held);
  assert.equal(relayed.code, 1008, relayed.logged);
  assert.match(relayed.logged, /realtime page: more than 65536 bytes sent before KIS's realtime host answered: closed/);
  const held = seen.find((s) => s.held);
  const refused = held.texts.map((t) => JSON.parse(t)).filter((m) => m.body?.msg_cd === "OPSP0008");
  assert.equal(refused.length, 100 - 64, held.texts.join("\n"));
  assert.deepEqual(refused.map((m) => m.header.tr_key), Array.from({ length: 36 }, (_, i) => String(64 + i).padStart(6, "0")));
  assert.equal(refused[0].body.msg1, "MAX SUBSCRIBE OVER");
});

test("through the proxy: a frame from KIS past 4 MiB ends that session (logged) rather than being held and copied to every page, which come back", { timeout: 20_000 }, async () => {
  const wss = await answering((tr_id, tr_key) => `0|${tr_id}|001|${tr_key}^${"9".repeat(5 << 20)}`);
  try {
    const seen = await pageThroughProxyTo((req, socket, head) => wss.handleUpgrade(req, socket, head, (c) => wss.emit("connection", c)));
    for (const { held, logged, got } of seen) {
      assert.ok(got.every((n) => n < 1 << 20), `held: ${held}: the page got ${got}`);
      assert.match(logged, /realtime upstream: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/, `held: ${held}`);
    }
  } finally {
    for (const c of wss.clients) c.terminate();
    wss.close();
  }
});

test("a second client of one app key opening its own connection is warned of, and KIS's refusal of its session (OPSP8996) rejects its subscription at once; none once the first is closed", async () => {
  // Two clients of one app key over one fetch share the app key's state in the process.
  const way = (u, i) => fetch(u, i);
  const cap = capture();
  const make = () => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: way, tokenStore });
  const [one, two, three] = [make(), make(), make()];
  const rt = one.realtime({ WebSocket, url: mock.wsUrl });
  const second = two.realtime({ WebSocket, url: mock.wsUrl });
  opened.push(rt, second);
  await rt.trades("005930", () => {});
  // KIS answers a second connection's first request "(null)" OPSP8996 and closes it: without
  // reading that answer as the session's, the subscription resolved at timeoutMs (30 s) as
  // though KIS had taken it, and nothing ever came.
  const asked = Date.now();
  await assert.rejects(second.trades("000660", () => {}), (e) =>
    e instanceof KisError && e.kind === "api" && e.msgCd === "OPSP8996" && e.trId === undefined &&
    /^KIS refused the realtime session: OPSP8996 ALREADY IN USE appkey\. Another connection of this app key/.test(e.message));
  assert.ok(Date.now() - asked < 5000, `refused after ${Date.now() - asked} ms`);
  const warned = () => cap.lines.filter((l) => /another connection of this app key is open in this process/.test(l));
  assert.equal(warned().length, 1, cap.lines.join("\n"));
  assert.match(warned()[0], /KIS allows one session an app key .*close\(\) the other first/);
  assert.ok(!cap.lines.some((l) => /OPSP8996/.test(l)), "the refusal reached its subscriber, so it is not logged besides");
  rt.close();
  second.close();
  await until(() => mock.realtime.sessions() === 0);
  const third = three.realtime({ WebSocket, url: mock.wsUrl });
  opened.push(third);
  await third.trades("005930", () => {});
  assert.equal(warned().length, 1, "none for a connection opened after the others closed");
  third.close();
  await until(() => mock.realtime.sessions() === 0);
});

test("subscriptions KIS refuses to restore while another connection holds the session are logged once, asked again with each reconnect, and flow again once it is closed", async () => {
  const first = client();
  const ticks = [];
  const states = [];
  first.rt.onState((s) => states.push(s));
  await first.rt.trades("005930", (t) => ticks.push(t));
  await until(() => ticks.length > 0);
  // The connection drops, and before it is back another client of the app key takes KIS's
  // one session (the first waits half a second to reconnect).
  mock.realtime.dropAll();
  const other = client();
  await other.rt.trades("000660", () => {});
  const refusedBefore = mock.realtime.counts.refusedSessions;
  await until(() => mock.realtime.counts.refusedSessions >= refusedBefore + 2, 10000);
  const refusals = first.cap.lines.filter((l) => /OPSP8996/.test(l));
  assert.equal(refusals.length, 1, first.cap.lines.join("\n"));
  assert.match(refusals[0], /KIS refused the realtime session: OPSP8996 .*asked again with each reconnect/);
  assert.ok(!states.some((s, i) => i > 0 && s === states[i - 1]), `each state said once: ${states}`);
  other.rt.close();
  const n = ticks.length;
  await until(() => ticks.length > n + 2, 15000);
  assert.equal(states.at(-1), "open");
  first.rt.close();
  await until(() => mock.realtime.sessions() === 0);
});

test("kis.realtime() again hands out the client's open connection as a view of its own: one socket, and each view's close() ends only its own part", async () => {
  const { kis, rt } = client();
  const before = mock.realtime.counts.connections;
  const [a, b] = [[], []];
  const [statesA, statesB] = [[], []];
  rt.onState((s) => statesA.push(s));
  await rt.trades("005930", (t) => a.push(t));
  const other = kis.realtime({ WebSocket, url: mock.wsUrl });
  opened.push(other);
  other.onState((s) => statesB.push(s));
  await other.trades("005930", (t) => b.push(t));
  await until(() => a.length > 1 && b.length > 1);
  assert.equal(mock.realtime.counts.connections - before, 1, "one socket for both");
  assert.equal(rt.subscriptions, 1, "one subscription at KIS for the symbol both follow");
  // Another URL is another session: refused while this one is open.
  assert.throws(() => kis.realtime({ WebSocket, url: mock.wsUrl + "/elsewhere" }), (e) => e instanceof KisError && e.field === "options.url");
  rt.close();
  assert.deepEqual(statesA.slice(-1), ["closed"]);
  assert.ok(!statesB.includes("closed"), "the other view is still open");
  const e = await rt.trades("000660", () => {}).then(() => null, (err) => err);
  assert.ok(e instanceof KisError && /realtime connection was closed/.test(e.message), String(e));
  const n = b.length;
  await until(() => b.length > n + 1);
  assert.equal(other.subscriptions, 1, "its subscription stayed at KIS");
  rt.close(); // again: nothing
  other.close();
  assert.deepEqual(statesB.slice(-1), ["closed"]);
  // Both closed: the next is a connection of its own again.
  const fresh = kis.realtime({ WebSocket, url: mock.wsUrl });
  opened.push(fresh);
  await fresh.trades("005930", () => {});
  assert.equal(mock.realtime.counts.connections - before, 2);
  fresh.close();
});
