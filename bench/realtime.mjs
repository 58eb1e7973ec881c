// Realtime benchmark (figures, not a test): the latency from kis-mock sending a trade to the
// `rt.trades` callback running, median and p99, in Node and in headless Chromium (through the
// key-holding proxy, as a browser must); and how many trades a second one connection parses
// when they come faster than it can take them. The mock runs on a worker thread, so that the
// sender and the client measured do not share an event loop.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { WebSocket } from "ws";
import { KisClient } from "kis-wasm";
import { startCorsProxy } from "kis-wasm/proxy";
import { startDashboardServer } from "../www/serve.mjs";
import { CHROMIUM } from "../test/chromium.mjs";

const SYMBOL = "005930";
const now = () => performance.timeOrigin + performance.now();
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const us = (ms) => Math.round(ms * 1000);

function startWorker() {
  const worker = new Worker(new URL("./mock-worker.mjs", import.meta.url));
  const next = () => new Promise((resolve) => worker.once("message", resolve));
  return { worker, next, ready: next() };
}

/** What the stamps of the trades a client gets add up to: `take(stamp)` for each trade (the
 *  latency samples' send times, "warmup", "burst"). Self-contained, so that a page runs it too. */
function tally(burstCount) {
  const now = () => performance.timeOrigin + performance.now();
  const t = { latencies: [], burst: 0, ended: 0 };
  t.take = (stamp) => {
    if (stamp === "burst") {
      if (++t.burst === burstCount) t.ended = now();
    } else if (stamp && stamp !== "warmup") t.latencies.push(now() - Number(stamp));
  };
  return t;
}

/** The figures of one client's tally: latency samples and the burst's rate. */
function figures({ latencies, burst, ended }, started) {
  return {
    latencyMedianUs: us(quantile(latencies, 0.5)),
    latencyP99Us: us(quantile(latencies, 0.99)),
    latencySamples: latencies.length,
    ticksPerSec: Math.round(burst / ((ended - started) / 1000)),
  };
}

/** Has the mock send the latency samples, then the burst, and awaits `burstArrived`. Resolves
 *  with the time the mock started the burst. */
async function drive(mock, o, burstArrived) {
  mock.worker.postMessage({ type: "latency", count: o.samples, gapMs: 2 });
  await mock.next();
  mock.worker.postMessage({ type: "burst", count: o.burst });
  const { started } = await mock.next();
  await burstArrived();
  return started;
}

/** Resolves once `done()` holds, asked every 20 ms. */
async function until(done) {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

/** The same trades to a bare `ws` socket of this process, subscribed and parsed by hand (the
 *  frame split on `|` and `^`): the transport's own latency, under the client's. */
async function rawNode(mock, o) {
  const approval = await fetch(`${mock.url}/oauth2/Approval`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", appkey: "bench-raw-app-key-0123456789", secretkey: "bench-app-secret-0123456789" }),
  }).then((r) => r.json());
  const ws = new WebSocket(mock.wsUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const t = tally(o.burst);
  let subscribed;
  const taken = new Promise((r) => (subscribed = r));
  ws.on("message", (data) => {
    const text = String(data);
    if (text[0] !== "0" && text[0] !== "1") return subscribed(); // KIS's JSON answer to the subscription
    t.take(text.split("|")[3].split("^").at(-1));
  });
  ws.send(JSON.stringify({
    header: { approval_key: approval.approval_key, custtype: "P", tr_type: "1", "content-type": "utf-8" },
    body: { input: { tr_id: "H0STCNT0", tr_key: SYMBOL } },
  }));
  await taken;
  const started = await drive(mock, o, () => until(() => t.burst >= o.burst));
  ws.close();
  return figures(t, started);
}

async function inNode(mock, o) {
  const kis = new KisClient({ appKey: "bench-app-key-0123456789", appSecret: "bench-app-secret-0123456789", env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: null });
  const rt = kis.realtime({ WebSocket, url: mock.wsUrl });
  const t = tally(o.burst);
  await rt.trades(SYMBOL, (trade) => t.take(trade.raw._46));
  const started = await drive(mock, o, () => until(() => t.burst >= o.burst));
  rt.close();
  kis.free();
  return figures(t, started);
}

/** In the page: the same trades to a bare WebSocket through the proxy, subscribed and parsed
 *  by hand, as rawNode does (the proxy holds the keys and the approval key). */
async function rawPage({ proxyUrl, symbol }) {
  const b = window.__bench;
  const ws = new WebSocket(proxyUrl.replace(/^http/, "ws"));
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let subscribed;
  const taken = new Promise((r) => (subscribed = r));
  ws.onmessage = (e) => {
    const text = e.data;
    if (text[0] !== "0" && text[0] !== "1") return subscribed();
    b.take(text.split("|")[3].split("^").at(-1));
  };
  ws.send(JSON.stringify({
    header: { approval_key: "held-by-proxy", custtype: "P", tr_type: "1", "content-type": "utf-8" },
    body: { input: { tr_id: "H0STCNT0", tr_key: symbol } },
  }));
  await taken;
  b.stop = () => ws.close();
}

/** In the page: the package's browser build through the proxy, as a dashboard uses it. */
async function clientPage({ proxyUrl, symbol }) {
  const { KisClient } = await import("/pkg/web/index.js");
  const kis = new KisClient({ appKey: "held-by-proxy", appSecret: "held-by-proxy", env: "mock", baseUrl: proxyUrl, rateLimitPerSec: 0, hashkey: false, logger: null });
  const rt = kis.realtime({ url: proxyUrl.replace(/^http/, "ws") });
  const b = window.__bench;
  await rt.trades(symbol, (t) => b.take(t.raw._46));
  b.stop = () => {
    rt.close();
    kis.free();
  };
}

async function inChromium(mock, o) {
  const { chromium } = await import("playwright-core");
  const page0 = await startDashboardServer({ port: 0 });
  const proxy = await startCorsProxy({
    upstream: mock.url, allowOrigins: [page0.url], log: () => {},
    hold: { appKey: "bench-app-key-0123456789", appSecret: "bench-app-secret-0123456789", env: "mock", rateLimitPerSec: 0 },
  });
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "kis-bench-")), {
    ...CHROMIUM,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Any page of the dashboard's origin, from which the package's browser build is imported.
    await page.goto(`${page0.url}/bench`);
    // The page's clock against this process's: the page reads its clock between two of ours;
    // the narrowest bracket of 200 bounds the offset. A bracket is a DevTools round trip, 0.8 ms
    // at best on this machine (1.6 ms at best of 30), and the page's clock is coarsened to 100 µs:
    // the latencies below are good to half the bracket, which the table prints beside them.
    let best = { width: Infinity, offset: 0 };
    for (let i = 0; i < 200; i++) {
      const a = now();
      const p = await page.evaluate(() => performance.timeOrigin + performance.now());
      const b = now();
      if (b - a < best.width) best = { width: b - a, offset: p - (a + b) / 2 };
    }
    const measure = async (inPage) => {
      // The page's tally is this file's own, its text evaluated there.
      await page.evaluate(`window.__bench = (${tally})(${o.burst})`);
      await page.evaluate(inPage, { proxyUrl: proxy.url, symbol: SYMBOL });
      const started = await drive(mock, o, () =>
        page.waitForFunction((n) => window.__bench.burst >= n, o.burst, { timeout: 120_000, polling: 50 }));
      const b = await page.evaluate(() => {
        window.__bench.stop();
        const { latencies, burst, ended } = window.__bench;
        return { latencies, burst, ended };
      });
      // The page's readings, taken on its clock, put on this process's, which stamped the sends:
      // unaligned, a latency carried the clocks' offset and could read below zero.
      const aligned = { ...b, latencies: b.latencies.map((l) => l - best.offset), ended: b.ended - best.offset };
      return figures(aligned, started);
    };
    const raw = await measure(rawPage);
    const client = await measure(clientPage);
    return { raw, client, clockOffsetUs: us(best.offset), clockBracketUs: us(best.width) };
  } finally {
    await context.close();
    await proxy.close();
    await page0.close();
  }
}

export async function realtime({ quick = false } = {}) {
  const o = { samples: quick ? 300 : 2000, burst: quick ? 5000 : 30000 };
  const { worker, next, ready } = startWorker();
  const { url, wsUrl } = await ready;
  const mock = { worker, next, url, wsUrl };
  try {
    const raw = await rawNode(mock, o);
    const node = await inNode(mock, o);
    const browser = await inChromium(mock, o);
    return {
      realtimeRawNodeLatencyMedianUs: raw.latencyMedianUs,
      realtimeRawNodeLatencyP99Us: raw.latencyP99Us,
      realtimeRawNodeTicksPerSec: raw.ticksPerSec,
      realtimeNodeLatencyMedianUs: node.latencyMedianUs,
      realtimeNodeLatencyP99Us: node.latencyP99Us,
      realtimeNodeTicksPerSec: node.ticksPerSec,
      realtimeRawChromiumLatencyMedianUs: browser.raw.latencyMedianUs,
      realtimeRawChromiumLatencyP99Us: browser.raw.latencyP99Us,
      realtimeRawChromiumTicksPerSec: browser.raw.ticksPerSec,
      realtimeChromiumLatencyMedianUs: browser.client.latencyMedianUs,
      realtimeChromiumLatencyP99Us: browser.client.latencyP99Us,
      realtimeChromiumTicksPerSec: browser.client.ticksPerSec,
      realtimeChromiumClockOffsetUs: browser.clockOffsetUs,
      realtimeChromiumClockBracketUs: browser.clockBracketUs,
      realtimeSamples: o.samples,
      realtimeBurst: o.burst,
    };
  } finally {
    worker.postMessage({ type: "close" });
    await new Promise((r) => worker.once("exit", r));
  }
}
