import vm from "node:vm";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
const mock = await startMockKis({ env: "real", rateLimit: 0 });
// Node's fetch, its chunks turned into another realm's Uint8Arrays, as a test runner's sandbox sees them.
const other = vm.createContext({});
const Foreign = vm.runInContext("Uint8Array", other);
const foreignFetch = async (u, i) => {
  const r = await fetch(u, i);
  const reader = r.body.getReader();
  return { status: r.status, headers: r.headers, body: { getReader: () => ({ read: async () => { const c = await reader.read(); return c.done ? c : { done: false, value: new Foreign(c.value) }; }, cancel: () => reader.cancel() }) } };
};
const kis = new KisClient({ appKey: "k".repeat(20), appSecret: "s".repeat(20), env: "real", baseUrl: mock.url, rateLimitPerSec: 0, logger: null, fetch: foreignFetch });
try { console.log((await kis.getPrice("005930")).price); } catch (e) { console.log("failed:", e.kind, e.message); }
await mock.close();
