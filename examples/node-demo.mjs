// Interim demo until the dashboard lands: the package against the mock KIS server on 127.0.0.1
// (mock environment: 1 call a second), printing a quote, the balance, an order and the request
// log (secrets never appear in it).
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";

const kis = await startMockKis({ env: "mock" });
const log = [];
const client = new KisClient({
  appKey: "demo-app-key-0000000000", appSecret: "demo-app-secret-0000000000",
  account: "12345678-01", baseUrl: kis.url, env: "mock",
  onEvent: (e) => log.push(e),
});
try {
  console.log(`mock KIS listening on ${kis.url}`);
  const q = await client.getPrice("005930");
  console.log(`005930 price ${q.price} (${q.change >= 0 ? "+" : ""}${q.change}, ${q.changeRate}%) volume ${q.volume}`);
  const b = await client.getBalance();
  for (const h of b.holdings) console.log(`holding ${h.symbol} ${h.name} × ${h.quantity}`);
  console.log(`cash ${b.summary.cash}`);
  const ack = await client.buy({ symbol: "005930", quantity: 1 });
  const order = (await client.getOrders()).find((o) => o.orderNo === ack.orderNo);
  console.log(`bought 005930 × 1 at market: order ${ack.orderNo}, filled ${order.filledQuantity}`);
  console.log("request log:");
  for (const e of log) {
    console.log(`  ${e.type.padEnd(13)} ${(e.method ?? "").padEnd(4)} ${e.trId ?? ""} ${e.path ?? ""} ${e.status ?? ""}${e.ms != null ? ` ${e.ms} ms` : ""}${e.waitMs != null ? ` waited ${Math.round(e.waitMs)} ms` : ""}`);
  }
} finally {
  await kis.close();
}
