// Interim demo until the dashboard lands: the package against a small KIS on 127.0.0.1,
// printing a quote, the balance and the request log (secrets never appear in it).
import { KisClient } from "kis-wasm";
import { startTinyKis } from "../test/node/tiny-kis.mjs";

const kis = await startTinyKis();
const log = [];
const client = new KisClient({
  appKey: "demo-app-key-0000000000", appSecret: "demo-app-secret-0000000000",
  account: "12345678-01", baseUrl: kis.url, env: "mock",
  onEvent: (e) => log.push(e),
});
try {
  console.log(`KIS stand-in listening on ${kis.url}`);
  const q = await client.getPrice("005930");
  console.log(`005930 price ${q.price} (${q.change >= 0 ? "+" : ""}${q.change}, ${q.changeRate}%) volume ${q.volume}`);
  const b = await client.getBalance();
  for (const h of b.holdings) console.log(`holding ${h.symbol} ${h.name} × ${h.quantity}`);
  console.log(`cash ${b.summary.cash}`);
  console.log("request log:");
  for (const e of log) {
    console.log(`  ${e.type.padEnd(13)} ${(e.method ?? "").padEnd(4)} ${e.trId ?? ""} ${e.path ?? ""} ${e.status ?? ""}${e.ms != null ? ` ${e.ms} ms` : ""}${e.waitMs != null ? ` waited ${Math.round(e.waitMs)} ms` : ""}`);
  }
} finally {
  await kis.close();
}
