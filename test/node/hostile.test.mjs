// What a hostile server, a careless caller or a stray redirect can do to the built package, over
// real sockets on 127.0.0.1 (issue 18). The engine's side of each point is also in
// tests/hostile.rs; these go through the binding, Node's fetch and the proxy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import util from "node:util";
import zlib from "node:zlib";
import { KisClient, KisError, buildOrderBody } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { startCorsProxy } from "kis-wasm/proxy";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";

const PRICE_PATH = "/uapi/domestic-stock/v1/quotations/inquire-price";
const TOKEN = { access_token: "tiny-token-" + "t".repeat(40), token_type: "Bearer", expires_in: 86400 };

/** A server on loopback whose answers `handle(req, res, body)` writes; it records what it saw. */
async function server(handle) {
  const seen = [];
  const s = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === "/oauth2/tokenP") return json(res, 200, TOKEN);
      handle(req, res, body);
    });
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const sockets = new Set();
  s.on("connection", (c) => { sockets.add(c); c.on("close", () => sockets.delete(c)); });
  return {
    url: `http://127.0.0.1:${s.address().port}`,
    seen,
    close: () => { for (const c of sockets) c.destroy(); return new Promise((r) => s.close(r)); },
  };
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

const quote = (output) => ({ rt_cd: "0", msg_cd: "MCA00000", msg1: "정상처리 되었습니다.", output });

function client(url, extra = {}) {
  return new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "12345678-01", env: "real", baseUrl: url, rateLimitPerSec: 0, retry: { delayMs: 1 }, logger: null, ...extra });
}

let kis;
before(async () => {
  kis = await server((req, res) => json(res, 200, quote({ stck_prpr: "70000" })));
});
after(() => kis.close());

const uapiCalls = (s) => s.seen.filter((r) => r.url.startsWith("/uapi/")).length;

async function refused(promise, field) {
  const e = await promise.then(() => null, (err) => err);
  assert.ok(e instanceof KisError, `${field}: ${e}`);
  assert.equal(e.kind, "validation", e.message);
  assert.equal(e.field, field, e.message);
  return e;
}

test("1. a price or quantity that is not finite, null, or past KIS's limits is refused by name; nothing is sent", async () => {
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [order, field] of [
    [{ symbol: "005930", quantity: 1, price: NaN }, "order.price"],
    [{ symbol: "005930", quantity: 1, price: Infinity }, "order.price"],
    [{ symbol: "005930", quantity: 1, price: -Infinity }, "order.price"],
    [{ symbol: "005930", quantity: 1, price: null }, "order.price"],
    [{ symbol: "005930", quantity: 1, price: 1e15 }, "order.price"],
    [{ symbol: "005930", quantity: 1e10, price: 70000 }, "order.quantity"],
    [{ symbol: "005930", quantity: NaN }, "order.quantity"],
  ]) {
    await refused(c.buy(order), field);
    await refused(c.sell(order), field);
  }
  // Said as the caller's JS prints the number, not in three hundred digits.
  const huge = await refused(c.buy({ symbol: "005930", quantity: 1e300, price: 70000 }), "order.quantity");
  assert.equal(huge.message, "order.quantity: must be at most 9999999999, got 1e+300");
  const tiny = await refused(c.buy({ symbol: "005930", quantity: 1, price: 1e-7 }), "order.price");
  assert.equal(tiny.message, `order.price: must be a whole number, got ${1e-7}`);
  assert.equal(kis.seen.length, before, "no request, not even a token");
});

test("1b. a price written but undefined is refused, not taken for a market order (left out, or with orderType \"01\", it is one); a change's quantity likewise is not taken for all", async () => {
  const c = client(kis.url, { hashkey: false });
  const before = kis.seen.length;
  // `price: row.askPrice` of a field that is not there: a limit price gone missing.
  const row = {};
  for (const order of [
    { symbol: "005930", quantity: 1, price: row.askPrice },
    { symbol: "005930", quantity: 1, get price() { return undefined; } },
  ]) {
    const e = await refused(c.buy(order), "order.price");
    assert.match(e.message, /is undefined/);
    await refused(c.sell(order), "order.price");
    assert.throws(() => buildOrderBody({ account: "12345678-01", ...order }), (x) => x.field === "order.price");
  }
  assert.equal(kis.seen.length, before, "nothing sent");
  // A market order as the type describes it: no price, or an explicit market type.
  await c.buy({ symbol: "005930", quantity: 1 }).catch(() => {});
  await c.sell({ symbol: "005930", quantity: 2, price: undefined, orderType: "01" }).catch(() => {});
  const orders = kis.seen.filter((r) => r.url.endsWith("/order-cash")).map((r) => JSON.parse(r.body));
  assert.deepEqual(orders.map((o) => [o.ORD_QTY, o.ORD_DVSN, o.ORD_UNPR]), [["1", "01", "0"], ["2", "01", "0"]]);
  // A cancel's or modification's quantity likewise: undefined is not "all that is left".
  const change = { orderNo: "0000001", orgNo: "00950" };
  const e = await refused(c.cancel({ ...change, quantity: row.filled }), "cancel.quantity");
  assert.match(e.message, /is undefined.*"all"/);
  await refused(c.modify({ ...change, price: 70000, quantity: row.filled }), "modify.quantity");
  assert.equal(kis.seen.filter((r) => r.url.endsWith("/order-rvsecncl")).length, 0, "no change sent");
  await c.cancel({ ...change }).catch(() => {});
  await c.cancel({ ...change, quantity: "all" }).catch(() => {});
  await c.cancel({ ...change, quantity: 3 }).catch(() => {});
  const changes = kis.seen.filter((r) => r.url.endsWith("/order-rvsecncl")).map((r) => JSON.parse(r.body));
  assert.deepEqual(changes.map((o) => [o.QTY_ALL_ORD_YN, o.ORD_QTY]), [["Y", "0"], ["Y", "0"], ["N", "3"]]);
  // Other options still read `undefined` as absent.
  assert.equal((await c.getPrice("005930")).price, 70000);
  assert.deepEqual(buildOrderBody({ account: "12345678-01", symbol: "005930", quantity: 1, price: 70000, orderType: undefined }).ORD_DVSN, "00");
});

test("1c. a price or a change's quantity the argument has but not as its own (a class's getter over a private field, a prototype's) is refused, not taken for a market order or for all", async () => {
  const c = client(kis.url, { hashkey: false });
  const before = kis.seen.length;
  class LimitOrder {
    #price;
    constructor(symbol, quantity, price) { this.symbol = symbol; this.quantity = quantity; this.#price = price; }
    get price() { return this.#price; }
  }
  const inherited = Object.assign(Object.create({ price: 70000 }), { symbol: "005930", quantity: 1 });
  for (const order of [new LimitOrder("005930", 1, 70000), inherited]) {
    const e = await refused(c.buy(order), "order.price");
    assert.match(e.message, /is not the argument's own property .* pass a plain object: a limit order gives a number/);
    await refused(c.sell(order), "order.price");
  }
  const change = Object.assign(Object.create({ quantity: 1 }), { orderNo: "0000001", orgNo: "00950" });
  await refused(c.cancel(change), "cancel.quantity");
  await refused(c.modify(Object.assign(change, { price: 70000 })), "modify.quantity");
  // A has-trap that throws is an error naming the field, not an order.
  const trapped = new Proxy({ symbol: "005930", quantity: 1 }, { has() { throw new Error("no peeking"); } });
  const e = await refused(c.buy(trapped), "order.price");
  assert.match(e.message, /could not be read \(the `in` check threw: .*no peeking\)/);
  assert.equal(kis.seen.length, before, "nothing sent");
  // Nor is a market order's type said beside an inherited price taken for one: an own price
  // beside it is refused too.
  await refused(c.buy(Object.assign(Object.create({ price: 70000 }), { symbol: "005930", quantity: 2, orderType: "01" })), "order.price");
  assert.equal(kis.seen.length, before, "nothing sent");
  // A class whose fields are its own is read as before, a getter of its own beside them
  // (one no order has) included.
  class Order {
    constructor(price) { this.symbol = "005930"; this.quantity = 1; this.price = price; }
    get amount() { return this.quantity * this.price; }
  }
  await c.buy(new Order(70000)).catch(() => {});
  await c.buy({ symbol: "005930", quantity: 2, orderType: "01" }).catch(() => {});
  const orders = kis.seen.slice(before).filter((r) => r.url.endsWith("/order-cash")).map((r) => JSON.parse(r.body));
  assert.deepEqual(orders.map((o) => [o.ORD_QTY, o.ORD_DVSN, o.ORD_UNPR]), [["1", "00", "70000"], ["2", "01", "0"]]);
});

test("1d. any field an argument or option has but not as its own (a class's getter, a prototype's) is refused by name, rather than left out for a default said nowhere", async () => {
  const c = client(kis.url, { hashkey: false });
  const before = kis.seen.length;
  class Weekly { get period() { return "W"; } }
  let e = await refused(c.getDailyPrices("005930", new Weekly()), "options.period");
  assert.equal(e.message, "options.period: is not the argument's own property (a class's getter, or a prototype's), and only own properties are read: pass a plain object");
  for (const [call, field] of [
    [() => c.getOrders(Object.create({ from: "2026-12-01" })), "options.from"],
    [() => c.getMinuteBars("005930", Object.create({ pages: 3 })), "options.pages"],
    [() => c.cancel(Object.assign(Object.create({ orderNo: "0000001" }), { orgNo: "00950" })), "cancel.orderNo"],
    [() => c.request(Object.assign(Object.create({ trId: "FHKST01010100" }), { path: PRICE_PATH })), "request.trId"],
  ]) {
    assert.match((await refused(call(), field)).message, /is not the argument's own property/);
  }
  class Buy { constructor() { this.quantity = 1; } get symbol() { return "005930"; } }
  e = await refused(c.buy(new Buy()), "order.symbol");
  assert.match(e.message, /is not the argument's own property/, "not \"is required\": it is there, but not as data");
  e = await refused(c.call("domesticStockInquirePrice", Object.assign(Object.create({ FID_INPUT_ISCD: "005930" }), { FID_COND_MRKT_DIV_CODE: "J" })), "params.FID_INPUT_ISCD");
  assert.match(e.message, /is not the argument's own property/);
  assert.equal(kis.seen.length, before, "nothing sent, not even a token");
  class Settings {
    constructor() { this.appKey = APP_KEY; this.appSecret = APP_SECRET; this.baseUrl = kis.url; this.env = "mock"; }
    get timeoutMs() { return 5000; }
  }
  assert.throws(() => new KisClient(new Settings()), (err) => err instanceof KisError && err.field === "options.timeoutMs" && /not the argument's own property/.test(err.message));
  // Host options are read as values, inherited or not: a logger object from a class is one.
  class Quiet { warn() {} error() {} }
  assert.doesNotThrow(() => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: kis.url, env: "mock", logger: new Quiet() }));
  assert.throws(() => buildOrderBody(Object.assign(Object.create({ account: "12345678-01" }), { symbol: "005930", quantity: 1 })), (err) => err.field === "order.account");
});

test("2. a redirect to another host is never followed: no key, secret, token or order reaches it", async () => {
  const elsewhere = await server((req, res) => json(res, 200, quote({ stck_prpr: "1" })));
  for (const status of [301, 302, 307, 308]) {
    const redirecting = await server((req, res) => {
      res.writeHead(status, { location: elsewhere.url + req.url });
      res.end();
    });
    // The token request too: its body holds the key and the secret.
    const tokenToo = http.createServer((req, res) => { res.writeHead(status, { location: elsewhere.url + req.url }); res.end(); });
    await new Promise((r) => tokenToo.listen(0, "127.0.0.1", r));
    try {
      const c = client(redirecting.url, { hashkey: false });
      const e = await c.getPrice("005930").then(() => null, (err) => err);
      assert.equal(e?.kind, "http", `${status}: ${e?.message}`);
      assert.match(e.message, /redirect/);
      assert.equal(uapiCalls(redirecting), 1, "not retried");
      const o = await c.buy({ symbol: "005930", quantity: 1, price: 70000 }).then(() => null, (err) => err);
      assert.equal(o?.kind, "http", o?.message);
      const t = await client(`http://127.0.0.1:${tokenToo.address().port}`).getPrice("005930").then(() => null, (err) => err);
      assert.equal(t?.kind, "http", t?.message);
    } finally {
      await redirecting.close();
      await new Promise((r) => tokenToo.close(r));
    }
  }
  assert.equal(elsewhere.seen.length, 0, "nothing reached the other host");
  await elsewhere.close();
});

test("3. request() paths and header values cannot inject a header or leave /uapi/", async () => {
  const c = client(kis.url);
  const before = kis.seen.length;
  await refused(c.request({ path: "/uapi/x\n0\n0\nx-injected\nhello", trId: "FHKST01010100" }), "request.path");
  await refused(c.request({ path: "/uapi/%2e%2e/oauth2/revokeP", trId: "FHKST01010100" }), "request.path");
  await refused(c.request({ path: "/uapi/../oauth2/revokeP", trId: "FHKST01010100" }), "request.path");
  await refused(c.request({ path: PRICE_PATH, trId: "FHKST01010100", trCont: "N\r\nx-injected: 1" }), "request.trCont");
  assert.equal(kis.seen.length, before);
});

test("4. a baseUrl with a line break, a query or user:pass@ is refused, and the password is never repeated", () => {
  for (const baseUrl of ["http://127.0.0.1:9\r\nx: 1", "http://127.0.0.1:9/?a=1", "https://me:hunter2secret@kis.example", "ftp://me:hunter2secret@kis.example", "me:hunter2secret@kis.example", "https://me:hunter2secret@kis.example/\r\n"]) {
    assert.throws(() => client(baseUrl), (e) => e instanceof KisError && e.field === "options.baseUrl" && !e.message.includes("hunter2secret"));
  }
});

test("5. key, secret and token echoed in a successful answer are masked in what the caller gets", async () => {
  const echo = await server((req, res) => json(res, 200, quote({ stck_prpr: "70000", echo: `${req.headers.appkey} ${req.headers.appsecret} ${req.headers.authorization}` })));
  try {
    const c = client(echo.url);
    const q = await c.getPrice("005930");
    const r = await c.request({ path: PRICE_PATH, trId: "FHKST01010100" });
    const text = JSON.stringify(q) + JSON.stringify(r);
    assertNoSecrets(assert, text);
    assert.match(q.raw.echo, /^\*\*\* \*\*\* Bearer \*\*\*$/);
    assert.equal(q.price, 70000);
  } finally {
    await echo.close();
  }
});

test("5. a proxy holding the keys never passes them to the page, even in a successful answer", async () => {
  const echo = await server((req, res) => json(res, 200, quote({ stck_prpr: "70000", echo: `${req.headers.appkey} ${req.headers.appsecret} ${req.headers.authorization}` })));
  const ORIGIN = "http://127.0.0.1:5173";
  const holding = await startCorsProxy({ upstream: echo.url, allowOrigins: [ORIGIN], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "real" }, log: () => {} });
  try {
    const r = await fetch(holding.url + PRICE_PATH + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930", { headers: { origin: ORIGIN, tr_id: "FHKST01010100", authorization: "Bearer held-by-proxy" } });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assertNoSecrets(assert, text);
    assert.match(text, /"echo":"\*\*\* \*\*\* Bearer \*\*\*"/);
  } finally {
    await holding.close();
    await echo.close();
  }
});

test("6. the cause of a network error never carries a secret the caller's fetch put in its message", async () => {
  const leaky = async () => { throw new TypeError(`connect failed for appsecret=${APP_SECRET} appkey=${APP_KEY}`); };
  const e = await client("http://kis.test", { fetch: leaky, retry: { serverErrors: 0 } }).getPrice("005930").then(() => null, (err) => err);
  assert.equal(e?.kind, "network");
  assert.equal(e.cause.name, "TypeError");
  const printed = util.inspect(e, { depth: 5 }) + String(e.cause.stack) + e.cause.message;
  assertNoSecrets(assert, printed);
  assert.match(e.cause.message, /appsecret=\*\*\*/);
});

test("7. the proxy answers only requests addressed to its own names (DNS rebinding), with keys held or not", async () => {
  const mock = await startMockKis({ env: "mock", rateLimit: 0 });
  const holding = await startCorsProxy({ upstream: mock.url, allowOrigins: [], allowNoOrigin: true, hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, allowHosts: ["dash.example"], log: () => {} });
  const ask = (host) => new Promise((resolve, reject) => {
    // "" sends no Host header at all.
    const headers = host ? { host, tr_id: "VTTC8434R" } : { tr_id: "VTTC8434R" };
    const req = http.request({ host: "127.0.0.1", port: holding.port, path: "/uapi/domestic-stock/v1/trading/inquire-balance?CANO=50012345&ACNT_PRDT_CD=01", headers, setHost: host !== "" }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end();
  });
  try {
    const before = mock.requests.length;
    for (const host of ["attacker.example", `attacker.example:${holding.port}`, "127.0.0.1.attacker.example", ""]) {
      const r = await ask(host);
      // Node's server itself answers 400 to a request with no Host at all.
      assert.equal(r.status, host ? 421 : 400, `${host}: ${r.text}`);
      assert.ok(!r.text.includes("output"), "no account data");
    }
    assert.equal(mock.requests.length, before, "nothing went upstream");
    for (const host of [`127.0.0.1:${holding.port}`, `localhost:${holding.port}`, `dash.example:${holding.port}`, "dash.example"]) {
      assert.notEqual((await ask(host)).status, 421, host);
    }
  } finally {
    await holding.close();
    await mock.close();
  }
});

test("9. an answer past maxResponseBytes is refused unread, a gzip bomb included, and the package lives on", { timeout: 60_000 }, async () => {
  const huge = await server((req, res) => {
    if (req.url.includes("bomb")) {
      // 64 MiB of spaces in about 64 KB of gzip, with no content-length.
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      return res.end(zlib.gzipSync(Buffer.alloc(64 << 20, 0x20)));
    }
    if (req.url.includes("declared")) {
      res.writeHead(200, { "content-type": "text/html", "content-length": String(300 << 20) });
      return res.write("<html>"); // and never more: the client must not wait for 300 MB
    }
    // 300 MB of a page that is not JSON, streamed until the client stops reading.
    res.writeHead(502, { "content-type": "text/html" });
    const chunk = Buffer.alloc(1 << 20, 0x41);
    let sent = 0;
    const pump = () => {
      while (sent < 300 && res.write(chunk)) sent += 1;
      if (sent < 300) res.once("drain", pump); else res.end();
    };
    res.on("close", () => { huge.stoppedAt = sent; });
    pump();
  });
  try {
    const c = client(huge.url, { retry: { serverErrors: 0 } });
    for (const path of ["/uapi/x/stream", "/uapi/x/bomb", "/uapi/x/declared"]) {
      const t0 = Date.now();
      const e = await c.request({ path, trId: "FHKST01010100" }).then(() => null, (err) => err);
      assert.equal(e?.kind, "decode", `${path}: ${e?.message}`);
      assert.match(e.message, /maxResponseBytes/);
      assert.ok(Date.now() - t0 < 10_000, `${path} took ${Date.now() - t0} ms`);
    }
    assert.ok(huge.stoppedAt === undefined || huge.stoppedAt < 300, "the download was stopped");
    // The package is alive: a new client, and a call, work.
    assert.equal((await client(kis.url).getPrice("005930")).price, 70000);
    const roomy = client(kis.url, { maxResponseBytes: 64 << 20 });
    assert.equal((await roomy.getPrice("005930")).price, 70000);
  } finally {
    await huge.close();
  }
});

test("10. a fetch that ignores its AbortSignal and never settles still ends at the timeout", { timeout: 10_000 }, async () => {
  let signal;
  const deaf = async (url, init) => {
    if (url.endsWith("/oauth2/tokenP")) return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(TOKEN) };
    signal = init.signal;
    return new Promise(() => {});
  };
  const t0 = Date.now();
  const e = await client("http://kis.test", { fetch: deaf, timeoutMs: 200, retry: { serverErrors: 0 } }).getPrice("005930").then(() => null, (err) => err);
  assert.equal(e?.kind, "timeout");
  assert.ok(Date.now() - t0 < 2_000, `${Date.now() - t0} ms`);
  assert.equal(signal.aborted, true, "and it was told to stop");
});

test("10b. a fetch that ignores its AbortSignal and answers with a body that never ends is read no further once the timeout fired", { timeout: 10_000 }, async () => {
  let reads = 0;
  let cancelled = false;
  const endless = async (url, init) => {
    if (url.endsWith("/oauth2/tokenP")) return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify(TOKEN) };
    const read = async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 20));
      return { done: false, value: new TextEncoder().encode(" ") };
    };
    return { status: 200, headers: { get: () => null }, body: { getReader: () => ({ read, cancel: async () => (cancelled = true) }) } };
  };
  const e = await client("http://kis.test", { fetch: endless, timeoutMs: 200, retry: { serverErrors: 0 } }).getPrice("005930").then(() => null, (err) => err);
  assert.equal(e?.kind, "timeout");
  const atTimeout = reads;
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(reads <= atTimeout + 1, `${reads - atTimeout} reads after the timeout`);
  assert.equal(cancelled, true, "the stream was cancelled");
});

test("11. answers of the wrong shape are decode errors naming the field, not quotes of nulls", async () => {
  for (const [output, named] of [[[{ stck_prpr: "70000" }], "`output`"], [{ stck_prpr: { v: "1" } }, "`output.stck_prpr`"]]) {
    const odd = await server((req, res) => json(res, 200, quote(output)));
    try {
      const e = await client(odd.url).getPrice("005930").then(() => null, (err) => err);
      assert.equal(e?.kind, "decode", e?.message);
      assert.ok(e.message.includes(named), e.message);
    } finally {
      await odd.close();
    }
  }
});

/** `o` with a getter `key` that throws. */
const throwing = (o, key) => Object.defineProperty(o, key, { enumerable: true, get() { throw new Error("boom"); } });

test("12. options: NaN, Infinity, null, limits and a throwing getter are validation errors naming the field", () => {
  const cases = [
    [{ timeoutMs: NaN }, "options.timeoutMs"],
    [{ timeoutMs: Infinity }, "options.timeoutMs"],
    [{ env: null }, "options.env"],
    [{ rateLimitPerSec: 1e12 }, "options.rateLimitPerSec"],
    [{ retry: { serverErrors: 1e9 } }, "options.retry.serverErrors"],
    [{ maxResponseBytes: 1e12 }, "options.maxResponseBytes"],
    [throwing({}, "timeoutMs"), "options.timeoutMs"],
    [{ retry: throwing({}, "delayMs") }, "options.retry.delayMs"],
    [throwing({}, "fetch"), "options.fetch"],
  ];
  for (const [options, field] of cases) {
    const all = Object.defineProperties({ appKey: APP_KEY, appSecret: APP_SECRET }, Object.getOwnPropertyDescriptors(options));
    assert.throws(() => new KisClient(all), (e) => e instanceof KisError && e.kind === "validation" && e.field === field && !e.message.startsWith(`${field}: Error`), field);
  }
  // undefined is absent: `env: process.env.KIS_ENV` with nothing set.
  assert.doesNotThrow(() => new KisClient({ env: undefined, timeoutMs: undefined, baseUrl: undefined }));
});

test("12. a throwing getter in an order is a validation error naming it, and the client goes on", async () => {
  const c = client(kis.url);
  await refused(c.buy(throwing({ symbol: "005930", quantity: 1 }, "price")), "order.price");
  assert.equal((await c.getPrice("005930")).price, 70000);
});

test("13. a huge failure body is logged cut to its first KB, with its length", async () => {
  const page = "<html>" + "x".repeat(3 << 20) + "</html>";
  const big = await server((req, res) => { res.writeHead(502, { "content-type": "text/html" }); res.end(page); });
  const cap = capture();
  try {
    await client(big.url, { logger: cap.logger, retry: { serverErrors: 0 } }).getPrice("005930").catch(() => {});
    assert.ok(cap.lines.length > 0);
    for (const line of cap.lines) assert.ok(line.length < 3000, `${line.length} chars`);
    assert.ok(cap.lines.some((l) => l.includes(`${page.length} bytes in all`)), cap.lines.join("\n"));
  } finally {
    await big.close();
  }
});

test("14. the proxy aborts its upstream request when the browser goes away", async () => {
  let upstreamClosed;
  const closed = new Promise((r) => (upstreamClosed = r));
  const hanging = http.createServer((req) => { req.socket.on("close", upstreamClosed); });
  await new Promise((r) => hanging.listen(0, "127.0.0.1", r));
  const proxy = await startCorsProxy({ upstream: `http://127.0.0.1:${hanging.address().port}`, allowOrigins: [], allowNoOrigin: true, upstreamTimeoutMs: 60_000, log: () => {} });
  try {
    const req = http.request({ host: "127.0.0.1", port: proxy.port, path: PRICE_PATH });
    req.on("error", () => {});
    req.end();
    await new Promise((r) => hanging.once("request", r));
    req.destroy();
    const t0 = Date.now();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the upstream request is still open after 2 s")), 2000))]);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    await proxy.close();
    hanging.closeAllConnections();
    await new Promise((r) => hanging.close(r));
  }
});

test("15. what KIS or a caller puts in a message or a log line cannot break it: line breaks, terminal escapes and bidi overrides are escaped, a long value is cut in its middle", async () => {
  const forged = "주문 거부\n[kis-wasm] order 0000001 filled\r\u001b[2J\u001b[31m\u202e";
  const hostile = await server((req, res) => json(res, 200, { rt_cd: "1", msg_cd: "APBK0013", msg1: forged }));
  const cap = capture();
  const plain = (text) => !/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(text);
  try {
    const e = await client(hostile.url, { logger: cap.logger }).getPrice("005930").then(() => null, (err) => err);
    assert.ok(e instanceof KisError && e.kind === "api", String(e));
    assert.equal(e.msg1, forged, "msg1 is KIS's text as sent");
    assert.ok(plain(e.message), JSON.stringify(e.message));
    assert.ok(e.message.includes(String.raw`주문 거부\n[kis-wasm] order 0000001 filled\r\u{1b}[2J\u{1b}[31m\u{202e}`), e.message);
    assert.ok(cap.lines.length > 0);
    for (const line of cap.lines) assert.ok(plain(line), JSON.stringify(line));
  } finally {
    await hostile.close();
  }

  const c = client(kis.url);
  const sentBefore = uapiCalls(kis);
  const period = await c.getDailyPrices("005930", { period: "D\n\u001b[31m" }).then(() => null, (err) => err);
  assert.equal(period.field, "options.period");
  assert.equal(period.message, String.raw`options.period: must be "D", "W" or "M", got "D\n\u{1b}[31m"`);
  const quoted = await c.cancel({ orderNo: '12"3', orgNo: "00950", quantity: 1 }).then(() => null, (err) => err);
  assert.equal(quoted.message, String.raw`cancel.orderNo: must be 1 to 10 digits, got "12\"3"`);

  // A value of 100 000 characters: both ends of the message stay, its middle is left out.
  const long = await c.getPrice("A".repeat(100_000)).then(() => null, (err) => err);
  assert.equal(long.field, "symbol");
  assert.ok(long.message.length < 2100, `${long.message.length} chars`);
  assert.ok(long.message.startsWith("symbol: must be a 6-character KRX code"), long.message.slice(0, 80));
  assert.match(long.message, / … \(\d+ characters left out\) … A+"$/);
  const key = "X".repeat(5000) + "\n";
  const unknown = await c.call("domesticStockInquirePrice", { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930", [key]: "1" }).then(() => null, (err) => err);
  assert.equal(unknown.field, `params.${key}`, "the field is the caller's key as it is");
  assert.ok(unknown.message.length < 2100 && plain(unknown.message), `${unknown.message.length} chars`);
  assert.equal(uapiCalls(kis), sentBefore, "nothing was sent");
});

/** A KIS whose order-cash answers `status` with `answer`, and whose list of today's orders is
 *  empty (one that has not caught up yet); `buy` through it must end orderStatusUnknown, sent
 *  once and looked up, with `says` in its message. */
async function orderAnsweredAs(status, answer, says) {
  const s = await server((req, res) => {
    if (req.url.startsWith("/oauth2/tokenP")) return json(res, 200, { access_token: "tok.en.abc.def", expires_in: 86400 });
    if (req.url.startsWith("/uapi/hashkey")) return json(res, 200, { HASH: "abc" });
    if (req.url.includes("/order-cash")) return json(res, status, answer);
    json(res, 200, { rt_cd: "0", msg_cd: "MCA00000", msg1: "ok", output1: [], output2: {}, ctx_area_fk100: "", ctx_area_nk100: "" });
  });
  try {
    const e = await client(s.url).buy({ symbol: "005930", quantity: 1, price: 70000 }).then(() => null, (err) => err);
    assert.ok(e instanceof KisError, `resolved: ${JSON.stringify(e)}`);
    assert.equal(e.kind, "orderStatusUnknown", e.message);
    assert.match(e.message, says);
    assert.equal(s.seen.filter((r) => r.url.includes("/order-cash")).length, 1, "sent once");
    assert.ok(s.seen.some((r) => r.url.includes("/inquire-daily-ccld")), "looked up");
  } finally {
    await s.close();
  }
}

test("16. an order KIS accepts without naming it is looked up, not handed over as an ack with no number, and never resent", async () => {
  await orderAnsweredAs(200, { rt_cd: "0", msg_cd: "APBK0013", msg1: "주문 전송 완료 되었습니다.", output: {} }, /names no order number/);
});

test("17. an order answered with a failing status and a body saying it was done is looked up, never reported as KIS's refusal", async () => {
  const done = { rt_cd: "0", msg_cd: "APBK0013", msg1: "주문 전송 완료 되었습니다.", output: { ODNO: "0000001234", KRX_FWDG_ORD_ORGNO: "00950", ORD_TMD: "093000" } };
  await orderAnsweredAs(500, done, /says it was done/);
});

const BALANCE_PARAMS = { AFHR_FLPR_YN: "N", INQR_DVSN: "02", UNPR_DVSN: "01", FUND_STTL_ICLD_YN: "N", FNCG_AMT_AUTO_RDPT_YN: "N", PRCS_DVSN: "00" };

test("18. a list KIS says goes on with the keys it already gave is not asked again and again: one repeat, then an api error", async () => {
  const page = { rt_cd: "0", msg_cd: "KIOK0510", msg1: "조회가 완료되었습니다", ctx_area_fk100: "stuck^", ctx_area_nk100: "", output1: [{ pdno: "005930", hldg_qty: "1" }], output2: [{ dnca_tot_amt: "1" }] };
  const s = await server((req, res) => json(res, 200, page, { tr_cont: "M" }));
  try {
    const e = await client(s.url).getBalance().then(() => null, (err) => err);
    assert.ok(e instanceof KisError, String(e));
    assert.equal(e.kind, "api", e.message);
    assert.match(e.message, /would repeat it/);
    assert.equal(uapiCalls(s), 2, "the first page and one repeat, not fifty");
    const viaCall = await client(s.url).call("domesticStockInquireBalance", BALANCE_PARAMS, { allPages: true }).then(() => null, (err) => err);
    assert.equal(viaCall?.kind, "api", String(viaCall));
    assert.equal(uapiCalls(s), 4);
  } finally {
    await s.close();
  }
});

test("19. an answer that starts with a byte order mark is read as fetch's own json() reads it, not refused as not JSON", async () => {
  const s = await server((req, res) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end("\uFEFF" + JSON.stringify(quote({ stck_prpr: "70000", prdy_ctrt: "-0.71" })));
  });
  try {
    const raw = await fetch(s.url + PRICE_PATH).then((r) => r.json());
    assert.equal(raw.output.stck_prpr, "70000", "fetch's json() reads past the mark");
    const q = await client(s.url).getPrice("005930");
    assert.equal(q.price, 70000);
    assert.equal(q.changeRate, -0.71);
  } finally {
    await s.close();
  }
});

/** A text frame whose payload is not UTF-8, written raw on a client socket's connection. */
function notUtf8(ws) {
  const payload = Buffer.from([0xff, 0xfe, 0xfd]);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = payload.map((b, i) => b ^ mask[i % 4]);
  ws._socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
}

test("20. a realtime frame the proxy or kis-mock cannot take (past the proxy's body cap, or not UTF-8) closes that socket only: the process lives, and other pages go on", async () => {
  const { WebSocket } = await import("ws");
  const upstream = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
  const held = { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" };
  const crashed = [];
  const onUncaught = (e) => crashed.push(e);
  process.on("uncaughtException", onUncaught);
  /** Opens a socket to `url`, sends it one bad frame, and resolves with the close code. */
  const badFrame = async (url, send) => {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.on("open", r));
    ws.on("error", () => {});
    const closed = new Promise((r) => ws.on("close", (code) => r(code)));
    send(ws);
    return closed;
  };
  const big = (ws) => ws.send(JSON.stringify({ header: { approval_key: "x".repeat(8192) }, body: { input: { tr_id: "H0STCNT0", tr_key: "005930" } } }));
  try {
    assert.equal(await badFrame(upstream.wsUrl, notUtf8), 1007, "kis-mock");
    for (const hold of [undefined, held]) {
      const logged = [];
      const proxy = await startCorsProxy({ upstream: upstream.url, allowOrigins: [], allowNoOrigin: true, maxBodyBytes: 4096, hold, log: (l) => logged.push(l) });
      const wsUrl = proxy.url.replace("http:", "ws:");
      try {
        assert.equal(await badFrame(wsUrl, big), 1009, `hold: ${!!hold}`);
        assert.equal(await badFrame(wsUrl, notUtf8), 1007, `hold: ${!!hold}`);
        assert.match(logged.join("\n"), /realtime page: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/);
        assert.match(logged.join("\n"), /realtime page: WS_ERR_INVALID_UTF8/);

        const page = new KisClient({ appKey: hold ? "placeholder-key" : APP_KEY, appSecret: hold ? "placeholder-secret" : APP_SECRET, env: "mock", baseUrl: proxy.url, rateLimitPerSec: 0, logger: null });
        const rt = page.realtime({ WebSocket, url: wsUrl });
        try {
          const ticks = [];
          await rt.subscribe("H0STCNT0", "005930", (t) => ticks.push(t));
          await new Promise((r) => { const t = setInterval(() => ticks.length && (clearInterval(t), r()), 10); });
          assert.equal(ticks[0].mksc_shrn_iscd, "005930", `hold: ${!!hold}`);
        } finally {
          rt.close();
        }
      } finally {
        await proxy.close();
      }
    }
    assert.deepEqual(crashed.map(String), [], "nothing thrown out of the proxy's or the mock's handlers");
  } finally {
    process.off("uncaughtException", onUncaught);
    await upstream.close();
  }
});

test("21. an array where the API takes an object is refused by name, not read field by field in declaration order (a market order for 10 shares)", async () => {
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [call, field] of [
    [() => c.buy(["005930", 10]), "order"],
    [() => c.sell(["005930", 10, 70000]), "order"],
    [() => c.cancel(["0000001", "00950", "all"]), "cancel"],
    [() => c.modify(["0000001", "00950", 70000]), "modify"],
    [() => c.getOrders(["2026-12-01"]), "options"],
    [() => c.getBuyingPower(["005930"]), "options"],
    [() => c.request(["GET", "/uapi/x", "FHKST01010100"]), "request"],
  ]) {
    const e = await refused(call(), field);
    assert.match(e.message, /must be an object, got an array$/);
  }
  assert.throws(() => buildOrderBody(["12345678-01", "005930", 10]), (e) => e instanceof KisError && e.field === "order");
  assert.throws(() => client(kis.url, { retry: [2, 1000] }), (e) => e instanceof KisError && e.field === "options.retry" && /got an array$/.test(e.message));
  assert.throws(() => new KisClient([APP_KEY, APP_SECRET]), (e) => e instanceof KisError && e.field === "options");
  assert.equal(kis.seen.length, before, "no request, not even a token");
});

test("22. a function or a symbol where data is meant is refused by name, in the caller's words rather than serde-wasm-bindgen's debug form", async () => {
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [call, field, what] of [
    [() => c.buy({ symbol: "005930", quantity: 1, price: () => 70000 }), "order.price", "a function"],
    [() => c.buy({ symbol: Symbol("005930"), quantity: 1 }), "order.symbol", "a symbol"],
    [() => c.call("domesticStockInquirePrice", { FID_INPUT_ISCD: () => "005930" }), "params.FID_INPUT_ISCD", "a function"],
    [() => c.getOrders({ from: Symbol.iterator }), "options.from", "a symbol"],
  ]) {
    const e = await refused(call(), field);
    assert.equal(e.message, `${field}: must be a string, a number, true or false, an array or an object, got ${what}`);
  }
  assert.throws(() => buildOrderBody({ account: "12345678-01", symbol: "005930", quantity: () => 1 }), (e) => e.field === "order.quantity" && /got a function$/.test(e.message));
  assert.equal(kis.seen.length, before, "no request, not even a token");
});

test("23. a key or secret passed where another value goes (a variable mixed up, a key read from the wrong line) is masked in the error that refuses it, its field's name included", async () => {
  const { WebSocket } = await import("ws");
  const leaks = [];
  const check = (what, e) => {
    assert.ok(e instanceof KisError, `${what}: ${e}`);
    if ([e.message, e.field ?? "", String(e.stack ?? "")].some((t) => t.includes(APP_SECRET) || t.includes(APP_KEY))) leaks.push(`${what}: ${e.field} ${e.message}`);
  };
  for (const options of [{ env: APP_SECRET }, { [APP_SECRET]: 1 }, { custType: APP_KEY }, { baseUrl: `ftp://${APP_SECRET}` }]) {
    try { client(kis.url, options); leaks.push(`accepted ${Object.keys(options)}`); } catch (e) { check(`options ${Object.keys(options)[0].slice(0, 8)}`, e); }
  }
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [what, call] of [
    ["getPrice", () => c.getPrice(APP_SECRET)],
    ["buy symbol", () => c.buy({ symbol: APP_SECRET, quantity: 1 })],
    ["buy key", () => c.buy({ symbol: "005930", quantity: 1, [APP_SECRET]: 1 })],
    ["getOrders", () => c.getOrders({ from: APP_KEY })],
    ["call api", () => c.call(APP_SECRET, {})],
    ["call param", () => c.call("domesticStockInquirePrice", { [APP_KEY]: "x" })],
    ["request trId", () => c.request({ path: PRICE_PATH, trId: APP_SECRET })],
    ["realtime url", () => c.realtime({ WebSocket, url: `http://${APP_SECRET}` })],
    ["trades", () => c.realtime({ WebSocket, url: "ws://127.0.0.1:9" }).trades(APP_SECRET, () => {})],
    ["buildOrderBody", () => buildOrderBody({ account: "12345678-01", symbol: APP_SECRET, quantity: 1 })],
  ]) {
    try { await call(); leaks.push(`accepted ${what}`); } catch (e) { check(what, e); }
  }
  assert.deepEqual(leaks, []);
  assert.equal(kis.seen.length, before, "nothing sent");
});

test("24. a BigInt reads as the number it is while a number holds it exactly, and past that is refused by name in the caller's words, not rounded to a number never written", async () => {
  const body = buildOrderBody({ account: "12345678-01", symbol: "005930", quantity: 10n, price: 70000n });
  assert.equal(body.ORD_QTY, "10");
  assert.equal(body.ORD_UNPR, "70000");
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [call, field] of [
    [() => c.buy({ symbol: "005930", quantity: 2n ** 70n }), "order.quantity"],
    [() => c.buy({ symbol: "005930", quantity: 1, price: 9007199254740993n }), "order.price"],
    [() => c.sell({ symbol: "005930", quantity: -(2n ** 64n) }), "order.quantity"],
  ]) {
    const e = await refused(call(), field);
    assert.equal(e.message, `${field}: must be a number, got a BigInt past Number.MAX_SAFE_INTEGER`);
  }
  assert.equal(kis.seen.length, before, "no request, not even a token");
});

test("25. a Map, a Set or a Date where data is meant is refused as what it is, with what to pass instead, not read as an empty object (an order said to have no symbol)", async () => {
  const c = client(kis.url);
  const before = kis.seen.length;
  for (const [call, field, what, instead] of [
    [() => c.buy(new Map([["symbol", "005930"], ["quantity", 1]])), "order", "a Map", "a plain object (Object.fromEntries(map))"],
    [() => c.getOrders({ from: new Date(Date.UTC(2026, 11, 1)) }), "options.from", "a Date", "its text (\"2026-12-01\")"],
    [() => c.call("domesticStockInquirePrice", { FID_INPUT_ISCD: new Set(["005930"]) }), "params.FID_INPUT_ISCD", "a Set", "an array ([...set])"],
  ]) {
    const e = await refused(call(), field);
    assert.equal(e.message, `${field}: must be a string, a number, true or false, an array or a plain object, got ${what}: pass ${instead}`);
  }
  assert.equal(kis.seen.length, before, "no request, not even a token");
});

test("26. a body chunk past maxResponseBytes is refused by its length, before the package copies it", async () => {
  // A caller's fetch whose stream hands over 1 GiB in one chunk. Its pages are never written,
  // so they cost this process nothing until something copies them: a copy made before the
  // length was checked would add the whole GiB to the process's memory.
  const chunk = new Uint8Array(1 << 30);
  let cancelled = false;
  const fetch = async (url) => {
    if (url.endsWith("/oauth2/tokenP")) return new Response(JSON.stringify(TOKEN));
    const body = new ReadableStream({
      pull(c) { c.enqueue(chunk); },
      cancel() { cancelled = true; },
    });
    return { status: 200, headers: new Headers(), body };
  };
  const rss = process.memoryUsage().rss;
  const e = await client("http://kis.test", { fetch, retry: { serverErrors: 0 } }).getPrice("005930").then(() => null, (err) => err);
  const grown = process.memoryUsage().rss - rss;
  assert.equal(e?.kind, "decode", e?.message);
  assert.match(e.message, /maxResponseBytes/);
  assert.ok(cancelled, "and the stream was told to stop");
  assert.ok(grown < 256 << 20, `the process grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
});
