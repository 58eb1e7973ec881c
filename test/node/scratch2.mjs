import { createRequire } from "node:module";
import { WebSocket } from "ws";
import { startMockKis } from "kis-wasm/mock";
const require = createRequire(import.meta.url);
const { KisClient } = require(process.argv[2] + "/node/index.cjs");
const mock = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 3_600_000 });
const kis = new KisClient({ appKey: "bench-app-key-0123456789", appSecret: "bench-app-secret-0123456789", env: "mock", baseUrl: mock.url, rateLimitPerSec: 0, logger: null });
const rt = kis.realtime({ WebSocket, url: mock.wsUrl });
let got = 0;
await rt.trades("005930", () => { got++; });
const fields = mock.realtime.tradeFields("005930", 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
while (mock.realtime.send("H0STCNT0", "005930", [[...fields, "warmup"]]) === 0) await sleep(5);
await sleep(50);
globalThis.__counts?.clear();
const N = 200;
for (let i = 0; i < N; i++) { mock.realtime.send("H0STCNT0", "005930", [[...fields, "x"]]); await sleep(1); }
await sleep(50);
console.log("got", got);
if (globalThis.__counts) { const rows = [...globalThis.__counts].map(([k, v]) => [k, v / N]).sort((a, b) => b[1] - a[1]); let t = 0; for (const [k, v] of rows) { t += v; console.log(v.toFixed(2).padStart(6), k); } console.log("total", t); }
rt.close(); kis.free(); await mock.close();
