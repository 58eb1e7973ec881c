// The whole demo stack: a static server for the dashboard, the CORS proxy and, unless real keys
// are given, the embedded mock KIS server behind it. Used by scripts/demo.sh and the e2e tests.
import { startMockKis } from "kis-wasm/mock";
import { startCorsProxy } from "kis-wasm/proxy";
import { startDashboardServer } from "./serve.mjs";

/**
 * @param {object} o
 * @param {number} [o.port] the dashboard's port (0 = any)
 * @param {boolean} [o.hold] the proxy holds the keys (the page never sees them)
 * @param {{appKey: string, appSecret: string, account: string, env: "real"|"mock"}} [o.kis] real KIS
 *   credentials: the proxy then forwards to KIS itself instead of the embedded mock
 * @param {(line: string) => void} [o.log]
 */
export async function startStack(o = {}) {
  const log = o.log ?? (() => {});
  const dashboard = await startDashboardServer({ port: o.port ?? 0 });
  const origins = [dashboard.url, dashboard.url.replace("127.0.0.1", "localhost")];
  let mock = null;
  let proxy;
  if (o.kis) {
    proxy = await startCorsProxy({ upstream: o.kis.env, allowOrigins: origins, hold: { appKey: o.kis.appKey, appSecret: o.kis.appSecret, env: o.kis.env }, log });
    dashboard.setConfig({ env: o.kis.env, proxyUrl: proxy.url, account: o.kis.account, held: true });
  } else {
    // The embedded mock allows 5 calls a second (KIS's mock allows 1) so the demo feels alive.
    mock = await startMockKis({ env: "mock", rateLimit: 5 });
    const hold = o.hold ?? true;
    const held = { appKey: "demo-app-key", appSecret: "demo-app-secret", env: "mock", rateLimitPerSec: 5 };
    proxy = await startCorsProxy({ upstream: mock.url, allowOrigins: origins, hold: hold ? held : undefined, log });
    dashboard.setConfig({ env: "mock", proxyUrl: proxy.url, account: "50012345-01", htsId: "demo-hts", held: hold, rateLimitPerSec: 5 });
  }
  return {
    url: dashboard.url, dashboard, proxy, mock,
    async close() {
      await dashboard.close();
      await proxy.close();
      if (mock) await mock.close();
    },
  };
}
