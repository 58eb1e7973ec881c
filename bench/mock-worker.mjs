// kis-mock on a thread of its own, so that the realtime benchmark's sender and the client it
// measures do not share an event loop. Driven by messages from bench/realtime.mjs.
import { parentPort } from "node:worker_threads";
import { startMockKis } from "kis-wasm/mock";

const SYMBOL = "005930";
// No ticker noise: the benchmark sends every frame itself.
const mock = await startMockKis({ env: "mock", rateLimit: 0, tickMs: 3_600_000 });
const stamp = () => (performance.timeOrigin + performance.now()).toFixed(3);
const fields = mock.realtime.tradeFields(SYMBOL, 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

parentPort.postMessage({ url: mock.url, wsUrl: mock.wsUrl });
parentPort.on("message", async (m) => {
  if (m.type === "latency") {
    // One stamped trade at a time, apart, as a quiet market sends them: the time each spends
    // between the mock's send and the callback.
    while (mock.realtime.send("H0STCNT0", SYMBOL, [[...fields, "warmup"]]) === 0) await sleep(5);
    for (let i = 0; i < m.count; i++) {
      mock.realtime.send("H0STCNT0", SYMBOL, [[...fields, stamp()]]);
      await sleep(m.gapMs);
    }
    parentPort.postMessage({ done: true });
  } else if (m.type === "burst") {
    // As many as the socket takes, at once: how fast one connection's frames are parsed.
    const started = performance.timeOrigin + performance.now();
    for (let i = 0; i < m.count; i++) mock.realtime.send("H0STCNT0", SYMBOL, [[...fields, "burst"]]);
    parentPort.postMessage({ started });
  } else if (m.type === "close") {
    await mock.close();
    parentPort.close();
  }
});
