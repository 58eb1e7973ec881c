// scratch: getPrice with a fetch that answers at once
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";
const mock = await startMockKis({ env: "real", rateLimit: 0 });
const keys = { appKey: "bench-app-key-0123456789", appSecret: "bench-app-secret-0123456789" };
const kis0 = new KisClient({ ...keys, baseUrl: mock.url, env: "real", rateLimitPerSec: 0, logger: null });
await kis0.ensureToken();
let body;
const capture = async (u, i) => { const r = await fetch(u, i); body = await r.clone().text(); return r; };
const kis1 = new KisClient({ ...keys, appKey: keys.appKey + "x", baseUrl: mock.url, env: "real", rateLimitPerSec: 0, logger: null, fetch: capture });
await kis1.getPrice("005930");
const tokenBody = JSON.stringify({ access_token: "x".repeat(350), token_type: "Bearer", expires_in: 86400 });
const instant = async (u, i) => new Response(String(u).endsWith("/oauth2/tokenP") ? tokenBody : body, { status: 200, headers: { "content-type": "application/json" } });
const kis = new KisClient({ ...keys, baseUrl: "http://127.0.0.1:9", env: "real", rateLimitPerSec: 0, logger: null, fetch: instant });
await kis.ensureToken();
await mock.close();
const N = +(process.argv[2] || 20000);
for (let i = 0; i < 2000; i++) await kis.getPrice("005930");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = [];
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N / 5; i++) await kis.getPrice("005930");
  rounds.push(Number(process.hrtime.bigint() - t) / 1000 / (N / 5));
}
const fetchOnly = [];
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N / 5; i++) { const x = await instant("u", {}); JSON.parse(await x.text()); }
  fetchOnly.push(Number(process.hrtime.bigint() - t) / 1000 / (N / 5));
}
console.log("getPrice, instant fetch: median µs/call", median(rounds).toFixed(1), "; the fetch + text + JSON.parse alone", median(fetchOnly).toFixed(1), "; body bytes", body.length);
