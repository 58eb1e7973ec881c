// A page of a Vite app that uses the package as a user's would: imported by its name, a client
// made at once (the browser entry initialises its wasm itself), a quote through a CORS proxy.
import { KisClient, KisError } from "kis-wasm";

const out = document.querySelector("#out");
const query = new URLSearchParams(location.search);
try {
  const kis = new KisClient({
    // One a page: kis-mock, as KIS, issues an app key one token a minute.
    appKey: `PSviteAppKey0123456789${query.get("key")}`,
    appSecret: "viteAppSecret0123456789abcdefghijklmn",
    env: "mock",
    baseUrl: query.get("proxy"),
    logger: null,
  });
  out.textContent = `price ${(await kis.getPrice("005930")).price}`;
} catch (e) {
  out.textContent = `error ${e instanceof KisError ? e.kind : e.name}: ${e.message}`;
}
