import vm from "node:vm";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
const mock = await startMockKis({ env: "real", rateLimit: 0 });
const realm = vm.createContext({ fetch });
const foreignFetch = vm.runInContext("(u, i) => fetch(u, i)", realm);
const store = vm.runInContext("({ m: new Map(), get(k) { return this.m.get(k) ?? null; }, set(k, v) { this.m.set(k, v); } })", realm);
const onEvent = vm.runInContext("(e) => {}", realm);
const opts = vm.runInContext("(o) => ({ ...o })", realm);
try {
  const kis = new KisClient(opts({ appKey: "k".repeat(20), appSecret: "s".repeat(20), env: "real", baseUrl: mock.url, rateLimitPerSec: 0, logger: null, fetch: foreignFetch, tokenStore: store, onEvent }));
  console.log((await kis.getPrice("005930")).price);
  const order = vm.runInContext("({ symbol: '005930', quantity: 1, price: 70000 })", realm);
  console.log(await kis.getBalance().then((b) => typeof b, (e) => e.message));
} catch (e) { console.log("failed:", e.kind, e.field, e.message); }
await mock.close();
