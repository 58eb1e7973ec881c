// The CORS proxy between the package and the mock KIS server, over real sockets on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { startCorsProxy, KIS_REQUEST_HEADERS } from "kis-wasm/proxy";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";

const ORIGIN = "http://127.0.0.1:5173";
let mock, proxy;
const proxyLog = [];

before(async () => {
  mock = await startMockKis({ env: "mock", rateLimit: 0, pageSize: 1 });
  proxy = await startCorsProxy({ upstream: mock.url, allowOrigins: [ORIGIN], maxBodyBytes: 4096, upstreamTimeoutMs: 400, log: (l) => proxyLog.push(l) });
});
after(async () => {
  await proxy.close();
  await mock.close();
});

/** What a page on ORIGIN does: fetch with its Origin header. */
const pageFetch = (url, init) => fetch(url, { ...init, headers: { ...init.headers, origin: ORIGIN } });

const saved = new Map();
function client(extra = {}) {
  const cap = capture();
  const kis = new KisClient({
    appKey: APP_KEY, appSecret: APP_SECRET, account: "50012345", baseUrl: proxy.url, env: "mock", fetch: pageFetch,
    rateLimitPerSec: 0, retry: { delayMs: 50 }, onEvent: cap.onEvent, logger: cap.logger,
    tokenStore: { get: (k) => saved.get(k) ?? null, set: (k, t) => void saved.set(k, t) }, ...extra,
  });
  return { kis, cap };
}

/** A raw request, for what a browser would never send. */
function raw({ method = "GET", path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxy.port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("50 concurrent cold calls through the proxy: exactly one token request at the mock", async () => {
  const { kis } = client();
  const quotes = await Promise.all(Array.from({ length: 50 }, () => kis.getPrice("005930")));
  assert.ok(quotes.every((q) => q.price === 71000));
  assert.equal(mock.counts.tokenP, 1);
});

test("every operation through the proxy, paging headers exposed", async () => {
  const { kis, cap } = client();
  assert.equal((await kis.getDailyPrices("000660")).length, 30);
  const b = await kis.getBalance();
  assert.equal(b.holdings.length, 2, "two pages: tr_cont came through the proxy");
  const ack = await kis.buy({ symbol: "005930", quantity: 1, price: 60000 });
  await kis.sell({ symbol: "005930", quantity: 1 });
  await kis.cancel({ orderNo: ack.orderNo, orgNo: ack.orgNo });
  assert.ok((await kis.getBuyingPower({ symbol: "005930" })).maxQuantity > 0);
  const orders = await kis.getOrders();
  assert.equal(orders.find((o) => o.orderNo === ack.orderNo).cancelled, true);
  const r = await raw({ path: "/uapi/domestic-stock/v1/quotations/inquire-price", headers: { origin: ORIGIN } });
  assert.equal(r.headers["access-control-allow-origin"], ORIGIN);
  assert.match(r.headers["access-control-expose-headers"], /tr_cont/);
  assertNoSecrets(assert, cap.text());
});

test("preflight: allowed origin gets the KIS headers, another origin is refused", async () => {
  const ok = await raw({ method: "OPTIONS", path: "/uapi/domestic-stock/v1/trading/order-cash", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "appkey,custtype,hashkey" } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers["access-control-allow-origin"], ORIGIN);
  for (const h of ["appkey", "appsecret", "authorization", "tr_id", "tr_cont", "custtype", "hashkey", "content-type"]) {
    assert.ok(ok.headers["access-control-allow-headers"].split(", ").includes(h), h);
  }
  assert.ok(KIS_REQUEST_HEADERS.includes("custtype"));
  const bad = await raw({ method: "OPTIONS", path: "/uapi/x", headers: { origin: "https://evil.example" } });
  assert.equal(bad.status, 403);
  assert.equal(bad.headers["access-control-allow-origin"], undefined);
  const noOrigin = await raw({ path: "/uapi/domestic-stock/v1/quotations/inquire-price" });
  assert.equal(noOrigin.status, 403);
});

test("requests aimed at another host or path never leave the proxy", async () => {
  const before = mock.requests.length;
  const cases = [
    { path: "http://evil.example/uapi/domestic-stock/v1/quotations/inquire-price" },
    { path: "//evil.example/uapi/x" },
    { path: "/__mock/state" },
    { path: "/uapi/../__mock/state" },
    { path: "/uapi/%2e%2e/__mock/state" },
    { path: "/etc/passwd" },
    { method: "DELETE", path: "/uapi/x" },
  ];
  for (const c of cases) {
    const r = await raw({ ...c, headers: { origin: ORIGIN } });
    assert.ok([404, 405].includes(r.status), `${c.method ?? "GET"} ${c.path} → ${r.status}`);
  }
  assert.equal(mock.requests.length, before, "nothing reached the upstream");
});

test("an oversize body is refused with 413", async () => {
  const big = JSON.stringify({ CANO: "x".repeat(5000) });
  const r = await raw({ method: "POST", path: "/uapi/domestic-stock/v1/trading/order-cash", headers: { origin: ORIGIN, "content-type": "application/json", "content-length": Buffer.byteLength(big) }, body: big });
  assert.equal(r.status, 413);
});

test("a hung upstream becomes a clear 504, which the client retries", async () => {
  const r0 = mock.requests.length;
  mock.addFault({ path: "/inquire-price", type: "hang" });
  const direct = await raw({ path: "/uapi/domestic-stock/v1/quotations/inquire-price", headers: { origin: ORIGIN } });
  assert.equal(direct.status, 504);
  assert.match(JSON.parse(direct.text).error, /did not answer within 400 ms/);
  mock.addFault({ path: "/inquire-price", type: "hang" });
  const { kis, cap } = client();
  assert.equal((await kis.getPrice("005930")).price, 71000);
  assert.ok(cap.events.some((e) => e.type === "retry" && e.status === 504));
  assert.ok(mock.requests.length > r0);
});

test("neither the proxy's log nor the mock's record holds a secret", () => {
  assert.ok(proxyLog.length > 10);
  assertNoSecrets(assert, proxyLog.join("\n") + JSON.stringify(mock.requests));
  assert.ok(!proxyLog.join("\n").includes("mock-token-"));
  assert.ok(!JSON.stringify(mock.requests).includes("mock-token-"));
});

test("the bins print their address on the first line, given --name value or --name=value", async () => {
  const { spawn } = await import("node:child_process");
  const { createRequire } = await import("node:module");
  const pkg = createRequire(import.meta.url).resolve("kis-wasm/package.json").replace(/package\.json$/, "");
  const bins = JSON.parse((await import("node:fs")).readFileSync(pkg + "package.json", "utf8")).bin;
  const runs = [
    [bins["kis-mock"], ["--port", "0", "--env", "real"]],
    [bins["kis-cors-proxy"], ["--port", "0", "--upstream", mock.url, "--allow-origin", ORIGIN]],
    // --name=value as well, as Node's parseArgs reads it.
    [bins["kis-cors-proxy"], ["--port=0", `--upstream=${mock.url}`, `--allow-origin=${ORIGIN}`, "--allow-origin=http://localhost:5173"]],
  ];
  for (const [bin, args] of runs) {
    const child = spawn(process.execPath, [pkg + bin, ...args]);
    const first = await new Promise((resolve) => child.stdout.once("data", (d) => resolve(String(d).split("\n")[0])));
    child.kill();
    assert.match(first, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  }
});

test("kis-cors-proxy and kis-mock refuse a mistyped flag or a value that is none, rather than starting without what they were meant to set (a body cap of NaN is no cap)", async () => {
  const { spawnSync } = await import("node:child_process");
  const { createRequire } = await import("node:module");
  const bin = createRequire(import.meta.url).resolve("kis-wasm/package.json").replace(/package\.json$/, "tools/kis-cors-proxy/cli.mjs");
  for (const [args, said] of [
    [["--hold-key"], /Unknown option '--hold-key'/],
    [["--max-body", "64k"], /--max-body must be a whole number, got "64k"/],
    [["--timeout-ms"], /Option '--timeout-ms <value>' argument missing/],
    [["--allow-origin", "--allow-no-origin"], /Option '--allow-origin' argument is ambiguous/],
    [["stray"], /Unexpected argument 'stray'/],
    [["--hold-keys=no"], /Option '--hold-keys' does not take an argument/],
  ]) {
    const run = spawnSync(process.execPath, [bin, "--port", "0", "--upstream", mock.url, ...args], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2, args.join(" "));
    assert.match(run.stderr, said);
    assert.doesNotMatch(run.stdout, /listening/);
  }
  const mockBin = bin.replace("kis-cors-proxy", "kis-mock");
  for (const [args, said] of [
    [["--rate-limt", "5"], /Unknown option '--rate-limt'/],
    [["--rate-limit", "5/s"], /--rate-limit must be a whole number, got "5\/s"/],
    [["--env", "prod"], /--env must be one of real, mock, got "prod"/],
  ]) {
    const run = spawnSync(process.execPath, [mockBin, "--port", "0", ...args], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2, args.join(" "));
    assert.match(run.stderr, said);
  }
  for (const [option, value] of [["maxBodyBytes", NaN], ["upstreamTimeoutMs", 0], ["realtimeSilenceMs", -1], ["maxBodyBytes", "64"]]) {
    await assert.rejects(startCorsProxy({ upstream: mock.url, allowOrigins: [], [option]: value, log: () => {} }), new RegExp(`^Error: ${option} must be a whole number`));
  }
});

test("startCorsProxy and startMockKis refuse an option they do not know (a typo would leave a default in place with nothing said)", async () => {
  await assert.rejects(startCorsProxy({ upstream: mock.url, allowOrigin: [ORIGIN], log: () => {} }), /^TypeError: startCorsProxy: unknown option "allowOrigin" \(expected one of: upstream, allowOrigins,/);
  await assert.rejects(startCorsProxy({ upstream: mock.url, allowOrigins: [], upstreamTimeout: 5000, log: () => {} }), /unknown option "upstreamTimeout"/);
  await assert.rejects(startCorsProxy({ upstream: mock.url, allowOrigins: [], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", rateLimit: 5 }, log: () => {} }), /startCorsProxy: hold: unknown option "rateLimit"/);
  await assert.rejects(startMockKis({ env: "mock", tokenThrottleMs: 0 }), /^TypeError: startMockKis: unknown option "tokenThrottleMs"/);
  await assert.rejects(startMockKis("mock"), /startMockKis must be an object/);
});

test("hold mode: the page sends placeholders and never receives a key or a token", async () => {
  const upstream = await startMockKis({ env: "mock", rateLimit: 0 });
  const holding = await startCorsProxy({ upstream: upstream.url, allowOrigins: [ORIGIN], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  const seen = [];
  const watching = async (url, init) => {
    const r = await pageFetch(url, init);
    const text = await r.text();
    seen.push(JSON.stringify(init.headers) + text);
    return { status: r.status, headers: r.headers, text: async () => text };
  };
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", account: "50012345", env: "mock", baseUrl: holding.url, fetch: watching, rateLimitPerSec: 0, logger: null });
    assert.equal((await page.getPrice("005930")).price, 71000);
    const ack = await page.buy({ symbol: "005930", quantity: 1, price: 60000 });
    await page.cancel({ orderNo: ack.orderNo, orgNo: ack.orgNo });
    assert.equal((await page.getBalance()).holdings.length, 2);
    assert.equal(upstream.orders("50012345").length, 1);
    assert.equal(upstream.counts.tokenP, 1, "the proxy's own KisClient took the token");
    const text = seen.join("\n");
    assertNoSecrets(assert, text);
    assert.ok(!text.includes("mock-token-"), "the real token never reached the page");
  } finally {
    await holding.close();
    await upstream.close();
  }
});

test("hold mode: a page cannot revoke the proxy's token, which every page it serves shares", async () => {
  const upstream = await startMockKis({ env: "mock", rateLimit: 0 });
  const holding = await startCorsProxy({ upstream: upstream.url, allowOrigins: [ORIGIN], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: holding.url, fetch: pageFetch, rateLimitPerSec: 0, logger: null });
    await page.getPrice("005930");
    await assert.rejects(page.revokeToken(), (e) => e.kind === "http" && e.status === 403 && /holds the keys and the token/.test(e.body));
    assert.equal(upstream.counts.revokeP, 0, "nothing reached KIS");
    assert.equal((await page.getPrice("005930")).symbol, "005930", "the proxy's token still works");
    assert.equal(upstream.counts.tokenP, 1);
    page.free();
  } finally {
    await holding.close();
    await upstream.close();
  }
});

test("hold mode from the CLI with KIS_TOKEN_FILE: a restart takes the held token from the file, and a script with the keys and the file revokes it", async () => {
  const { spawn } = await import("node:child_process");
  const { createRequire } = await import("node:module");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const { fileTokenStore } = await import("kis-wasm");
  const bin = createRequire(import.meta.url).resolve("kis-wasm/package.json").replace(/package\.json$/, "tools/kis-cors-proxy/cli.mjs");
  // KIS issues one token a minute: a proxy started again within it would be refused one.
  const upstream = await startMockKis({ env: "mock", rateLimit: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kis-held-token-"));
  const file = path.join(dir, "token.json");
  const env = { ...process.env, KIS_APP_KEY: APP_KEY, KIS_APP_SECRET: APP_SECRET, KIS_ENV: "mock", KIS_TOKEN_FILE: file };
  const children = [];
  const start = async () => {
    const child = spawn(process.execPath, [bin, "--port", "0", "--upstream", upstream.url, "--allow-origin", ORIGIN, "--hold-keys"], { env });
    children.push(child);
    const first = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(String(d).split("\n")[0]));
      child.once("exit", (code) => reject(new Error(`the proxy exited (${code})`)));
    });
    return first.replace(/^listening on /, "");
  };
  const stop = (child) => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); });
  const page = (url) => new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", env: "mock", baseUrl: url, fetch: pageFetch, rateLimitPerSec: 0, logger: null });
  try {
    const first = page(await start());
    assert.equal((await first.getPrice("005930")).price, 71000);
    assert.equal(upstream.counts.tokenP, 1);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, "the token file is the user's alone");
    await stop(children[0]);
    const again = page(await start());
    assert.equal((await again.getPrice("005930")).price, 71000);
    assert.equal(upstream.counts.tokenP, 1, "the restart took the token from the file");
    // A leak: the user's script, with the keys and the file, has KIS revoke the proxy's token.
    const script = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, env: "mock", baseUrl: upstream.url, tokenStore: fileTokenStore(file), rateLimitPerSec: 0, logger: null });
    assert.equal(await script.revokeToken(), true);
    assert.equal(upstream.counts.revokeP, 1);
    script.free();
    // The proxy's next call is told its token is dead; within KIS's minute it gets no other.
    await assert.rejects(again.getPrice("005930"), (e) => e.kind === "rateLimited" && e.msgCd === "EGW00133" && e.retryAfterMs === 60_000);
    assert.equal(upstream.counts.tokenP, 1);
    for (const p of [first, again]) p.free();
  } finally {
    for (const c of children) if (c.exitCode === null) await stop(c);
    fs.rmSync(dir, { recursive: true, force: true });
    await upstream.close();
  }
});

test("hold mode: a POST whose body is not JSON is the page's mistake, 400, and reaches nothing", async () => {
  const upstream = await startMockKis({ env: "mock", rateLimit: 0 });
  const holding = await startCorsProxy({ upstream: upstream.url, allowOrigins: [ORIGIN], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, log: () => {} });
  try {
    const send = (body) => pageFetch(`${holding.url}/uapi/domestic-stock/v1/trading/order-cash`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", tr_id: "VTTC0012U", custtype: "P", appkey: "placeholder-key", appsecret: "placeholder-secret", authorization: "Bearer placeholder" },
      body,
    });
    for (const body of ['{"PDNO":"005930",', "PDNO=005930"]) {
      const r = await send(body);
      assert.equal(r.status, 400, body);
      assert.match((await r.json()).error, /not JSON/);
    }
    assert.equal(upstream.requests.filter((r) => r.path.endsWith("/order-cash")).length, 0);
  } finally {
    await holding.close();
    await upstream.close();
  }
});

test("hold mode: an order KIS never answered comes back 504, so the page's client looks it up and does not send it again", async () => {
  const upstream = await startMockKis({ env: "mock", rateLimit: 0 });
  const holding = await startCorsProxy({ upstream: upstream.url, allowOrigins: [ORIGIN], hold: { appKey: APP_KEY, appSecret: APP_SECRET, env: "mock" }, upstreamTimeoutMs: 400, log: () => {} });
  try {
    const page = new KisClient({ appKey: "placeholder-key", appSecret: "placeholder-secret", account: "50012345", env: "mock", baseUrl: holding.url, fetch: pageFetch, rateLimitPerSec: 0, retry: { delayMs: 50 }, timeoutMs: 5000, logger: null });
    await page.ensureToken();
    upstream.addFault({ path: "/order-cash", type: "hang" });
    const e = await page.buy({ symbol: "005930", quantity: 1, price: 60000 }).then(() => null, (err) => err);
    assert.equal(e?.kind, "orderStatusUnknown", e?.message);
    assert.equal(e.status, 504);
    const sent = upstream.requests.filter((r) => r.path.endsWith("/order-cash")).length;
    assert.equal(sent, 1, "the order went to KIS once");
    assert.ok(upstream.requests.some((r) => r.path.endsWith("/inquire-daily-ccld")), "and was looked up");
  } finally {
    await holding.close();
    await upstream.close();
  }
});
