// The hand-written glue (pkg-templates/glue.mjs) and the raw interface under it: strings that
// grow the wasm memory while they cross, text that is not ASCII, JSON the glue cannot make, and
// a client's life (free, calls in flight, dispose).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import { KisError } from "kis-wasm";
import { PRICE, client, fakeFetch, response } from "./fake-fetch.mjs";

// Not part of the API: the CommonJS entry's hook for the soak benchmark (one instance for both).
const { __wasmMemoryBytes } = createRequire(import.meta.url)("kis-wasm");

test("glue: an answer larger than the wasm memory, in Korean, crosses intact both ways", async () => {
  // 3 bytes a character in UTF-8: 6 MB, more than the module's memory when the test starts.
  const big = "삼성전자우".repeat(400_000);
  const before = __wasmMemoryBytes();
  assert.ok(big.length * 3 > before, `the body (${big.length * 3} B) outgrows the memory (${before} B)`);
  const f = fakeFetch({ answer: (url, init) => response(200, { rt_cd: "0", msg1: "정상처리 되었습니다.", echo: JSON.parse(init.body).note, big }) });
  const kis = client({ fetch: f.fetch, hashkey: false });
  const reply = await kis.request({ method: "POST", path: "/uapi/domestic-stock/v1/trading/some-tr", trId: "TTTC0000U", body: { note: "한글 메모 ✓ 🚀" } });
  assert.ok(__wasmMemoryBytes() > before, "the memory grew while the answer crossed");
  assert.equal(reply.body.big.length, big.length);
  assert.equal(reply.body.big, big);
  assert.equal(reply.body.echo, "한글 메모 ✓ 🚀", "the request body went out as UTF-8 and came back");
  assert.equal(reply.body.msg1, "정상처리 되었습니다.");
  // And a quote after that still works: the glue's view of the memory follows its growth.
  const q = await client({ fetch: fakeFetch().fetch }).getPrice("005930");
  assert.equal(q.price, 70000);
});

test("glue: arguments JSON cannot hold are refused with the field named, before any request", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const cyclic = { symbol: "005930", quantity: 1 };
  cyclic.self = cyclic;
  await assert.rejects(kis.buy(cyclic), (e) => e instanceof KisError && e.kind === "validation" && e.field === "order" && /cannot be converted to JSON/.test(e.message));
  await assert.rejects(kis.getPrice(5930n), (e) => e instanceof KisError && e.field === "symbol");
  assert.throws(() => client({ fetch: f.fetch, timeoutMs: 10n }), (e) => e instanceof KisError && e.field === "options.timeoutMs");
  assert.throws(() => client({ fetch: f.fetch, onEvent: "yes" }), (e) => e instanceof KisError && e.field === "options.onEvent");
  assert.throws(() => client({ fetch: f.fetch, tokenStore: { get() {} } }), (e) => e instanceof KisError && e.field === "options.tokenStore.set");
  assert.throws(() => kis.startTokenRefresh("60000"), (e) => e instanceof KisError && e.field === "intervalMs");
  assert.throws(() => kis.startTokenRefresh(NaN), (e) => e instanceof KisError && e.field === "intervalMs");
  assert.equal(f.calls.length, 0);
});

test("glue: a token store that answers with what JSON cannot hold is reported, and the client carries on", async () => {
  const warnings = [];
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch, tokenStore: { get: () => ({ accessToken: 1n }), set() {} }, logger: { warn: (m) => warnings.push(m), error() {} } });
  assert.equal((await kis.getPrice("005930")).price, 70000);
  assert.equal(f.tokens(), 1, "a token was issued instead");
  assert.ok(warnings.some((w) => /token store read failed: tokenStore\.get\(\): cannot be converted to JSON/.test(w)), warnings.join("\n"));
});

test("glue: free() lets a client go; its calls in flight finish, later ones reject", async () => {
  const f = fakeFetch();
  const kis = client({ fetch: f.fetch });
  const inFlight = kis.getPrice("005930");
  kis.free();
  kis.free(); // twice is harmless
  assert.equal((await inFlight).price, 70000, "the call in flight finished");
  await assert.rejects(kis.getPrice("005930"), (e) => e instanceof KisError && e.kind === "validation" && /freed KisClient/.test(e.message));
  assert.equal(kis.token, null);
  assert.throws(() => kis.startTokenRefresh(), /freed KisClient/);
  if (Symbol.dispose) {
    const other = client({ fetch: f.fetch });
    other[Symbol.dispose]();
    await assert.rejects(other.getPrice("005930"), /freed KisClient/);
  }
  // Methods are the prototype's, not enumerable own properties, as on a class.
  assert.deepEqual(Object.keys(client({ fetch: f.fetch })), []);
  assert.equal(typeof client({ fetch: f.fetch }).issueToken, "function");
});

test("glue: many clients made and dropped do not pile up in the wasm memory", async () => {
  const f = fakeFetch();
  for (let i = 0; i < 200; i++) await client({ fetch: f.fetch }).ensureToken();
  globalThis.gc?.();
  const before = __wasmMemoryBytes();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 200; i++) {
      const kis = client({ fetch: f.fetch });
      await kis.getPrice("005930");
      kis.free();
    }
  }
  assert.equal(__wasmMemoryBytes(), before, "1,000 freed clients left the memory as it was");
  assert.equal(PRICE.rt_cd, "0");
});

test("glue: once the wasm traps, calls in flight fail (an order as orderStatusUnknown) and later ones are refused, with nothing left uncaught", async () => {
  // A glue of its own over a fresh instance, whose kis_response traps on demand as a Rust panic would.
  const require = createRequire(import.meta.url);
  const dir = require.resolve("kis-wasm/package.json").replace(/package\.json$/, "node/");
  const { kisGlue } = require(dir + "glue.cjs");
  const glue = kisGlue(KisError);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(dir + "kis_wasm.wasm")), glue.imports);
  let trap = false;
  const exports = { ...instance.exports };
  exports.kis_response = (...args) => {
    if (trap) throw new WebAssembly.RuntimeError("unreachable");
    return instance.exports.kis_response(...args);
  };
  glue.start({ exports });
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(e);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  try {
    const f = fakeFetch();
    const opts = { appKey: "PSappkey0123456789abcdefghij", appSecret: "secret0123456789abcdefghijklmnop", account: "12345678-01", baseUrl: "http://kis.test", rateLimitPerSec: 0, hashkey: false, logger: null, fetch: f.fetch };
    const kis = new glue.KisClient(opts);
    await kis.ensureToken();
    trap = true;
    const [quote, order] = await Promise.allSettled([kis.getPrice("005930"), kis.buy({ symbol: "005930", quantity: 1 })]);
    assert.ok(quote.reason instanceof KisError && quote.reason.kind === "decode" && /kis-wasm stopped \(unreachable\)/.test(quote.reason.message), String(quote.reason));
    assert.ok(order.reason instanceof KisError && order.reason.kind === "orderStatusUnknown" && /check today's orders/.test(order.reason.message), String(order.reason));
    const sent = f.calls.length;
    await assert.rejects(kis.getPrice("005930"), (e) => e === quote.reason);
    assert.throws(() => new glue.KisClient(opts), (e) => e === quote.reason);
    assert.equal(f.calls.length, sent, "nothing sent once stopped");
    kis.free();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
});
