// Every catalogued KIS REST API through the built package's generic path (`call`, `kis.api`),
// against kis-mock on 127.0.0.1, in every environment KIS offers it: the request goes out on its
// path with its TR ID and every documented parameter, and kis-mock's answer has every field of
// the API's layout; in mock, an API KIS does not offer there is refused before sending.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { KisClient, KisError } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
import { APP_KEY, APP_SECRET } from "./secrets.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const catalogue = JSON.parse(fs.readFileSync(path.join(root, "catalogue/kis-api.json"), "utf8"));
/** The APIs kis-mock answers with hand-made logic (the simulated market and account). */
const HAND_MADE = new Set([
  ...["inquire-price", "inquire-daily-price", "inquire-asking-price-exp-ccn", "inquire-time-itemchartprice"].map((p) => `/uapi/domestic-stock/v1/quotations/${p}`),
  ...["order-cash", "order-rvsecncl", "inquire-balance", "inquire-psbl-order", "inquire-daily-ccld"].map((p) => `/uapi/domestic-stock/v1/trading/${p}`),
]);
const FILLED = (n) => n === "CANO" || n === "ACNT_PRDT_CD" || n.startsWith("CTX_AREA_");

let mocks;
before(async () => {
  mocks = { real: await startMockKis({ env: "real", rateLimit: 0 }), mock: await startMockKis({ env: "mock", rateLimit: 0 }) };
});
after(async () => {
  for (const m of Object.values(mocks ?? {})) await m.close();
});

const client = (env) => new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "50012345-01", env, baseUrl: mocks[env].url, rateLimitPerSec: 0, retry: { serverErrors: 0, delayMs: 1 }, logger: null });

/** Every required parameter the client does not fill, as "" (KIS's own empty value). */
const params = (api) => Object.fromEntries(api.request.filter((f) => f.required && !FILLED(f.name)).map((f) => [f.name, ""]));
const { books } = JSON.parse(fs.readFileSync(path.join(root, "catalogue/order-books.json"), "utf8"));
/** What an order API of the order books must carry readably, or be refused before it is sent
 *  (B6): a quantity, a price, a side where a parameter gives it; a change, the order it changes. */
function orderTerms(api) {
  for (const b of books) {
    const order = b.orders.find((o) => o.path === api.path);
    if (order) return { [b.params.quantity]: "1", [b.params.price]: "0", ...(order.sideParam ? { [order.sideParam]: "02" } : {}) };
    const change = b.changes.find((c) => c.path === api.path);
    if (change) return { [change.original]: "0000000001" };
  }
  return undefined;
}

test("every catalogued REST API goes out on its path with its TR ID and every parameter, or is refused in mock first", { timeout: 120_000 }, async () => {
  let answered = 0;
  let refusedInMock = 0;
  let sent = 0;
  let ordersRefused = 0;
  for (const api of catalogue.rest) {
    for (const env of ["real", "mock"]) {
      const ids = env === "real" ? api.trIds.real : api.trIds.mock;
      const kis = client(env);
      const before = mocks[env].requests.length;
      const options = ids && ids.length > 1 ? { trId: ids[0].id } : undefined;
      const terms = ids && orderTerms(api);
      if (terms) {
        // Empty, an order's terms are refused by name, and nothing goes out; readable, it does.
        const e = await kis.call(api.name, params(api), options).then(() => null, (err) => err);
        assert.ok(e instanceof KisError && e.kind === "validation" && Object.keys(terms).some((t) => e.field === `params.${t}`), `${api.name} (${env}): ${e?.field} ${e?.message}`);
        assert.equal(mocks[env].requests.length, before, `${api.name} (${env}) sent nothing`);
        ordersRefused += 1;
      }
      const r = await kis.call(api.name, { ...params(api), ...terms }, options).then((v) => v, (e) => e);
      if (!ids) {
        assert.ok(r instanceof KisError && r.kind === "validation" && /not offered by KIS in the mock environment/.test(r.message), `${api.name}: ${r.message ?? "answered"}`);
        assert.equal(mocks[env].requests.filter((q) => q.path.startsWith("/uapi/")).length, mocks[env].requests.slice(0, before).filter((q) => q.path.startsWith("/uapi/")).length, `${api.name} sent nothing in mock`);
        refusedInMock += 1;
        kis.free();
        continue;
      }
      const out = mocks[env].requests.slice(before).filter((q) => q.path === api.path);
      assert.ok(out.length >= 1, `${api.name} (${env}) went out: ${r.message ?? ""}`);
      const q = out[0];
      assert.equal(q.headers.tr_id, ids[0].id, api.name);
      const keys = api.method === "GET" ? Object.keys(q.query) : Object.keys(JSON.parse(q.body || "{}"));
      assert.deepEqual(keys, [...new Set(api.request.map((f) => f.name))], `${api.name} sends every documented parameter in order`);
      sent += 1;
      answered += 1;
      // The hand-made APIs check their input as KIS does: empty values are KIS's business error
      // there, an answer all the same.
      if (r instanceof KisError && r.kind === "api" && HAND_MADE.has(api.path)) continue;
      assert.ok(!(r instanceof Error), `${api.name} (${env}) answered: ${r.message}`);
      // The answer has every group and field of the API's layout, as typed (the hand-made
      // answers are checked field by field in mock.test.mjs).
      if (HAND_MADE.has(api.path)) continue;
      for (const g of api.response.groups) {
        const got = r.body[g.name];
        // As the layout says (the types take either where KIS's example disagrees).
        assert.equal(Array.isArray(got), g.array, `${api.name}.${g.name} is ${g.array ? "rows" : "an object"}`);
        const row = g.array ? got[0] : got;
        for (const f of g.fields) assert.equal(typeof row[f.name], "string", `${api.name}.${g.name}.${f.name}`);
      }
      kis.free();
    }
  }
  const inMock = catalogue.rest.filter((a) => a.trIds.mock).length;
  const ordered = catalogue.rest.filter((a) => orderTerms(a));
  assert.equal(ordersRefused, ordered.length + ordered.filter((a) => a.trIds.mock).length, "every order API, empty, refused in each environment");
  console.log(`coverage: ${catalogue.rest.length} of ${catalogue.rest.length} catalogued REST APIs reachable through call(); ${sent} calls sent (${catalogue.rest.length} real + ${inMock} mock), ${answered} answered by kis-mock, ${refusedInMock} refused in mock before sending`);
  assert.equal(refusedInMock, catalogue.rest.length - inMock);
  assert.equal(sent, catalogue.rest.length + inMock);
  assert.equal(answered, sent, "kis-mock answers every catalogued API in every environment KIS offers it");
});

test("kis.api: the catalogue as methods, with kis-mock's answers as KIS sends them", async () => {
  const kis = client("mock");
  const q = await kis.api.domesticStockInquirePrice({ FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930" });
  assert.equal(q.status, 200);
  assert.equal(q.body.output.stck_prpr, "71000");
  const order = await kis.api.domesticStockOrderCash({ PDNO: "005930", ORD_DVSN: "00", ORD_QTY: "1", ORD_UNPR: "60000" }, { trId: "VTTC0012U" });
  assert.match(order.body.output.ODNO, /^\d{10}$/);
  assert.ok(mocks.mock.orders("50012345").some((o) => o.odno === order.body.output.ODNO));
  const orders = await kis.api.domesticStockInquireDailyCcld({ INQR_STRT_DT: "20200101", INQR_END_DT: "20991231", SLL_BUY_DVSN_CD: "00", INQR_DVSN: "00", PDNO: "", CCLD_DVSN: "00", INQR_DVSN_3: "00", INQR_DVSN_1: "", ORD_GNO_BRNO: "", ODNO: "", EXCG_ID_DVSN_CD: "KRX" }, { allPages: true, trId: "VTTC0081R" });
  assert.ok(orders.body.output1.some((row) => row.odno === order.body.output.ODNO));
  await assert.rejects(kis.api.domesticStockInquirePrice({ FID_INPUT_ISCD: "005930" }), (e) => e.field === "params.FID_COND_MRKT_DIV_CODE");
  await assert.rejects(kis.call("nope", {}), (e) => e.field === "api");
  kis.free();
});

test("kis.api has the catalogue's names and no others, so awaiting, returning or printing it is safe", async () => {
  const kis = client("mock");
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    // `then` under every name made `await kis.api` call `call("then", resolve, reject)`: it
    // never settled, and the call's rejection went unhandled (which ends a Node process).
    const api = await Promise.race([(async () => kis.api)(), new Promise((r) => setTimeout(() => r("hung"), 500))]);
    assert.notEqual(api, "hung");
    assert.equal(typeof api.domesticStockInquirePrice, "function");
    assert.equal(JSON.stringify({ api: kis.api }), '{"api":{}}');
    for (const name of ["then", "toJSON", "constructor", "valueOf", "domesticStockInquirPrice"]) assert.equal(kis.api[name], undefined, name);
    assert.ok("domesticStockInquirePrice" in kis.api && "/uapi/domestic-stock/v1/quotations/inquire-price" in kis.api);
    assert.ok(!("then" in kis.api));
    // Listed too: Object.keys, for…in, a spread and a REPL's completion see every API, as functions.
    const names = Object.keys(kis.api);
    assert.equal(names.length, catalogue.rest.length);
    assert.deepEqual(new Set(names), new Set(catalogue.rest.map((e) => e.name)));
    const spread = { ...kis.api };
    assert.ok(names.every((n) => typeof spread[n] === "function"));
    let seen = 0;
    for (const name in kis.api) seen += name === "domesticStockInquirePrice" ? 1 : 0;
    assert.equal(seen, 1);
    assert.equal(Object.getOwnPropertyDescriptor(kis.api, "then"), undefined);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    kis.free();
  }
});

test("the README's coverage table is what the catalogue and the order books make", async () => {
  const { coverageTable } = await import(path.join(root, "scripts/coverage-table.mjs"));
  const books = JSON.parse(fs.readFileSync(path.join(root, "catalogue/order-books.json"), "utf8"));
  const table = coverageTable(catalogue, books);
  assert.ok(fs.readFileSync(path.join(root, "README.md"), "utf8").includes(table), "run bash scripts/build.sh: it writes the table");
  assert.match(table, /\*\*all REST\*\* \| \*\*275\*\* \| \*\*38\*\* \| \*\*18\*\* \| \*\*17\*\*/);
});

test("the package's types carry every catalogued API", () => {
  const dts = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve("kis-wasm/package.json")), "web/catalogue.d.ts"), "utf8");
  for (const api of catalogue.rest) assert.ok(dts.includes(`  ${api.name}(params: KisApiParams["${api.name}"]`), api.name);
  assert.ok(!/\bany\b/.test(dts), "no any");
});
