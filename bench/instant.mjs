// What the benchmarks share: the median, and a fetch that answers at once with kis-mock's quote
// (no socket, no server), so that what is timed over it is the client's own work.
import { startMockKis } from "kis-wasm/mock";

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A fetch that answers a token request with a token, and anything else with the quote kis-mock
 *  answered `KisClient`'s getPrice("005930") with, captured once. */
export async function instantFetch(KisClient, appKey) {
  const mock = await startMockKis({ env: "real", rateLimit: 0 });
  let quote;
  const capture = async (u, i) => {
    const r = await fetch(u, i);
    quote = await r.clone().text();
    return r;
  };
  try {
    await new KisClient({ appKey, appSecret: "bench-app-secret-0123456789", baseUrl: mock.url, env: "real", rateLimitPerSec: 0, logger: null, fetch: capture }).getPrice("005930");
  } finally {
    await mock.close();
  }
  const token = JSON.stringify({ access_token: "t".repeat(350), token_type: "Bearer", expires_in: 86400 });
  return async (u) => new Response(String(u).endsWith("/oauth2/tokenP") ? token : quote, { status: 200, headers: { "content-type": "application/json" } });
}
