// The binding's own small executor (src/wasm/tasks.rs): the paths it must get right beyond one
// call at a time. A file of its own, so that no other test's timers or calls keep the executor
// busy: a task it forgot to run would then still be run by someone else's wake-up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PRICE, client, fakeFetch, response } from "./fake-fetch.mjs";

test("tasks: calls made from inside a callback, sync and thenable stores, and 300 at once all settle", { timeout: 10_000 }, async () => {
  // A call started from an onEvent callback, that is, while the client is polling its tasks.
  const f = fakeFetch();
  let nested;
  const kis = client({
    fetch: f.fetch,
    onEvent: (e) => {
      // On the answer, so that the outer call has nothing left to wait for after it.
      if (e.type === "response" && e.path.includes("inquire-price") && !nested) nested = kis.getPrice("000660");
    },
  });
  const outer = await kis.getPrice("005930");
  assert.equal(outer.symbol, "005930");
  assert.ok(nested, "the callback ran");
  assert.equal((await nested).symbol, "000660");

  // A store that answers synchronously, and one that answers with a bare thenable.
  const stored = [];
  const sync = { get: () => null, set: (k, t) => void stored.push(t) };
  await client({ fetch: fakeFetch().fetch, tokenStore: sync }).getPrice("005930");
  assert.equal(stored.length, 1);
  const thenable = (v) => ({ then: (ok) => setTimeout(() => ok(v), 2) });
  const viaThenable = { get: () => thenable(stored[0]), set: () => thenable(undefined) };
  const g = fakeFetch();
  await client({ fetch: g.fetch, tokenStore: viaThenable }).getPrice("005930");
  assert.equal(g.tokens(), 0, "the token came from the thenable store");

  // Many at once, some failing: every promise settles, the right way, and slots are reused.
  const h = fakeFetch({ answer: (url) => (url.includes("000660") ? response(500, "<html>busy</html>") : response(200, PRICE)) });
  const many = client({ fetch: h.fetch, retry: { serverErrors: 0 }, logger: null });
  for (let round = 0; round < 2; round++) {
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => many.getPrice(i % 3 === 0 ? "000660" : "005930")));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 200);
    assert.ok(results.filter((r) => r.status === "rejected").every((r) => r.reason.kind === "http" && r.reason.status === 500));
  }
});

test("tasks: a console that throws while the client logs breaks neither that call nor the next", { timeout: 10_000 }, async () => {
  const { warn, error } = console;
  let thrown = 0;
  console.warn = console.error = () => {
    thrown += 1;
    throw new Error("a broken console");
  };
  try {
    let n = 0;
    const f = fakeFetch({ answer: () => (++n === 1 ? response(502, "<html>bad gateway</html>") : response(200, PRICE)) });
    const kis = client({ fetch: f.fetch, retry: { delayMs: 5 } }); // logger: the console
    assert.equal((await kis.getPrice("005930")).price, 70000, "retried after the 502 and logged");
    assert.ok(thrown >= 1, "the retry was logged to the throwing console");
    assert.equal((await kis.getPrice("005930")).price, 70000, "the next call still runs");
  } finally {
    Object.assign(console, { warn, error });
  }
});
