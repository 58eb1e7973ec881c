// A fake fetch that answers tokenP and quotes, and a client over it, for the tests of the package.
import { KisClient } from "kis-wasm";
import { APP_KEY, APP_SECRET } from "./secrets.mjs";

export const PRICE = { rt_cd: "0", msg_cd: "MCA00000", msg1: "OK", output: { stck_prpr: "70000", prdy_ctrt: "+1.26", acml_vol: " 15 " } };

/** A fetch that answers tokenP and quotes, recording each call and its `this`. */
export function fakeFetch({ answer } = {}) {
  const calls = [];
  let tokens = 0;
  const fetch = async function (url, init) {
    calls.push({ url, init, self: this });
    await new Promise((r) => setTimeout(r, 1));
    if (url.endsWith("/oauth2/tokenP")) {
      tokens += 1;
      return response(200, { access_token: `fake-token-${tokens}-${"q".repeat(30)}`, expires_in: 86400 });
    }
    return answer ? answer(url, init, calls) : response(200, PRICE);
  };
  return { fetch, calls, tokens: () => tokens };
}

export function response(status, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { status, headers: { get: (n) => headers[n] ?? null }, text: async () => text };
}

export function client(extra = {}) {
  return new KisClient({ appKey: APP_KEY, appSecret: APP_SECRET, account: "12345678-01", baseUrl: "http://kis.test", env: "real", rateLimitPerSec: 0, ...extra });
}
