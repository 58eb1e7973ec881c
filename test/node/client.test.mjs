// The client over an injected fake fetch: injection, concurrency, errors, stores, redaction.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { KisError } from "kis-wasm";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";
import { PRICE, client, fakeFetch, response } from "./fake-fetch.mjs";

test("calls the injected fetch with this undefined, S1 headers and parsed numbers", async () => {
  const f = fakeFetch();
  const q = await client({ fetch: f.fetch, env: "mock" }).getPrice("005930");
  assert.equal(q.price, 70000);
  assert.equal(q.changeRate, 1.26);
  assert.equal(q.volume, 15);
  assert.equal(q.open, null);
  assert.equal(q.raw.prdy_ctrt, "+1.26");
  const call = f.calls.find((c) => c.url.includes("inquire-price"));
  assert.equal(call.self, undefined);
  assert.equal(call.url, "http://kis.test/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930");
  assert.deepEqual(Object.keys(call.init.headers).sort(), ["appkey", "appsecret", "authorization", "content-type", "custtype", "tr_id"]);
  assert.equal(call.init.headers["content-type"], "application/json; charset=utf-8");
  assert.equal(call.init.method, "GET");
});

test("50 concurrent calls on a cold client make one token request", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const quotes = await Promise.all(Array.from({ length: 50 }, () => kis.getPrice("005930")));
  assert.equal(quotes.length, 50);
  assert.ok(quotes.every((q) => q.price === 70000));
  assert.equal(f.tokens(), 1);
  assert.equal(f.calls.filter((c) => c.url.includes("inquire-price")).length, 50);
  assert.equal(kis.token.isExpired, false);
});

test("bad input is refused before any request, naming the field", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  await assert.rejects(kis.getPrice(5930), (e) => e instanceof KisError && e.kind === "validation" && e.field === "symbol");
  await assert.rejects(kis.buy({ symbol: "005930", quantity: 1.5 }), (e) => e.field === "order.quantity");
  await assert.rejects(kis.sell({ symbol: "005930", quantity: 1, price: "100" }), (e) => e.field === "order.price");
  await assert.rejects(kis.cancel({ orderNo: "1" }), (e) => e.field === "cancel.orgNo");
  await assert.rejects(kis.getOrders({ from: "yesterday" }), (e) => e.field === "options.from");
  assert.equal(f.calls.length, 0);
});

test("a rejected fetch is a network error whose cause is a masked copy of the original, not the original", async () => {
  const original = new TypeError("fetch failed", { cause: new Error("ECONNRESET") });
  const f = fakeFetch({ answer: () => { throw original; } });
  const kis = client({ fetch: f.fetch, retry: { serverErrors: 1, delayMs: 1 }, logger: null });
  await assert.rejects(kis.getPrice("005930"), (e) =>
    e.kind === "network" && /ECONNRESET/.test(e.message) &&
    e.cause instanceof Error && e.cause !== original && e.cause.name === "TypeError" && e.cause.message === "fetch failed (ECONNRESET)");
  assert.equal(f.calls.filter((c) => c.url.includes("inquire-price")).length, 2);
});

test("the transport: a response without headers works, a body cut mid-read is a network error, a timeout aborts", async () => {
  const bare = fakeFetch({ answer: () => ({ status: 200, text: async () => JSON.stringify(PRICE) }) });
  assert.equal((await client({ fetch: bare.fetch }).getPrice("005930")).price, 70000);

  const cut = new Error("terminated");
  const f = fakeFetch({ answer: () => ({ status: 200, headers: { get: () => null }, text: async () => { throw cut; } }) });
  await assert.rejects(client({ fetch: f.fetch, retry: { serverErrors: 0 }, logger: null }).getPrice("005930"), (e) => e.kind === "network" && e.cause.message === "terminated");

  let signal;
  const hang = fakeFetch({ answer: (url, init) => { signal = init.signal; return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))); } });
  await assert.rejects(client({ fetch: hang.fetch, timeoutMs: 20, retry: { serverErrors: 0 }, logger: null }).getPrice("005930"), (e) => e.kind === "timeout");
  assert.equal(signal.aborted, true);
});

test("a 2xx body that is not JSON is a decode error; 5xx envelopes are api errors", async () => {
  const f = fakeFetch({ answer: () => response(200, "<html>captive portal</html>") });
  await assert.rejects(client({ fetch: f.fetch, logger: null }).getPrice("005930"), (e) => e.kind === "decode" && e.status === 200 && e.body.includes("captive"));
  const g = fakeFetch({ answer: () => response(500, { rt_cd: "1", msg_cd: "OPSQ0002", msg1: "없는 서비스" }) });
  await assert.rejects(client({ fetch: g.fetch, logger: null }).getPrice("005930"), (e) => e.kind === "api" && e.msgCd === "OPSQ0002" && e.msg1 === "없는 서비스" && e.trId === "FHKST01010100");
  assert.equal(g.calls.filter((c) => c.url.includes("inquire-price")).length, 1);
});

test("events and logs report every step and never a secret", async () => {
  let n = 0;
  const f = fakeFetch({ answer: () => (++n === 1 ? response(502, `<html>${APP_KEY}</html>`) : response(200, PRICE)) });
  const cap = capture();
  const kis = client({ fetch: f.fetch, onEvent: cap.onEvent, logger: cap.logger, retry: { delayMs: 5 } });
  await kis.getPrice("005930");
  const types = cap.events.map((e) => e.type);
  for (const t of ["token", "request", "response", "retry"]) assert.ok(types.includes(t), t);
  const retry = cap.events.find((e) => e.type === "retry");
  assert.equal(retry.status, 502);
  assert.equal(retry.trId, "FHKST01010100");
  assert.ok(cap.lines.some((l) => l.startsWith("warn") && l.includes("502")));
  const bad = fakeFetch({ answer: () => response(403, { rt_cd: "1", msg_cd: "EGW00002", msg1: `key ${APP_SECRET}` }) });
  const err = await client({ fetch: bad.fetch, onEvent: cap.onEvent, logger: cap.logger }).getPrice("005930").catch((e) => e);
  assert.equal(err.kind, "api");
  assertNoSecrets(assert, cap.text() + err.message + err.body + err.msg1 + JSON.stringify(kis.token));
});

test("logger: null silences the console", async () => {
  const saved = [console.warn, console.error];
  let written = 0;
  console.warn = console.error = () => written++;
  try {
    const f = fakeFetch({ answer: () => response(404, "nope") });
    await assert.rejects(client({ fetch: f.fetch, logger: null }).getPrice("005930"));
    assert.equal(written, 0);
    await assert.rejects(client({ fetch: f.fetch }).getPrice("005930"));
    assert.equal(written, 1, "S4: the default logger writes the failure once");
  } finally {
    [console.warn, console.error] = saved;
  }
});

test("an async token store is read first and written after issuance, keyed without the key", async () => {
  const saved = new Map();
  const store = { get: async (k) => saved.get(k) ?? null, set: async (k, t) => void saved.set(k, t) };
  const f = fakeFetch();
  await client({ fetch: f.fetch, tokenStore: store }).getPrice("005930");
  assert.equal(f.tokens(), 1);
  const [[key, token]] = [...saved];
  assert.ok(!key.includes(APP_KEY));
  assert.ok(key.includes("real") || key.includes("mock"));
  assert.ok(token.expiresAt > Date.now() && token.issuedAt <= Date.now());
  const g = fakeFetch();
  const second = client({ fetch: g.fetch, tokenStore: store });
  await second.getPrice("005930");
  assert.equal(g.tokens(), 0, "B3: the stored token was reused");
  assert.equal(second.token.expiresAt, token.expiresAt);
});

test("startTokenRefresh returns a stop function", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const stop = kis.startTokenRefresh(1000);
  assert.equal(typeof stop, "function");
  stop();
  stop(); // twice is harmless
  await assert.rejects(async () => kis.startTokenRefresh(5), (e) => e.field === "intervalMs");
  assert.equal(f.calls.length, 0, "S8 creates no connection");
});

test("startTokenRefresh refreshes a stored token that expires within the hour, at the interval", async () => {
  // A token from the store (this client issued none, so the one-a-minute rule does not hold the
  // refresh back) that expires in 30 minutes.
  const now = Date.now();
  const stored = { accessToken: `stored-token-${"q".repeat(30)}`, expiresAt: now + 1800e3, issuedAt: now - 22.5 * 3600e3 };
  const store = { get: () => stored, set: () => {} };
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch, tokenStore: store });
  await kis.getPrice("005930");
  assert.equal(f.tokens(), 0, "the stored token was used");
  const stop = kis.startTokenRefresh(1000);
  try {
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(f.tokens(), 0, "not before the interval");
    await new Promise((r) => setTimeout(r, 900));
    assert.equal(f.tokens(), 1, "refreshed after one interval");
    assert.ok(kis.token.expiresAt > now + 3600e3, "the new token is the client's now");
  } finally {
    stop();
  }
});

test("stopping the refresher lets Node exit at once, not at the end of the interval", () => {
  const script = `
    import { KisClient } from "kis-wasm";
    const kis = new KisClient({ appKey: "k".repeat(20), appSecret: "s".repeat(20), baseUrl: "http://kis.test", env: "real", logger: null,
      fetch: async () => { throw new Error("no network in this test"); } });
    const stop = kis.startTokenRefresh(60_000);
    setTimeout(stop, 50);`;
  const started = Date.now();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr.toString());
  assert.ok(Date.now() - started < 10_000, "exited well before the 60 s interval");
});

test("a refresher left running does not keep Node alive: a script ends when its own work does", () => {
  const script = `
    import { KisClient } from "kis-wasm";
    const kis = new KisClient({ appKey: "k".repeat(20), appSecret: "s".repeat(20), baseUrl: "http://kis.test", env: "real", logger: null,
      fetch: async () => { throw new Error("no network in this test"); } });
    kis.startTokenRefresh(60_000);
    setTimeout(() => console.log("own work done"), 50);`;
  const started = Date.now();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr.toString());
  assert.match(run.stdout.toString(), /own work done/);
  assert.ok(Date.now() - started < 10_000, "exited well before the 60 s interval");
});

test("without a fetch option the client uses globalThis.fetch, and names options.fetch when there is none", async () => {
  const saved = globalThis.fetch;
  try {
    const f = fakeFetch();
    globalThis.fetch = f.fetch;
    assert.equal((await client().getPrice("005930")).price, 70000);
    assert.ok(f.calls.length >= 2);
    delete globalThis.fetch;
    assert.throws(() => client(), (e) => e instanceof KisError && e.field === "options.fetch" && /globalThis\.fetch/.test(e.message));
  } finally {
    globalThis.fetch = saved;
  }
});
