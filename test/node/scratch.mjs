import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
const m = await startMockKis({ env: "mock", rateLimit: 0 });
const sent = [];
const kis = new KisClient({ appKey: "k".repeat(36), appSecret: "s".repeat(180), account: "12345678-01", env: "mock", baseUrl: m.url, rateLimitPerSec: 0, logger: null, fetch: (u, i) => { sent.push(`${i.method} ${u.replace(m.url, "")} ${i.body ?? ""}`.slice(0, 160)); return fetch(u, i); } });
await kis.ensureToken();
const P = "/uapi/domestic-stock/v1/quotations/inquire-price";
for (const [name, spec] of [
  ["method post", { method: "post", path: "/uapi/domestic-stock/v1/trading/order-cash", trId: "VTTC0012U", body: { PDNO: "005930" } }],
  ["method PUT", { method: "PUT", path: P, trId: "FHKST01010100" }],
  ["no slash", { path: "uapi/domestic-stock/v1/quotations/inquire-price", trId: "FHKST01010100" }],
  ["trCont Y", { path: P, trId: "FHKST01010100", trCont: "Y" }],
  ["query num", { path: P, trId: "FHKST01010100", query: { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: 5930 } }],
  ["query obj", { path: P, trId: "FHKST01010100", query: { FID_INPUT_ISCD: { a: 1 } } }],
  ["body string", { method: "POST", path: "/uapi/domestic-stock/v1/trading/order-cash", trId: "VTTC0012U", body: "PDNO=005930" }],
  ["GET with body", { method: "GET", path: P, trId: "FHKST01010100", body: { a: "1" } }],
  ["POST no body", { method: "POST", path: "/uapi/domestic-stock/v1/trading/order-cash", trId: "VTTC0012U" }],
  ["trId lower", { path: P, trId: "fhkst01010100" }],
  ["trId empty", { path: P, trId: "" }],
]) {
  sent.length = 0;
  try { const r = await kis.request(spec); console.log("OK ", name, r.status, JSON.stringify(r.body).slice(0, 80), sent.slice(-1)); }
  catch (e) { console.log("ERR", name, e.kind, e.field, e.message.slice(0, 160), sent.length ? sent.slice(-1) : ""); }
}
await m.close();
