import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as esm from "kis-wasm";

const require = createRequire(import.meta.url);
const cjs = require("kis-wasm");

test("ESM import and CJS require give the same KisClient (one wasm instance)", () => {
  assert.equal(esm.KisClient, cjs.KisClient);
  assert.equal(esm.KisError, cjs.KisError);
  for (const name of ["KisClient", "KisError", "isKisError", "trIdFor", "buildOrderBody", "isMockUrl", "localStorageTokenStore", "fileTokenStore"]) {
    assert.equal(typeof esm[name], "function", name);
  }
});

test("errors are KisError instances and Errors, with kind and field", () => {
  assert.throws(
    () => new esm.KisClient({ account: "1234" }),
    (e) => e instanceof esm.KisError && e instanceof Error && esm.isKisError(e) && e.name === "KisError" && e.kind === "validation" && e.field === "options.account",
  );
  assert.throws(() => new esm.KisClient({ rateLimitPerSecond: 5 }), (e) => e.field === "options.rateLimitPerSecond");
  assert.throws(() => new esm.KisClient({ fetch: 42 }), (e) => e.field === "options.fetch");
  assert.ok(!esm.isKisError(new Error("x")));
});

test("pure helpers", () => {
  assert.equal(esm.trIdFor("buy", "real"), "TTTC0012U");
  assert.equal(esm.trIdFor("buy", "mock", "legacy"), "VTTC0802U");
  assert.equal(esm.trIdFor("price", "mock"), "FHKST01010100");
  assert.throws(() => esm.trIdFor("short", "real"), (e) => e.kind === "validation" && e.field === "op");
  assert.equal(esm.isMockUrl("https://openapivts.koreainvestment.com:29443"), true);
  assert.equal(esm.isMockUrl("https://openapi.koreainvestment.com:9443"), false);
  assert.deepEqual(esm.buildOrderBody({ account: "12345678-01", symbol: "005930", quantity: 10 }), {
    CANO: "12345678", ACNT_PRDT_CD: "01", PDNO: "005930", ORD_DVSN: "01", ORD_QTY: "10", ORD_UNPR: "0",
    EXCG_ID_DVSN_CD: "KRX", SLL_TYPE: "", CNDT_PRIC: "",
  });
  assert.throws(() => esm.buildOrderBody({ account: "12345678", symbol: "005930", quantity: -1 }), (e) => e.field === "order.quantity");
});

test("the browser entry loads its wasm by fetch: compiled while streaming, from bytes otherwise, and a failed fetch is a clear error", async () => {
  const fs = await import("node:fs");
  const { pathToFileURL } = await import("node:url");
  const entry = pathToFileURL(require.resolve("kis-wasm/package.json").replace(/package\.json$/, "web/index.js")).href;
  const realFetch = globalThis.fetch, realStreaming = WebAssembly.instantiateStreaming;
  const asked = [], streamed = [];
  WebAssembly.instantiateStreaming = (...args) => {
    streamed.push(args[0].headers.get("content-type"));
    return realStreaming(...args);
  };
  try {
    for (const [variant, status, type] of [["streaming", 200, "application/wasm"], ["bytes", 200, "application/octet-stream"], ["missing", 404, "text/plain"]]) {
      globalThis.fetch = async (url) => {
        asked.push(String(url));
        return new Response(status === 200 ? fs.readFileSync(new URL(url)) : "not found", { status, headers: { "content-type": type } });
      };
      // A query string makes each import a module of its own, initialised afresh.
      const load = import(`${entry}?${variant}`);
      if (status !== 200) {
        await assert.rejects(load, /kis_wasm\.wasm answered HTTP 404/);
        continue;
      }
      const web = await load;
      globalThis.fetch = realFetch;
      assert.equal(web.trIdFor("sell", "real"), "TTTC0011U", variant);
      const kis = new web.KisClient({ appKey: "k".repeat(20), appSecret: "s".repeat(20), baseUrl: "http://kis.test", rateLimitPerSec: 0, fetch: async (url) => ({
        status: 200,
        headers: { get: () => null },
        text: async () => JSON.stringify(url.endsWith("/oauth2/tokenP") ? { access_token: "t".repeat(40), expires_in: 86400 } : { rt_cd: "0", output: { stck_prpr: "1234" } }),
      }) });
      assert.equal((await kis.getPrice("005930")).price, 1234, variant);
      await assert.rejects(kis.getPrice(1), (e) => e instanceof web.KisError && e.field === "symbol");
    }
  } finally {
    globalThis.fetch = realFetch;
    WebAssembly.instantiateStreaming = realStreaming;
  }
  assert.deepEqual(streamed, ["application/wasm"], "only the application/wasm answer was streamed");
  assert.equal(asked.length, 3);
  assert.ok(asked.every((u) => u.endsWith("/web/kis_wasm.wasm")), asked.join(" "));
});
