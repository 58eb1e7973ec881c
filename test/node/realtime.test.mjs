// KIS's realtime websocket through the built package, against kis-mock's socket on 127.0.0.1:
// ticks parsed by the catalogue's columns, one approval key for many subscribers, KIS's 41,
// a dropped connection restored with every subscription, an encrypted fill notice read.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { KisClient, KisError } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { APP_KEY, APP_SECRET, assertNoSecrets, capture } from "./secrets.mjs";

let mock;
before(async () => {
  mock = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 50 });
});
after(() => mock.close());

function client(extra = {}) {
  const cap = capture();
  const kis = new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "50012345-01", env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: cap.logger, fetch: (u, i) => fetch(u, i), ...extra });
  return { kis, cap, rt: kis.realtime({ WebSocket, url: mock.wsUrl }) };
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
  await until(() => notices.length > 0);
  assert.equal(notices[0].cust_id, "my-hts-id");
  assert.equal(notices[0].oder_no, ack.orderNo);
  assert.equal(notices[0].stck_shrn_iscd, "005930");
  assert.equal(notices[0].cntg_qty, "1");
  assertNoSecrets(assert, cap.text());
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
