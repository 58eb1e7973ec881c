// Benchmarks that print figures (not timed tests): size, per-call overhead, rate-limit use,
// token single-flight, cold start, soak. Against kis-mock on loopback. Writes bench/results.json
// and BENCHMARKS.md. This machine is shared and noisy: medians of several runs, and ratios
// measured within one run.
import fs from "node:fs";
import os from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { KisHttpClient } from "cluefin-openapi";
import { instantFetch, median } from "./instant.mjs";
import { realtime } from "./realtime.mjs";

const require = createRequire(import.meta.url);
const pkgDir = require.resolve("kis-wasm/package.json").replace(/package\.json$/, "");
const quick = process.argv.includes("--quick");
const keys = (n = "") => ({ appKey: `bench-app-key-0123456789${n}`, appSecret: "bench-app-secret-0123456789" });

// ---- size -------------------------------------------------------------------------------------
const sizes = JSON.parse(fs.readFileSync(pkgDir + "sizes.json", "utf8"));
// The stack's floor (bench/floor), built by scripts/bench.sh; without it, its figures are null.
const floorJs = "../target/floor/pkg/kis_wasm_floor.js";
const { Floor } = fs.existsSync(new URL(floorJs, import.meta.url)) ? require(floorJs) : {};
// The floor awaits the package's own exchange, as the client does (src/wasm/fetch.rs).
const { exchange } = require(pkgDir + "node/shared.cjs");

// ---- per-call overhead over a raw fetch with hand-built headers ------------------------------
async function overhead() {
  const mock = await startMockKis({ env: "real", rateLimit: 0 });
  const kis = new KisClient({ ...keys(), baseUrl: mock.url, env: "real", rateLimitPerSec: 0, logger: null });
  await kis.ensureToken();
  // The same request by hand: the headers a careful script would build itself.
  const tokenRes = await fetch(`${mock.url}/oauth2/tokenP`, { method: "POST", body: JSON.stringify({ grant_type: "client_credentials", appkey: keys("raw").appKey, appsecret: keys().appSecret }) }).then((r) => r.json());
  const url = `${mock.url}/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`;
  const headers = { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${tokenRes.access_token}`, appkey: keys("raw").appKey, appsecret: keys().appSecret, tr_id: "FHKST01010100", custtype: "P" };
  const raw = async () => {
    const r = await fetch(url, { headers });
    const body = JSON.parse(await r.text());
    if (body.rt_cd !== "0") throw new Error(body.msg1);
    return Number(body.output.stck_prpr);
  };
  // The same with the client's per-attempt timeout (an AbortController and a timer): what the
  // client costs beyond what a careful script would also pay.
  const rawTimed = async () => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 30_000);
    try {
      const r = await fetch(url, { headers, signal: ctl.signal });
      const body = JSON.parse(await r.text());
      if (body.rt_cd !== "0") throw new Error(body.msg1);
      return Number(body.output.stck_prpr);
    } finally {
      clearTimeout(timer);
    }
  };
  const viaClient = async () => (await kis.getPrice("005930")).price;
  // The stack's floor (bench/floor, built by scripts/bench.sh): the same request through
  // wasm-bindgen-futures and js-sys with the client's timeout and stream reading, and nothing of
  // KIS; then with the body parsed by serde_json. What any client on this stack pays.
  const floor = Floor && new Floor(fetch, url, Object.entries(headers), exchange);
  const viaFloor = floor ? () => floor.bare() : async () => {};
  const viaFloorParsed = floor ? () => floor.parsed() : async () => {};
  // And with design.md §1's data path: JSON.parse by JS, the quote read through
  // serde-wasm-bindgen, `raw` KIS's own object.
  const viaFloorJs = floor ? async () => (await floor.jsParsed()).price : async () => {};
  // cluefin-openapi, the TypeScript KIS client with the widest coverage, on the same mock: it
  // has no base URL option, so its injected fetch points KIS's host at the mock (a string
  // replace, well under a microsecond). Its limiter is opened up as ours is turned off.
  const kisHost = "https://openapi.koreainvestment.com:9443";
  const cluefin = new KisHttpClient({
    token: tokenRes.access_token, appKey: keys("raw").appKey, secretKey: keys().appSecret, env: "prod",
    rateLimitRequestsPerSecond: 1e9, rateLimitBurst: 1e9, fetchImpl: (u, i) => fetch(String(u).replace(kisHost, mock.url), i),
  });
  const viaCluefin = async () => {
    const r = await cluefin.domesticBasicQuote.getStockCurrentPrice({ fidCondMrktDivCode: "J", fidInputIscd: "005930" });
    return Number(r.body.output.stckPrpr);
  };
  if ((await viaCluefin()) !== (await viaClient())) throw new Error("cluefin and kis-wasm read different prices");
  const n = quick ? 200 : 1000;
  for (let i = 0; i < 100; i++) { await raw(); await rawTimed(); await viaClient(); await viaCluefin(); await viaFloor(); await viaFloorParsed(); await viaFloorJs(); } // warm up
  const us = async (f) => { const t = process.hrtime.bigint(); await f(); return Number(process.hrtime.bigint() - t) / 1000; };
  const runs = [];
  for (let run = 0; run < (quick ? 3 : 7); run++) {
    const rawUs = [], clientUs = [], diffUs = [], timedDiffUs = [], cluefinUs = [], cluefinDiffUs = [], floorDiffUs = [], floorParsedDiffUs = [], floorJsDiffUs = [];
    for (let i = 0; i < n; i++) {
      // Interleaved, so drift in the machine's load hits all alike; the median of the
      // differences ignores the rounds a GC pause or a neighbour's burst landed in.
      const a = await us(raw), b = await us(viaClient), c = await us(rawTimed), d = await us(viaCluefin);
      rawUs.push(a); clientUs.push(b); diffUs.push(b - a); timedDiffUs.push(b - c);
      cluefinUs.push(d); cluefinDiffUs.push(d - a);
      floorDiffUs.push((await us(viaFloor)) - a); floorParsedDiffUs.push((await us(viaFloorParsed)) - a);
      floorJsDiffUs.push((await us(viaFloorJs)) - a);
    }
    runs.push({ rawUs: median(rawUs), clientUs: median(clientUs), diffUs: median(diffUs), timedDiffUs: median(timedDiffUs), cluefinUs: median(cluefinUs), cluefinDiffUs: median(cluefinDiffUs), floorDiffUs: median(floorDiffUs), floorParsedDiffUs: median(floorParsedDiffUs), floorJsDiffUs: median(floorJsDiffUs) });
  }
  mock.requests.length = 0;
  await mock.close();
  return {
    overheadUsMedian: +median(runs.map((r) => r.diffUs)).toFixed(1),
    overheadVsTimedFetchUsMedian: +median(runs.map((r) => r.timedDiffUs)).toFixed(1),
    rawCallUsMedian: +median(runs.map((r) => r.rawUs)).toFixed(1),
    clientCallUsMedian: +median(runs.map((r) => r.clientUs)).toFixed(1),
    cluefinOverheadUsMedian: +median(runs.map((r) => r.cluefinDiffUs)).toFixed(1),
    cluefinCallUsMedian: +median(runs.map((r) => r.cluefinUs)).toFixed(1),
    floorOverheadUsMedian: floor ? +median(runs.map((r) => r.floorDiffUs)).toFixed(1) : null,
    floorParsedOverheadUsMedian: floor ? +median(runs.map((r) => r.floorParsedDiffUs)).toFixed(1) : null,
    floorJsOverheadUsMedian: floor ? +median(runs.map((r) => r.floorJsDiffUs)).toFixed(1) : null,
  };
}

// ---- the client's own cost: getPrice over a fetch that answers at once ------------------------
// No socket, no server: what is left is the client's work (inputs, headers, the promise and
// fetch adapters, reading KIS's answer, the result) beside the same fetch read by hand.
async function instant() {
  const answer = await instantFetch(KisClient, keys("capture").appKey);
  const kis = new KisClient({ ...keys(), baseUrl: "http://127.0.0.1:9", env: "real", rateLimitPerSec: 0, logger: null, fetch: answer });
  await kis.ensureToken();
  const byHand = async () => { const r = await answer("u"); return Number(JSON.parse(await r.text()).output.stck_prpr); };
  const viaClient = async () => (await kis.getPrice("005930")).price;
  // The stack's floor over the same fetch: what is left of the client's cost above it is the
  // engine's work and the result's way back to JS.
  const headers = { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${"t".repeat(350)}`, appkey: keys().appKey, appsecret: keys().appSecret, tr_id: "FHKST01010100", custtype: "P" };
  const floor = Floor && new Floor(answer, "http://127.0.0.1:9/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930", Object.entries(headers), exchange);
  const viaFloor = floor ? () => floor.bare() : async () => {};
  const viaFloorParsed = floor ? () => floor.parsed() : async () => {};
  const viaFloorJs = floor ? async () => (await floor.jsParsed()).price : async () => {};
  if (floor && (await viaFloorJs()) !== (await viaClient())) throw new Error("the floor's quote and the client's differ");
  const n = quick ? 2000 : 10_000;
  for (let i = 0; i < n / 5; i++) { await byHand(); await viaClient(); await viaFloor(); await viaFloorParsed(); await viaFloorJs(); } // warm up
  const perCall = async (f) => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) await f(); return Number(process.hrtime.bigint() - t) / 1000 / n; };
  const runs = [];
  for (let run = 0; run < 5; run++) {
    runs.push({ hand: await perCall(byHand), client: await perCall(viaClient), floor: await perCall(viaFloor), floorParsed: await perCall(viaFloorParsed), floorJs: await perCall(viaFloorJs) });
  }
  return {
    instantClientUsMedian: +median(runs.map((r) => r.client)).toFixed(1),
    instantByHandUsMedian: +median(runs.map((r) => r.hand)).toFixed(1),
    instantFloorUsMedian: floor ? +median(runs.map((r) => r.floor)).toFixed(1) : null,
    instantFloorParsedUsMedian: floor ? +median(runs.map((r) => r.floorParsed)).toFixed(1) : null,
    instantFloorJsUsMedian: floor ? +median(runs.map((r) => r.floorJs)).toFixed(1) : null,
  };
}

// ---- rate-limit utilisation ---------------------------------------------------------------------
async function rateLimit() {
  const runs = [];
  for (let run = 0; run < (quick ? 1 : 3); run++) {
    const mock = await startMockKis({ env: "real", rateLimit: 18 });
    const kis = new KisClient({ ...keys(), baseUrl: mock.url, env: "real", logger: null });
    await kis.ensureToken();
    const before = mock.requests.length;
    await Promise.all(Array.from({ length: 100 }, () => kis.getPrice("005930")));
    const arrivals = mock.requests.slice(before).filter((r) => r.path.endsWith("/inquire-price")).map((r) => r.at);
    // The 100th call may not start before 5 windows after the first (99 = 5×18 + 9): achieved
    // rate ÷ 18 = ideal span ÷ actual span.
    const span = (arrivals.at(-1) - arrivals[0]) / 1000;
    runs.push({ utilisation: Math.floor(99 / 18) / span, errors: mock.counts.egw00201 });
    await mock.close();
  }
  return { rateLimitUtilisation: +median(runs.map((r) => r.utilisation)).toFixed(3), rateLimitErrors: Math.max(...runs.map((r) => r.errors)) };
}

async function tokens() {
  const mock = await startMockKis({ env: "real", rateLimit: 0 });
  const kis = new KisClient({ ...keys(), baseUrl: mock.url, env: "real", rateLimitPerSec: 0, logger: null });
  await Promise.all(Array.from({ length: 50 }, () => kis.getPrice("000660")));
  const n = mock.counts.tokenP;
  await mock.close();
  return { tokenRequestsFor50Concurrent: n };
}

// ---- cold start: a fresh Node process compiling and instantiating the wasm -----------------
// Two figures, each the median of fresh processes: the issue's (compile + instantiate of the
// wasm, its bytes already read, with stub imports of the same count and signatures), and what a
// user waits for (require() of the Node entry: resolving and compiling the JS too, the first fs
// read, compile and instantiate).
function coldStart() {
  const wasmPath = JSON.stringify(pkgDir + "node/kis_wasm_bg.wasm");
  const compile = `const b=require("fs").readFileSync(${wasmPath});const t=process.hrtime.bigint();
    const m=new WebAssembly.Module(b);const imports={};
    for(const i of WebAssembly.Module.imports(m))(imports[i.module]??={})[i.name]=()=>{throw new Error("stub")};
    new WebAssembly.Instance(m,imports);console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const require_ = `const t=process.hrtime.bigint();require(${JSON.stringify(pkgDir + "node/index.cjs")});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const fresh = (script) => Array.from({ length: quick ? 3 : 11 }, () => Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })));
  return { coldStartMs: +median(fresh(compile)).toFixed(2), requireMs: +median(fresh(require_)).toFixed(2) };
}

// ---- memory: twenty 6 MB answers in a row, in a fresh process (bench/memory.mjs) ---------------
function memory() {
  const out = execFileSync(process.execPath, [new URL("memory.mjs", import.meta.url).pathname], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop());
}

// ---- the engine's instructions per getPrice, natively, under callgrind -------------------------
// Times on this shared machine move by a quarter from run to run; an instruction count does not,
// so it shows what a change to the Rust did. The slope between two call counts leaves out the
// start-up. x86-64 instructions of the native build (same opt-level and LTO), not wasm's.
function instructions() {
  const bin = "target/release/examples/get_price_work";
  const refs = (calls) => {
    const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", bin, String(calls)], { encoding: "utf8" });
    const m = /refs:\s+([\d,]+)/.exec(r.stderr ?? "");
    if (!m) throw new Error(`callgrind gave no count: ${r.stderr || r.error}`);
    return Number(m[1].replaceAll(",", ""));
  };
  return { engineInstructionsPerGetPrice: Math.round((refs(3000) - refs(1000)) / 2000) };
}

// ---- soak: many calls with random faults ----------------------------------------------------
async function soak() {
  const calls = quick ? 1000 : 10_000;
  const mock = await startMockKis({ env: "real", rateLimit: 0, tokenIssueIntervalSec: 0 });
  const kis = new KisClient({ ...keys(), baseUrl: mock.url, env: "real", rateLimitPerSec: 0, retry: { delayMs: 5 }, logger: null });
  const { __wasmMemoryBytes } = require(pkgDir + "node/index.cjs");
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on("unhandledRejection", onUnhandled);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = [];
  const outcomes = { ok: 0, failed: 0 };
  const concurrency = 20;
  // A tenth more calls first, unsampled: the JS heap grows by a third while undici's pool, V8's
  // compiled code and the mock warm up, and a leak check compares steady states.
  const warm = calls / 10;
  let next = -warm;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      const r = rand();
      if (r < 0.02) mock.addFault({ path: "/inquire-price", type: "html", status: 502 });
      else if (r < 0.03) mock.addFault({ path: "/inquire-price", type: "reset" });
      else if (r < 0.032) mock.addFault({ path: "/inquire-price", type: "egw00201" });
      try {
        await kis.getPrice("005930");
        if (i >= 0) outcomes.ok++;
      } catch {
        if (i >= 0) outcomes.failed++;
      }
      if (i >= 0 && i % Math.floor(calls / 20) === 0) {
        mock.requests.length = 0; // the mock's record is not the client's memory
        globalThis.gc?.();
        samples.push({ i, heap: process.memoryUsage().heapUsed, wasm: __wasmMemoryBytes() });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  process.off("unhandledRejection", onUnhandled);
  await mock.close();
  const q = Math.floor(samples.length / 4);
  const avg = (xs) => xs.reduce((a, s) => a + s.heap + s.wasm, 0) / xs.length;
  const first = avg(samples.slice(0, q)), last = avg(samples.slice(-q));
  return { soakCalls: calls, soakUnhandled: unhandled, soakHeapGrowthPct: +((100 * (last - first)) / first).toFixed(1), soakOk: outcomes.ok, soakFailed: outcomes.failed };
}

// `--only=overhead,cold` runs just those and prints them, writing nothing (for profiling work).
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
if (only) {
  const parts = { overhead, instant, instructions, rateLimit, tokens, cold: coldStart, memory, soak, realtime: () => realtime({ quick }) };
  for (const name of only) console.log(name, await parts[name]());
  process.exit(0);
}

const results = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  wasmGzipBytes: sizes.wasmGzipBytes,
  glueGzipBytes: sizes.glueGzipBytes,
  ...(await overhead()),
  ...(await instant()),
  ...instructions(),
  ...(await rateLimit()),
  ...(await tokens()),
  ...coldStart(),
  ...memory(),
  ...(await soak()),
  ...(await realtime({ quick })),
};
fs.mkdirSync("bench", { recursive: true });
fs.writeFileSync("bench/results.json", JSON.stringify(results, null, 2) + "\n");

const targets = [
  ["wasm + glue, gzip -9 (browser build)", `${results.wasmGzipBytes} + ${results.glueGzipBytes} B`, "≤ 100 KB together", results.wasmGzipBytes + results.glueGzipBytes <= 100 * 1024],
  ["getPrice overhead over a raw fetch (median of paired differences)", `${results.overheadUsMedian} µs (raw ${results.rawCallUsMedian} µs, client ${results.clientCallUsMedian} µs)`, `≤ ⅓ of cluefin's: ${(results.cluefinOverheadUsMedian / 3).toFixed(1)} µs`, results.overheadUsMedian <= results.cluefinOverheadUsMedian / 3],
  ["cluefin-openapi 0.5.0's overhead, same calls, same run", `${results.cluefinOverheadUsMedian} µs (call ${results.cluefinCallUsMedian} µs)`, "(the yardstick)", null],
  ["the stack's floor, same run: fetch + timeout + stream read through wasm-bindgen-futures and js-sys, nothing of KIS (bench/floor); then with serde_json parsing the body; then with design.md §1's data path, the body parsed by JS's JSON.parse and a Quote with raw built from it through serde-wasm-bindgen", `${results.floorOverheadUsMedian} µs; ${results.floorParsedOverheadUsMedian} µs; ${results.floorJsOverheadUsMedian} µs`, "(for reference)", null],
  ["… over a raw fetch with the same 30 s timeout (AbortController + timer)", `${results.overheadVsTimedFetchUsMedian} µs`, "(for reference)", null],
  ["getPrice over a fetch that answers at once (the client's own cost), vs that fetch read by hand", `${results.instantClientUsMedian} µs vs ${results.instantByHandUsMedian} µs`, "(for reference)", null],
  ["… and the stack's floor over that fetch (bench/floor): bare; with serde_json parsing the body; with §1's data path", `${results.instantFloorUsMedian} µs; ${results.instantFloorParsedUsMedian} µs; ${results.instantFloorJsUsMedian} µs`, "(for reference)", null],
  ["… of which the engine's own work: instructions per getPrice, native, callgrind", String(results.engineInstructionsPerGetPrice), "(for reference)", null],
  ["rate-limit utilisation, 100 calls at 18/s", String(results.rateLimitUtilisation), "≥ 0.95", results.rateLimitUtilisation >= 0.95],
  ["EGW00201 seen by the mock in that run", String(results.rateLimitErrors), "0", results.rateLimitErrors === 0],
  ["tokenP calls for 50 concurrent cold calls", String(results.tokenRequestsFor50Concurrent), "1", results.tokenRequestsFor50Concurrent === 1],
  ["cold start: compile + instantiate of the wasm (median)", `${results.coldStartMs} ms`, "≤ 10 ms", results.coldStartMs <= 10],
  ["… and all of require() of the Node entry's glue (median)", `${results.requireMs} ms`, "(for reference)", null],
  ["realtime, Node: kis-mock's send → rt.trades callback, median / p99", `${results.realtimeNodeLatencyMedianUs} / ${results.realtimeNodeLatencyP99Us} µs`, "(for reference)", null],
  ["… and the same trades to a bare ws socket parsed by hand (the transport's own), median / p99", `${results.realtimeRawNodeLatencyMedianUs} / ${results.realtimeRawNodeLatencyP99Us} µs`, "(for reference)", null],
  ["realtime, Chromium through the proxy: send → callback, median / p99", `${results.realtimeChromiumLatencyMedianUs} / ${results.realtimeChromiumLatencyP99Us} µs (the page's clock, ${results.realtimeChromiumClockOffsetUs} µs off, aligned to ± ${Math.round(results.realtimeChromiumClockBracketUs / 2)} µs)`, "(for reference)", null],
  ["… and the same trades to a bare WebSocket of the page through the proxy, parsed by hand, median / p99", `${results.realtimeRawChromiumLatencyMedianUs} / ${results.realtimeRawChromiumLatencyP99Us} µs`, "(for reference)", null],
  ["realtime: trades one connection parses a second, flooded (Node / Chromium via proxy; bare sockets parsed by hand: Node / Chromium)", `${results.realtimeNodeTicksPerSec} / ${results.realtimeChromiumTicksPerSec}; ${results.realtimeRawNodeTicksPerSec} / ${results.realtimeRawChromiumTicksPerSec}`, "(for reference)", null],
  ["memory: twenty 6 MB answers in a row (kis-mock, request()), a fresh process: the first grows the wasm memory by; the next nineteen by", `${(results.memoryFirstGrowthBytes / 2 ** 20).toFixed(1)} MiB (${(results.memoryFirstGrowthBytes / results.memoryAnswerBytes).toFixed(2)}× the answer); ${results.memoryLaterGrowthBytes} B; a small call after them ${results.memorySmallCallAfterOk ? "works" : "fails"}`, "< 5× the answer; 0; works", results.memoryFirstGrowthBytes < 5 * results.memoryAnswerBytes && results.memoryLaterGrowthBytes === 0 && results.memorySmallCallAfterOk],
  [`soak: ${results.soakCalls} calls with random faults`, `${results.soakUnhandled} unhandled, heap ${results.soakHeapGrowthPct} % (${results.soakOk} ok, ${results.soakFailed} failed)`, "0 unhandled, < 10 %", results.soakUnhandled === 0 && results.soakHeapGrowthPct < 10],
];
const md = `# Benchmarks

Measured by \`bash scripts/bench.sh\` on ${results.date.slice(0, 10)}: ${results.machine}.
Against \`kis-mock\` on 127.0.0.1. Medians of several runs. The overhead is measured by
interleaving the client's, cluefin-openapi's and the hand-built calls, so that load on this shared machine hits all alike.

| what | measured | target | met |
|---|---|---|---|
${targets.map(([w, m, t, ok]) => `| ${w} | ${m} | ${t} | ${ok === null ? "—" : ok ? "yes" : "**no**"} |`).join("\n")}

How each is measured:
- **Size**: \`pkg/sizes.json\`, written by the build: gzip -9 of the browser \`.wasm\`, and of its JS
  glue plus the entry files.
- **Overhead**: ${quick ? "200" : "1000"} sequential \`getPrice\` calls per run, limiter off, against
  the same number of \`fetch\` calls with hand-built headers and \`JSON.parse\`, interleaved; the
  median of the differences in each run, then the median over runs. The second line compares
  with a raw fetch that also carries a per-request timeout, as the client does: in Node 20 an
  AbortSignal alone costs undici some 20–40 µs a request. Both parse kis-mock's quote, which
  is KIS's full answer (81 fields, 1.95 KB; before 2026-11-28 it had 16 fields, 0.4 KB).
- **Floor**: \`bench/floor\`, a wasm module of its own on the same stack and profile, whose
  method does what the client's transport does (the package's own \`exchange\`: the headers'
  JSON text, an AbortController and a timer, the fetch, the body read from its stream, awaited
  once through wasm-bindgen-futures, the bytes copied into the wasm) and nothing of KIS; its second method also parses the body into a
  \`serde_json::Value\` and reads the price; its third takes design.md §1's data path: the
  body (still read into the wasm from its stream) handed to JS's \`JSON.parse\`, the envelope and
  the quote's nine fields read through serde-wasm-bindgen, and a \`Quote\` built with \`raw\`
  KIS's own object, the result \`getPrice\` gives. Interleaved with the calls above and paired with
  the same raw fetch. The part of the overhead no client on this stack can avoid, and what the
  data path of §1 would leave to everything else a call does.
- **At once**: ${quick ? "2000" : "10 000"} sequential \`getPrice\` calls over an injected fetch that answers
  with kis-mock's quote from memory (a \`Response\` of the text), against that fetch's answer read
  with \`text()\` and \`JSON.parse\`; five runs, the median. No socket and no server: the client's
  own work per call, and the floor under the overhead above. \`bench/floor\` runs over the same
  fetch, interleaved run by run: the client's cost above the bare floor is the engine's work and
  the result's way back to JS, and the parsed floor shows what one \`serde_json::Value\` of the
  answer costs in the wasm.
- **Instructions**: \`examples/get_price_work.rs\` (the engine with a transport that answers at once
  with kis-mock's body, the result written as JSON as the binding does) under valgrind's callgrind,
  for 3000 calls less 1000 calls, over 2000: x86-64 instructions of the native release build (same
  opt-level and LTO as the wasm). Unlike a time, the count is the same on every run, so it is the
  figure that shows what a change to the Rust did; the wasm runs roughly the same work.
- **Utilisation**: 100 \`getPrice\` calls fired at once against a mock limited to 18/s. The 100th
  call may not start before 5 windows after the first; the figure is 5 s ÷ the measured span
  between the first and the last arrival at the mock.
- **Cold start**: fresh \`node\` processes. The target's figure times \`new WebAssembly.Module\`
  and \`new WebAssembly.Instance\` (with stub imports of the same count and signatures) on bytes
  already read. The second figure is everything \`require()\` of the Node glue costs a user:
  resolving and compiling the JS glue, the process's first file read, compiling and
  instantiating the wasm, and its start function.
- **Memory**: \`bench/memory.mjs\` in a fresh \`node\` process, so that the wasm memory starts as a
  user's does: kis-mock answers twenty \`request()\` calls in a row with the same 6 MB of JSON
  (2 M Korean characters), read through the client with \`maxResponseBytes\` raised past it; the
  wasm memory's size (\`__wasmMemoryBytes\`) before, after the first and after the last, then a
  \`getPrice\`. The test command asserts it, with a fake fetch and under 2×, in
  \`test/node/memory.test.mjs\`, a file of its own so that its process is fresh too.
- **cluefin-openapi**: the TypeScript KIS client with the widest coverage, \`domesticBasicQuote.getStockCurrentPrice\`
  interleaved with the three calls above, against the same mock (its injected fetch points KIS's host at the mock,
  a string replace), its rate limiter opened up as ours is turned off. Both clients' overheads are over the same raw fetch.
- **Realtime**: kis-mock on a worker thread sends trades of its own, each stamped with the sender's clock
  (\`performance.timeOrigin + performance.now()\`) in a column past H0STCNT0's 46, which the client keeps in \`raw._46\`;
  ${results.realtimeSamples} of them 2 ms apart for the latency, then ${results.realtimeBurst} at once for the rate (the
  burst's size over the time from its first send to its last callback). In Chromium the page imports the package's
  browser build and subscribes through the key-holding proxy, as a dashboard does; the page's clock is compared with
  the sender's by the narrowest of 30 bracketed reads. Before the client, the same sends go to a bare socket, subscribed
  by hand and each frame split on \`|\` and \`^\`: in Node a \`ws\` socket of the same process (an app key of its
  own), in Chromium the page's own WebSocket through the same proxy. What the socket, the proxy and the event loop
  take, of which the client's figure is the rest.
- **Soak**: 20 concurrent workers. About 2 % of calls get a 502 page, 1 % a reset and 0.2 %
  EGW00201. The heap (JS heap plus wasm memory, after \`gc()\`) is compared between the first and
  the last quarter of the samples, taken every 500 calls after a tenth as many calls again to warm
  up (undici's pool and V8's code grow the JS heap by a third at first, whatever the client does).
`;
fs.writeFileSync("BENCHMARKS.md", md);
console.log(md);
