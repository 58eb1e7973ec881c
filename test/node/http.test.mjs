// The client over real HTTP on 127.0.0.1, with Node's own fetch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KisClient } from "kis-wasm";
import { startTinyKis } from "./tiny-kis.mjs";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";

let kis;
before(async () => { kis = await startTinyKis(); });
after(() => kis.close());

function client(cap, extra = {}) {
  return new KisClient({
    appKey: APP_KEY, appSecret: APP_SECRET, account: "12345678", baseUrl: kis.url, rateLimitPerSec: 0,
    onEvent: cap.onEvent, logger: cap.logger, retry: { delayMs: 20 }, ...extra,
  });
}

test("quote over HTTP with the seed's headers", async () => {
  const cap = capture();
  const q = await client(cap).getPrice("005930");
  assert.equal(q.price, 71200);
  assert.equal(q.change, 300);
  const r = kis.requests.findLast((x) => x.path.endsWith("/inquire-price"));
  assert.equal(r.headers.custtype, "P");
  assert.equal(r.headers.tr_id, "FHKST01010100");
  assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
  assert.match(r.headers.authorization, /^Bearer tiny-token-/);
  assertNoSecrets(assert, cap.text());
});

test("5xx gateway pages are retried, then succeed", async () => {
  const cap = capture();
  const c = client(cap);
  await c.ensureToken();
  const before = kis.requests.length;
  kis.script.push({ path: "/inquire-price", action: { status: 502, body: "<html>bad gateway</html>" } });
  kis.script.push({ path: "/inquire-price", action: { status: 503, body: "" } });
  const q = await c.getPrice("005930");
  assert.equal(q.price, 71200);
  assert.equal(kis.requests.length - before, 3);
  assert.equal(cap.events.filter((e) => e.type === "retry").length, 2);
});

test("a hung answer times out; a reset connection is a network error", async () => {
  const cap = capture();
  const c = client(cap, { timeoutMs: 300, retry: { serverErrors: 0 } });
  await c.ensureToken();
  kis.script.push({ path: "/inquire-price", action: "hang" });
  const t0 = Date.now();
  await assert.rejects(c.getPrice("005930"), (e) => e.kind === "timeout" && e.path.endsWith("/inquire-price"));
  assert.ok(Date.now() - t0 < 3000);
  kis.script.push({ path: "/inquire-price", action: "reset" });
  await assert.rejects(c.getPrice("005930"), (e) => e.kind === "network" && e.cause instanceof Error);
  assertNoSecrets(assert, cap.text());
});

test("balance follows tr_cont across pages over HTTP", async () => {
  const b = await client(capture()).getBalance();
  assert.deepEqual(b.holdings.map((h) => h.symbol), ["005930", "000660"]);
  const pages = kis.requests.filter((x) => x.path.endsWith("/inquire-balance"));
  assert.equal(pages.at(-1).headers.tr_cont, "N");
  assert.equal(pages.at(-1).query.CTX_AREA_FK100, "12345678^01^N^  ");
  assert.equal(b.summary.cash, 1000);
});

test("50 concurrent cold calls over HTTP: one token request", async () => {
  const before = kis.tokenCount();
  const c = client(capture(), { appKey: APP_KEY + "2" });
  const all = await Promise.all(Array.from({ length: 50 }, () => c.getPrice("000660")));
  assert.equal(all.length, 50);
  assert.equal(kis.tokenCount() - before, 1);
});
