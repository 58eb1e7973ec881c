// Issue 17's memory rule, in a file of its own: node --test runs each file in a process of its
// own, so the wasm memory starts here as a user's does, and no earlier test's answer has grown
// it already (which would hide what the first answer takes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { client, fakeFetch, response } from "./fake-fetch.mjs";

// Not part of the API: the CommonJS entry's hook for the benchmarks (one instance for both).
const { __wasmMemoryBytes } = createRequire(import.meta.url)("kis-wasm");

test("memory: twenty 6 MB answers in a row grow the wasm memory no further than the first, by less than twice its size", async () => {
  const big = "삼성전자우".repeat(400_000); // 2 M characters, 6 MB of UTF-8
  const body = JSON.stringify({ rt_cd: "0", msg1: "ok", big });
  const f = fakeFetch({ answer: () => response(200, body) });
  const kis = client({ fetch: f.fetch, maxResponseBytes: 16 << 20 });
  await kis.ensureToken();
  const before = __wasmMemoryBytes();
  const after = [];
  for (let i = 0; i < 20; i++) {
    await kis.request({ path: "/uapi/domestic-stock/v1/quotations/x", trId: "FHKST01010100" });
    after.push(__wasmMemoryBytes());
  }
  const grown = after[0] - before;
  // Issue 17 asks for less than 5×. The answer's text is the one copy the wasm keeps (its
  // chunks copied in once, its text handed to JSON.parse where it lies): well under twice.
  assert.ok(grown < 2 * Buffer.byteLength(body), `the first answer grew the memory by ${grown} B (${(grown / Buffer.byteLength(body)).toFixed(2)}×)`);
  assert.deepEqual(new Set(after), new Set([after[0]]), "no later answer grew it further");
  assert.equal((await client({ fetch: fakeFetch().fetch }).getPrice("005930")).price, 70000, "a small call after them works");
});
