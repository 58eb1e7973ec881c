// Issue 17's memory figure, in a process of its own so that the wasm memory starts as a user's
// does: twenty 6 MB answers from kis-mock in a row, and how much each grew the wasm memory.
// Prints one JSON line; bench/run.mjs runs it.
import { createRequire } from "node:module";
import { KisClient } from "kis-wasm";
import { startMockKis } from "kis-wasm/mock";

const { __wasmMemoryBytes } = createRequire(import.meta.url)("kis-wasm");
const answers = 20;
// 2 M characters of Korean, 3 bytes each in UTF-8: an answer of 6 MB.
const body = JSON.stringify({ rt_cd: "0", msg_cd: "MCA00000", msg1: "정상처리 되었습니다.", big: "삼성전자우".repeat(400_000) });
const mock = await startMockKis({ env: "real", rateLimit: 0 });
const kis = new KisClient({
  appKey: "bench-app-key-0123456789",
  appSecret: "bench-app-secret-0123456789",
  baseUrl: mock.url,
  env: "real",
  rateLimitPerSec: 0,
  maxResponseBytes: 16 << 20,
  logger: null,
});
await kis.ensureToken();
mock.addFault({ path: "/inquire-price", times: answers, status: 200, body });
const path = "/uapi/domestic-stock/v1/quotations/inquire-price";
const before = __wasmMemoryBytes();
const after = [];
for (let i = 0; i < answers; i++) {
  const r = await kis.request({ path, trId: "FHKST01010100", query: { FID_COND_MRKT_DIV_CODE: "J", FID_INPUT_ISCD: "005930" } });
  if (r.body.big.length !== 2_000_000) throw new Error("the answer did not cross whole");
  after.push(__wasmMemoryBytes());
}
const small = await kis.getPrice("005930");
await mock.close();
console.log(
  JSON.stringify({
    memoryAnswerBytes: Buffer.byteLength(body),
    memoryBeforeBytes: before,
    memoryFirstGrowthBytes: after[0] - before,
    memoryLaterGrowthBytes: after[answers - 1] - after[0],
    memorySmallCallAfterOk: Number.isFinite(small.price),
  }),
);
